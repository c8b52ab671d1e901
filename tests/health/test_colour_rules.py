"""Colour rules: each rule set as a table of a person's facts and the colour they give, then the invariants."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuyi.health.colour_rules import (
    CHINA_STANDARD_TIME,
    RULES,
    Case,
    CaseKind,
    CaseOutcome,
    Colour,
    Contact,
    ContactDegree,
    NoRuleInForce,
    NucleicAcidOutcome,
    NucleicAcidResult,
    OrderKind,
    PersonFacts,
    QuarantineOrder,
    decide_colour,
    local_date,
    rules_on,
    severity,
)

RED, YELLOW, GREEN, BLUE = Colour.RED, Colour.YELLOW, Colour.GREEN, Colour.BLUE
TODAY = date(2022, 5, 10)
NOW = datetime(2022, 5, 10, 12, 0, tzinfo=CHINA_STANDARD_TIME)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def later(days: int) -> date:
    return TODAY + timedelta(days=days)


def case(kind: CaseKind, reported: int = 3, outcome: CaseOutcome | None = None, outcome_ago: int = 0) -> Case:
    if outcome is None:
        return Case(kind, ago(reported))
    return Case(kind, ago(reported), outcome, ago(outcome_ago))


def contact(degree: ContactDegree, identified: int = 3, released: int | None = None) -> Contact:
    return Contact(degree, ago(identified), None if released is None else ago(released))


def order(
    kind: OrderKind, start: int = 3, planned_end: int = 4, released: int | None = None
) -> QuarantineOrder:
    return QuarantineOrder(kind, ago(start), later(planned_end), None if released is None else ago(released))


def facts(**kwargs) -> PersonFacts:
    for name in ("cases", "contacts", "orders", "tests"):
        if name in kwargs:
            kwargs[name] = tuple(kwargs[name])
    return PersonFacts(**kwargs)


CENTRALIZED, HOME, MONITORING = OrderKind
CLOSE, SECONDARY, POTENTIAL = ContactDegree
CONFIRMED, ASYMPTOMATIC, SUSPECTED = CaseKind

# gd-2020-03: red for confirmed, suspected, close or potential contacts, centralized or home quarantine;
# blue for nothing abnormal or released. Declared: arrival from a high-risk area, fever at a gate.
GD_2020_03 = [
    ("nothing on record", facts(), BLUE, ["nothing_abnormal"], None),
    ("confirmed case under treatment", facts(cases=[case(CONFIRMED)]), RED, ["confirmed_case"], None),
    (
        "confirmed case discharged",
        facts(cases=[case(CONFIRMED, 20, CaseOutcome.DISCHARGED, 1)]),
        BLUE,
        None,
        None,
    ),
    (
        "asymptomatic case: not 'nothing abnormal'",
        facts(cases=[case(ASYMPTOMATIC)]),
        RED,
        ["asymptomatic_case"],
        None,
    ),
    ("suspected case", facts(cases=[case(SUSPECTED)]), RED, ["suspected_case"], None),
    (
        "suspected case ruled out today",
        facts(cases=[case(SUSPECTED, 3, CaseOutcome.RULED_OUT, 0)]),
        BLUE,
        None,
        None,
    ),
    (
        "a case reported tomorrow is not known today",
        facts(cases=[Case(CONFIRMED, later(1))]),
        BLUE,
        None,
        None,
    ),
    (
        "close contact in home quarantine: red until the quarantine's planned end",
        facts(contacts=[contact(CLOSE)], orders=[order(HOME, planned_end=4)]),
        RED,
        ["close_contact", "home_quarantine"],
        later(4),
    ),
    (
        "close contact without an order: waits on a release",
        facts(contacts=[contact(CLOSE)]),
        RED,
        ["close_contact"],
        None,
    ),
    ("close contact released", facts(contacts=[contact(CLOSE, 14, released=0)]), BLUE, None, None),
    ("potential close contact", facts(contacts=[contact(POTENTIAL)]), RED, ["potential_contact"], None),
    (
        "contact of a close contact: not in the 2020 list",
        facts(contacts=[contact(SECONDARY)]),
        BLUE,
        None,
        None,
    ),
    ("centralized quarantine", facts(orders=[order(CENTRALIZED)]), RED, ["centralized_quarantine"], later(4)),
    (
        "centralized quarantine released",
        facts(orders=[order(CENTRALIZED, 14, -1, released=0)]),
        BLUE,
        None,
        None,
    ),
    (
        "home quarantine past its planned end, not released",
        facts(orders=[order(HOME, 15, -1)]),
        RED,
        None,
        TODAY,
    ),
    ("home health monitoring: a measure not lifted", facts(orders=[order(MONITORING)]), RED, None, later(4)),
    ("an order starting tomorrow is not in force", facts(orders=[order(HOME, start=-1)]), BLUE, None, None),
    (
        "arrived from a high-risk area 13 days ago",
        facts(high_risk_arrival_on=ago(13)),
        RED,
        ["high_risk_arrival"],
        later(1),
    ),
    ("arrived from a high-risk area 14 days ago", facts(high_risk_arrival_on=ago(14)), BLUE, None, None),
    ("arrived today", facts(high_risk_arrival_on=TODAY), RED, ["high_risk_arrival"], later(14)),
    ("fever found at a gate", facts(gate_fever_on=ago(1)), RED, ["gate_fever"], None),
    (
        "fever found at a gate, cleared",
        facts(gate_fever_on=ago(1), gate_fever_cleared_on=TODAY),
        BLUE,
        None,
        None,
    ),
    ("red elsewhere is a 2022 category", facts(red_elsewhere_since=ago(1)), BLUE, None, None),
    ("yellow elsewhere is a 2022 category", facts(yellow_elsewhere_since=ago(1)), BLUE, None, None),
    (
        "key person without a test is a 2022 category",
        facts(key_person_untested_since=ago(1)),
        BLUE,
        None,
        None,
    ),
]

# gd-2022: red for confirmed or asymptomatic, suspected, close contacts, contacts of close contacts,
# centralized or home quarantine, red elsewhere; yellow for home health monitoring, a key person of a
# control area without a test, yellow elsewhere; otherwise green.
GD_2022 = [
    ("nothing on record", facts(), GREEN, ["nothing_abnormal"], None),
    ("confirmed case", facts(cases=[case(CONFIRMED)]), RED, ["confirmed_case"], None),
    ("asymptomatic case", facts(cases=[case(ASYMPTOMATIC)]), RED, ["asymptomatic_case"], None),
    ("suspected case", facts(cases=[case(SUSPECTED)]), RED, ["suspected_case"], None),
    (
        "suspected case ruled out",
        facts(cases=[case(SUSPECTED, 3, CaseOutcome.RULED_OUT, 1)]),
        GREEN,
        None,
        None,
    ),
    ("close contact", facts(contacts=[contact(CLOSE)]), RED, ["close_contact"], None),
    ("contact of a close contact", facts(contacts=[contact(SECONDARY)]), RED, ["secondary_contact"], None),
    ("potential close contact: a 2020 category", facts(contacts=[contact(POTENTIAL)]), GREEN, None, None),
    ("centralized quarantine", facts(orders=[order(CENTRALIZED)]), RED, ["centralized_quarantine"], later(4)),
    ("home quarantine", facts(orders=[order(HOME, planned_end=2)]), RED, ["home_quarantine"], later(2)),
    ("quarantine over and released", facts(orders=[order(HOME, 14, -1, released=0)]), GREEN, None, None),
    ("red code elsewhere", facts(red_elsewhere_since=ago(2)), RED, ["red_elsewhere"], None),
    (
        "arrived from a high-risk area 13 days ago",
        facts(high_risk_arrival_on=ago(13)),
        RED,
        ["high_risk_arrival"],
        later(1),
    ),
    ("arrived from a high-risk area 14 days ago", facts(high_risk_arrival_on=ago(14)), GREEN, None, None),
    (
        "home health monitoring",
        facts(orders=[order(MONITORING, planned_end=6)]),
        YELLOW,
        ["home_health_monitoring"],
        later(6),
    ),
    (
        "home health monitoring released",
        facts(orders=[order(MONITORING, 7, 1, released=0)]),
        GREEN,
        None,
        None,
    ),
    (
        "key person without a test, today",
        facts(key_person_untested_since=TODAY),
        YELLOW,
        ["key_person_untested"],
        later(14),
    ),
    ("key person untested for 13 days", facts(key_person_untested_since=ago(13)), YELLOW, None, later(1)),
    ("untested yellow lasts 14 days", facts(key_person_untested_since=ago(14)), GREEN, None, None),
    ("yellow elsewhere", facts(yellow_elsewhere_since=ago(3)), YELLOW, ["yellow_elsewhere"], later(11)),
    ("fever found at a gate", facts(gate_fever_on=TODAY), YELLOW, ["gate_fever"], later(14)),
    (
        "fever found at a gate, cleared",
        facts(gate_fever_on=ago(2), gate_fever_cleared_on=ago(1)),
        GREEN,
        None,
        None,
    ),
    (
        "red outranks yellow; only red reasons shown",
        facts(orders=[order(HOME)], key_person_untested_since=ago(1)),
        RED,
        ["home_quarantine"],
        later(4),
    ),
    (
        "red until the last scheduled red reason ends",
        facts(orders=[order(CENTRALIZED, planned_end=2), order(HOME, planned_end=9)]),
        RED,
        ["centralized_quarantine", "home_quarantine"],
        later(9),
    ),
    (
        "a red reason with no date leaves no date to show",
        facts(orders=[order(HOME)], cases=[case(SUSPECTED)]),
        RED,
        ["suspected_case", "home_quarantine"],
        None,
    ),
]


def check(rule_id, person, colour, codes, next_change):
    result = decide_colour(person, NOW, rule_id)
    assert result.rule_id == rule_id
    assert result.colour is colour
    if codes is not None:
        assert [code for code, _ in result.reasons] == codes
    assert result.reasons and all(text for _, text in result.reasons)
    assert result.next_change == next_change


@pytest.mark.parametrize(
    ("why", "person", "colour", "codes", "next_change"), GD_2020_03, ids=[r[0] for r in GD_2020_03]
)
def test_gd_2020_03(why, person, colour, codes, next_change):
    check("gd-2020-03", person, colour, codes, next_change)


@pytest.mark.parametrize(
    ("why", "person", "colour", "codes", "next_change"), GD_2022, ids=[r[0] for r in GD_2022]
)
def test_gd_2022(why, person, colour, codes, next_change):
    check("gd-2022", person, colour, codes, next_change)


# Yellow turns green after two negative tests at least 24 h apart within 3 days ("3天2检").
def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Day 1 is the day the yellow began (TODAY); local time."""
    return datetime.combine(
        TODAY + timedelta(days=day - 1), datetime.min.time(), CHINA_STANDARD_TIME
    ).replace(hour=hour, minute=minute)


