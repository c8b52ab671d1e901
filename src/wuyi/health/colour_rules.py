"""Health-code colour rules: a person's colour at a moment, with the reasons and the date it can next change.

Two versioned rule sets, each with the date it came into force; :func:`rules_on` picks the one in force and
:func:`decide_colour` applies it to a person's facts (:class:`PersonFacts`).

``gd-2020-03`` — the two-colour 粤康码 as of 2020-03-11 (POLICY.md §3a, CONFIRMED, 广州本地宝 2020-03-11):
red for "确诊病例、疑似病例、密切接触者、潜在密切接触者、集中隔离、居家隔离等人员"; blue for "未见异常或已解除医学
管理措施的人员"; red turns blue when the quarantine or medical management ends.

``gd-2022`` — the three-colour 粤康码 judgement and transition rules (POLICY.md §3b, CONFIRMED): red for
confirmed and asymptomatic cases, suspected cases, close contacts, contacts of close contacts, centralized
quarantine, home quarantine and a red code from another province; yellow for home health monitoring after
quarantine, a key person of a control area without a nucleic-acid test and a yellow code from another
province; yellow turns green after two negative tests at least 24 h apart within 3 days ("3天2检") and, untested,
lasts 14 days; red turns green when the quarantine is complete and infection ruled out.

How the facts are read (both rule sets):

- A case counts until its outcome (discharged or ruled out) is dated; a contact until its release; an order
  from its start until its release. Infection is ruled out by the release, which an official records after the
  quarantine's last test (POLICY.md §8d: days 1, 3, 7, 14); an order past its planned end but not released
  stays red. A case's own discharge ends its case reason; any quarantine after discharge is an order of its
  own.
- Facts dated after the moment asked about are ignored, so history can be recomputed as it was.
- Dates are local dates in China Standard Time (UTC+8, no daylight saving since 1991); times must be
  timezone-aware.
- ``next_change`` is the date the colour changes if nothing new is recorded: the latest scheduled end among the
  reasons of the shown colour (an order's planned end, 14 days after an arrival or the start of a yellow
  episode). It is None when a reason waits on an official act with no date (a case's outcome, an unplanned
  release, a flag from elsewhere) and for green or blue. An overdue planned end gives today.
- "Within 3 days" for the two tests means their sampling dates fall within three consecutive local days.

Not confirmed by POLICY.md — as specified by issue 3; source not confirmed:

- The declared inputs: arrival from a high-risk area within 14 days makes a person red until 14 days after
  arrival under both rule sets. (It combines confirmed facts: in 2020 arrivals from key areas were 100% home
  quarantined for 14 days, §1a; in May 2022 Shenzhen put high-risk-area arrivals in 7 days centralized plus
  7 days home quarantine, §8d; both kinds of quarantine are red. The declaration itself as a trigger is the
  issue's.) Fever found at a gate makes a person red under ``gd-2020-03`` until cleared (blue needs "nothing
  abnormal"), and yellow under ``gd-2022`` as a yellow episode (the only documented analogue is Hubei's 2020
  code, §3a: green → yellow on fever at a temperature check).
- Under ``gd-2020-03`` an asymptomatic case and a home-health-monitoring order are red: the two-colour code
  gives blue only to "nothing abnormal or medical management lifted", and neither is. Contacts of close
  contacts are not in its list and do not colour by themselves; nor do flags from other provinces or the
  key-person flag, which belong to the 2022 rules.
- Under ``gd-2022`` yellow is given to anyone under home health monitoring; the source names arrivals from
  abroad after quarantine. Such yellow lasts as long as the monitoring order; the test rule ("3天2检", 14 days)
  governs the other yellow reasons (key person without a test, yellow elsewhere, fever at a gate), each
  counted from its own start. Potential close contacts (a 2020 category) do not colour under ``gd-2022``.
- A positive test on its own decides no colour (it becomes a case record, which does); during a yellow episode
  only negative tests sampled after the last positive one count towards green. The brief green shown after
  the first negative test (§3b) is not reproduced.
- The effective dates: ``gd-2020-03`` from 2020-03-11 and ``gd-2022`` from 2022-04-01 are the dates of the
  earliest sources in POLICY.md that describe them, not the days they began. Before 2020-03-11 no rule set is
  in force (the colour logic of the 深i您 code is UNCONFIRMED, §3a) and :func:`rules_on` raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from wuyi.health.zoning import CaseKind

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
# 14 days: home quarantine of arrivals (POLICY.md §1a, §8a, §8d) and the life of an untested yellow (§3b).
ARRIVAL_RED_DAYS = 14
UNTESTED_YELLOW_DAYS = 14
# "3天2检": two negative tests at least 24 h apart within 3 days (§3b).
TESTS_APART = timedelta(hours=24)
TESTS_WITHIN_DAYS = 3

Reason = tuple[str, str]


class Colour(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    BLUE = "blue"


_SEVERITY = {Colour.RED: 2, Colour.YELLOW: 1, Colour.GREEN: 0, Colour.BLUE: 0}


def severity(colour: Colour) -> int:
    """2 for red, 1 for yellow, 0 for green or blue: how restrictive a colour is."""
    return _SEVERITY[colour]


class CaseOutcome(StrEnum):
    UNDER_TREATMENT = "under_treatment"
    DISCHARGED = "discharged"
    RULED_OUT = "ruled_out"


class ContactDegree(StrEnum):
    CLOSE = "close"  # 密切接触者
    SECONDARY = "secondary"  # 密切接触者的密切接触者
    POTENTIAL = "potential"  # 潜在密切接触者 (2020)


class OrderKind(StrEnum):
    CENTRALIZED_QUARANTINE = "centralized_quarantine"  # 集中隔离
    HOME_QUARANTINE = "home_quarantine"  # 居家隔离
    HOME_HEALTH_MONITORING = "home_health_monitoring"  # 居家健康观察 / 居家健康监测


class NucleicAcidOutcome(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"


def local_date(moment: datetime) -> date:
    """The local date (China Standard Time) of an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is needed, got {moment!r}")
    return moment.astimezone(CHINA_STANDARD_TIME).date()


