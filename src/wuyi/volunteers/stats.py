"""Volunteer statistics (issue 5): tasks, participations (人次) and hours by local day and by community beneath an
area, over a window of local dates (Asia/Shanghai), with totals and the fill rate.

What is counted, and on which day:

- tasks: the tasks not cancelled that start in the window, on the local day they start; with their slots and the
  slots taken (live and no-show claims hold theirs), whose ratio is the fill rate;
- participations and hours: those of done claims (``Claim.participations`` and ``Claim.hours``, the ledger that
  ``services.confirm`` writes), on the local day the completion was confirmed;
- a community's figures are those of the tasks published for it (``Task.community``), wherever the volunteers live.

Set-based (DESIGN.md §6): the figures come by community and local day, from one grouped query per table over the
days not yet settled, and from the rollup (``DailyFigures``) for the settled ones; the tables by day, by community
and by child area are sums of those cells. A day settles ``SETTLE_DAYS`` after it starts, when no operation can
change its figures any more (a task lasts at most a day; a completion counts on the day it is confirmed); its
rollup is made, for the whole city at once, by the first read that needs it. Grouping a whole window's claims
takes SQLite about half a second at the platform's scale (220,000 participations in 30 days); reading the
rollup, a few milliseconds. No personal data: only counts and sums.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from wuyi.places.models import CHILD_LEVEL, CODE_LENGTH, Area, Level, code_range
from wuyi.volunteers.models import Claim, ClaimStatus, DailyFigures, Task, TaskStatus

LOCAL = ZoneInfo("Asia/Shanghai")  # by name: PostgreSQL converts with its own zone database
HOURS_PLACES = Decimal("0.01")
LONGEST_WINDOW_DAYS = 366
# A task lasts at most a day (services.LONGEST_TASK): the tasks starting on a day are over two days later.
SETTLE_DAYS = 2


@dataclass
class Figures:
    tasks: int = 0
    slots: int = 0
    taken: int = 0
    participations: int = 0
    hours: Decimal = Decimal("0.00")

    @property
    def fill_rate(self) -> float | None:
        """Slots taken ÷ slots of the tasks counted; None without a slot."""
        return self.taken / self.slots if self.slots else None

    def add(self, other: Figures) -> None:
        self.tasks += other.tasks
        self.slots += other.slots
        self.taken += other.taken
        self.participations += other.participations
        self.hours += other.hours


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    parent_name: str = ""


@dataclass
class Statistics:
    area: Area
    first: dt.date
    last: dt.date
    total: Figures
    by_day: list[tuple[dt.date, Figures]]  # every day of the window, in order
    by_community: list[tuple[Place, Figures]]  # every community beneath the area, by code
    by_child: list[tuple[Place, Figures]] = field(default_factory=list)  # districts, streets: one level down

    @property
    def child_level(self) -> str | None:
        child = CHILD_LEVEL.get(self.area.level)
        return child if child in (Level.DISTRICT, Level.STREET) else None


class LocalDate(TruncDate):
    """The local date of a moment, in ``LOCAL``.

    PostgreSQL converts with the zone's name. On SQLite Django would convert row by row in Python (a few
    microseconds a row: a second over the demo's 220,000 claims); when the zone's offset is the same over the
    whole window (always for Asia/Shanghai, which has kept +08:00 since 1991) SQLite's own ``date()`` of the
    moment shifted by that offset gives the same dates."""

    def __init__(self, expression, offset: dt.timedelta | None, **extra):
        super().__init__(expression, tzinfo=LOCAL, **extra)
        self.offset = offset

    def as_sqlite(self, compiler, connection, **extra_context):
        if self.offset is None:
            return self.as_sql(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, %s)", (*params, f"{int(self.offset.total_seconds()):+d} seconds")


def window(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments [start, stop) of the local dates ``first`` to ``last``."""
    return (dt.datetime.combine(first, dt.time(0), LOCAL),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), LOCAL))


def constant_offset(first: dt.date, last: dt.date) -> dt.timedelta | None:
    """The zone's UTC offset if it is the same at every local midnight from ``first`` to the day after ``last``."""
    offsets = {dt.datetime.combine(first + dt.timedelta(days=i), dt.time(0), LOCAL).utcoffset()
               for i in range((last - first).days + 2)}
    return offsets.pop() if len(offsets) == 1 else None


def local_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), LOCAL).date()


def settled_through(now: dt.datetime | None = None) -> dt.date:
    """The last settled day: no operation changes the figures of this day or of any day before it."""
    return local_today(now) - dt.timedelta(days=SETTLE_DAYS)


Cells = dict[tuple[int, dt.date], Figures]  # (community id, day) → figures