def negative(moment: datetime) -> NucleicAcidResult:
    return NucleicAcidResult(moment, NucleicAcidOutcome.NEGATIVE)


def positive(moment: datetime) -> NucleicAcidResult:
    return NucleicAcidResult(moment, NucleicAcidOutcome.POSITIVE)


TESTS = [
    ("no test", [], YELLOW),
    ("one negative test", [negative(at(1, 9))], YELLOW),
    ("two negatives exactly 24 h apart", [negative(at(1, 9)), negative(at(2, 9))], GREEN),
    ("two negatives 23 h 59 min apart", [negative(at(1, 9)), negative(at(2, 8, 59))], YELLOW),
    ("two negatives on days 1 and 3", [negative(at(1, 9)), negative(at(3, 20))], GREEN),
    ("two negatives on days 1 and 4: outside 3 days", [negative(at(1, 0, 1)), negative(at(4, 0))], YELLOW),
    ("any two of three that fit", [negative(at(1, 9)), negative(at(2, 8)), negative(at(3, 8))], GREEN),
    (
        "a positive test before two negatives",
        [positive(at(1, 8)), negative(at(1, 9)), negative(at(2, 10))],
        GREEN,
    ),
    (
        "a positive test between the negatives",
        [negative(at(1, 9)), positive(at(2, 8)), negative(at(2, 10))],
        YELLOW,
    ),
    ("two positives", [positive(at(1, 9)), positive(at(2, 10))], YELLOW),
    ("tests before the yellow began do not count", [negative(at(0, 9)), negative(at(1, 10))], YELLOW),
]


