"""`wuyi keys rotate` makes a new signing key; `wuyi keys list` shows the keys and how long each is trusted."""

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table


class Command(BaseCommand):
    help = "Code-signing keys: rotate, list."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate", help="make a new signing key; the old ones stay trusted until their codes expire")
        sub.add_parser("list", help="the keys, newest first")

    def handle(self, *args, action, **options):
        from wuyi.access import keys
        from wuyi.access.models import SigningKey

        console = Console()
        if action == "rotate":
            new = keys.rotate()
            console.print(f"new signing key {new.kid}")
        table = Table(title="signing keys")
        for column in ("kid", "created", "retired", "trusted until"):
            table.add_column(column)
        for key in SigningKey.objects.order_by("-created_at"):
            table.add_row(key.kid, f"{key.created_at:%Y-%m-%d %H:%M}",
                          f"{key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "current",
                          f"{key.trusted_until:%Y-%m-%d %H:%M}" if key.trusted_until else "")
        console.print(table)
