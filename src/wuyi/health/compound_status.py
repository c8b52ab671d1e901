"""Compound status: whether a compound is epidemic-free (无疫小区) on a date, since when, why, and when it can be.

One rule set, ``wuhan-2020-03``: the Wuhan 无疫情小区 criteria in force from 2020-03-01 (POLICY.md §5,
CONFIRMED for Wuhan; sources: 长江网 2020-03-09, wuhan.com/xinwen/40697 and 41413). Zero cases ("疫情零发生"):
counting back from the date, at least 14 days with no confirmed case, and within 14 days no unreleased suspected
case, fever case or close contact (the "三类人员"). One new confirmed case cancels the status; a new suspected
case, fever case or close contact suspends it; if that person is confirmed the status is cancelled, if ruled out
it is restored, and the suspension counts as epidemic-free time.

How the rule is applied here:

- "At least 14 days with no confirmed case" holds on D when the last confirmed case was reported 14 or more days
  before D (or, with none, when the compound's records go back at least 14 days: ``watched_since`` <= D-13),
  the same reading as risk zoning.
- A suspected case, fever case or contact is pending from the day it is recorded until the day it is ruled out
  or released. While one is pending the compound cannot first become epidemic-free (status ``not_yet`` or
  ``cancelled``); a compound that already holds the status is ``suspended``. A confirmed case is recorded as a
  confirmed event of its own, which cancels.
- ``cancelled`` is shown from a confirmed case that ended a held status until the status is earned again;
  ``not_yet`` when the compound has not held it since its records began.
- Events dated after D, and rulings-out dated after D, are ignored, so a status can be recomputed as it was.

Not confirmed: the Shenzhen 健康家园·无疫小区 criteria themselves are UNCONFIRMED (POLICY.md §5): Wuhan's rule is
used as the best documented analogue, as specified by issue 3; source not confirmed for Shenzhen. The second
condition of the Wuhan rule, prevention fully in place (六个到位), is an inspection, not a case count, and is
not decided here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

# "≥14 days with no confirmed case" and "within 14 days" (POLICY.md §5).
CLEAR_DAYS = 14
RULE_ID = "wuhan-2020-03"

Reason = tuple[str, str]


class EventKind(StrEnum):
    CONFIRMED = "confirmed"  # 确诊病例
    SUSPECTED = "suspected"  # 疑似病例
    FEVER = "fever"  # 发热病人
    CONTACT = "contact"  # 密切接触者


class Status(StrEnum):
    EPIDEMIC_FREE = "epidemic_free"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    NOT_YET = "not_yet"


@dataclass(frozen=True)
class CompoundEvent:
    """A case or person of the three kinds in the compound, recorded on a date; released on a later one."""

    kind: EventKind
    recorded_on: date
    released_on: date | None = None  # ruled out or released; only for the three pending kinds

    def __post_init__(self) -> None:
        if self.kind is EventKind.CONFIRMED and self.released_on is not None:
            raise ValueError("a confirmed case is not released; record what changed as a new event")
        if self.released_on is not None and self.released_on < self.recorded_on:
            raise ValueError(f"released on {self.released_on}, before it was recorded on {self.recorded_on}")


@dataclass(frozen=True)
class CompoundStatus:
    """The status on ``on``, the date it began, why, and the earliest date it can be epidemic-free (or None)."""

    rule_id: str
    on: date
    status: Status
    since: date
    reasons: tuple[Reason, ...]
    can_be_free_on: date | None


@dataclass(frozen=True)
class _Pending:
    kind: EventKind
    start: date
    end: date | None  # the release date, or None while unreleased


def _first_free_day(earliest: date, latest: date, pending: list[_Pending]) -> date | None:
    """The first day in ``earliest``..``latest`` with nothing pending; ``pending`` is sorted by start."""
    day = earliest
    for item in pending:
        if item.start > day:
            break
        if item.end is None:
            return None
        day = max(day, item.end)
    return day if day <= latest else None


def _covering_start(day: date, pending: list[_Pending]) -> date:
    """The first day of the unbroken run of pending days that contains ``day``."""
    start = day
    changed = True
    while changed:
        changed = False
        for item in pending:
            if item.start < start and (item.end is None or item.end >= start):
                start = item.start
                changed = True
    return start


_LABELS = {
    EventKind.SUSPECTED: "suspected case",
    EventKind.FEVER: "fever case",
    EventKind.CONTACT: "close contact",
}


def _decide_wuhan_2020_03(events: Iterable[CompoundEvent], on: date, watched_since: date) -> CompoundStatus:
    """The compound's status on ``on`` under ``wuhan-2020-03``.

    ``watched_since`` is the first day the compound's events were recorded: with no confirmed case at all, the
    14 days without one are counted from it.
    """
    if watched_since > on:
        raise ValueError(f"the records start on {watched_since}, after {on}")
    events = tuple(events)
    confirmed_days = sorted(
        {
            event.recorded_on
            for event in events
            if event.kind is EventKind.CONFIRMED and event.recorded_on <= on
        }
    )
    pending = sorted(
        (
            _Pending(
                event.kind,
                event.recorded_on,
                event.released_on if event.released_on is not None and event.released_on <= on else None,
            )
            for event in events
            if event.kind is not EventKind.CONFIRMED and event.recorded_on <= on
        ),
        key=lambda item: item.start,
    )
    clear = timedelta(days=CLEAR_DAYS - 1)

    cancelled_on: date | None = None
    clock_from = watched_since
    for day in confirmed_days:
        if _first_free_day(clock_from + clear, day - timedelta(days=1), pending) is not None:
            cancelled_on = day
        clock_from = day + timedelta(days=1)

    clock_done = clock_from + clear
    last_confirmed = confirmed_days[-1] if confirmed_days else None
    free_from = _first_free_day(clock_done, on, pending)
    open_now = [item for item in pending if item.end is None or item.end > on]
    open_text = "; ".join(f"{_LABELS[item.kind]} recorded on {item.start}, not released" for item in open_now)
    clock_text = (
        f"no confirmed case since {last_confirmed}"
        if last_confirmed is not None
        else f"no confirmed case since records began on {watched_since}"
    )

    if free_from is not None:
        held = (
            "no_confirmed_14_days",
            f"{CLEAR_DAYS} days with {clock_text} complete on {clock_done}; epidemic-free from {free_from}.",
        )
        if open_now:
            since = _covering_start(on, pending)
            return CompoundStatus(
                RULE_ID,
                on,
                Status.SUSPENDED,
                since,
                (
                    held,
                    ("suspended", f"Suspended from {since}: {open_text}. Ruling out restores the status."),
                ),
                on,
            )
        return CompoundStatus(RULE_ID, on, Status.EPIDEMIC_FREE, free_from, (held,), None)

    reasons: list[Reason] = []
    if clock_done > on:
        reasons.append(
            (
                "confirmed_within_14_days",
                f"Confirmed case reported on {last_confirmed}; {CLEAR_DAYS} days without one complete on "
                f"{clock_done}."
                if last_confirmed is not None
                else f"Records began on {watched_since}; {CLEAR_DAYS} days without a confirmed case complete "
                f"on {clock_done}.",
            )
        )
    if open_now:
        reasons.append(("pending", f"Waiting on: {open_text}."))
    can_be_free_on = max(clock_done, on)
    if cancelled_on is not None:
        reasons.insert(0, ("cancelled", f"A confirmed case reported on {cancelled_on} cancelled the status."))
        return CompoundStatus(RULE_ID, on, Status.CANCELLED, cancelled_on, tuple(reasons), can_be_free_on)
    return CompoundStatus(RULE_ID, on, Status.NOT_YET, watched_since, tuple(reasons), can_be_free_on)


@dataclass(frozen=True)
class CompoundRuleSet:
    """A versioned compound-status rule: its id, the day it came into force and its logic."""

    id: str
    effective_from: date
    title: str
    decide: Callable[[Iterable[CompoundEvent], date, date], CompoundStatus] = field(repr=False)


RULES: dict[str, CompoundRuleSet] = {
    RULE_ID: CompoundRuleSet(
        id=RULE_ID,
        effective_from=date(2020, 3, 1),
        title="Wuhan epidemic-free compound: 14 days without a confirmed case, none of the three kinds pending",
        decide=_decide_wuhan_2020_03,
    )
}


class NoRuleInForce(LookupError):
    """No compound-status rule set was in force on the date asked for."""


def rules_on(day: date) -> CompoundRuleSet:
    """The rule set in force on ``day``: the one with the latest effective date not after it."""
    in_force = [rule for rule in RULES.values() if rule.effective_from <= day]
    if not in_force:
        raise NoRuleInForce(f"no compound-status rule set in force on {day}")
    return max(in_force, key=lambda rule: rule.effective_from)


def compound_status(
    events: Iterable[CompoundEvent], on: date, watched_since: date, rule_id: str | None = None
) -> CompoundStatus:
    """The compound's status on ``on`` under ``rule_id`` (default: the rule set in force on ``on``).

    Naming ``rule_id`` applies that rule to any date, e.g. to the weeks before 2020-03-01.
    """
    rule = RULES[rule_id] if rule_id is not None else rules_on(on)
    return rule.decide(events, on, watched_since)
