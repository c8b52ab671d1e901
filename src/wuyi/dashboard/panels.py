"""The city dashboard's figures (issue 6 point 8): six panels for one node of the area tree on one local day, each a
table with a row per child area (districts under the city, streets under a district, communities under a street,
compounds under a community) and a total for the whole node.

Set-based (DESIGN.md §6): every figure comes from a grouped query whose group is the child's code, the first
``CODE_LENGTH[child]`` characters of a code beneath the node (``Substr``), never from a query per area; the number
of queries is the same for a community and for the whole city. The compound status of panel c is decided in Python
per compound by the health rule (``compound_service.statuses``: three queries, then one call of the rule module per
compound), which is what the rule needs; its events are read set-based.

What is counted, and on which day:

a. figures: communities and compounds by kind (the area tree as it is); workers deployed (active ``Worker`` rows,
   cadres among them) and temporary Party organisations set up on or before the day and not dissolved by it
   (workforce); registered volunteers (volunteers app); tasks and participations over the ``WINDOW_DAYS`` days
   ending on the day (the volunteer statistics, ``volunteers.stats``: tasks by the day they start, participations
   by the day their completion was confirmed). For the city, the figures Shenzhen reported in 2020
   (``data/shenzhen-2020.json``) beside them, each marked whether POLICY.md confirms its source;
b. risk level: the latest risk list published on or before the day (``zoning_service.list_for``);
c. compound status on the day (``compound_service``, rule ``wuhan-2020-03``): the share epidemic-free;
d. demonstration compounds: approved on or before the day, pending (nominated or approved below the district) now;
   the communities without an approved one;
e. measure compliance: each compound's latest inspection on or before the day: average score, fully compliant,
   compounds never inspected; open rectifications now;
f. refusals at gates during the local day, by reason: from the access log, counted into ``RefusalCount`` by
   ``refusals`` (a day's count is redone when read more than five minutes after it was made; when is shown).

No personal data: counts, shares and names of areas only (a leader sees figures, never a person's record).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from wuyi.access.views import REASON_LABELS
from wuyi.accounts.models import WORKER_ROLES, Role
from wuyi.campaign.models import (
    Demonstration,
    DemonstrationStatus,
    Inspection,
    Rectification,
    RectificationStatus,
)
from wuyi.dashboard import refusals
from wuyi.dashboard.models import RefusalCount
from wuyi.errors import DomainError, Forbidden, NotFound
from wuyi.health import compound_service, zoning_service
from wuyi.health.compound_status import Status
from wuyi.health.models import RiskLevel
from wuyi.places.models import CHILD_LEVEL, CODE_LENGTH, Area, CompoundKind, Level, code_range
from wuyi.volunteers import stats as volunteer_stats
from wuyi.volunteers.models import Volunteer
from wuyi.workforce.models import PartyOrganisation, Worker, WorkerKind

LOCAL = ZoneInfo("Asia/Shanghai")
# Tasks and participations: the 30 days ending on the day, the span of the platform's reported figures.
WINDOW_DAYS = 30
EARLIEST_DAY = dt.date(2020, 1, 1)  # the campaign's year: nothing is recorded before it
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "shenzhen-2020.json"
PENDING_DEMONSTRATION = (DemonstrationStatus.NOMINATED, DemonstrationStatus.COMMUNITY_APPROVED,
                         DemonstrationStatus.STREET_APPROVED)
PANELS = ("figures", "risk", "status", "demonstrations", "compliance", "refusals")
# The levels a dashboard can be opened on (the drill-down stops at the community, whose rows are compounds).
LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY)
VIEWER_ROLES = {Role.LEADER, *WORKER_ROLES}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count | share (0..1) | score (0..1) | level (a risk level) | text


@dataclass
class Row:
    code: str
    name: str
    values: dict
    link: bool = False  # a district, street or community: the drill-down


@dataclass
class Panel:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row]
    total: dict
    chart: list[str]  # the keys of the columns drawn, one bar series each
    note: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Dashboard:
    area: Area
    day: dt.date
    child_level: str
    panels: dict[str, Panel]


@dataclass(frozen=True)
class Reported:
    """A figure Shenzhen reported in 2020, and whether POLICY.md confirms its source."""

    value: int
    confirmed: bool
    label: str


def local_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), LOCAL).date()


def check_day(day: dt.date) -> dt.date:
    """The day itself, or a DomainError on the field ``day`` when it is in the future or before 2020."""
    if day > local_today():
        raise DomainError("future_day", gettext("The day has not come yet."), "day")
    if day < EARLIEST_DAY:
        raise DomainError("too_early", gettext("Choose a day from %(day)s on.") % {"day": EARLIEST_DAY}, "day")
    return day


def day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(day, dt.time(0), LOCAL),
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), LOCAL))


@cache
def reported() -> dict[str, Reported]:
    """The city's 2020 figures from the data file. The mobilisation figures are CONFIRMED (POLICY.md §1d, dutenews
    375285); the counts of compounds and the volunteer platform's first 30 days are in the seed data and DESIGN.md,
    with no source in POLICY.md; the communities (701) are confirmed with a caveat (§6b)."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    mob, seed = data["mobilisation_2020"], data["targets_from_seed"]
    platform = mob["volunteer_platform_first_30_days"]
    return {
        "communities": Reported(seed["communities_min"], True, _("700+ communities (701 linked in 2020)")),
        CompoundKind.GARDEN_ESTATE.value: Reported(seed["garden_estates_min"], False, _("4,800+ garden estates")),
        CompoundKind.URBAN_VILLAGE.value: Reported(seed["urban_villages_min"], False, _("1,800+ urban villages")),
        "cadres": Reported(mob["cadres_sent_down"], True, _("about 37,000 cadres sent down to communities")),
        "workers": Reported(mob["workers_at_service_centres"], True,
                            _("more than 80,000 cadres, volunteers and social workers at service centres")),
        "party_organisations": Reported(mob["temporary_party_organisations"], True,
                                        _("1,737 temporary Party organisations")),
        "tasks": Reported(platform["tasks_published"], False, _("40,000 tasks in the platform's first 30 days")),
        "participations": Reported(platform["participations"], False,
                                   _("220,000 participations in the platform's first 30 days")),
    }


