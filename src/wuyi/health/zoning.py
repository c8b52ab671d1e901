"""Risk zoning (分区分级): the risk level of each area on a date, from the cases reported up to that date.

Three versioned rule sets, each with the date it came into force; :func:`rules_on` picks the one in force
and :func:`zone` applies it to plain case records.

``cn-2020-02`` — 国务院联防联控机制《关于科学防治精准施策分区分级做好新冠肺炎疫情防控工作的指导意见》,
2020-02-17 (POLICY.md §2a, CONFIRMED). The county (district) is the unit:

    以县市区为单位，无确诊病例或连续14天无新增确诊病例为低风险地区；14天内有新增确诊病例，累计确诊病例不超过50例，
    或累计确诊病例超过50例，14天内未发生聚集性疫情为中风险地区；累计确诊病例超过50例，14天内有聚集性疫情发生为高风险地区。

Only confirmed cases are counted. A cluster (聚集性疫情, POLICY.md §2e: two or more confirmed or asymptomatic
cases in one small setting) is identified by a cluster id on its case records; the rule that decides whether
cases form a cluster belongs to the officials who confirm it, not to this module.

``cn-2022-9th`` — 第九版防控方案, June 2022 (POLICY.md §2c, CONFIRMED): "高风险区连续7天无新增感染者降为中风险区，
中风险区连续3天无新增感染者降为低风险区"; an area designated medium from the start "连续7天无新增感染者降为低风险区".
Infections are confirmed and asymptomatic cases. A case record's ``site`` says what the epidemiological
investigation made of the place: the case's residence (or a place with high spread risk where it was often
present) draws a high area; a workplace or activity place where it stayed for a while draws a medium area.

``cn-2022-11`` — 《关于进一步优化新冠肺炎疫情防控措施科学精准做好防控工作的通知》 ("二十条"), November 2022
(POLICY.md §2d, CONFIRMED): two levels; a high area is drawn by unit or building and "高风险区连续5天未发现新增
感染者，降为低风险区".

Shared reading of the issue (issue 3, item 3): a list for date D uses cases reported up to and including D;
"within 14 days" means the 14 days ending on D (D-13 .. D); a cluster counts when any of its cases was
reported within those 14 days. "N consecutive days without a new case" holds on D when the last case was
reported N or more days before D, so a district whose last confirmed case was reported on day L is low from
L+14. These readings are as specified by issue 3; source not confirmed beyond the quoted wording.

Not confirmed by POLICY.md, as specified by issue 3; source not confirmed:

- the day each 2022 rule set came into force: POLICY.md gives only "June 2022" and "November 2022"; the dates
  used here (2022-06-28 and 2022-11-11) are the publication dates as recalled, not checked;
- that an area which was high and is now medium goes back to high (its count restarting) when any new
  infection is linked to it, and that an area drawn medium from the start becomes high when an infection is
  found at a residence within it: the sources say only how areas are lowered;
- that under ``cn-2022-11`` a place where a case merely stayed draws no area (the medium level was abolished).

The 第七版/第八版 street-level rules (10-case threshold) are UNCONFIRMED in POLICY.md §2b and are not encoded:
``cn-2020-02`` stays in force until ``cn-2022-9th``.

Areas are matched by code prefix (GB/T 2260 style, DESIGN.md §4): a case recorded on a compound or household
counts for its district (6 digits), street (9), compound and building, so one call can zone all districts and
streets. The cases are grouped by unit in one pass over them (one dictionary look-up per code length
asked for), then each unit's cases are sorted once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# 14 days: the longest incubation period; the window of cn-2020-02 (POLICY.md §2a, §2b).
WINDOW_DAYS = 14
# More than 50 confirmed cases in all is the threshold of the high and medium levels (POLICY.md §2a).
CASE_THRESHOLD = 50
# 第九版: high → medium after 7 days, medium → low after 3 more; medium from the start → low after 7 (§2c).
NINTH_HIGH_DAYS = 7
NINTH_MEDIUM_AFTER_HIGH_DAYS = 3
NINTH_MEDIUM_DAYS = 7
# 二十条: high → low after 5 days without a new infection (§2d).
NOVEMBER_HIGH_DAYS = 5

Reason = tuple[str, str]


class CaseKind(StrEnum):
    """The kind of a case record (确诊病例 / 无症状感染者 / 疑似病例)."""

    CONFIRMED = "confirmed"
    ASYMPTOMATIC = "asymptomatic"
    SUSPECTED = "suspected"


INFECTIONS = frozenset({CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC})


class Site(StrEnum):
    """What the epidemiological investigation made of the place a case record is linked to."""

    RESIDENCE = "residence"  # home, or a place often visited with high spread risk: draws a high area
    STAYED = "stayed"  # a workplace or activity place where the case stayed a while: draws a medium area


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 for low, 1 for medium, 2 for high: levels compare by rank."""
        return _RANKS[self]