def _check_order(first: date, later: date | None, what: str) -> None:
    if later is not None and later < first:
        raise ValueError(f"{what}: {later} is before {first}")


@dataclass(frozen=True)
class Case:
    """A case the person is: its kind, the day it was reported and its outcome with the outcome's date."""

    kind: CaseKind
    reported_on: date
    outcome: CaseOutcome = CaseOutcome.UNDER_TREATMENT
    outcome_on: date | None = None

    def __post_init__(self) -> None:
        if (self.outcome is CaseOutcome.UNDER_TREATMENT) != (self.outcome_on is None):
            raise ValueError("an outcome other than under treatment needs its date, and only then")
        _check_order(self.reported_on, self.outcome_on, "case outcome")

    def open_on(self, day: date) -> bool:
        return self.reported_on <= day and (self.outcome_on is None or self.outcome_on > day)


@dataclass(frozen=True)
class Contact:
    """The person is a contact of some degree from ``identified_on`` until ``released_on``."""

    degree: ContactDegree
    identified_on: date
    released_on: date | None = None

    def __post_init__(self) -> None:
        _check_order(self.identified_on, self.released_on, "contact release")

    def open_on(self, day: date) -> bool:
        return self.identified_on <= day and (self.released_on is None or self.released_on > day)


@dataclass(frozen=True)
class QuarantineOrder:
    """An order of some kind from ``start``, planned to end on ``planned_end``, released on ``released_on``."""

    kind: OrderKind
    start: date
    planned_end: date
    released_on: date | None = None

    def __post_init__(self) -> None:
        _check_order(self.start, self.planned_end, "planned end")
        _check_order(self.start, self.released_on, "release")

    def open_on(self, day: date) -> bool:
        return self.start <= day and (self.released_on is None or self.released_on > day)


@dataclass(frozen=True)
class NucleicAcidResult:
    """A nucleic-acid test: when the sample was taken and what it showed."""

    sampled_at: datetime
    outcome: NucleicAcidOutcome

    def __post_init__(self) -> None:
        local_date(self.sampled_at)


