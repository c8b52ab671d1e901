"""The operations that change health records. Each is one transaction, validates its input, raises DomainError
on bad input, and recomputes, in the same transaction, the stored colour of every person it touches.

Whom a record touches: the person it is about, and nobody else. The colour rules (``colour_rules``) colour a
person only by that person's own facts: a case's household members turn red when they are linked as its
contacts (``link_contact``), not because they share the household.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from wuyi.accounts import audit
from wuyi.accounts.models import User
from wuyi.errors import DomainError, NotFound
from wuyi.health import colour_rules as rules
from wuyi.health.models import (
    Case,
    CaseKind,
    CaseOutcome,
    CloseContact,
    Cluster,
    ClusterSetting,
    ClusterStatus,
    ContactDegree,
    DailyReport,
    Flag,
    FlagKind,
    PersonColour,
    QuarantineKind,
    QuarantineOrder,
    TestOutcome,
    TestResult,
)
from wuyi.health.signals import colours_recomputed
from wuyi.people.models import Membership, Person
from wuyi.people.services import SYMPTOMS
from wuyi.places.models import CODE_LENGTH, Area, Household, Level, code_range

# Body temperatures a thermometer can plausibly report; anything outside is a typing error.
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
# The three-person team (三人小组) follows people quarantined at home; centralized sites report on their own.
HOME_ORDER_KINDS = (QuarantineKind.HOME, QuarantineKind.HOME_HEALTH_OBSERVATION)
# People per round of recompute_colours: bounds the IN lists below SQLite's parameter limit.
RECOMPUTE_BATCH = 500
FACTS_TABLE = "health_city_run_facts"  # the city-wide run's temporary table (PostgreSQL)
COLOURS = PersonColour._meta.db_table


def _now(at: dt.datetime | None) -> dt.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise DomainError("naive_time", "a timezone-aware moment is needed", "at")
    return at


def _rule_id(rule_id: str | None, at: dt.datetime) -> str:
    """The rule asked for, else the WUYI_COLOUR_RULES setting, else the one in force on the local date of ``at``."""
    rule_id = rule_id or getattr(settings, "WUYI_COLOUR_RULES", None)
    if rule_id is not None:
        if rule_id not in rules.RULES:
            raise DomainError("unknown_rules", f"no colour rule set {rule_id!r}; choose one of {', '.join(rules.RULES)}",
                              "rules")
        return rule_id
    try:
        return rules.rules_on(rules.local_date(at)).id
    except rules.NoRuleInForce as e:
        raise DomainError("no_rules_in_force", str(e), "at") from None


def _person(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound("person", "person_id")
    return person


def _check_choice(value: str, choices: Iterable[str], field: str) -> None:
    choices = list(choices)
    if value not in choices:
        raise DomainError(f"invalid_{field}", f"{field} must be one of {', '.join(choices)}", field)


def _check_not_before(first: dt.date | None, later: dt.date | None, field: str, what: str) -> None:
    if first is not None and later is not None and later < first:
        raise DomainError("dates_out_of_order", f"{what}: {later} is before {first}", field)


# --- colours ---------------------------------------------------------------------------------------------


def person_facts(person_ids: Sequence[int], at: dt.datetime, *, every_one_between: bool = False
                 ) -> dict[int, rules.PersonFacts]:
    """The facts of each person named, read in five queries (cases, contacts, orders, tests, flags).

    ``every_one_between``: the ids, sorted, are every person with facts from the first to the last (a round of
    the city-wide run), so the queries ask for that range instead of naming each id.

    Flags dated after the local date of ``at`` are left out, and so are flags that stand only while uncleared
    (codes from elsewhere, a key person untested) once cleared; the rules ignore every other later fact.
    """
    today = rules.local_date(at)
    if every_one_between:
        named = Q(person_id__gte=person_ids[0], person_id__lte=person_ids[-1])
    else:
        named = Q(person_id__in=person_ids)
    cases: dict[int, list[rules.Case]] = defaultdict(list)
    for pid, kind, reported_on, outcome, outcome_on in Case.objects.filter(named).values_list(
        "person_id", "kind", "reported_on", "outcome", "outcome_on"
    ):
        cases[pid].append(rules.Case(rules.CaseKind(kind), reported_on, rules.CaseOutcome(outcome), outcome_on))
    contacts: dict[int, list[rules.Contact]] = defaultdict(list)
    for pid, degree, identified_on, released_on in CloseContact.objects.filter(named).values_list("person_id", "degree", "identified_on", "released_on"):
        contacts[pid].append(rules.Contact(rules.ContactDegree(degree), identified_on, released_on))
    orders: dict[int, list[rules.QuarantineOrder]] = defaultdict(list)
    for pid, kind, start, planned_end, released_at in QuarantineOrder.objects.filter(named).values_list("person_id", "kind", "start", "planned_end", "released_at"):
        released_on = rules.local_date(released_at) if released_at is not None else None
        orders[pid].append(rules.QuarantineOrder(rules.OrderKind(kind), start, planned_end, released_on))
    tests: dict[int, list[rules.NucleicAcidResult]] = defaultdict(list)
    for pid, sampled_at, outcome in TestResult.objects.filter(named).values_list(
        "person_id", "sampled_at", "outcome"
    ):
        tests[pid].append(rules.NucleicAcidResult(sampled_at, rules.NucleicAcidOutcome(outcome)))
    flags: dict[int, dict[str, tuple[dt.date, dt.date | None]]] = defaultdict(dict)
    for pid, kind, since, cleared_on in (
        Flag.objects.filter(named, since__lte=today).order_by("since", "pk")
        .values_list("person_id", "kind", "since", "cleared_on")
    ):
        if kind in _FLAGS_WHILE_STANDING and cleared_on is not None and cleared_on <= today:
            continue
        flags[pid][kind] = (since, cleared_on)  # ordered by date: the latest of each kind wins
    facts = {}
    for pid in person_ids:
        flag = flags.get(pid, {})
        fever = flag.get(FlagKind.GATE_FEVER)
        facts[pid] = rules.PersonFacts(
            cases=tuple(cases.get(pid, ())),
            contacts=tuple(contacts.get(pid, ())),
            orders=tuple(orders.get(pid, ())),
            tests=tuple(tests.get(pid, ())),
            high_risk_arrival_on=_since(flag, FlagKind.HIGH_RISK_ARRIVAL),
            gate_fever_on=fever[0] if fever else None,
            gate_fever_cleared_on=fever[1] if fever else None,
            red_elsewhere_since=_since(flag, FlagKind.RED_ELSEWHERE),
            yellow_elsewhere_since=_since(flag, FlagKind.YELLOW_ELSEWHERE),
            key_person_untested_since=_since(flag, FlagKind.KEY_PERSON_UNTESTED),
        )
    return facts


_FLAGS_WHILE_STANDING = {FlagKind.RED_ELSEWHERE, FlagKind.YELLOW_ELSEWHERE, FlagKind.KEY_PERSON_UNTESTED}


def _since(flags: dict[str, tuple[dt.date, dt.date | None]], kind: str) -> dt.date | None:
    found = flags.get(kind)
    return found[0] if found else None


def default_colour(at: dt.datetime, rule_id: str | None = None) -> rules.ColourResult:
    """The colour of a person with no facts on record under the rule (blue or green, with its reason)."""
    return rules.decide_colour(rules.PersonFacts(), at, _rule_id(rule_id, at))


def recompute_colours(person_ids: Iterable[int], at: dt.datetime | None = None, rule_id: str | None = None,
                      notify: bool = True) -> int:
    """Decide and store the colour of each person named, at ``at``, under ``rule_id`` (see ``_rule_id``).

    Set-based: per round of RECOMPUTE_BATCH people, five reads and one upsert, whatever the number of
    facts. Returns the number of people stored. Call it inside the transaction that changed the facts.
    """
    at = _now(at)
    rule_id = _rule_id(rule_id, at)
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), RECOMPUTE_BATCH):
        batch = ids[start : start + RECOMPUTE_BATCH]
        _store_colours(batch, person_facts(batch, at), at, rule_id)
        if notify:  # the apps above act on the new colours in this transaction (access revokes stale codes)
            colours_recomputed.send(sender=PersonColour, person_ids=batch)
    return len(ids)


def _decided(batch: Sequence[int], facts: dict[int, rules.PersonFacts], at: dt.datetime, rule_id: str
             ) -> list[tuple]:
    """(person, rule, colour, reasons as JSON, next change) of each person of the batch, by the rule module."""
    rows = []
    for pid in batch:
        result = rules.decide_colour(facts[pid], at, rule_id)
        rows.append((pid, result.rule_id, result.colour.value,
                     json.dumps([list(reason) for reason in result.reasons], ensure_ascii=False),
                     result.next_change))
    return rows


def _store_colours(batch: Sequence[int], facts: dict[int, rules.PersonFacts], at: dt.datetime, rule_id: str) -> None:
    """Decide each person's colour and upsert the rows."""
    with connection.cursor() as cursor:
        _upsert_colours(cursor, _decided(batch, facts, at, rule_id), connection.ops.adapt_datetimefield_value(at))


