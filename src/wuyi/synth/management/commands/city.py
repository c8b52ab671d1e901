"""`wuyi city generate --scale demo|district|city [--seed N] [--district CODE] [--replace]`."""

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from wuyi.errors import DomainError
from wuyi.synth.generator import DEFAULT_DISTRICT, SCALES


class Command(BaseCommand):
    help = "Build the synthetic Shenzhen: real districts and streets, generated compounds and residents."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="build the synthetic city")
        gen.add_argument("--scale", choices=list(SCALES), default="demo",
                         help="demo: ~20,000 residents; district: one district at full size; city: 17.5 M residents")
        gen.add_argument("--seed", type=int, default=1, help="the same seed builds the same rows")
        gen.add_argument("--district", help=f"district code for --scale district (default {DEFAULT_DISTRICT}, 福田区)")
        gen.add_argument("--replace", action="store_true", help="delete the city already built first")
        gen.add_argument("--no-progress", action="store_true", help="no progress bars")
        gen.add_argument("--json", action="store_true", help="print the summary as one JSON object, nothing else")

    def handle(self, *args, action, **options):
        from wuyi.synth.city import generate

        try:
            summary = generate(
                options["scale"], seed=options["seed"], district=options["district"],
                progress=not (options["no_progress"] or options["json"]), replace=options["replace"],
            )
        except DomainError as e:
            raise CommandError(e.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        table = Table(title=f"synthetic city · scale {summary['scale']} · seed {summary['seed']}")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, n in summary["rows"].items():
            table.add_row(name, f"{n:,}")
        table.add_row("total", f"{summary['rows_total']:,}")
        console = Console()
        console.print(table)
        console.print(f"{summary['residents']:,} residents in {summary['seconds']:.1f} s")
