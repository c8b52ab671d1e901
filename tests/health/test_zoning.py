"""Risk zoning: each rule set as a table of cases and the level they give, then the invariants and the speed."""

import json
import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuyi.health.zoning import (
    RULES,
    CaseKind,
    CaseRecord,
    NoRuleInForce,
    RiskLevel,
    Site,
    rules_on,
    zone,
)

D = date(2020, 3, 16)
FUTIAN = "440304"
FUTIAN_STREET = "440304001"
FUTIAN_COMPOUND = "440304001001001"
LUOHU = "440303"
OTHER_STREET = "440303002"

LOW, MEDIUM, HIGH = RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH


def confirmed(days_before: int, n: int = 1, *, cluster: str | None = None, where: str = FUTIAN_COMPOUND):
    """``n`` confirmed cases reported ``days_before`` D."""
    return [CaseRecord(where, D - timedelta(days=days_before), CaseKind.CONFIRMED, cluster)] * n


def asymptomatic(days_before: int, *, cluster: str | None = None, where: str = FUTIAN_COMPOUND):
    return [CaseRecord(where, D - timedelta(days=days_before), CaseKind.ASYMPTOMATIC, cluster)]


def suspected(days_before: int, *, where: str = FUTIAN_COMPOUND):
    return [CaseRecord(where, D - timedelta(days=days_before), CaseKind.SUSPECTED)]


def level(cases, rule_id: str, unit: str = FUTIAN, on: date = D) -> RiskLevel:
    return zone(cases, on, [unit], rule_id).level_of(unit)


# cn-2020-02: low when no confirmed case or none in the 14 days ending on D; medium when one within 14 days
# and at most 50 in all, or more than 50 but no cluster within 14 days; high when more than 50 and a cluster.
CN_2020_02 = [
    ("never a case", [], LOW),
    ("only suspected and asymptomatic cases", suspected(0) + asymptomatic(0), LOW),
    ("one case reported on D", confirmed(0), MEDIUM),
    ("last case 12 days before D (13th day of the window)", confirmed(12), MEDIUM),
    ("last case 13 days before D (first day of the window)", confirmed(13), MEDIUM),
    ("last case 14 days before D: 14 days without one", confirmed(14), LOW),
    ("last case 15 days before D", confirmed(15), LOW),
    ("a case reported the day after D is not on D's list", confirmed(-1), LOW),
    (
        "50 in all, one within 14 days, a cluster",
        confirmed(30, 49, cluster="k") + confirmed(1, cluster="k"),
        MEDIUM,
    ),
    (
        "51 in all, one within 14 days, a cluster within",
        confirmed(30, 50, cluster="k") + confirmed(1, cluster="k"),
        HIGH,
    ),
    ("51 in all, within 14 days, no cluster", confirmed(30, 50) + confirmed(1), MEDIUM),
    (
        "51 in all, a cluster whose last case is 14 days old",
        confirmed(30, 50, cluster="k") + confirmed(14, cluster="k") + confirmed(1),
        MEDIUM,
    ),
    (
        "51 in all, a cluster whose last case was 13 days ago",
        confirmed(30, 50, cluster="k") + confirmed(13, cluster="k") + confirmed(1),
        HIGH,
    ),
    (
        "a cluster counts when any of its cases, even in another district, is within 14 days",
        confirmed(30, 50, cluster="k") + confirmed(1) + confirmed(2, cluster="k", where=LUOHU),
        HIGH,
    ),
    (
        "an asymptomatic case keeps a cluster within 14 days",
        confirmed(30, 51, cluster="k") + asymptomatic(3, cluster="k") + confirmed(1),
        HIGH,
    ),
    (
        "over 50 with a recent cluster elsewhere, but no own case within 14 days: low",
        confirmed(30, 51, cluster="k") + confirmed(2, cluster="k", where=LUOHU),
        LOW,
    ),
    ("cases in another district do not count", confirmed(0, 60, cluster="k", where=LUOHU), LOW),
]


@pytest.mark.parametrize(("why", "cases", "expected"), CN_2020_02, ids=[row[0] for row in CN_2020_02])
def test_cn_2020_02(why, cases, expected):
    assert level(cases, "cn-2020-02") is expected


