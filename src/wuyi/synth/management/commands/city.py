"""`wuyi city generate --scale demo|district|city [--seed N] [--district CODE] [--replace]`,
`wuyi city epidemic [--seed N] [--replace]`, `wuyi city volunteers [--seed N] [--days N] [--replace]` and
`wuyi city campaign [--seed N] [--replace]`."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
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
                         help="demo: ~20,000 residents; areas: the city's whole area tree with 20,000 residents; "
                              "district: one district at full size; city: 17.5 M residents")
        gen.add_argument("--seed", type=int, default=1, help="the same seed builds the same rows")
        gen.add_argument("--district", help=f"district code for --scale district (default {DEFAULT_DISTRICT}, 福田区)")
        gen.add_argument("--replace", action="store_true", help="delete the city already built first")
        gen.add_argument("--no-progress", action="store_true", help="no progress bars")
        gen.add_argument("--json", action="store_true", help="print the summary as one JSON object, nothing else")
        epi = sub.add_parser("epidemic", help="record the 2020-01-19..03-31 epidemic on the city and publish its risk lists")
        epi.add_argument("--seed", type=int, default=2020, help="the same seed gives the same timeline")
        epi.add_argument("--replace", action="store_true", help="delete the synthetic cases already recorded first")
        vol = sub.add_parser("volunteers", help="record 30 days of volunteer work ending today (40,000 tasks, "
                                                "~220,000 participations)")
        vol.add_argument("--seed", type=int, default=2020, help="the same seed gives the same history")
        vol.add_argument("--days", type=int, default=30, help="how many days, ending today")
        vol.add_argument("--replace", action="store_true", help="delete the history already recorded first")
        camp = sub.add_parser("campaign", help="build the campaign's data: inspections and demonstration compounds, "
                                               "workforce, small venues, care for key persons")
        camp.add_argument("--seed", type=int, default=2020, help="the same seed gives the same data")
        camp.add_argument("--replace", action="store_true", help="delete the data already built first")

    def handle(self, *args, action, **options):
        if action == "epidemic":
            return self.epidemic(options["seed"], options["replace"])
        if action == "volunteers":
            return self.volunteers(options["seed"], options["days"], options["replace"])
        if action == "campaign":
            return self.campaign(options["seed"], options["replace"])
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

    def epidemic(self, seed: int, replace: bool) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from wuyi.synth.epidemic import build_epidemic

        console = Console()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                      transient=True) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            try:
                summary = build_epidemic(seed, progress=progress, replace=replace)
            except DomainError as e:
                raise CommandError(e.message) from None
        if not summary.built:
            console.print(summary.message)
            return
        table = Table(title=f"epidemic · seed {seed} · {summary.cases} confirmed cases",
                      caption="cases not assigned to a district on 2020-02-04 are reported 2020-02-05..08")
        for column in ("district", "by 2020-02-04", "by 2020-03-31"):
            table.add_column(column, justify="left" if column == "district" else "right")
        for name, (early, total) in summary.by_district.items():
            table.add_row(name, str(early), str(total))
        table.add_row("total", str(sum(e for e, _t in summary.by_district.values())), str(summary.cases))
        console.print(table)
        peak_day, peak_cases = summary.peak
        console.print(
            f"{summary.imported} imported, {summary.local} local; peak {peak_cases} on {peak_day}; "
            f"{summary.clusters} household clusters, {summary.contacts} close contacts, "
            f"{summary.quarantine_orders} quarantine orders; {summary.without_person} cases without a person"
        )
        console.print(
            f"{summary.risk_lists} daily risk lists (cn-2020-02), {summary.recoloured} colours recomputed "
            f"in {sum(summary.seconds.values()):.1f} s"
        )

    def volunteers(self, seed: int, days: int, replace: bool) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from wuyi.synth.volunteers import build_history
        from wuyi.volunteers.models import TaskKind

        console = Console()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                      transient=True) as bar:
            stages: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in stages:
                    stages[stage] = bar.add_task(stage, total=total)
                bar.update(stages[stage], completed=done, total=total)

            try:
                summary = build_history(seed, days=days, progress=progress, replace=replace)
            except DomainError as e:
                raise CommandError(e.message) from None
        if not summary.built:
            console.print(summary.message)
            return
        table = Table(title=f"volunteer history · seed {seed} · {summary.first} to {summary.last}")
        table.add_column("task kind")
        table.add_column("tasks", justify="right")
        with translation.override("en"):
            for kind, n in sorted(summary.by_kind.items(), key=lambda item: -item[1]):
                table.add_row(str(TaskKind(kind).label), f"{n:,}")
        table.add_row("total", f"{summary.tasks:,}")
        console.print(table)
        console.print(
            f"{summary.claims:,} claims, {summary.participations:,} participations, {summary.hours:,} hours; "
            f"{summary.volunteers:,} volunteers ({summary.new_volunteers:,} new), {summary.teams} teams; "
            f"{summary.seconds:.1f} s"
        )

    def campaign(self, seed: int, replace: bool) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from wuyi.demo import build_campaign_data

        console = Console()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                      transient=True) as bar:
            stages: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in stages:
                    stages[stage] = bar.add_task(stage, total=total)
                bar.update(stages[stage], completed=done, total=total)

            try:
                results = build_campaign_data(seed, replace=replace, progress=progress)
            except DomainError as e:
                raise CommandError(e.message) from None
        table = Table(title=f"campaign data · seed {seed}")
        table.add_column("builder")
        table.add_column("result")
        for built in results:
            table.add_row(built.name, built.message)
        console.print(table)