@dataclass(frozen=True)
class PersonFacts:
    """Everything the colour rules look at for one person. Dates are local dates; all fields are optional."""

    cases: tuple[Case, ...] = ()
    contacts: tuple[Contact, ...] = ()
    orders: tuple[QuarantineOrder, ...] = ()
    tests: tuple[NucleicAcidResult, ...] = ()
    high_risk_arrival_on: date | None = None  # declared: the latest arrival from a high-risk area
    gate_fever_on: date | None = None  # found at a gate: the latest fever
    gate_fever_cleared_on: date | None = None
    red_elsewhere_since: date | None = None  # a red code from another province, while it stands
    yellow_elsewhere_since: date | None = None
    key_person_untested_since: date | None = None  # a key person of a control area without a test

    def __post_init__(self) -> None:
        if self.gate_fever_cleared_on is not None:
            if self.gate_fever_on is None:
                raise ValueError("a fever cleared needs the day it was found")
            _check_order(self.gate_fever_on, self.gate_fever_cleared_on, "fever cleared")


@dataclass(frozen=True)
class ColourResult:
    """The colour under ``rule_id``, why, and the date it changes if nothing new is recorded (or None)."""

    rule_id: str
    colour: Colour
    reasons: tuple[Reason, ...]
    next_change: date | None


@dataclass(frozen=True)
class _Finding:
    colour: Colour
    code: str
    text: str
    ends_on: date | None  # the scheduled last day + 1, or None when it waits on an official act


def _negative_pair_done(
    tests: Iterable[NucleicAcidResult], since: date, at: datetime
) -> NucleicAcidResult | None:
    """The second of the earliest pair of negative tests that ends a yellow episode begun on ``since``."""
    taken = sorted(
        (test for test in tests if test.sampled_at <= at and local_date(test.sampled_at) >= since),
        key=lambda test: test.sampled_at,
    )
    positives = [test.sampled_at for test in taken if test.outcome is NucleicAcidOutcome.POSITIVE]
    negatives = [
        test
        for test in taken
        if test.outcome is NucleicAcidOutcome.NEGATIVE and (not positives or test.sampled_at > positives[-1])
    ]
    for index, second in enumerate(negatives):
        second_day = local_date(second.sampled_at)
        for first in negatives[:index]:
            if (
                second.sampled_at - first.sampled_at >= TESTS_APART
                and (second_day - local_date(first.sampled_at)).days < TESTS_WITHIN_DAYS
            ):
                return second
    return None


def _yellow_episode(
    facts: PersonFacts, at: datetime, since: date | None, code: str, what: str, cleared_on: date | None = None
) -> _Finding | None:
    """A yellow reason begun on ``since``, unless two negative tests, 14 days or a clearance have ended it."""
    today = local_date(at)
    if since is None or since > today:
        return None
    if cleared_on is not None and cleared_on <= today:
        return None
    if _negative_pair_done(facts.tests, since, at) is not None:
        return None
    lapses_on = since + timedelta(days=UNTESTED_YELLOW_DAYS)
    if lapses_on <= today:
        return None
    return _Finding(
        Colour.YELLOW,
        code,
        f"{what} since {since}: yellow until two negative tests at least 24 hours apart within "
        f"{TESTS_WITHIN_DAYS} days, or {UNTESTED_YELLOW_DAYS} days (to {lapses_on}).",
        lapses_on,
    )


def _planned_release(facts: PersonFacts, today: date, kinds: frozenset[OrderKind]) -> date | None:
    """When the open orders of ``kinds`` are planned to end (today if overdue); None if there are none."""
    ends = [order.planned_end for order in facts.orders if order.kind in kinds and order.open_on(today)]
    return max(max(ends), today) if ends else None