_RANKS = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """One case as zoning sees it: where it is recorded, when it was reported, its kind and cluster."""

    area_code: str
    reported_on: date
    kind: CaseKind
    cluster_id: str | None = None
    site: Site = Site.RESIDENCE


@dataclass(frozen=True)
class UnitZoning:
    """The level of one unit on a date, with the facts behind it and the reasons in plain words."""

    unit: str
    level: RiskLevel
    cases_in_all: int
    cases_within_14_days: int
    clusters_within_14_days: int
    days_since_last_case: int | None
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class ZoningList:
    """A dated risk list: every requested unit in the order asked for."""

    rule_id: str
    on: date
    units: tuple[UnitZoning, ...]

    def level_of(self, unit: str) -> RiskLevel:
        """The level of ``unit``; KeyError if it is not on the list."""
        for entry in self.units:
            if entry.unit == unit:
                return entry.level
        raise KeyError(unit)


@dataclass(frozen=True)
class _UnitCases:
    """The infections of one unit reported up to D, and what the rule needs to know about them."""

    unit: str
    on: date
    records: tuple[CaseRecord, ...]  # confirmed and asymptomatic, reported on or before D, by date
    counted: tuple[CaseRecord, ...]  # the kinds the rule set counts, by date
    clusters_within_window: frozenset[str]

    @property
    def window_start(self) -> date:
        return self.on - timedelta(days=WINDOW_DAYS - 1)

    @property
    def within_window(self) -> int:
        start = self.window_start
        return sum(1 for case in self.counted if case.reported_on >= start)

    @property
    def last_reported_on(self) -> date | None:
        return self.counted[-1].reported_on if self.counted else None

    @property
    def days_since_last(self) -> int | None:
        last = self.last_reported_on
        return None if last is None else (self.on - last).days


Decision = tuple[RiskLevel, tuple[Reason, ...]]


@dataclass(frozen=True)
class ZoningRuleSet:
    """A versioned zoning rule: its id, the day it came into force, the unit it is meant for and its logic."""

    id: str
    effective_from: date
    title: str
    unit_kind: str
    counted_kinds: frozenset[CaseKind]
    levels: tuple[RiskLevel, ...]
    decide: Callable[[_UnitCases], Decision]


def _decide_cn_2020_02(unit: _UnitCases) -> Decision:
    total = len(unit.counted)
    if total == 0:
        return RiskLevel.LOW, (("no_confirmed_case", f"No confirmed case reported up to {unit.on}."),)
    last = unit.last_reported_on
    days = unit.days_since_last
    assert last is not None and days is not None
    if unit.within_window == 0:
        return RiskLevel.LOW, (
            (
                "no_case_within_14_days",
                (
                    f"No new confirmed case for {days} days (the last was reported on {last}); "
                    f"{WINDOW_DAYS} or more make a district low."
                ),
            ),
        )
    within = (
        "case_within_14_days",
        (
            f"{unit.within_window} confirmed case(s) reported in the {WINDOW_DAYS} days from "
            f"{unit.window_start} to {unit.on}; the last on {last}."
        ),
    )
    clusters = len(unit.clusters_within_window)
    if total <= CASE_THRESHOLD:
        return RiskLevel.MEDIUM, (
            within,
            ("at_most_50_cases", f"{total} confirmed cases in all, not more than {CASE_THRESHOLD}."),
        )
    over = ("over_50_cases", f"{total} confirmed cases in all, more than {CASE_THRESHOLD}.")
    if clusters == 0:
        return RiskLevel.MEDIUM, (
            within,
            over,
            ("no_cluster_within_14_days", f"No cluster with a case reported in the {WINDOW_DAYS} days."),
        )
    return RiskLevel.HIGH, (
        within,
        over,
        (
            "cluster_within_14_days",
            f"{clusters} cluster(s) with a case reported in the {WINDOW_DAYS} days: "
            + ", ".join(sorted(unit.clusters_within_window))
            + ".",
        ),
    )