def test_cn_2020_02_gives_the_facts_behind_the_level():
    cases = confirmed(40, 45, cluster="old") + confirmed(10, 5, cluster="k") + confirmed(3) + suspected(0)
    entry = zone(cases, D, [FUTIAN], "cn-2020-02").units[0]
    assert (entry.level, entry.cases_in_all, entry.cases_within_14_days) == (HIGH, 51, 6)
    assert (entry.clusters_within_14_days, entry.days_since_last_case) == (1, 3)
    assert [code for code, _ in entry.reasons] == [
        "case_within_14_days",
        "over_50_cases",
        "cluster_within_14_days",
    ]
    assert "2020-03-13" in entry.reasons[0][1]


def test_cn_2020_02_reasons_say_why_low_and_medium():
    assert [c for c, _ in zone([], D, [FUTIAN], "cn-2020-02").units[0].reasons] == ["no_confirmed_case"]
    low = zone(confirmed(20), D, [FUTIAN], "cn-2020-02").units[0]
    assert [c for c, _ in low.reasons] == ["no_case_within_14_days"] and low.days_since_last_case == 20
    medium = zone(confirmed(30, 60) + confirmed(0), D, [FUTIAN], "cn-2020-02").units[0]
    assert [c for c, _ in medium.reasons] == [
        "case_within_14_days",
        "over_50_cases",
        "no_cluster_within_14_days",
    ]


def test_cn_2020_02_district_becomes_low_on_the_14th_day_without_a_case():
    last = D - timedelta(days=20)
    cases = [CaseRecord(FUTIAN_COMPOUND, last, CaseKind.CONFIRMED)]
    levels = [level(cases, "cn-2020-02", on=last + timedelta(days=k)) for k in range(16)]
    assert levels == [MEDIUM] * 14 + [LOW] * 2


# cn-2022-9th: high → medium after 7 days without a new infection, medium → low after 3 more;
# an area drawn medium from the start → low after 7 days.
def infection(days_before: int, site: Site = Site.RESIDENCE, kind: CaseKind = CaseKind.CONFIRMED):
    return [CaseRecord(FUTIAN_COMPOUND, D - timedelta(days=days_before), kind, None, site)]


STAYED = Site.STAYED
NINTH = [
    ("no infection", [], LOW),
    ("infection at a residence on D", infection(0), HIGH),
    ("6 days without a new infection", infection(6), HIGH),
    ("7 days without: high to medium", infection(7), MEDIUM),
    ("9 days without", infection(9), MEDIUM),
    ("10 days without: medium to low after 3 more", infection(10), LOW),
    ("an asymptomatic infection draws the area too", infection(0, kind=CaseKind.ASYMPTOMATIC), HIGH),
    ("a suspected case draws no area", infection(0, kind=CaseKind.SUSPECTED), LOW),
    ("a place where a case stayed: medium from the start", infection(0, STAYED), MEDIUM),
    ("medium from the start, 6 days without", infection(6, STAYED), MEDIUM),
    ("medium from the start, 7 days without: low", infection(7, STAYED), LOW),
    ("a new infection in a high area restarts its count", infection(12) + infection(3, STAYED), HIGH),
    (
        "a new infection in a lowered-to-medium area makes it high again",
        infection(15) + infection(6, STAYED),
        HIGH,
    ),
    (
        "after the area went low, a stayed-at infection draws it medium",
        infection(20) + infection(3, STAYED),
        MEDIUM,
    ),
    ("a residence infection in a medium area makes it high", infection(5, STAYED) + infection(4), HIGH),
    ("high drawn later, counted from the last infection", infection(20, STAYED) + infection(8), MEDIUM),
]


@pytest.mark.parametrize(("why", "cases", "expected"), NINTH, ids=[row[0] for row in NINTH])
def test_cn_2022_9th(why, cases, expected):
    assert level(cases, "cn-2022-9th", unit=FUTIAN_COMPOUND) is expected


def test_cn_2022_9th_transitions_day_by_day():
    start = D - timedelta(days=30)
    high = [CaseRecord(FUTIAN_COMPOUND, start, CaseKind.CONFIRMED)]
    medium = [CaseRecord(FUTIAN_COMPOUND, start, CaseKind.CONFIRMED, None, STAYED)]
    days = [start + timedelta(days=k) for k in range(12)]
    assert [level(high, "cn-2022-9th", FUTIAN_COMPOUND, day) for day in days] == [HIGH] * 7 + [MEDIUM] * 3 + [
        LOW
    ] * 2
    assert [level(medium, "cn-2022-9th", FUTIAN_COMPOUND, day) for day in days] == [MEDIUM] * 7 + [LOW] * 5