@pytest.mark.parametrize(("why", "tests", "colour"), TESTS, ids=[r[0] for r in TESTS])
def test_yellow_turns_green_after_two_negative_tests(why, tests, colour):
    person = facts(key_person_untested_since=TODAY, tests=tests)
    assert decide_colour(person, at(5, 12), "gd-2022").colour is colour


def test_green_from_the_moment_of_the_second_test():
    person = facts(yellow_elsewhere_since=TODAY, tests=[negative(at(1, 9)), negative(at(2, 9))])
    assert decide_colour(person, at(2, 8, 59), "gd-2022").colour is YELLOW
    assert decide_colour(person, at(2, 9), "gd-2022").colour is GREEN


def test_tests_count_by_local_date_whatever_their_timezone():
    # 2022-05-09 17:30 UTC is 2022-05-10 01:30 in China: on the day the yellow began
    early = NucleicAcidResult(datetime(2022, 5, 9, 17, 30, tzinfo=UTC), NucleicAcidOutcome.NEGATIVE)
    person = facts(key_person_untested_since=TODAY, tests=[early, negative(at(2, 2))])
    assert decide_colour(person, at(3, 12), "gd-2022").colour is GREEN


def test_each_yellow_reason_needs_its_own_tests():
    tests = [negative(at(1, 9)), negative(at(2, 9))]
    person = facts(key_person_untested_since=TODAY, yellow_elsewhere_since=later(2), tests=tests)
    result = decide_colour(person, at(3, 12), "gd-2022")
    assert (result.colour, [code for code, _ in result.reasons]) == (YELLOW, ["yellow_elsewhere"])


