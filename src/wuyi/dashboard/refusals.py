"""Refusals at gates by local day, area and reason, counted from the access log into ``RefusalCount`` (see
``models``): by compound in one set-based statement, then summed up to each level above; redone when the count is
read after going stale."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from wuyi.access.models import AccessEvent
from wuyi.dashboard.models import RefusalCount, RefusalDay
from wuyi.places.models import CODE_LENGTH, Level

UP = (Level.COMMUNITY, Level.STREET, Level.DISTRICT)

LOCAL = ZoneInfo("Asia/Shanghai")
# How old a day's count may be when a page reads it; `wuyi dashboard refresh` from cron keeps it fresher.
STALE = dt.timedelta(minutes=5)
# A count made this long after its day ended is kept: the gate kits have uploaded by then (they upload as soon as
# they are back online; two days is the settling time the volunteer statistics use too).
SETTLED_AFTER = dt.timedelta(days=2)


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(day, dt.time(0), LOCAL),
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), LOCAL))


def count_day(day: dt.date, now: dt.datetime | None = None) -> RefusalDay:
    """Recount the refusals of the local ``day``, replacing its previous count; one transaction. Two callers at
    once are serialised on the day's row (SQLite: the IMMEDIATE transaction; PostgreSQL: a row lock)."""
    now = now or timezone.now()
    start, stop = _window(day)
    ops = connection.ops
    with transaction.atomic():
        marker, _created = RefusalDay.objects.get_or_create(day=day, defaults={"counted_at": now})
        RefusalDay.objects.select_for_update().filter(pk=marker.pk).get()
        RefusalCount.objects.filter(day=day).delete()
        table = RefusalCount._meta.db_table
        on = ops.adapt_datefield_value(day)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (day, level, area_code, reason, refusals) "
                f"SELECT %s, %s, compound_code, reason, COUNT(*) FROM {AccessEvent._meta.db_table} "
                "WHERE occurred_at >= %s AND occurred_at < %s AND allowed = %s GROUP BY compound_code, reason",
                [on, Level.COMPOUND.value, ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(stop),
                 False],
            )
            for level in UP:
                cursor.execute(
                    f"INSERT INTO {table} (day, level, area_code, reason, refusals) "
                    f"SELECT %s, %s, SUBSTR(area_code, 1, {CODE_LENGTH[level]}), reason, SUM(refusals) FROM {table} "
                    "WHERE day = %s AND level = %s GROUP BY SUBSTR(area_code, 1, "
                    f"{CODE_LENGTH[level]}), reason",
                    [on, level.value, on, Level.COMPOUND.value],
                )
        RefusalDay.objects.filter(pk=marker.pk).update(counted_at=now)
        marker.counted_at = now
    return marker


def counted(day: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """When the refusals of ``day`` were counted, counting them first when missing or stale."""
    now = now or timezone.now()
    marker = RefusalDay.objects.filter(day=day).first()
    settled = marker is not None and marker.counted_at >= _window(day)[1] + SETTLED_AFTER
    if marker is None or (not settled and now - marker.counted_at > STALE):
        marker = count_day(day, now)
    return marker.counted_at