def grouped(first: dt.date, last: dt.date, communities: list[int] | None = None) -> Cells:
    """The figures by community and local day from ``first`` to ``last``, of ``communities`` (None: all), from one
    grouped query on the tasks and one on the claims."""
    start, stop = window(first, last)
    offset = constant_offset(first, last)
    tasks = Task.objects.filter(starts_at__gte=start, starts_at__lt=stop).exclude(status=TaskStatus.CANCELLED)
    claims = Claim.objects.filter(status=ClaimStatus.DONE, confirmed_at__gte=start, confirmed_at__lt=stop)
    if communities is not None:
        tasks = tasks.filter(community_id__in=communities)
        claims = claims.filter(task__community_id__in=communities)
    cells: Cells = defaultdict(Figures)
    for community, day, n, slots, taken in (
        tasks.annotate(day=LocalDate("starts_at", offset)).values("community_id", "day").order_by()
        .annotate(n=Count("id"), slots=Sum("capacity"), taken=Sum("taken"))
        .values_list("community_id", "day", "n", "slots", "taken")
    ):
        f = cells[community, day]
        f.tasks, f.slots, f.taken = n, slots or 0, taken or 0
    for community, day, participations, hours in (
        claims.annotate(day=LocalDate("confirmed_at", offset)).values("task__community_id", "day").order_by()
        .annotate(participations=Sum("participations"), hours=Sum("hours"))
        .values_list("task__community_id", "day", "participations", "hours")
    ):
        f = cells[community, day]
        f.participations, f.hours = participations or 0, Decimal(hours or 0).quantize(HOURS_PLACES)
    return cells


def roll_up(first: dt.date, last: dt.date, now: dt.datetime | None = None) -> int:
    """Make the rollup of the settled days from ``first`` to ``last`` that have none, for every community at once;
    returns how many days were rolled up. Two readers doing it at once write the same rows; the second's are
    ignored."""
    last = min(last, settled_through(now))
    city = Area.objects.filter(level=Level.CITY).first()
    if city is None or last < first:
        return 0
    done = set(DailyFigures.objects.filter(area=city, day__range=(first, last)).values_list("day", flat=True))
    missing = [day for day in _days(first, last) if day not in done]
    if not missing:
        return 0
    cells = grouped(missing[0], missing[-1])
    wanted = set(missing)
    totals = {day: Figures() for day in missing}
    rows = []
    for (community, day), f in cells.items():
        if day in wanted:
            totals[day].add(f)
            rows.append(DailyFigures(day=day, area_id=community, **_fields(f)))
    rows += [DailyFigures(day=day, area=city, **_fields(f)) for day, f in totals.items()]
    with transaction.atomic():
        DailyFigures.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(missing)


def forget(first: dt.date | None = None, last: dt.date | None = None) -> int:
    """Delete the rollup (of the days from ``first`` to ``last``, or all): for whoever rewrites settled days."""
    rows = DailyFigures.objects.all()
    if first is not None:
        rows = rows.filter(day__gte=first)
    if last is not None:
        rows = rows.filter(day__lte=last)
    return rows.delete()[0]


def _fields(f: Figures) -> dict:
    return {"tasks": f.tasks, "slots": f.slots, "taken": f.taken, "participations": f.participations,
            "hours": f.hours}


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _rolled_up(first: dt.date, last: dt.date, communities: list[int]) -> tuple[dict, dict]:
    """The rollup's figures of ``communities`` from ``first`` to ``last``, by day and by community (two small
    grouped queries)."""
    rows = DailyFigures.objects.filter(day__range=(first, last), area_id__in=communities).order_by()
    sums = {"n": Sum("tasks"), "s": Sum("slots"), "t": Sum("taken"), "p": Sum("participations"), "h": Sum("hours")}
    found = []
    for key in ("day", "area_id"):
        found.append({
            k: Figures(n, s, t, p, Decimal(h or 0).quantize(HOURS_PLACES))
            for k, n, s, t, p, h in rows.values(key).annotate(**sums).values_list(key, "n", "s", "t", "p", "h")
        })
    return found[0], found[1]


def statistics(area: Area, first: dt.date, last: dt.date, now: dt.datetime | None = None) -> Statistics:
    """The figures of the tasks of the communities beneath ``area`` (a city, district, street or community) over the
    local dates ``first`` to ``last``: settled days from the rollup (made first where missing), the others live."""
    if last < first:
        raise ValueError("the window ends before it starts")
    communities = {
        pk: Place(code, name, parent)
        for pk, code, name, parent in Area.objects.filter(code_range("code", area.prefix), level=Level.COMMUNITY)
        .order_by("code").values_list("id", "code", "name", "parent__name")
    }
    ids = list(communities)
    by_day = {day: Figures() for day in _days(first, last)}
    by_community = {pk: Figures() for pk in communities}
    total = Figures()
    settled = min(last, settled_through(now))
    if settled >= first:
        roll_up(first, settled, now)
        days, places = _rolled_up(first, settled, ids)
        for day, f in days.items():
            by_day[day].add(f)
            total.add(f)
        for community, f in places.items():
            by_community[community].add(f)
    if settled < last:
        live_first = max(first, settled + dt.timedelta(days=1))
        for (community, day), f in grouped(live_first, last, None if area.level == Level.CITY else ids).items():
            if community in by_community and day in by_day:
                by_day[day].add(f)
                by_community[community].add(f)
                total.add(f)
    stats = Statistics(
        area=area, first=first, last=last, total=total, by_day=list(by_day.items()),
        by_community=[(communities[pk], by_community[pk]) for pk in communities],
    )
    child = stats.child_level
    if child is not None:
        width = CODE_LENGTH[child]
        children = {code: Place(code, name) for code, name in Area.objects.filter(
            code_range("code", area.prefix), level=child).order_by("code").values_list("code", "name")}
        sums: dict[str, Figures] = defaultdict(Figures)
        for place, figures in stats.by_community:
            sums[place.code[:width]].add(figures)
        stats.by_child = [(place, sums[code]) for code, place in children.items()]
    return stats
