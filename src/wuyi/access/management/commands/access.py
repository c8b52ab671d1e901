"""`wuyi access purge`: remove access events past the retention period (WUYI_ACCESS_RETENTION_DAYS, default 28).

Run it daily from cron or a systemd timer (DESIGN.md §4, background work). On PostgreSQL whole day partitions
are dropped, so it takes the same short time whatever the number of events.
"""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "The access log: purge events older than the retention period."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="remove events older than the retention period")

    def handle(self, *args, action, **options):
        from wuyi.access import events

        removed = events.purge()
        self.stdout.write(f"removed {removed:,} access events older than {events.retention_days()} days")