def _decide_cn_2022_9th(unit: _UnitCases) -> Decision:
    if not unit.counted:
        return RiskLevel.LOW, (("no_infection", f"No infection linked to the area up to {unit.on}."),)
    drawn_high = False
    started_on = unit.counted[0].reported_on
    previous: date | None = None
    for case in unit.counted:
        if previous is not None:
            lifted_after = NINTH_HIGH_DAYS + NINTH_MEDIUM_AFTER_HIGH_DAYS if drawn_high else NINTH_MEDIUM_DAYS
            if (case.reported_on - previous).days >= lifted_after:
                drawn_high = False
                started_on = case.reported_on
        drawn_high = drawn_high or case.site is Site.RESIDENCE
        previous = case.reported_on
    assert previous is not None
    days = (unit.on - previous).days
    since = f"the last new infection was reported on {previous}, {days} day(s) before {unit.on}"
    if drawn_high:
        drawn = ("drawn_high", f"Drawn high on {started_on}: an infection at a residence in the area.")
        if days < NINTH_HIGH_DAYS:
            to_medium = previous + timedelta(days=NINTH_HIGH_DAYS)
            return RiskLevel.HIGH, (
                drawn,
                ("infection_within_7_days", f"High: {since}; medium from {to_medium} if none follows."),
            )
        lifted = NINTH_HIGH_DAYS + NINTH_MEDIUM_AFTER_HIGH_DAYS
        if days < lifted:
            to_low = previous + timedelta(days=lifted)
            return RiskLevel.MEDIUM, (
                drawn,
                (
                    "lowered_to_medium",
                    (
                        f"Medium after {NINTH_HIGH_DAYS} days without a new infection: {since}; "
                        f"low from {to_low} if none follows."
                    ),
                ),
            )
        return RiskLevel.LOW, (
            drawn,
            ("lowered_to_low", f"Low after {lifted} days without a new infection: {since}."),
        )
    drawn = ("drawn_medium", f"Drawn medium on {started_on}: a place where a case stayed.")
    if days < NINTH_MEDIUM_DAYS:
        to_low = previous + timedelta(days=NINTH_MEDIUM_DAYS)
        return RiskLevel.MEDIUM, (
            drawn,
            ("infection_within_7_days", f"Medium: {since}; low from {to_low} if none follows."),
        )
    return RiskLevel.LOW, (
        drawn,
        ("lowered_to_low", f"Low after {NINTH_MEDIUM_DAYS} days without a new infection: {since}."),
    )


def _decide_cn_2022_11(unit: _UnitCases) -> Decision:
    residences = [case for case in unit.counted if case.site is Site.RESIDENCE]
    if not residences:
        return RiskLevel.LOW, (("no_infection", f"No infection at a residence in the area up to {unit.on}."),)
    last = residences[-1].reported_on
    days = (unit.on - last).days
    since = f"the last new infection was reported on {last}, {days} day(s) before {unit.on}"
    if days < NOVEMBER_HIGH_DAYS:
        to_low = last + timedelta(days=NOVEMBER_HIGH_DAYS)
        return RiskLevel.HIGH, (
            ("infection_within_5_days", f"High: {since}; low from {to_low} if none follows."),
        )
    return RiskLevel.LOW, (
        ("lowered_to_low", f"Low after {NOVEMBER_HIGH_DAYS} days without a new infection: {since}."),
    )