def test_a_monitoring_order_is_not_ended_by_tests():
    person = facts(orders=[order(MONITORING, 0, 7)], tests=[negative(at(1, 9)), negative(at(2, 9))])
    assert decide_colour(person, at(3, 12), "gd-2022").colour is YELLOW


def test_a_close_contact_goes_red_then_yellow_then_green():
    """Centralized quarantine for 7 days, then 7 days of home health monitoring, then nothing."""
    exposed = date(2022, 5, 1)
    person = facts(
        contacts=[Contact(CLOSE, exposed, released_on=exposed + timedelta(days=7))],
        orders=[
            QuarantineOrder(CENTRALIZED, exposed, exposed + timedelta(days=7), exposed + timedelta(days=7)),
            QuarantineOrder(MONITORING, exposed + timedelta(days=7), exposed + timedelta(days=14), None),
        ],
    )
    noon = [datetime(2022, 5, day, 12, tzinfo=CHINA_STANDARD_TIME) for day in range(1, 17)]
    colours = [decide_colour(person, moment, "gd-2022").colour for moment in noon]
    assert colours == [RED] * 7 + [YELLOW] * 9  # monitoring stays yellow until an official releases it
    released = replace(
        person, orders=(person.orders[0], replace(person.orders[1], released_on=date(2022, 5, 15)))
    )
    colours = [decide_colour(released, moment, "gd-2022").colour for moment in noon]
    assert colours == [RED] * 7 + [YELLOW] * 7 + [GREEN] * 2
    assert decide_colour(person, noon[0], "gd-2022").next_change == date(2022, 5, 8)