_CASE_CODES = {
    CaseKind.CONFIRMED: ("confirmed_case", "Confirmed case"),
    CaseKind.ASYMPTOMATIC: ("asymptomatic_case", "Asymptomatic case"),
    CaseKind.SUSPECTED: ("suspected_case", "Suspected case"),
}
_CONTACT_CODES = {
    ContactDegree.CLOSE: ("close_contact", "Close contact"),
    ContactDegree.SECONDARY: ("secondary_contact", "Contact of a close contact"),
    ContactDegree.POTENTIAL: ("potential_contact", "Potential close contact"),
}
_ORDER_CODES = {
    OrderKind.CENTRALIZED_QUARANTINE: ("centralized_quarantine", "Centralized quarantine"),
    OrderKind.HOME_QUARANTINE: ("home_quarantine", "Home quarantine"),
    OrderKind.HOME_HEALTH_MONITORING: ("home_health_monitoring", "Home health monitoring"),
}


def _case_findings(facts: PersonFacts, today: date, kinds: frozenset[CaseKind]) -> list[_Finding]:
    findings = []
    for case in facts.cases:
        if case.kind in kinds and case.open_on(today):
            code, label = _CASE_CODES[case.kind]
            findings.append(
                _Finding(
                    Colour.RED,
                    code,
                    f"{label} reported on {case.reported_on}, not yet discharged or ruled out.",
                    None,
                )
            )
    return findings


def _contact_findings(
    facts: PersonFacts, today: date, degrees: frozenset[ContactDegree], orders: frozenset[OrderKind]
) -> list[_Finding]:
    findings = []
    release = _planned_release(facts, today, orders)
    for contact in facts.contacts:
        if contact.degree in degrees and contact.open_on(today):
            code, label = _CONTACT_CODES[contact.degree]
            findings.append(
                _Finding(
                    Colour.RED,
                    code,
                    f"{label} since {contact.identified_on}, not yet released.",
                    release,
                )
            )
    return findings


def _order_findings(
    facts: PersonFacts, today: date, kinds: frozenset[OrderKind], colour: Colour
) -> list[_Finding]:
    findings = []
    for order in facts.orders:
        if order.kind in kinds and order.open_on(today):
            code, label = _ORDER_CODES[order.kind]
            findings.append(
                _Finding(
                    colour,
                    code,
                    f"{label} from {order.start}, planned to end on {order.planned_end}, not yet released.",
                    max(order.planned_end, today),
                )
            )
    return findings


def _arrival_finding(facts: PersonFacts, today: date) -> _Finding | None:
    arrived = facts.high_risk_arrival_on
    if arrived is None or arrived > today:
        return None
    ends_on = arrived + timedelta(days=ARRIVAL_RED_DAYS)
    if ends_on <= today:
        return None
    return _Finding(
        Colour.RED,
        "high_risk_arrival",
        f"Declared arrival from a high-risk area on {arrived}: red for {ARRIVAL_RED_DAYS} days (to {ends_on}).",
        ends_on,
    )


def _result(rule_id: str, findings: list[_Finding], calm: Colour, calm_text: str) -> ColourResult:
    """The most restrictive colour found, its reasons, and when all of them are scheduled to end."""
    if not findings:
        return ColourResult(rule_id, calm, (("nothing_abnormal", calm_text),), None)
    worst = max(severity(finding.colour) for finding in findings)
    shown = [finding for finding in findings if severity(finding.colour) == worst]
    ends = [finding.ends_on for finding in shown]
    next_change = None if any(end is None for end in ends) else max(end for end in ends if end is not None)
    return ColourResult(
        rule_id, shown[0].colour, tuple((finding.code, finding.text) for finding in shown), next_change
    )


_RED_ORDERS_2020 = frozenset(OrderKind)
_RED_ORDERS_2022 = frozenset({OrderKind.CENTRALIZED_QUARANTINE, OrderKind.HOME_QUARANTINE})