def _upsert_colours(cursor, rows: list[tuple], stamp) -> None:
    """Rows of ``_decided`` into the colour table, in one executemany through the driver (the ORM's bulk_create
    cost more than the rules themselves, bench/health_recompute.py)."""
    json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    cursor.executemany(
        f"INSERT INTO {COLOURS} (person_id, rule_id, colour, reasons, next_change, computed_at) "
        f"VALUES (%s, %s, %s, {json_param}, %s, %s) ON CONFLICT (person_id) DO UPDATE SET "
        "rule_id = excluded.rule_id, colour = excluded.colour, reasons = excluded.reasons, "
        "next_change = excluded.next_change, computed_at = excluded.computed_at",
        [(*row, stamp) for row in rows],
    )


def colour_of(person_id: int) -> PersonColour:
    """A person's stored colour; computed now if it never was (a person added since the last city-wide run)."""
    stored = PersonColour.objects.filter(person_id=person_id).first()
    if stored is None:
        recompute_colours([person_id])
        stored = PersonColour.objects.get(person_id=person_id)
    return stored


def has_facts(person_ref: str = "pk") -> Q:
    """A filter: the person at ``person_ref`` has a case, contact, quarantine order, test result or flag."""
    return (
        Q(Exists(Case.objects.filter(person_id=OuterRef(person_ref))))
        | Q(Exists(CloseContact.objects.filter(person_id=OuterRef(person_ref))))
        | Q(Exists(QuarantineOrder.objects.filter(person_id=OuterRef(person_ref))))
        | Q(Exists(TestResult.objects.filter(person_id=OuterRef(person_ref))))
        | Q(Exists(Flag.objects.filter(person_id=OuterRef(person_ref))))
    )