RULES: dict[str, ZoningRuleSet] = {
    rule.id: rule
    for rule in (
        ZoningRuleSet(
            id="cn-2020-02",
            effective_from=date(2020, 2, 17),
            title="County (district) risk levels by confirmed cases and clusters, 14-day window",
            unit_kind="district",
            counted_kinds=frozenset({CaseKind.CONFIRMED}),
            levels=(RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH),
            decide=_decide_cn_2020_02,
        ),
        ZoningRuleSet(
            id="cn-2022-9th",
            effective_from=date(2022, 6, 28),
            title="High, medium and low areas drawn around compounds (9th edition plan)",
            unit_kind="compound",
            counted_kinds=INFECTIONS,
            levels=(RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH),
            decide=_decide_cn_2022_9th,
        ),
        ZoningRuleSet(
            id="cn-2022-11",
            effective_from=date(2022, 11, 11),
            title="High areas drawn by building, lifted after 5 days (the twenty measures)",
            unit_kind="building",
            counted_kinds=INFECTIONS,
            levels=(RiskLevel.LOW, RiskLevel.HIGH),
            decide=_decide_cn_2022_11,
        ),
    )
}


class NoRuleInForce(LookupError):
    """No rule set of this module was in force on the date asked for."""


def rules_on(day: date) -> ZoningRuleSet:
    """The rule set in force on ``day``: the one with the latest effective date not after it."""
    in_force = [rule for rule in RULES.values() if rule.effective_from <= day]
    if not in_force:
        raise NoRuleInForce(f"no zoning rule set in force on {day}")
    return max(in_force, key=lambda rule: rule.effective_from)


def zone(
    cases: Iterable[CaseRecord],
    on: date,
    units: Sequence[str] | None = None,
    rule_id: str | None = None,
) -> ZoningList:
    """The risk list for ``on`` under ``rule_id`` (default: the rule set in force on ``on``; naming one
    applies it to any date).

    ``units`` are the area codes to list, in order; a case counts for every listed unit whose code is a prefix
    of the case's ``area_code``. Without ``units``, each distinct ``area_code`` of the cases is a unit. Cases
    reported after ``on`` are ignored, so a list never changes when later cases are added.
    """
    rule = RULES[rule_id] if rule_id is not None else rules_on(on)
    cases = tuple(cases)
    if units is None:
        units = sorted({case.area_code for case in cases})
    listed = list(dict.fromkeys(units))
    lengths = sorted({len(unit) for unit in listed})
    by_unit: dict[str, list[CaseRecord]] = {unit: [] for unit in listed}
    cluster_last: dict[str, date] = {}
    for case in cases:
        if case.reported_on > on or case.kind not in INFECTIONS:
            continue
        if case.cluster_id is not None:
            known = cluster_last.get(case.cluster_id)
            if known is None or case.reported_on > known:
                cluster_last[case.cluster_id] = case.reported_on
        code = case.area_code
        for length in lengths:
            if len(code) < length:
                break
            bucket = by_unit.get(code[:length])
            if bucket is not None:
                bucket.append(case)

    window_start = on - timedelta(days=WINDOW_DAYS - 1)
    entries = []
    for unit in listed:
        records = tuple(sorted(by_unit[unit], key=lambda case: case.reported_on))
        unit_cases = _UnitCases(
            unit=unit,
            on=on,
            records=records,
            counted=tuple(case for case in records if case.kind in rule.counted_kinds),
            clusters_within_window=frozenset(
                case.cluster_id
                for case in records
                if case.cluster_id is not None and cluster_last[case.cluster_id] >= window_start
            ),
        )
        level, reasons = rule.decide(unit_cases)
        entries.append(
            UnitZoning(
                unit=unit,
                level=level,
                cases_in_all=len(unit_cases.counted),
                cases_within_14_days=unit_cases.within_window,
                clusters_within_14_days=len(unit_cases.clusters_within_window),
                days_since_last_case=unit_cases.days_since_last,
                reasons=reasons,
            )
        )
    return ZoningList(rule_id=rule.id, on=on, units=tuple(entries))