def _decide_gd_2020_03(facts: PersonFacts, at: datetime) -> ColourResult:
    today = local_date(at)
    findings = _case_findings(facts, today, frozenset(CaseKind))
    findings += _contact_findings(
        facts, today, frozenset({ContactDegree.CLOSE, ContactDegree.POTENTIAL}), _RED_ORDERS_2020
    )
    findings += _order_findings(facts, today, _RED_ORDERS_2020, Colour.RED)
    arrival = _arrival_finding(facts, today)
    if arrival is not None:
        findings.append(arrival)
    fever_on, cleared_on = facts.gate_fever_on, facts.gate_fever_cleared_on
    if fever_on is not None and fever_on <= today and (cleared_on is None or cleared_on > today):
        findings.append(
            _Finding(Colour.RED, "gate_fever", f"Fever found at a gate on {fever_on}, not yet cleared.", None)
        )
    return _result(
        "gd-2020-03",
        findings,
        Colour.BLUE,
        "Nothing abnormal on record, or every medical management measure released.",
    )


def _decide_gd_2022(facts: PersonFacts, at: datetime) -> ColourResult:
    today = local_date(at)
    findings = _case_findings(facts, today, frozenset(CaseKind))
    findings += _contact_findings(
        facts, today, frozenset({ContactDegree.CLOSE, ContactDegree.SECONDARY}), _RED_ORDERS_2022
    )
    findings += _order_findings(facts, today, _RED_ORDERS_2022, Colour.RED)
    arrival = _arrival_finding(facts, today)
    if arrival is not None:
        findings.append(arrival)
    if facts.red_elsewhere_since is not None and facts.red_elsewhere_since <= today:
        findings.append(
            _Finding(
                Colour.RED,
                "red_elsewhere",
                f"Red code from another province since {facts.red_elsewhere_since}.",
                None,
            )
        )
    findings += _order_findings(facts, today, frozenset({OrderKind.HOME_HEALTH_MONITORING}), Colour.YELLOW)
    episodes = (
        _yellow_episode(
            facts,
            at,
            facts.key_person_untested_since,
            "key_person_untested",
            "Key person of a control area without a test",
        ),
        _yellow_episode(
            facts, at, facts.yellow_elsewhere_since, "yellow_elsewhere", "Yellow code from another province"
        ),
        _yellow_episode(
            facts, at, facts.gate_fever_on, "gate_fever", "Fever found at a gate", facts.gate_fever_cleared_on
        ),
    )
    findings += [episode for episode in episodes if episode is not None]
    return _result("gd-2022", findings, Colour.GREEN, "No red or yellow reason on record.")


@dataclass(frozen=True)
class ColourRuleSet:
    """A versioned colour rule: its id, the day it came into force, its colours and its logic."""

    id: str
    effective_from: date
    title: str
    colours: tuple[Colour, ...]
    decide: Callable[[PersonFacts, datetime], ColourResult] = field(repr=False)


RULES: dict[str, ColourRuleSet] = {
    rule.id: rule
    for rule in (
        ColourRuleSet(
            id="gd-2020-03",
            effective_from=date(2020, 3, 11),
            title="Guangdong health code, two colours (March 2020)",
            colours=(Colour.RED, Colour.BLUE),
            decide=_decide_gd_2020_03,
        ),
        ColourRuleSet(
            id="gd-2022",
            effective_from=date(2022, 4, 1),
            title="Guangdong health code, three colours (2022)",
            colours=(Colour.RED, Colour.YELLOW, Colour.GREEN),
            decide=_decide_gd_2022,
        ),
    )
}


class NoRuleInForce(LookupError):
    """No colour rule set was in force on the date asked for."""


def rules_on(day: date) -> ColourRuleSet:
    """The rule set in force on ``day``: the one with the latest effective date not after it."""
    in_force = [rule for rule in RULES.values() if rule.effective_from <= day]
    if not in_force:
        raise NoRuleInForce(f"no colour rule set in force on {day}")
    return max(in_force, key=lambda rule: rule.effective_from)


def decide_colour(facts: PersonFacts, at: datetime, rule_id: str | None = None) -> ColourResult:
    """The person's colour at ``at`` under ``rule_id`` (default: the rule set in force on that local date).

    Naming ``rule_id`` applies that rule to any date, e.g. ``gd-2020-03`` to February 2020.
    """
    rule = RULES[rule_id] if rule_id is not None else rules_on(local_date(at))
    return rule.decide(facts, at)