class _Grid:
    """The node's child areas, and sums of figures by child code (the total takes every code beneath the node)."""

    def __init__(self, area: Area, children: list[tuple[str, str]], width: int):
        self.area, self.children, self.width = area, children, width
        self.cells: dict[str, dict] = defaultdict(lambda: defaultdict(int))
        self.total: dict = defaultdict(int)

    def add(self, child: str, key: str, n) -> None:
        self.cells[child[: self.width]][key] += n or 0
        self.total[key] += n or 0

    def rows(self, keys: list[str], link: bool) -> list[Row]:
        return [Row(code, name, {k: self.cells[code].get(k, 0) for k in keys}, link) for code, name in self.children]

    def totals(self, keys: list[str]) -> dict:
        return {k: self.total.get(k, 0) for k in keys}


def child_code(field: str, width: int) -> Substr:
    return Substr(field, 1, width)


def dashboard(area: Area, day: dt.date, only: tuple[str, ...] = PANELS) -> Dashboard:
    """The panels ``only`` (default all) of ``area`` (a city, district, street or community) on the local ``day``."""
    child = CHILD_LEVEL[area.level]
    width = CODE_LENGTH[child]
    children = list(Area.objects.filter(code_range("code", area.prefix), level=child).order_by("code")
                    .values_list("code", "name"))
    link = child != Level.COMPOUND
    builders = {"figures": _figures, "risk": _risk, "status": _status, "demonstrations": _demonstrations,
                "compliance": _compliance, "refusals": _refusals}
    places = _places(area, children, width)
    panels = {key: builders[key](area, day, children, width, link, places) for key in PANELS if key in only}
    return Dashboard(area, day, child, panels)


def _places(area: Area, children, width: int) -> _Grid:
    """Communities and compounds by kind beneath the node: one grouped query."""
    grid = _Grid(area, children, width)
    for code, level, kind, n in (
        Area.objects.filter(code_range("code", area.prefix), level__in=[Level.COMMUNITY, Level.COMPOUND])
        .annotate(child=child_code("code", width)).values("child", "level", "kind").order_by()
        .annotate(n=Count("id")).values_list("child", "level", "kind", "n")
    ):
        grid.add(code, "communities" if level == Level.COMMUNITY else str(kind), n)
        if level == Level.COMPOUND:
            grid.add(code, "compounds", n)
    return grid


