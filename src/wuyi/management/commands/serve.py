import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve wuyi with gunicorn (static files through whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("WUYI_ADDR", "127.0.0.1:8000"), help="host:port to bind")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WUYI_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, addr, workers, threads, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable, "-m", "gunicorn", "wuyi.wsgi:application",
            "--bind", addr, "--workers", str(workers), "--threads", str(threads),
            "--access-logfile", "-", "--timeout", "120",
        ]
        os.environ["WUYI_VAR"] = str(settings.VAR_DIR)  # workers must find the same database
        self.stdout.write(f"wuyi serving on http://{addr}/", ending="\n")
        self.stdout.flush()
        os.execv(sys.executable, argv)