@dataclass(frozen=True)
class CityRecompute:
    rule_id: str
    at: dt.datetime
    default_people: int  # given the rule's default colour in two statements
    fact_people: int  # decided one by one by the rule module
    colours: dict[str, int]  # people by colour, from the run itself (no scan of the colour table)


def recompute_city(
    at: dt.datetime | None = None,
    rule_id: str | None = None,
    batch_size: int = RECOMPUTE_BATCH,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> CityRecompute:
    """Recompute every person's colour at ``at``, in one transaction, set-based.

    Everyone without facts gets the rule's default colour (that of a person with no facts on record) in one
    UPDATE, and those without a stored colour yet in one INSERT … SELECT; only the people with facts, found in
    the fact tables, go through the rule module, in rounds of ``batch_size`` (five reads each).
    ``on_progress(stage, done, total)`` is called after each step.

    The people with facts are written after everyone got the default (leaving them out of that UPDATE by a join
    made it slower than writing them twice, bench/health_recompute.py): on PostgreSQL by one UPDATE … FROM a
    temporary table their colours were copied into, and, for people without a colour yet, by the INSERT's join to
    it; on SQLite, which would probe such a table once for each of 17.5 M people, by an upsert of each round.
    """
    at = _now(at)
    rule_id = _rule_id(rule_id, at)
    default = default_colour(at, rule_id)
    report = on_progress or (lambda stage, done, total: None)
    city = _CityRun(at, rule_id, default, batch_size, report)
    with transaction.atomic(), connection.cursor() as cursor:
        with_facts = Case.objects.filter(person__isnull=False).values_list("person_id").order_by().union(
            *(model.objects.values_list("person_id").order_by()
              for model in (CloseContact, QuarantineOrder, TestResult, Flag))
        )
        ids = sorted(person_id for (person_id,) in with_facts)
        if connection.vendor == "postgresql":
            written = city.facts_first(cursor, ids)
        else:
            written = city.default_first(cursor, ids)
        colours_recomputed.send(sender=PersonColour, person_ids=None)  # once, for everyone
    colours = Counter(city.fact_colours)
    colours[default.colour.value] += written - len(ids)
    return CityRecompute(rule_id, at, written - len(ids), len(ids), dict(sorted(colours.items())))


@dataclass
class _CityRun:
    at: dt.datetime
    rule_id: str
    default: rules.ColourResult
    batch_size: int
    report: Callable[[str, int, int], None]

    def __post_init__(self) -> None:
        self.fact_colours: Counter[str] = Counter()
        self.json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
        self.stamp = connection.ops.adapt_datetimefield_value(self.at)
        reasons = json.dumps([list(r) for r in self.default.reasons], ensure_ascii=False)
        self.defaults = [self.rule_id, self.default.colour.value, reasons]

    def rounds(self, ids: list[int]) -> Iterator[list[tuple]]:
        """The people with facts, decided a round at a time (their ids run from the round's first to its last)."""
        self.report("facts", 0, len(ids))
        for start in range(0, len(ids), self.batch_size):
            batch = ids[start : start + self.batch_size]
            rows = _decided(batch, person_facts(batch, self.at, every_one_between=True), self.at, self.rule_id)
            self.fact_colours.update(row[2] for row in rows)
            yield rows
            self.report("facts", min(start + self.batch_size, len(ids)), len(ids))

    def update_default(self, cursor, where: str = "") -> int:
        cursor.execute(
            f"UPDATE {COLOURS} SET rule_id = %s, colour = %s, reasons = {self.json_param}, next_change = NULL, "
            f"computed_at = %s {where}", [*self.defaults, self.stamp])
        return cursor.rowcount

    def insert_missing(self, cursor, written: int, facts_join: str = "") -> int:
        """Those without a stored colour yet: skipped when the UPDATEs reached everyone (a count costs less than
        probing every person's colour). ON CONFLICT rather than NOT EXISTS: given the statistics of an empty colour
        table, PostgreSQL plans that join to the table being filled as a scan of it for every person. WHERE true:
        SQLite would read the ON after a bare FROM as a join constraint."""
        if written and written >= Person.objects.count():
            return 0
        if facts_join:
            values = (f"COALESCE(f.rule_id, %s), COALESCE(f.colour, %s), COALESCE(f.reasons, {self.json_param}), "
                      "f.next_change")
        else:
            values = f"%s, %s, {self.json_param}, NULL"
        cursor.execute(
            f"INSERT INTO {COLOURS} (person_id, rule_id, colour, reasons, next_change, computed_at) "
            f"SELECT p.id, {values}, %s FROM {Person._meta.db_table} p {facts_join} "
            "WHERE true ON CONFLICT (person_id) DO NOTHING",
            [*self.defaults, self.stamp])
        return cursor.rowcount

    def facts_first(self, cursor, ids: list[int]) -> int:
        cursor.execute(
            f"CREATE TEMP TABLE {FACTS_TABLE} (person_id bigint PRIMARY KEY, rule_id varchar(20) NOT NULL, "
            "colour varchar(6) NOT NULL, reasons jsonb NOT NULL, next_change date) ON COMMIT DROP")
        for rows in self.rounds(ids):
            with cursor.cursor.copy(
                    f"COPY {FACTS_TABLE} (person_id, rule_id, colour, reasons, next_change) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        cursor.execute(f"ANALYZE {FACTS_TABLE}")
        written = self.update_default(cursor)  # everyone, the people with facts too: one pass, like a bare UPDATE
        cursor.execute(
            f"UPDATE {COLOURS} SET rule_id = f.rule_id, colour = f.colour, reasons = f.reasons, "
            f"next_change = f.next_change FROM {FACTS_TABLE} f WHERE f.person_id = {COLOURS}.person_id")
        written += self.insert_missing(cursor, written, f"LEFT JOIN {FACTS_TABLE} f ON f.person_id = p.id")
        cursor.execute(f"DROP TABLE {FACTS_TABLE}")
        self.report("default", 1, 1)
        return written

    def default_first(self, cursor, ids: list[int]) -> int:
        written = self.update_default(cursor)
        written += self.insert_missing(cursor, written)
        self.report("default", 1, 1)
        for rows in self.rounds(ids):
            _upsert_colours(cursor, rows, self.stamp)
        return written


# --- records ---------------------------------------------------------------------------------------------


@dataclass
class CaseInput:
    kind: str
    reported_on: dt.date
    household_code: str = ""
    compound_code: str = ""  # when the room is unknown; ignored when household_code is given
    district_code: str = ""  # of report; default: the district of residence
    onset_on: dt.date | None = None
    sampled_on: dt.date | None = None
    imported: bool = False
    person_id: int | None = None


def record_case(data: CaseInput, by: User | None = None, at: dt.datetime | None = None) -> Case:
    """Record a case and recompute its person's colour."""
    at = _now(at)
    _check_choice(data.kind, CaseKind.values, "kind")
    today = rules.local_date(at)
    if data.reported_on > today:
        raise DomainError("future_date", "a case cannot be reported after today", "reported_on")
    _check_not_before(data.onset_on, data.reported_on, "reported_on", "report before onset")
    _check_not_before(data.sampled_on, data.reported_on, "reported_on", "report before sampling")
    person = _person(data.person_id) if data.person_id is not None else None
    household = None
    if data.household_code:
        household = Household.objects.filter(code=data.household_code).first()
        if household is None:
            raise DomainError("unknown_household", "no household has this code", "household_code")
        compound_code = household.compound_code
    elif data.compound_code:
        compound_code = data.compound_code
    else:
        raise DomainError("residence_needed", "a household or a compound of residence is needed", "household_code")
    compound = Area.objects.filter(code=compound_code, level=Level.COMPOUND).first()
    if compound is None:
        raise DomainError("unknown_compound", "no compound has this code", "compound_code")
    district_code = data.district_code or compound_code[: CODE_LENGTH[Level.DISTRICT]]
    district = Area.objects.filter(code=district_code, level=Level.DISTRICT).first()
    if district is None:
        raise DomainError("unknown_district", "no district has this code", "district_code")
    with transaction.atomic():
        case = Case.objects.create(
            person=person, kind=data.kind, onset_on=data.onset_on, sampled_on=data.sampled_on,
            reported_on=data.reported_on, household=household, compound=compound, district=district,
            imported=data.imported, recorded_by=by,
        )
        suggest_cluster(case)
        if person is not None:
            audit.record(by, person, "health.case", f"recorded {data.kind} case {case.pk}")
            recompute_colours([person.pk], at)
    return case


def record_case_with_household(data: CaseInput, quarantine_kind: str | None = QuarantineKind.HOME,
                               quarantine_days: int = 14, by: User | None = None,
                               at: dt.datetime | None = None) -> tuple[Case, list[CloseContact]]:
    """Record a case and, when ``quarantine_kind`` is given and the household is known, link every other member
    living in it as a close contact (last exposed on the report date, or today if earlier) and put each under
    an order from today to ``quarantine_days`` after that exposure. One transaction: all of it, or nothing.
    """
    at = _now(at)
    today = rules.local_date(at)
    if quarantine_kind:
        _check_choice(quarantine_kind, QuarantineKind.values, "quarantine_kind")
    with transaction.atomic():
        case = record_case(data, by, at)
        contacts = []
        if quarantine_kind and case.household_id is not None:
            exposed = min(case.reported_on, today)
            members = (
                Membership.objects.filter(household_id=case.household_id, moved_out__isnull=True)
                .exclude(person_id=case.person_id).order_by("person_id").values_list("person_id", flat=True)
            )
            for person_id in members:
                contacts.append(link_contact(case.pk, person_id, exposed, ContactDegree.CLOSE, by, at))
                issue_quarantine(person_id, quarantine_kind, today,
                                 max(today, exposed + dt.timedelta(days=quarantine_days)), by, at)
    return case, contacts


# The kinds a cluster is made of: "2 or more confirmed cases or asymptomatic infections within 14 days in a
# small setting" (POLICY.md §2e, 2020 plan); "within 14 days" read as report dates at most 13 days apart.
CLUSTER_KINDS = (CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC)
CLUSTER_DAYS = 14


def suggest_cluster(case: Case) -> Cluster | None:
    """Put a newly recorded case in a cluster when it is the second (or later) in its setting within 14 days.

    The setting is the case's household, or its compound when the room is unknown (and then only cases with no
    room either). A case that meets cases of a suggested or confirmed cluster joins that cluster; one that meets
    only cases in no cluster starts a suggested cluster with them; cases of a dismissed suggestion are not
    suggested again. Only an official's confirmation (``confirm_cluster``) makes a cluster count in zoning.
    """
    if case.kind not in CLUSTER_KINDS or case.cluster_id is not None:
        return None
    window = dt.timedelta(days=CLUSTER_DAYS - 1)
    near = (
        Case.objects.filter(kind__in=CLUSTER_KINDS, reported_on__range=(case.reported_on - window,
                                                                       case.reported_on + window))
        .exclude(pk=case.pk).exclude(outcome=CaseOutcome.RULED_OUT)
    )
    if case.household_id is not None:
        near, setting, place = near.filter(household_id=case.household_id), ClusterSetting.HOUSEHOLD, case.household
    else:
        near = near.filter(compound_id=case.compound_id, household__isnull=True)
        setting, place = ClusterSetting.COMPOUND, case.compound
    near = list(near.select_related("cluster").order_by("reported_on", "pk"))
    if not near:
        return None
    joined = next((c.cluster for c in near if c.cluster is not None and c.cluster.status != ClusterStatus.DISMISSED),
                  None)
    if joined is None:
        loose = [c.pk for c in near if c.cluster_id is None]
        if not loose:
            return None
        joined = Cluster.objects.create(setting=setting, place=str(place)[:200], compound_id=case.compound_id)
        Case.objects.filter(pk__in=loose).update(cluster=joined)
    case.cluster = joined
    case.save(update_fields=["cluster"])
    return joined


def _decide_cluster(cluster_id: int, status: str, by: User | None, at: dt.datetime | None) -> Cluster:
    at = _now(at)
    with transaction.atomic():
        cluster = Cluster.objects.select_for_update().filter(pk=cluster_id).first()
        if cluster is None:
            raise NotFound("cluster", "cluster_id")
        if cluster.status != ClusterStatus.SUGGESTED:
            raise DomainError("already_decided", "this cluster has already been confirmed or dismissed", "cluster_id")
        cluster.status = status
        if status == ClusterStatus.CONFIRMED:
            cluster.confirmed_by, cluster.confirmed_at = by, at
        else:
            cluster.dismissed_by, cluster.dismissed_at = by, at
        cluster.save()
    return cluster


def confirm_cluster(cluster_id: int, by: User | None = None, at: dt.datetime | None = None) -> Cluster:
    """An official confirms a suggested cluster: from now on it counts in risk zoning."""
    return _decide_cluster(cluster_id, ClusterStatus.CONFIRMED, by, at)


def dismiss_cluster(cluster_id: int, by: User | None = None, at: dt.datetime | None = None) -> Cluster:
    """An official finds no link between the cases of a suggested cluster; it is kept, but never counts."""
    return _decide_cluster(cluster_id, ClusterStatus.DISMISSED, by, at)


def set_case_outcome(case_id: int, outcome: str, on: dt.date, by: User | None = None,
                     at: dt.datetime | None = None) -> Case:
    """Discharge a case or rule it out on ``on`` (a local date); recompute its person's colour."""
    at = _now(at)
    _check_choice(outcome, [CaseOutcome.DISCHARGED, CaseOutcome.RULED_OUT], "outcome")
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound("case", "case_id")
        if case.outcome != CaseOutcome.UNDER_TREATMENT:
            raise DomainError("case_closed", "this case already has an outcome", "outcome")
        _check_not_before(case.reported_on, on, "on", "outcome before report")
        if on > rules.local_date(at):
            raise DomainError("future_date", "an outcome cannot be dated after today", "on")
        case.outcome, case.outcome_on = outcome, on
        case.save(update_fields=["outcome", "outcome_on"])
        if case.person_id is not None:
            audit.record(by, case.person_id, "health.case_outcome", f"case {case.pk}: {outcome} on {on}")
            recompute_colours([case.person_id], at)
    return case


def link_contact(case_id: int, person_id: int, last_exposure_on: dt.date, degree: str = ContactDegree.CLOSE,
                 by: User | None = None, at: dt.datetime | None = None) -> CloseContact:
    """Link a person to a case as a contact identified today; recompute the person's colour."""
    at = _now(at)
    today = rules.local_date(at)
    _check_choice(degree, ContactDegree.values, "degree")
    if last_exposure_on > today:
        raise DomainError("future_date", "an exposure cannot be after today", "last_exposure_on")
    with transaction.atomic():
        case = Case.objects.filter(pk=case_id).first()
        if case is None:
            raise NotFound("case", "case_id")
        person = _person(person_id)
        if case.person_id == person.pk:
            raise DomainError("own_contact", "a case is not its own contact", "person_id")
        if CloseContact.objects.filter(case=case, person=person).exists():
            raise DomainError("already_linked", "this person is already a contact of this case", "person_id")
        contact = CloseContact.objects.create(
            case=case, person=person, degree=degree, last_exposure_on=last_exposure_on, identified_on=today
        )
        audit.record(by, person, "health.contact", f"{degree} contact of case {case.pk}")
        recompute_colours([person.pk], at)
    return contact


def issue_quarantine(person_id: int, kind: str, start: dt.date, planned_end: dt.date, by: User | None = None,
                     at: dt.datetime | None = None) -> QuarantineOrder:
    """Put a person under an order from ``start`` to ``planned_end``; recompute their colour."""
    at = _now(at)
    _check_choice(kind, QuarantineKind.values, "kind")
    _check_not_before(start, planned_end, "planned_end", "planned end before start")
    with transaction.atomic():
        person = _person(person_id)
        order = QuarantineOrder.objects.create(person=person, kind=kind, start=start, planned_end=planned_end,
                                               issued_by=by)
        audit.record(by, person, "health.quarantine", f"{kind} order {order.pk}: {start} to {planned_end}")
        recompute_colours([person.pk], at)
    return order


def release_quarantine(order_id: int, by: User | None = None, at: dt.datetime | None = None) -> QuarantineOrder:
    """Release an order at ``at``, and with it the person's open contacts; recompute their colour.

    The release is the official's record that infection is ruled out after the order's last test
    (colour_rules: a contact counts until its release), so it releases the person as a contact too.
    """
    at = _now(at)
    today = rules.local_date(at)
    with transaction.atomic():
        order = QuarantineOrder.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise NotFound("quarantine order", "order_id")
        if order.released_at is not None:
            raise DomainError("already_released", "this order is already released", "order_id")
        if today < order.start:
            raise DomainError("dates_out_of_order", "an order cannot be released before it starts", "order_id")
        order.released_at, order.released_by = at, by
        order.save(update_fields=["released_at", "released_by"])
        CloseContact.objects.filter(person_id=order.person_id, released_on__isnull=True,
                                    identified_on__lte=today).update(released_on=today)
        audit.record(by, order.person_id, "health.release", f"released order {order.pk}")
        recompute_colours([order.person_id], at)
    return order


def record_test_result(person_id: int, sampled_at: dt.datetime, outcome: str, by: User | None = None,
                       at: dt.datetime | None = None) -> TestResult:
    """Record a nucleic-acid test result; recompute the person's colour."""
    at = _now(at)
    _check_choice(outcome, TestOutcome.values, "outcome")
    if timezone.is_naive(sampled_at):
        raise DomainError("naive_time", "a timezone-aware sampling time is needed", "sampled_at")
    if sampled_at > at:
        raise DomainError("future_date", "a sample cannot be taken in the future", "sampled_at")
    with transaction.atomic():
        person = _person(person_id)
        result = TestResult.objects.create(person=person, sampled_at=sampled_at, outcome=outcome)
        audit.record(by, person, "health.test", f"{outcome} test sampled {sampled_at.isoformat()}")
        recompute_colours([person.pk], at)
    return result


def _temperature(value: Decimal | float | str | None, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise DomainError("invalid_temperature", "a temperature is a number of degrees Celsius", field) from None
    if not TEMPERATURE_MIN <= number <= TEMPERATURE_MAX:
        raise DomainError(
            "invalid_temperature", f"a temperature lies between {TEMPERATURE_MIN} and {TEMPERATURE_MAX} °C", field
        )
    return number


def record_daily_report(person_id: int, day: dt.date, temperature_morning: Decimal | float | str | None,
                        temperature_afternoon: Decimal | float | str | None, symptoms: Sequence[str] = (),
                        by: User | None = None, at: dt.datetime | None = None) -> DailyReport:
    """Record (or correct) a person's report for ``day``; recompute their colour."""
    at = _now(at)
    if day > rules.local_date(at):
        raise DomainError("future_date", "a report cannot be for a day after today", "day")
    morning = _temperature(temperature_morning, "temperature_morning")
    afternoon = _temperature(temperature_afternoon, "temperature_afternoon")
    if morning is None and afternoon is None:
        raise DomainError("temperature_needed", "at least one temperature is needed", "temperature_morning")
    symptoms = list(dict.fromkeys(symptoms))
    unknown = [s for s in symptoms if s not in SYMPTOMS]
    if unknown:
        raise DomainError("invalid_symptom", f"unknown symptom: {unknown[0]}", "symptoms")
    with transaction.atomic():
        person = _person(person_id)
        report, _ = DailyReport.objects.update_or_create(
            person=person, date=day,
            defaults={"temperature_morning": morning, "temperature_afternoon": afternoon, "symptoms": symptoms},
        )
        audit.record(by, person, "health.daily_report", f"daily report for {day}")
        recompute_colours([person.pk], at)
    return report


def raise_flag(person_id: int, kind: str, since: dt.date, note: str = "", by: User | None = None,
               at: dt.datetime | None = None) -> Flag:
    """Record a declared or observed input (arrival from a high-risk area, fever at a gate, …); recompute."""
    at = _now(at)
    _check_choice(kind, FlagKind.values, "kind")
    if since > rules.local_date(at):
        raise DomainError("future_date", "a flag cannot start after today", "since")
    with transaction.atomic():
        person = _person(person_id)
        flag = Flag.objects.create(person=person, kind=kind, since=since, note=note[:200], recorded_by=by)
        audit.record(by, person, "health.flag", f"{kind} since {since}")
        recompute_colours([person.pk], at)
    return flag


def clear_flag(flag_id: int, on: dt.date, by: User | None = None, at: dt.datetime | None = None) -> Flag:
    """Clear a flag on ``on`` (a local date); recompute the person's colour."""
    at = _now(at)
    with transaction.atomic():
        flag = Flag.objects.select_for_update().filter(pk=flag_id).first()
        if flag is None:
            raise NotFound("flag", "flag_id")
        if flag.cleared_on is not None:
            raise DomainError("already_cleared", "this flag is already cleared", "flag_id")
        _check_not_before(flag.since, on, "on", "cleared before raised")
        flag.cleared_on = on
        flag.save(update_fields=["cleared_on"])
        audit.record(by, flag.person_id, "health.flag_cleared", f"{flag.kind} cleared on {on}")
        recompute_colours([flag.person_id], at)
    return flag


# --- reading ---------------------------------------------------------------------------------------------


def under_home_quarantine(day: dt.date) -> Q:
    """People (as a filter on Person) under a home order open on the local date ``day``."""
    start_of_next_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), rules.CHINA_STANDARD_TIME)
    open_orders = QuarantineOrder.objects.filter(
        Q(released_at__isnull=True) | Q(released_at__gte=start_of_next_day),
        person=OuterRef("pk"), kind__in=HOME_ORDER_KINDS, start__lte=day,
    )
    return Q(Exists(open_orders))


def missed_reports(community: Area, day: dt.date) -> QuerySet[Person]:
    """People living in ``community`` under home quarantine or observation on ``day`` with no report for it.

    The list the community's three-person team (三人小组) follows up. "Under" means the order has started
    and is not released by the end of that local day.
    """
    if community.level != Level.COMMUNITY:
        raise DomainError("not_a_community", "missed reports are listed per community", "community")
    residents = Membership.objects.filter(
        code_range("household__code", community.code), person=OuterRef("pk"), moved_out__isnull=True
    )
    reported = DailyReport.objects.filter(person=OuterRef("pk"), date=day)
    return (
        Person.objects.filter(under_home_quarantine(day), Exists(residents))
        .exclude(Exists(reported))
        .order_by("pk")
    )