def test_red_turns_blue_when_the_quarantine_is_released():
    start = date(2020, 3, 12)
    person = facts(
        orders=[QuarantineOrder(HOME, start, start + timedelta(days=14), start + timedelta(days=14))]
    )
    days = [
        datetime.combine(start + timedelta(days=k), datetime.min.time(), CHINA_STANDARD_TIME)
        for k in range(16)
    ]
    assert [decide_colour(person, moment, "gd-2020-03").colour for moment in days] == [RED] * 14 + [BLUE] * 2


RULES_IN_FORCE = [
    (datetime(2020, 3, 11, 0, 0, tzinfo=CHINA_STANDARD_TIME), "gd-2020-03"),
    (datetime(2022, 3, 31, 23, 59, tzinfo=CHINA_STANDARD_TIME), "gd-2020-03"),
    (datetime(2022, 3, 31, 16, 0, tzinfo=UTC), "gd-2022"),  # already 1 April in China
    (datetime(2022, 4, 1, 0, 0, tzinfo=CHINA_STANDARD_TIME), "gd-2022"),
]


@pytest.mark.parametrize(("moment", "rule_id"), RULES_IN_FORCE)
def test_the_rule_set_in_force_on_the_local_date_decides(moment, rule_id):
    assert rules_on(local_date(moment)).id == rule_id
    assert decide_colour(facts(), moment).rule_id == rule_id


def test_no_rule_set_before_march_2020_unless_named():
    february = datetime(2020, 2, 20, 12, tzinfo=CHINA_STANDARD_TIME)
    with pytest.raises(NoRuleInForce):
        decide_colour(facts(), february)
    assert decide_colour(facts(), february, "gd-2020-03").colour is BLUE
    assert RULES["gd-2020-03"].colours == (RED, BLUE) and RULES["gd-2022"].colours == (RED, YELLOW, GREEN)


def test_bad_facts_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        decide_colour(facts(), datetime(2022, 5, 10, 12), "gd-2022")
    with pytest.raises(ValueError, match="timezone-aware"):
        NucleicAcidResult(datetime(2022, 5, 10, 12), NucleicAcidOutcome.NEGATIVE)
    with pytest.raises(ValueError):
        Case(CONFIRMED, TODAY, CaseOutcome.DISCHARGED)
    with pytest.raises(ValueError):
        Case(CONFIRMED, TODAY, CaseOutcome.UNDER_TREATMENT, TODAY)
    with pytest.raises(ValueError):
        QuarantineOrder(HOME, TODAY, ago(1))
    with pytest.raises(ValueError):
        Contact(CLOSE, TODAY, ago(1))
    with pytest.raises(ValueError):
        PersonFacts(gate_fever_cleared_on=TODAY)


# Invariants, over random people.
days = st.integers(-20, 5).map(ago)
moments = st.builds(
    lambda day, minutes: (
        datetime.combine(ago(day), datetime.min.time(), CHINA_STANDARD_TIME) + timedelta(minutes=minutes)
    ),
    st.integers(-3, 20),
    st.integers(0, 24 * 60 - 1),
)


@st.composite
def cases(draw):
    kind = draw(st.sampled_from(CaseKind))
    reported = draw(days)
    if draw(st.booleans()):
        return Case(kind, reported)
    outcome = draw(st.sampled_from([CaseOutcome.DISCHARGED, CaseOutcome.RULED_OUT]))
    return Case(kind, reported, outcome, reported + timedelta(days=draw(st.integers(0, 20))))


@st.composite
def contacts(draw):
    identified = draw(days)
    released = draw(st.none() | st.integers(0, 20).map(lambda k: identified + timedelta(days=k)))
    return Contact(draw(st.sampled_from(ContactDegree)), identified, released)


@st.composite
def orders(draw):
    start = draw(days)
    end = start + timedelta(days=draw(st.integers(0, 14)))
    released = draw(st.none() | st.integers(0, 20).map(lambda k: start + timedelta(days=k)))
    return QuarantineOrder(draw(st.sampled_from(OrderKind)), start, end, released)


tests_results = st.builds(NucleicAcidResult, moments, st.sampled_from(NucleicAcidOutcome))