def _figures(area, day, children, width, link, places: _Grid) -> Panel:
    grid = places  # its communities and compounds by kind are the panel's first columns; the rest is added to it
    beneath = Area.objects.filter(code_range("code", area.prefix)).values("id")
    # Grouped by the area's id, not its code (one lookup maps the ids to codes): 117,000 workers grouped through a
    # join on the areas take SQLite a third of a second. Counted from the partial index of active workers by
    # (area, kind) alone (workforce.Worker), never reading the rows.
    counted = [
        ("worker", kind, n, area_id) for area_id, kind, n in
        Worker.objects.filter(active=True, **({} if area.level == Level.CITY else {"area__in": beneath}))
        .values("area_id", "kind").order_by()
        .annotate(n=Count("*")).values_list("area_id", "kind", "n")
    ] + [
        ("party_organisation", "", n, area_id) for area_id, n in
        PartyOrganisation.objects.filter(area__in=beneath, set_up_on__lte=day)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))
        .values("area_id").order_by().annotate(n=Count("id")).values_list("area_id", "n")
    ] + [
        ("volunteer", "", n, area_id) for area_id, n in
        Volunteer.objects.filter(community__in=beneath).values("community_id").order_by()
        .annotate(n=Count("id")).values_list("community_id", "n")
    ]
    codes = dict(Area.objects.filter(id__in={row[3] for row in counted}).values_list("id", "code"))
    for what, kind, n, area_id in counted:
        code = codes[area_id]
        if what == "worker":
            grid.add(code, "workers", n)
            if kind == WorkerKind.CADRE:
                grid.add(code, "cadres", n)
        else:
            grid.add(code, what + "s", n)
    first = day - dt.timedelta(days=WINDOW_DAYS - 1)
    work = volunteer_stats.statistics(area, first, day)
    for place, f in work.by_community:
        grid.add(place.code, "tasks", f.tasks)
        grid.add(place.code, "participations", f.participations)
    columns = [
        Column("communities", _("Communities")),
        Column(CompoundKind.GARDEN_ESTATE.value, _("Garden estates")),
        Column(CompoundKind.URBAN_VILLAGE.value, _("Urban villages")),
        Column("cadres", _("Cadres deployed")),
        Column("workers", _("Workers deployed")),
        Column("party_organisations", _("Temporary Party organisations")),
        Column("volunteers", _("Volunteers")),
        Column("tasks", _("Tasks (30 days)")),
        Column("participations", _("Participations (30 days)")),
    ]
    keys = [c.key for c in columns]
    extra = {"first": first}
    if area.level == Level.CITY:
        extra["reported"] = reported()
    return Panel("figures", _("Figures"), columns, grid.rows(keys, link), grid.totals(keys),
                 ["cadres", "workers", "volunteers"],
                 note=_("Tasks by the day they start, participations by the day their completion was confirmed, "
                        "over the 30 days ending on the day; workers and volunteers as registered now."),
                 extra=extra)


def _risk(area, day, children, width, link, places) -> Panel:
    """The levels of the latest list on or before the day: of the children when they are on lists (districts,
    streets), else of the street and district the node lies in."""
    risk_list = zoning_service.list_for(day)
    units = [(code, name) for code, name in children] if width <= CODE_LENGTH[Level.STREET] else []
    own = [area.code[:n] for n in (CODE_LENGTH[Level.DISTRICT], CODE_LENGTH[Level.STREET])
           if area.level != Level.CITY and n <= len(area.code)]
    entries = {}
    if risk_list is not None:
        entries = {e[0]: e for e in risk_list.entries.filter(unit_code__in=[c for c, _n in units] + own)
                   .values_list("unit_code", "unit_name", "level", "cases_within_14_days", "days_since_last_case")}
    row_link = bool(units)
    if not units:
        units = [(code, entries[code][1] if code in entries else code) for code in own]
    columns = [Column("level", _("Risk level"), "level"), Column("cases_within_14_days", _("Cases within 14 days")),
               Column("days_since_last_case", _("Days since the last case"))]
    rows, total = [], {"low": 0, "medium": 0, "high": 0}
    for code, name in units:
        e = entries.get(code)
        values = {"level": e[2] if e else None, "cases_within_14_days": e[3] if e else None,
                  "days_since_last_case": e[4] if e else None}
        if e:
            total[e[2]] += 1
        rows.append(Row(code, name, values, row_link))
    own_level = next((entries[c][2] for c in reversed(own) if c in entries), None)
    return Panel("risk", _("Risk level"), columns, rows, {"level": own_level, **total}, [],
                 extra={"list_date": risk_list.date if risk_list else None,
                        "rule_id": risk_list.rule_id if risk_list else None,
                        "levels": [(level, RiskLevel(level).label, total[level]) for level in total]})