def test_cn_2022_9th_reasons_name_the_next_step():
    entry = zone(infection(2), D, [FUTIAN_COMPOUND], "cn-2022-9th").units[0]
    assert [code for code, _ in entry.reasons] == ["drawn_high", "infection_within_7_days"]
    assert "medium from 2020-03-21" in entry.reasons[1][1]
    entry = zone(infection(8), D, [FUTIAN_COMPOUND], "cn-2022-9th").units[0]
    assert entry.reasons[1][0] == "lowered_to_medium" and "low from 2020-03-18" in entry.reasons[1][1]


# cn-2022-11: two levels; high by building, low after 5 days without a new infection.
NOVEMBER = [
    ("no infection", [], LOW),
    ("infection on D", infection(0), HIGH),
    ("4 days without", infection(4), HIGH),
    ("5 days without: low", infection(5), LOW),
    ("6 days without", infection(6), LOW),
    ("a place where a case only stayed draws no area", infection(0, STAYED), LOW),
    ("counted from the last residence infection", infection(9) + infection(2), HIGH),
]


@pytest.mark.parametrize(("why", "cases", "expected"), NOVEMBER, ids=[row[0] for row in NOVEMBER])
def test_cn_2022_11(why, cases, expected):
    assert level(cases, "cn-2022-11", unit=FUTIAN_COMPOUND) is expected


def test_cn_2022_11_never_gives_medium():
    for days_before in range(12):
        for site in Site:
            assert level(infection(days_before, site), "cn-2022-11", FUTIAN_COMPOUND) is not MEDIUM


def test_a_case_counts_for_every_listed_unit_above_it():
    cases = confirmed(0, where=FUTIAN_COMPOUND) + confirmed(0, where=FUTIAN)
    zoning = zone(cases, D, [FUTIAN, FUTIAN_STREET, FUTIAN_COMPOUND, OTHER_STREET, LUOHU], "cn-2020-02")
    counts = {entry.unit: entry.cases_in_all for entry in zoning.units}
    # the case known only by its district counts for the district, not for its streets
    assert counts == {FUTIAN: 2, FUTIAN_STREET: 1, FUTIAN_COMPOUND: 1, OTHER_STREET: 0, LUOHU: 0}


def test_the_list_keeps_the_order_asked_for_once_per_unit():
    zoning = zone(confirmed(0), D, [LUOHU, FUTIAN, LUOHU], "cn-2020-02")
    assert [entry.unit for entry in zoning.units] == [LUOHU, FUTIAN]
    assert (zoning.rule_id, zoning.on) == ("cn-2020-02", D)
    with pytest.raises(KeyError):
        zoning.level_of("440305")


def test_without_units_each_case_area_is_a_unit():
    zoning = zone(confirmed(0, where=FUTIAN) + confirmed(20, where=LUOHU), D, rule_id="cn-2020-02")
    assert [(entry.unit, entry.level) for entry in zoning.units] == [(LUOHU, LOW), (FUTIAN, MEDIUM)]


RULES_IN_FORCE = [
    (date(2020, 2, 17), "cn-2020-02"),
    (date(2022, 6, 27), "cn-2020-02"),
    (date(2022, 6, 28), "cn-2022-9th"),
    (date(2022, 11, 10), "cn-2022-9th"),
    (date(2022, 11, 11), "cn-2022-11"),
    (date(2023, 1, 1), "cn-2022-11"),
]


@pytest.mark.parametrize(("day", "rule_id"), RULES_IN_FORCE)
def test_rules_on_picks_the_rule_set_in_force(day, rule_id):
    assert rules_on(day).id == rule_id
    assert zone([], day, [FUTIAN]).rule_id == rule_id


def test_no_rule_set_before_the_first():
    with pytest.raises(NoRuleInForce):
        rules_on(date(2020, 2, 16))
    assert set(RULES) == {"cn-2020-02", "cn-2022-9th", "cn-2022-11"}
    assert RULES["cn-2022-11"].levels == (LOW, HIGH)


# Invariants.
UNITS = [FUTIAN, FUTIAN_STREET, LUOHU, OTHER_STREET]
case_records = st.builds(
    CaseRecord,
    area_code=st.sampled_from([FUTIAN_COMPOUND, "440304002003", FUTIAN, "440303002001", LUOHU]),
    reported_on=st.integers(-40, 5).map(lambda k: D + timedelta(days=k)),
    kind=st.sampled_from(CaseKind),
    cluster_id=st.sampled_from([None, None, "k1", "k2"]),
    site=st.sampled_from(Site),
)
rule_ids = st.sampled_from(sorted(RULES))


