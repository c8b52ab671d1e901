"""The demo city's epidemic, 2020-01-19 .. 2020-03-31 (issue 3, point 5): a case timeline shaped like the
published facts in data/shenzhen-2020.json, written onto the synthetic residents, then the risk lists.

What is taken from the data, exactly:

- the confirmed cases by district reported up to 2020-02-04 (``confirmed_cases_by_2020_02_04.by_district``);
- 451 confirmed cases by 2020-03-31, 376 of them infected outside Shenzhen (``imported``) and 75 inside;
- the published risk lists: under ``cn-2020-02`` 福田区 is medium and every other district low on 2020-03-16,
  and every district is low on 2020-03-21.

What is chosen here (synthetic, never real):

- The 22 cases of 2020-02-04 "not assigned to a district" cannot be placed in one; they are reported
  instead on 2020-02-05 .. 2020-02-08, shared between the districts in proportion to their counts of
  2020-02-04, so the counts by district on 2020-02-04 stay exactly the published ones.
- The curve: the first case on 2020-01-19, a rise to a peak on about 2020-02-02, a tail until 2020-02-25;
  three 福田区 cases on 2020-03-03 .. 2020-03-07, none of them in a cluster (so 福田区, with more than 50
  cases in all, is medium and not high on 2020-03-16, and everyone is low once 14 days have passed); then
  33 cases infected abroad reported 2020-03-22 .. 2020-03-31 up to the total of 451. Nothing is reported
  2020-03-08 .. 2020-03-21. Those last cases make some lists after 2020-03-21 medium again, as they would
  have been: the published list of 2020-03-21 was valid only until 2020-03-28.
- Imported or local: every case of the late-March wave is imported and the three March 福田区 cases are
  local; of the January and February cases, a household member reported after the first case of the
  household was infected at home (local), one reported the same day travelled with them (imported), and the
  remaining local cases are single cases from 2020-01-26 on, more likely the later they are.
- Household clusters: 28 in January and February, two or three cases in one household reported at most
  6 days apart, each confirmed by an official on the day its second case was reported (fewer only if a
  district has no household left big enough; their cases then stay single). One of them is in 南山区 and
  one in 福田区 from 2020-02-03 on, so both are high on some February dates (more than 50 cases in all and
  a cluster within 14 days).
- People: each case is a resident of its district (verified while the household has enough verified
  members; a cluster's cases live in one household), drawn from a random selection of its compounds, never two unrelated cases in one household and never in
  the demo community (the first community of 福田区's first street, where ``wuyi demo`` puts its resident
  and volunteer accounts). A case is recorded on its compound without a person only when the district has
  no resident left to draw. Every case is discharged 14 to 28 days after its report (for the late-March
  cases, in April).
- Household members: each member living with a case is a close contact of every case of the household
  reported while they are not yet a case themselves (identified on the case's report date, last exposed
  that day), and is under one quarantine order (centralized or home, from the first such report date to
  14 days after the last), released at its planned end at 10:00 Beijing time. A member who becomes a case
  during the order leaves it, and is released as a contact, on the day their own case is reported.

Then one risk list is published under ``cn-2020-02`` for every day of the period, and the stored colours of
everyone touched are recomputed at the present moment under the rule in force now.

The timeline (dates, districts, imported, clusters) depends only on the seed (``random.Random(seed)``); which
residents carry it depends on the seed and the city.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from wuyi.errors import DomainError
from wuyi.health import services as health_services
from wuyi.health.colour_rules import CHINA_STANDARD_TIME
from wuyi.health.models import (
    Case,
    CaseKind,
    CaseOutcome,
    CloseContact,
    Cluster,
    ClusterSetting,
    ClusterStatus,
    ContactDegree,
    QuarantineKind,
    QuarantineOrder,
)
from wuyi.health.zoning_service import publish
from wuyi.people.models import Membership
from wuyi.places.models import Area, Level, code_range
from wuyi.synth.generator import load_data, split

Progress = Callable[[str, int, int], None]

FIRST_CASE_ON = dt.date(2020, 1, 19)  # Shenzhen's first confirmed case
DISTRICT_COUNTS_ON = dt.date(2020, 2, 4)  # the published counts by district
LAST_DAY = dt.date(2020, 3, 31)
UNASSIGNED_DAYS = (dt.date(2020, 2, 5), dt.date(2020, 2, 8))
FEBRUARY_TAIL_DAYS = (dt.date(2020, 2, 5), dt.date(2020, 2, 25))
FUTIAN = "440304"
# 福田区 is medium on 2020-03-16: a case within 2020-03-03 .. 03-16, and none anywhere from 03-08 (low on 03-21).
FUTIAN_MARCH_DAYS = (dt.date(2020, 3, 3), dt.date(2020, 3, 7))
FUTIAN_MARCH_CASES = 3
OVERSEAS_DAYS = (dt.date(2020, 3, 22), dt.date(2020, 3, 31))
OVERSEAS_CASES = 33
RISK_RULES = "cn-2020-02"

# The rise, 2020-01-20 .. 2020-02-04, as relative daily counts (2020-01-19 has the first case alone).
RISING = (1, 2, 4, 6, 9, 12, 15, 18, 20, 22, 24, 26, 28, 30, 27, 24)
TAIL_HALF_LIFE_DAYS = 3.5
HOUSEHOLD_CLUSTERS = 28
CLUSTER_SPREAD_DAYS = 6
CLUSTER_OF_THREE_SHARE = 0.25
# Districts with more than 50 cases by 2020-02-04 that get a cluster from this day on, so they are high.
HIGH_IN_FEBRUARY = ("440305", FUTIAN)
HIGH_CLUSTER_FROM = dt.date(2020, 2, 3)
LOCAL_SINGLES_FROM = dt.date(2020, 1, 26)
# 14 days: quarantine of close contacts (POLICY.md §1a); hospital stays of two to four weeks.
QUARANTINE_DAYS = 14
DISCHARGE_AFTER_DAYS = (14, 28)
ONSET_BEFORE_REPORT_DAYS = (1, 7)
CENTRALIZED_SHARE = 0.7
RELEASED_AT = dt.time(10, 0)
CLUSTER_CONFIRMED_AT = dt.time(20, 0)
# Households fetched per district: this many times the households it needs, compounds at random.
HOUSEHOLD_MARGIN = 4
COMPOUNDS_PER_QUERY = 8


@dataclass
class PlannedCase:
    reported_on: dt.date
    district: str
    imported: bool = True
    cluster: int | None = None  # index into Timeline.clusters


@dataclass
class Timeline:
    """The cases by date and district, whether each was imported, and which belong to one household."""

    cases: list[PlannedCase]
    clusters: list[tuple[int, ...]]  # indices into cases, by report date

    def by_day(self) -> Counter[dt.date]:
        return Counter(c.reported_on for c in self.cases)


@dataclass(frozen=True)
class EpidemicSummary:
    built: bool
    message: str
    seed: int
    cases: int = 0
    imported: int = 0
    local: int = 0
    without_person: int = 0
    clusters: int = 0
    contacts: int = 0
    quarantine_orders: int = 0
    risk_lists: int = 0
    recoloured: int = 0
    peak: tuple[dt.date, int] | None = None
    # district name → (cases reported up to 2020-02-04, up to 2020-03-31)
    by_district: dict[str, tuple[int, int]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _jittered(weights, rng: random.Random) -> list[float]:
    return [w * rng.uniform(0.8, 1.2) for w in weights]


def _slots(days: list[dt.date], counts: list[int]) -> list[dt.date]:
    return [day for day, n in zip(days, counts) for _ in range(n)]


def _labels(codes: list[str], counts: list[int], rng: random.Random) -> list[str]:
    labels = [code for code, n in zip(codes, counts) for _ in range(n)]
    rng.shuffle(labels)
    return labels


def plan_timeline(seed: int = 2020, data: dict | None = None) -> Timeline:
    """The case timeline of the seed: dates, districts, imported or local, household clusters. Pure."""
    data = data or load_data()
    rng = random.Random(seed)
    names = {d["name"]: d["code"] for d in data["districts"]}
    by_district = data["confirmed_cases_by_2020_02_04"]["by_district"]
    codes = [names[name] for name in by_district]
    counts = list(by_district.values())
    unassigned = data["confirmed_cases_by_2020_02_04"]["not_assigned_to_a_district"]
    final = data["confirmed_cases_by_2020_03_31"]
    tail = final["total"] - sum(counts) - unassigned - FUTIAN_MARCH_CASES - OVERSEAS_CASES
    if tail < 0:
        raise ValueError("the data's totals leave no cases for February")

    cases: list[PlannedCase] = []
    # Up to 2020-02-04: exactly the published counts by district.
    rise_days = _days(FIRST_CASE_ON + dt.timedelta(days=1), DISTRICT_COUNTS_ON)
    assert len(rise_days) == len(RISING)
    slots = [FIRST_CASE_ON] + _slots(rise_days, split(sum(counts) - 1, _jittered(RISING, rng)))
    cases += [PlannedCase(day, code) for day, code in zip(slots, _labels(codes, counts, rng))]
    # The cases not assigned to a district on 2020-02-04, reported over the next four days.
    days = _days(*UNASSIGNED_DAYS)
    slots = _slots(days, split(unassigned, [1.0] * len(days)))
    cases += [PlannedCase(d, c) for d, c in zip(slots, _labels(codes, split(unassigned, counts), rng))]
    # February's tail.
    days = _days(*FEBRUARY_TAIL_DAYS)
    decay = [0.5 ** (i / TAIL_HALF_LIFE_DAYS) for i in range(len(days))]
    slots = _slots(days, split(tail, _jittered(decay, rng)))
    cases += [PlannedCase(d, c) for d, c in zip(slots, _labels(codes, split(tail, _jittered(counts, rng)), rng))]
    # 福田区 in early March: local, single cases.
    days = _days(*FUTIAN_MARCH_DAYS)
    cases += [PlannedCase(rng.choice(days), FUTIAN, imported=False) for _ in range(FUTIAN_MARCH_CASES)]
    # Infected abroad, from 2020-03-22: where people live.
    days = _days(*OVERSEAS_DAYS)
    slots = _slots(days, split(OVERSEAS_CASES, _jittered([1 + 0.25 * i for i in range(len(days))], rng)))
    population = [d["population"] for d in data["districts"]]
    where = _labels([d["code"] for d in data["districts"]], split(OVERSEAS_CASES, _jittered(population, rng)), rng)
    cases += [PlannedCase(d, c) for d, c in zip(slots, where)]

    cases.sort(key=lambda c: c.reported_on)  # stable: the order above breaks ties
    clusters = _household_clusters(cases, rng)
    _mark_local(cases, final["infected_in_shenzhen"], rng)
    return Timeline(cases, clusters)


def _household_clusters(cases: list[PlannedCase], rng: random.Random) -> list[tuple[int, ...]]:
    """Group some January and February cases of one district into households, 2 or 3 cases each."""
    last = FEBRUARY_TAIL_DAYS[1]
    eligible = [i for i, c in enumerate(cases) if FIRST_CASE_ON < c.reported_on <= last]
    by_district: dict[str, list[int]] = defaultdict(list)
    for i in eligible:
        by_district[cases[i].district].append(i)
    clusters: list[tuple[int, ...]] = []

    def grow(index: int, extra: int) -> bool:
        first = cases[index]
        partners = [
            j for j in by_district[first.district]
            if j > index and cases[j].cluster is None
            and (cases[j].reported_on - first.reported_on).days <= CLUSTER_SPREAD_DAYS
        ]
        if not partners:
            return False
        members = (index, *sorted(rng.sample(partners, min(extra, len(partners)))))
        for j in members:
            cases[j].cluster = len(clusters)
        clusters.append(members)
        return True

    for district in HIGH_IN_FEBRUARY:
        for i in by_district[district]:
            if cases[i].reported_on >= HIGH_CLUSTER_FROM and cases[i].cluster is None and grow(i, 1):
                break
    order = list(eligible)
    rng.shuffle(order)
    for i in order:
        if len(clusters) >= HOUSEHOLD_CLUSTERS:
            break
        if cases[i].cluster is None:
            grow(i, 2 if rng.random() < CLUSTER_OF_THREE_SHARE else 1)
    return clusters


def _mark_local(cases: list[PlannedCase], local_total: int, rng: random.Random) -> None:
    """Make exactly ``local_total`` cases local (see the module's docstring for which)."""
    first_of: dict[int, dt.date] = {}
    for c in cases:
        if c.cluster is not None:
            first_of.setdefault(c.cluster, c.reported_on)
            if c.reported_on > first_of[c.cluster]:
                c.imported = False
    local = sum(not c.imported for c in cases)
    singles = [
        i for i, c in enumerate(cases)
        if c.imported and c.cluster is None and LOCAL_SINGLES_FROM <= c.reported_on <= FEBRUARY_TAIL_DAYS[1]
    ]
    needed = local_total - local
    if needed < 0 or needed > len(singles):
        raise ValueError(f"cannot make {local_total} cases local")
    # Weighted sampling without replacement (Efraimidis–Spirakis): later cases are more likely local.
    weight = {i: 1 + (cases[i].reported_on - LOCAL_SINGLES_FROM).days for i in singles}
    keyed = sorted(singles, key=lambda i: rng.random() ** (1 / weight[i]), reverse=True)
    for i in keyed[:needed]:
        cases[i].imported = False


# ----------------------------------------------------------------------------------------------- the city


@dataclass
class _Household:
    id: int
    code: str
    compound_id: int
    place: str
    members: list[tuple[int, bool]]  # (person id, verified), by person id


def _demo_community_code() -> str | None:
    """The community ``wuyi demo`` gives its accounts (wuyi.demo.ensure_demo_accounts): left without cases."""
    street = Area.objects.filter(level=Level.STREET, code__startswith=FUTIAN).order_by("code").first()
    if street is None:
        return None
    return Area.objects.filter(parent=street).order_by("code").values_list("code", flat=True).first()


def _households(district: str, wanted: int, rng: random.Random, excluded: str | None) -> tuple[list[_Household], list[tuple[int, str]]]:
    """About ``HOUSEHOLD_MARGIN × wanted`` households of the district with their members, from compounds taken
    at random, a few per query; and every compound of the district as (id, code)."""
    compounds = list(
        Area.objects.filter(code_range("code", district), level=Level.COMPOUND).order_by("code").values_list("id", "code", "name")
    )
    usable = [c for c in compounds if excluded is None or not c[1].startswith(excluded)]
    rng.shuffle(usable)
    found: list[_Household] = []
    for start in range(0, len(usable), COMPOUNDS_PER_QUERY):
        chunk = usable[start : start + COMPOUNDS_PER_QUERY]
        names = {pk: name for pk, _code, name in chunk}
        rows = (
            Membership.objects.filter(moved_out__isnull=True, household__building__compound_id__in=list(names))
            .order_by("household__code", "person_id")
            .values_list("household_id", "household__code", "household__building__compound_id",
                         "household__building__name", "household__room", "person_id", "person__verified")
        )
        by_id: dict[int, _Household] = {}
        for hid, code, compound_id, building, room, person_id, verified in rows:
            household = by_id.get(hid)
            if household is None:
                household = by_id[hid] = _Household(hid, code, compound_id, f"{names[compound_id]}{building}{room}", [])
                found.append(household)
            household.members.append((person_id, verified))
        if len(found) >= HOUSEHOLD_MARGIN * wanted:
            break
    return found, [(pk, code) for pk, code, _name in (usable or compounds)]


@dataclass
class _Placed:
    person_id: int | None
    household: _Household | None
    compound_id: int


def _place_district(
    cases: list[PlannedCase], indices: list[int], clusters: list[tuple[int, ...]], rng: random.Random,
    excluded: str | None,
) -> dict[int, _Placed]:
    """A resident (and household) for each case of one district; a cluster's cases in one household."""
    groups: list[tuple[int, ...]] = []
    seen: set[int] = set()
    for i in indices:
        if i in seen:
            continue
        group = clusters[cases[i].cluster] if cases[i].cluster is not None else (i,)
        seen.update(group)
        groups.append(group)
    households, compounds = _households(cases[indices[0]].district, len(groups), rng, excluded)
    taken: set[int] = set()  # households
    groups.sort(key=lambda g: -len(g))  # the big households go to the clusters first
    placed: dict[int, _Placed] = {}
    queue = list(groups)
    while queue:
        group = queue.pop(0)
        size = len(group)
        household = _free(households, taken, size, verified=True, rng=rng) or _free(
            households, taken, size, verified=False, rng=rng)
        if household is None:
            if size > 1:  # no household of this size is left: the cases stay, as single cases
                queue += [(i,) for i in group]
                for i in group:
                    cases[i].cluster = None
                continue
            compound_id, _code = rng.choice(compounds)
            placed[group[0]] = _Placed(None, None, compound_id)
            continue
        taken.add(household.id)
        verified = [pid for pid, ok in household.members if ok]
        pool = verified if len(verified) >= size else [pid for pid, _ok in household.members]
        for i, pid in zip(group, rng.sample(pool, size)):
            placed[i] = _Placed(pid, household, household.compound_id)
    return placed


def _free(households: list[_Household], taken: set[int], size: int, verified: bool,
          rng: random.Random) -> _Household | None:
    fits = [
        h for h in households
        if h.id not in taken and sum(1 for _pid, ok in h.members if ok or not verified) >= size
    ]
    return rng.choice(fits) if fits else None


# ----------------------------------------------------------------------------------------------- writing


def synthetic_cases():
    """The cases this module writes: reported in the period, recorded by nobody."""
    return Case.objects.filter(reported_on__range=(FIRST_CASE_ON, LAST_DAY), recorded_by__isnull=True)


def delete_epidemic() -> set[int]:
    """Delete the synthetic cases, their clusters, contacts and the quarantine orders issued with them.

    Returns the people whose facts changed (their colours are then stale).
    """
    cases = synthetic_cases()
    case_people = set(cases.exclude(person__isnull=True).values_list("person_id", flat=True))
    contacts = CloseContact.objects.filter(case__in=cases)
    contact_people = set(contacts.values_list("person_id", flat=True))
    QuarantineOrder.objects.filter(
        person_id__in=contact_people, issued_by__isnull=True, start__range=(FIRST_CASE_ON, LAST_DAY)
    ).delete()
    cluster_ids = set(cases.exclude(cluster__isnull=True).values_list("cluster_id", flat=True))
    contacts.delete()
    cases.delete()
    Cluster.objects.filter(pk__in=cluster_ids, cases__isnull=True).delete()
    return case_people | contact_people


def _local_moment(day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=CHINA_STANDARD_TIME)


def build_epidemic(seed: int = 2020, progress: Progress | None = None, replace: bool = False) -> EpidemicSummary:
    """Write the epidemic of ``seed`` on the city, publish its risk lists, recompute the colours it touches.

    One transaction. Does nothing (and says so) when synthetic cases are already recorded, unless
    ``replace``, which deletes them (and their clusters, contacts and orders) first.
    """
    report = progress or (lambda stage, done, total: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[stage] = round(now - started, 2)
        started = now

    data = load_data()
    districts = {code: name for code, name in Area.objects.filter(level=Level.DISTRICT).values_list("code", "name")}
    missing = [d["name"] for d in data["districts"] if d["code"] not in districts]
    if not districts:
        raise DomainError("no_city", "build the city first (wuyi city generate)")
    if missing:
        raise DomainError("no_city", "the epidemic needs the whole city; missing districts: " + ", ".join(missing))
    with transaction.atomic():
        existing = synthetic_cases().count()
        stale: set[int] = set()
        if existing:
            if not replace:
                return EpidemicSummary(
                    False, f"{existing} synthetic cases are already recorded; nothing done (--replace rebuilds them)",
                    seed,
                )
            stale = delete_epidemic()
            lap("delete")
        timeline = plan_timeline(seed, data)
        cases = timeline.cases
        rng = random.Random(f"{seed}:people")
        excluded = _demo_community_code()
        by_district: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(cases):
            by_district[c.district].append(i)
        placed: dict[int, _Placed] = {}
        for code in sorted(by_district):
            placed |= _place_district(cases, by_district[code], timeline.clusters, rng, excluded)
        lap("people")
        rows = _write(cases, timeline.clusters, placed, rng)
        lap("rows")
        report("cases", len(cases), len(cases))

        days = _days(FIRST_CASE_ON, LAST_DAY)
        for n, day in enumerate(days, start=1):
            publish(day, RISK_RULES)
            report("risk lists", n, len(days))
        lap("risk lists")
        touched = rows["people"] | stale
        recoloured = health_services.recompute_colours(touched, timezone.now())  # the rule in force now
        report("colours", recoloured, len(touched))
        lap("colours")

    counts = timeline.by_day()
    peak = max(sorted(counts.items()), key=lambda item: item[1])
    names = {d["code"]: d["name"] for d in data["districts"]}
    early = Counter(c.district for c in cases if c.reported_on <= DISTRICT_COUNTS_ON)
    total = Counter(c.district for c in cases)
    return EpidemicSummary(
        built=True,
        message=(f"{len(cases)} cases from {FIRST_CASE_ON} to {max(counts)}, risk lists for {len(days)} days"
                 + (f"; {existing} earlier synthetic cases replaced" if existing else "")),
        seed=seed,
        cases=len(cases),
        imported=sum(c.imported for c in cases),
        local=sum(not c.imported for c in cases),
        without_person=sum(p.person_id is None for p in placed.values()),
        clusters=rows["clusters"],
        contacts=rows["contacts"],
        quarantine_orders=rows["orders"],
        risk_lists=len(days),
        recoloured=recoloured,
        peak=peak,
        by_district={names[code]: (early[code], total[code]) for code in names},
        seconds=seconds,
    )


def _write(cases: list[PlannedCase], clusters: list[tuple[int, ...]], placed: dict[int, _Placed],
           rng: random.Random) -> dict:
    """Clusters, cases, contacts and orders in four bulk inserts; returns their counts and the people touched."""
    district_ids = dict(Area.objects.filter(level=Level.DISTRICT).values_list("code", "id"))
    live = [members for members in clusters if all(cases[i].cluster is not None for i in members)]
    cluster_rows = [
        Cluster(
            setting=ClusterSetting.HOUSEHOLD, place=placed[members[0]].household.place[:200],
            compound_id=placed[members[0]].compound_id, status=ClusterStatus.CONFIRMED,
            confirmed_at=_local_moment(cases[members[1]].reported_on, CLUSTER_CONFIRMED_AT),
        )
        for members in live
    ]
    Cluster.objects.bulk_create(cluster_rows)
    cluster_of = {i: row for members, row in zip(live, cluster_rows) for i in members}

    case_rows = []
    for i, c in enumerate(cases):
        where = placed[i]
        onset = c.reported_on - dt.timedelta(days=rng.randint(*ONSET_BEFORE_REPORT_DAYS))
        case_rows.append(Case(
            person_id=where.person_id, kind=CaseKind.CONFIRMED, onset_on=onset,
            sampled_on=c.reported_on - dt.timedelta(days=rng.randint(0, 1)), reported_on=c.reported_on,
            household_id=where.household.id if where.household else None, compound_id=where.compound_id,
            district_id=district_ids[c.district], imported=c.imported, outcome=CaseOutcome.DISCHARGED,
            outcome_on=c.reported_on + dt.timedelta(days=rng.randint(*DISCHARGE_AFTER_DAYS)),
            cluster=cluster_of.get(i),
        ))
    Case.objects.bulk_create(case_rows)

    # The household of each case: its cases by date, then contacts and one order per member.
    by_household: dict[int, list[int]] = defaultdict(list)
    for i in sorted(placed, key=lambda i: cases[i].reported_on):
        if placed[i].household is not None:
            by_household[placed[i].household.id].append(i)
    contacts, orders = [], []
    people = {p.person_id for p in placed.values() if p.person_id is not None}
    for indices in by_household.values():
        household = placed[indices[0]].household
        became_case = {placed[i].person_id: cases[i].reported_on for i in indices}
        kind = QuarantineKind.CENTRALIZED if rng.random() < CENTRALIZED_SHARE else QuarantineKind.HOME
        for person_id, _verified in household.members:
            own = became_case.get(person_id)
            exposures = [i for i in indices if own is None or cases[i].reported_on < own]
            if not exposures:
                continue
            start = cases[exposures[0]].reported_on
            planned_end = cases[exposures[-1]].reported_on + dt.timedelta(days=QUARANTINE_DAYS)
            released_on = own if own is not None else planned_end
            for i in exposures:
                contacts.append(CloseContact(
                    case=case_rows[i], person_id=person_id, degree=ContactDegree.CLOSE,
                    last_exposure_on=cases[i].reported_on, identified_on=cases[i].reported_on,
                    released_on=released_on,
                ))
            orders.append(QuarantineOrder(
                person_id=person_id, kind=kind, start=start, planned_end=planned_end,
                released_at=_local_moment(released_on, RELEASED_AT),
            ))
            people.add(person_id)
    CloseContact.objects.bulk_create(contacts)
    QuarantineOrder.objects.bulk_create(orders)
    return {"clusters": len(cluster_rows), "contacts": len(contacts), "orders": len(orders), "people": people}


def district_counts(on: dt.date) -> dict[str, int]:
    """Confirmed cases reported up to ``on`` by district of residence (district code → count), as zoning counts."""
    counts: Counter[str] = Counter()
    for code in Case.objects.filter(kind=CaseKind.CONFIRMED, reported_on__lte=on).values_list("compound__code", flat=True):
        counts[code[:6]] += 1
    return dict(counts)