def _status(area, day, children, width, link, places: _Grid) -> Panel:
    grid = _Grid(area, children, width)
    for code, status in compound_service.statuses(area, day).items():
        grid.add(code, status.status.value, 1)
        grid.add(code, "compounds", 1)
    keys = ["compounds", *[s.value for s in Status]]
    rows = grid.rows(keys, link)
    for row in rows + [None]:
        values = row.values if row else grid.total
        values["share"] = values.get(Status.EPIDEMIC_FREE.value, 0) / values["compounds"] if values.get("compounds") else None
    columns = [Column("compounds", _("Compounds")), Column(Status.EPIDEMIC_FREE.value, _("Epidemic-free")),
               Column(Status.SUSPENDED.value, pgettext_lazy("compound status", "Suspended")), Column(Status.CANCELLED.value, _("Cancelled")),
               Column(Status.NOT_YET.value, _("Not yet")), Column("share", _("Share epidemic-free"), "share")]
    return Panel("status", _("Epidemic-free compounds"), columns, rows, grid.totals([*keys, "share"]), ["share"],
                 note=_("Rule wuhan-2020-03: 14 days without a confirmed case and none of the three kinds pending "
                        "(the Wuhan criteria; Shenzhen's own are not confirmed)."))


def _demonstrations(area, day, children, width, link, places: _Grid) -> Panel:
    grid = _Grid(area, children, width)
    _start, end = day_window(day)
    approved = Q(status=DemonstrationStatus.APPROVED, approved_at__lt=end)
    for code, n_approved, n_pending, with_one in (
        Demonstration.objects.filter(code_range("compound__code", area.prefix))
        .annotate(child=child_code("compound__code", width)).values("child").order_by()
        .annotate(approved=Count("id", filter=approved), pending=Count("id", filter=Q(status__in=PENDING_DEMONSTRATION)),
                  communities=Count("community", distinct=True, filter=approved))
        .values_list("child", "approved", "pending", "communities")
    ):
        grid.add(code, "approved", n_approved)
        grid.add(code, "pending", n_pending)
        grid.add(code, "with_one", with_one)
    keys = ["communities", "approved", "pending", "without"]
    rows = grid.rows(keys, link)
    for row in rows:
        row.values["communities"] = places.cells[row.code].get("communities", 0)
        row.values["without"] = max(0, row.values["communities"] - grid.cells[row.code].get("with_one", 0)) \
            if row.values["communities"] else None
    total = grid.totals(keys)
    total["communities"] = places.total.get("communities", 0)
    total["without"] = total["communities"] - grid.total.get("with_one", 0)
    without = []
    if area.level in (Level.DISTRICT, Level.STREET):
        has_one = Demonstration.objects.filter(approved, community=OuterRef("pk"))
        without = list(Area.objects.filter(code_range("code", area.prefix), level=Level.COMMUNITY)
                       .filter(~Exists(has_one)).order_by("code").values_list("code", "name"))
    columns = [Column("communities", _("Communities")), Column("approved", pgettext_lazy("demonstration", "Approved")),
               Column("pending", pgettext_lazy("demonstration", "Pending")), Column("without", _("Communities without one"))]
    return Panel("demonstrations", _("Demonstration compounds"), columns, rows, total, ["approved", "pending"],
                 note=_("Approved: approved on or before the day. Pending: nominated, or approved by the community "
                        "or the street and waiting for the district, now."),
                 extra={"without": without})


