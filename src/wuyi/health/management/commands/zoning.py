"""`wuyi zoning publish --date YYYY-MM-DD [--rules R]`: publish the risk list of every district and street."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from wuyi.errors import DomainError
from wuyi.health import zoning


class Command(BaseCommand):
    help = "Risk zoning: publish the dated risk list of every district and street."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        publish = sub.add_parser("publish", help="publish the list for a date (replaces one of the same date and rules)")
        publish.add_argument("--date", required=True, help="the date, YYYY-MM-DD (cases reported up to and including it)")
        publish.add_argument("--rules", choices=list(zoning.RULES),
                             help="zoning rule set (default: the one in force on that date)")

    def handle(self, *args, action, **options):
        from wuyi.health.zoning_service import changes, publish

        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"--date: {options['date']!r} is not a date YYYY-MM-DD") from None
        try:
            risk_list = publish(day, options["rules"])
        except DomainError as e:
            raise CommandError(e.message) from None
        changed = {c.unit_code: c for c in changes(risk_list)}
        table = Table(title=f"risk list {risk_list.date} · {risk_list.rule_id}")
        for name, justify in (("code", "left"), ("unit", "left"), ("level", "left"), ("cases", "right"),
                              ("14 days", "right"), ("clusters", "right"), ("days since last", "right"),
                              ("changed", "left")):
            table.add_column(name, justify=justify)
        for e in risk_list.entries.order_by("pk"):
            change = changed.get(e.unit_code)
            table.add_row(
                e.unit_code, e.unit_name, e.level, str(e.cases_in_all), str(e.cases_within_14_days),
                str(e.clusters_within_14_days), "" if e.days_since_last_case is None else str(e.days_since_last_case),
                f"{change.before or '—'} → {change.after}" if change else "",
            )
        console = Console()
        console.print(table)
        console.print(f"{risk_list.entries.count()} units published, {len(changed)} changed from the previous list")