@settings(max_examples=300, deadline=None)
@given(st.lists(case_records, max_size=80), case_records, rule_ids, st.integers(0, 40))
def test_one_more_case_never_lowers_a_level(cases, extra, rule_id, days_before):
    extra = replace(extra, reported_on=D - timedelta(days=days_before))
    before = zone(cases, D, UNITS, rule_id)
    after = zone([*cases, extra], D, UNITS, rule_id)
    for old, new in zip(before.units, after.units, strict=True):
        assert new.level.rank >= old.level.rank


@settings(max_examples=200, deadline=None)
@given(st.lists(case_records, max_size=60), st.lists(case_records, max_size=20), rule_ids)
def test_a_list_never_depends_on_cases_reported_after_its_date(cases, more, rule_id):
    later = [
        replace(case, reported_on=D + timedelta(days=1 + abs((case.reported_on - D).days))) for case in more
    ]
    assert zone(cases + later, D, UNITS, rule_id) == zone(cases, D, UNITS, rule_id)


@settings(max_examples=200, deadline=None)
@given(st.lists(case_records, max_size=60), rule_ids, st.randoms(use_true_random=False))
def test_the_order_of_the_cases_does_not_matter(cases, rule_id, rnd):
    shuffled = list(cases)
    rnd.shuffle(shuffled)
    assert zone(shuffled, D, UNITS, rule_id) == zone(cases, D, UNITS, rule_id)


@settings(max_examples=300, deadline=None)
@given(st.lists(case_records, max_size=80))
def test_cn_2020_02_matches_the_published_wording(cases):
    """The level computed straight from the 2020-02-17 wording, case by case, for the district of Futian."""
    mine = [c for c in cases if c.area_code.startswith(FUTIAN) and c.reported_on <= D]
    confirmed_cases = [c for c in mine if c.kind is CaseKind.CONFIRMED]
    window = [c for c in confirmed_cases if D - timedelta(days=13) <= c.reported_on]
    own_clusters = {c.cluster_id for c in mine if c.cluster_id and c.kind is not CaseKind.SUSPECTED}
    recent_clusters = {
        c.cluster_id
        for c in cases
        if c.cluster_id in own_clusters
        and c.kind is not CaseKind.SUSPECTED
        and D - timedelta(days=13) <= c.reported_on <= D
    }
    if not window:
        expected = LOW
    elif len(confirmed_cases) > 50 and recent_clusters:
        expected = HIGH
    else:
        expected = MEDIUM
    entry = zone(cases, D, [FUTIAN], "cn-2020-02").units[0]
    assert entry.level is expected
    assert (entry.cases_in_all, entry.cases_within_14_days) == (len(confirmed_cases), len(window))
    assert entry.clusters_within_14_days == len(recent_clusters)


# Speed: all 10 districts and 74 streets for one date from a few thousand cases, target well under 100 ms.
def shenzhen_units() -> list[str]:
    data = json.loads((Path(__file__).parents[2] / "src/wuyi/data/shenzhen-2020.json").read_text("utf-8"))
    districts = [district["code"] for district in data["districts"]]
    streets = [
        f"{district['code']}{index:03d}"
        for district in data["districts"]
        for index, _ in enumerate(district["streets"], start=1)
    ]
    return districts + streets


def test_zoning_the_whole_city_for_one_date():
    units = shenzhen_units()
    streets = [unit for unit in units if len(unit) == 9]
    assert (len(units) - len(streets), len(streets)) == (10, 74)
    rnd = random.Random(20200316)
    cases = [
        CaseRecord(
            f"{rnd.choice(streets)}{rnd.randrange(1, 30):03d}{rnd.randrange(1, 20):03d}",
            D - timedelta(days=rnd.randrange(0, 70)),
            rnd.choice([CaseKind.CONFIRMED, CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC, CaseKind.SUSPECTED]),
            rnd.choice([None, None, None, f"k{rnd.randrange(200)}"]),
        )
        for _ in range(5000)
    ]
    zoning = zone(cases, D, units, "cn-2020-02")
    assert len(zoning.units) == 84
    assert sum(entry.cases_in_all for entry in zoning.units if len(entry.unit) == 6) == sum(
        1 for case in cases if case.kind is CaseKind.CONFIRMED and case.reported_on <= D
    )