def _compliance(area, day, children, width, link, places: _Grid) -> Panel:
    grid = _Grid(area, children, width)
    later = Inspection.objects.filter(compound=OuterRef("compound"), inspected_on__lte=day).filter(
        Q(inspected_on__gt=OuterRef("inspected_on")) | Q(inspected_on=OuterRef("inspected_on"), pk__gt=OuterRef("pk")))
    sums: dict[str, float] = defaultdict(float)
    for code, n, score, full in (
        Inspection.objects.filter(code_range("compound__code", area.prefix), inspected_on__lte=day)
        .filter(~Exists(later)).annotate(child=child_code("compound__code", width)).values("child").order_by()
        .annotate(n=Count("id"), score=Avg("score"), full=Count("id", filter=Q(fully_compliant=True)))
        .values_list("child", "n", "score", "full")
    ):
        grid.add(code, "inspected", n)
        grid.add(code, "fully_compliant", full)
        sums[code[:width]] += (score or 0) * n
        sums[""] += (score or 0) * n
    for code, n in (
        Rectification.objects.filter(code_range("compound__code", area.prefix), status=RectificationStatus.OPEN)
        .annotate(child=child_code("compound__code", width)).values("child").order_by()
        .annotate(n=Count("id")).values_list("child", "n")
    ):
        grid.add(code, "open_rectifications", n)
    keys = ["compounds", "inspected", "never_inspected", "average_score", "fully_compliant", "share_fully_compliant",
            "open_rectifications"]

    def fill(values: dict, compounds: int, score_sum: float) -> dict:
        inspected = values.get("inspected", 0)
        values["compounds"] = compounds
        values["never_inspected"] = max(0, compounds - inspected)
        values["average_score"] = score_sum / inspected if inspected else None
        values["share_fully_compliant"] = values.get("fully_compliant", 0) / inspected if inspected else None
        return values

    rows = grid.rows(keys, link)
    for row in rows:
        fill(row.values, places.cells[row.code].get("compounds", 0), sums[row.code])
    total = fill(grid.totals(keys), places.total.get("compounds", 0), sums[""])
    columns = [Column("compounds", _("Compounds")), Column("inspected", _("Inspected")),
               Column("never_inspected", _("Never inspected")), Column("average_score", _("Average score"), "score"),
               Column("fully_compliant", _("Fully compliant")),
               Column("share_fully_compliant", _("Share fully compliant"), "share"),
               Column("open_rectifications", _("Open rectifications"))]
    return Panel("compliance", _("Measure compliance"), columns, rows, total, ["average_score", "share_fully_compliant"],
                 note=_("Each compound's latest inspection on or before the day; rectifications open now."))


def _refusals(area, day, children, width, link, places) -> Panel:
    grid = _Grid(area, children, width)
    counted_at = refusals.counted(day)
    reasons: dict[str, int] = defaultdict(int)
    for code, reason, n in (
        RefusalCount.objects.filter(code_range("area_code", area.prefix), day=day, level=CHILD_LEVEL[area.level])
        .values_list("area_code", "reason", "refusals")
    ):
        grid.add(code, reason, n)
        grid.add(code, "refusals", n)
        reasons[reason] += n
    ordered = sorted(reasons, key=lambda r: (-reasons[r], r))
    columns = [Column("refusals", _("Refusals"))] + [Column(r, REASON_LABELS.get(r, r)) for r in ordered]
    keys = [c.key for c in columns]
    return Panel("refusals", _("Refusals at gates"), columns, grid.rows(keys, link), grid.totals(keys),
                 ordered, note=_("Refusals at the gates during the day (Beijing time), by reason."),
                 extra={"counted_at": counted_at})


def viewer_root(user) -> Area:
    """The node whose dashboard ``user`` opens: a leader's or a worker's own area. Forbidden for other roles."""
    if (user.is_authenticated and user.role in VIEWER_ROLES and user.area_id
            and user.area.level in LEVELS):
        return user.area
    raise Forbidden("the dashboard is for leaders and the workers of an area")


def node_for(user, code: str | None) -> Area:
    """The node ``code`` (default: the user's own) if ``user`` may open its dashboard: NotFound for an unknown code
    or a node below the community, Forbidden for one outside the user's area."""
    root = viewer_root(user)
    if not code or code == root.code:
        return root
    area = Area.objects.filter(code=code, level__in=LEVELS).first()
    if area is None:
        raise NotFound("area", "code")
    if not root.contains_code(area.code):
        raise Forbidden("this area is outside yours", "code")
    return area
