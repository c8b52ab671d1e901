"""`wuyi dashboard refresh [--day YYYY-MM-DD]`: recount the refusals at gates of today and yesterday (or of one day),
for cron every few minutes, so that no page has to (see ``wuyi.dashboard.refusals``)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from wuyi.dashboard import panels, refusals
from wuyi.dashboard.models import RefusalCount
from wuyi.errors import DomainError


class Command(BaseCommand):
    help = "Recount the dashboard's refusals at gates (today and yesterday, or --day)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="recount the refusals of today and yesterday, or of --day")
        refresh.add_argument("--day", type=dt.date.fromisoformat, help="a local date (default: today and yesterday)")

    def handle(self, *args, action, day=None, **options):
        today = panels.local_today()
        days = [day] if day else [today - dt.timedelta(days=1), today]
        for one in days:
            try:
                panels.check_day(one)
            except DomainError as e:
                raise CommandError(e.message) from None
            marker = refusals.count_day(one)
            n = sum(RefusalCount.objects.filter(day=one, level="district").values_list("refusals", flat=True))
            self.stdout.write(f"{one}: {n:,} refusals, counted at {marker.counted_at:%H:%M:%S}")