@st.composite
def people(draw):
    fever_on = draw(st.none() | days)
    cleared = None
    if fever_on is not None:
        cleared = draw(st.none() | st.integers(0, 10).map(lambda k: fever_on + timedelta(days=k)))
    return PersonFacts(
        cases=tuple(draw(st.lists(cases(), max_size=2))),
        contacts=tuple(draw(st.lists(contacts(), max_size=2))),
        orders=tuple(draw(st.lists(orders(), max_size=3))),
        tests=tuple(draw(st.lists(tests_results, max_size=4))),
        high_risk_arrival_on=draw(st.none() | days),
        gate_fever_on=fever_on,
        gate_fever_cleared_on=cleared,
        red_elsewhere_since=draw(st.none() | days),
        yellow_elsewhere_since=draw(st.none() | days),
        key_person_untested_since=draw(st.none() | days),
    )


rule_ids = st.sampled_from(sorted(RULES))


@settings(max_examples=400, deadline=None)
@given(people(), moments, rule_ids)
def test_next_change_is_never_in_the_past(person, moment, rule_id):
    result = decide_colour(person, moment, rule_id)
    assert result.colour in RULES[rule_id].colours
    assert result.reasons
    if result.next_change is not None:
        assert result.next_change >= local_date(moment)
        assert result.colour is not (GREEN if rule_id == "gd-2022" else BLUE)


@settings(max_examples=400, deadline=None)
@given(people(), moments, moments, rule_ids)
def test_a_negative_test_never_makes_the_colour_worse(person, moment, sampled, rule_id):
    before = decide_colour(person, moment, rule_id)
    more = replace(person, tests=(*person.tests, negative(sampled)))
    after = decide_colour(more, moment, rule_id)
    assert severity(after.colour) <= severity(before.colour)
    if before.colour is GREEN:
        assert after.colour is GREEN


def dates_on_record(person: PersonFacts) -> set[date]:
    found = {c.reported_on for c in person.cases} | {c.outcome_on for c in person.cases}
    found |= {c.identified_on for c in person.contacts} | {c.released_on for c in person.contacts}
    found |= {o.start for o in person.orders} | {o.released_on for o in person.orders}
    found |= {person.high_risk_arrival_on, person.gate_fever_on, person.gate_fever_cleared_on}
    found |= {person.red_elsewhere_since, person.yellow_elsewhere_since, person.key_person_untested_since}
    return {day for day in found if day is not None}


@settings(max_examples=300, deadline=None)
@given(people(), moments, rule_ids, st.integers(1, 10))
def test_the_colour_does_not_change_by_its_own_before_next_change(person, moment, rule_id, hours):
    """Nothing new recorded: a few hours later, before ``next_change``, the colour is the same."""
    result = decide_colour(person, moment, rule_id)
    later_moment = moment + timedelta(hours=hours)
    today, later_day = local_date(moment), local_date(later_moment)
    if result.next_change is not None and later_day >= result.next_change:
        return
    if any(today < day <= later_day for day in dates_on_record(person)):
        return  # a fact already on record but dated later is something new by then
    if any(moment < test.sampled_at <= later_moment for test in person.tests):
        return
    assert decide_colour(person, later_moment, rule_id).colour is result.colour


@settings(max_examples=300, deadline=None)
@given(people(), moments, rule_ids, orders(), cases())
def test_facts_dated_after_the_moment_change_nothing(person, moment, rule_id, new_order, new_case):
    tomorrow = local_date(moment) + timedelta(days=1)
    shift = tomorrow - min(new_order.start, new_case.reported_on)
    future = replace(
        person,
        orders=(
            *person.orders,
            replace(
                new_order,
                start=new_order.start + shift,
                planned_end=new_order.planned_end + shift,
                released_on=None,
            ),
        ),
        cases=(*person.cases, Case(new_case.kind, new_case.reported_on + shift)),
        tests=(*person.tests, positive(moment + timedelta(seconds=1))),
    )
    assert decide_colour(future, moment, rule_id) == decide_colour(person, moment, rule_id)
