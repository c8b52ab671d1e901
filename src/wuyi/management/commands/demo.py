from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import translation
from rich.console import Console
from rich.table import Table

from wuyi.demo import DEMO_PASSWORD, build_campaign_data, ensure_demo_accounts
from wuyi.health.models import Case
from wuyi.places.models import Area, Level


class Command(BaseCommand):
    help = ("Migrate, build the demo city, its 2020 epidemic, its 30 days of volunteer work and the campaign's data "
            "(campaign, workforce, small venues, care) if they are not built, create one account per role, and "
            "serve.")

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--no-serve", action="store_true", help="set everything up, print the logins, and stop")

    def handle(self, *args, addr, seed, no_serve, **options):
        console = Console()
        call_command("migrate", interactive=False, verbosity=0)
        if not Area.objects.filter(level=Level.CITY).exists():
            from wuyi.synth.city import generate

            console.print("Building the demo city…")
            generate("demo", seed=seed, progress=True)
        if not Case.objects.exists():
            from wuyi.synth.epidemic import build_epidemic

            epidemic = build_epidemic(seed=seed)
            console.print(f"Epidemic 2020-01-19..03-31: {epidemic.message} ({sum(epidemic.seconds.values()):.1f} s).")
        from wuyi.synth.volunteers import build_history

        history = build_history(seed=seed)  # once: nothing is done when the history exists
        if history.built:
            console.print(f"Volunteer history: {history.message} ({history.seconds:.1f} s).")
        for built in build_campaign_data(seed):  # once: each builder does nothing when its data exists
            console.print(f"{built.name.capitalize()}: {built.message}")
        with translation.override("zh-hans"):
            logins = ensure_demo_accounts()
        table = Table(title=f"wuyi demo · http://{addr}/ · password {DEMO_PASSWORD}")
        for column in ("login", "role", "where"):
            table.add_column(column)
        for login in logins:
            table.add_row(login.username, login.role, login.where)
        console.print(table)
        console.print(f"Open http://{addr}/ and log in with any account above (password [bold]{DEMO_PASSWORD}[/]).")
        if not no_serve:
            call_command("serve", addr=addr)
