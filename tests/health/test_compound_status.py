"""Compound status under wuhan-2020-03: a table of event histories and the status they give, then invariants."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuyi.health.compound_status import (
    RULES,
    CompoundEvent,
    EventKind,
    NoRuleInForce,
    Status,
    compound_status,
    rules_on,
)

WATCHED = date(2020, 1, 19)
D = date(2020, 3, 16)
FREE, SUSPENDED, CANCELLED, NOT_YET = Status.EPIDEMIC_FREE, Status.SUSPENDED, Status.CANCELLED, Status.NOT_YET
CONFIRMED, SUSPECTED, FEVER, CONTACT = EventKind


def ago(days: int) -> date:
    return D - timedelta(days=days)


def confirmed(days_before: int) -> CompoundEvent:
    return CompoundEvent(CONFIRMED, ago(days_before))


def pending(kind: EventKind, days_before: int, released_days_before: int | None = None) -> CompoundEvent:
    released = None if released_days_before is None else ago(released_days_before)
    return CompoundEvent(kind, ago(days_before), released)


def status_of(events, on: date = D, watched_since: date = WATCHED):
    return compound_status(events, on, watched_since, "wuhan-2020-03")


# Epidemic-free: no confirmed case for at least 14 days and no unreleased suspected case, fever case or close
# contact; a new confirmed case cancels; a new one of the three kinds suspends; ruling it out restores.
TABLE = [
    # (why, events, status, since, can_be_free_on)
    ("never a case since records began", [], FREE, WATCHED + timedelta(days=13), None),
    ("last confirmed 13 days ago", [confirmed(40), confirmed(13)], CANCELLED, ago(13), ago(-1)),
    ("last confirmed 14 days ago", [confirmed(40), confirmed(14)], FREE, D, None),
    ("last confirmed 15 days ago", [confirmed(40), confirmed(15)], FREE, ago(1), None),
    ("a confirmed case today cancels a held status", [confirmed(0)], CANCELLED, D, ago(-14)),
    (
        "a case on the day the 14 days complete: the status was never earned again",
        [confirmed(40), confirmed(14), confirmed(0)],
        CANCELLED,
        ago(14),
        ago(-14),
    ),
    (
        "a second case while cancelled: cancelled since the first",
        [confirmed(5), confirmed(2)],
        CANCELLED,
        ago(5),
        ago(-12),
    ),
    ("re-earned, then cancelled again", [confirmed(40), confirmed(3)], CANCELLED, ago(3), ago(-11)),
    ("a suspected case suspends", [confirmed(30), pending(SUSPECTED, 2)], SUSPENDED, ago(2), D),
    ("a fever case suspends", [confirmed(30), pending(FEVER, 0)], SUSPENDED, D, D),
    ("a close contact suspends", [confirmed(30), pending(CONTACT, 1)], SUSPENDED, ago(1), D),
    (
        "ruled out: restored, the suspension counted as epidemic-free time",
        [confirmed(30), pending(SUSPECTED, 5, 1)],
        FREE,
        ago(16),
        None,
    ),
    ("ruled out today", [confirmed(30), pending(FEVER, 5, 0)], FREE, ago(16), None),
    (
        "the suspected case confirmed: cancelled",
        [confirmed(30), pending(SUSPECTED, 5), confirmed(2)],
        CANCELLED,
        ago(2),
        ago(-12),
    ),
    (
        "a contact unreleased for 20 days still suspends",
        [confirmed(40), pending(CONTACT, 20)],
        SUSPENDED,
        ago(20),
        D,
    ),
    (
        "overlapping suspensions run together",
        [confirmed(40), pending(FEVER, 10, 6), pending(CONTACT, 7, 2), pending(SUSPECTED, 3)],
        SUSPENDED,
        ago(10),
        D,
    ),
    (
        "a contact recorded the day a fever case is ruled out continues the suspension",
        [confirmed(40), pending(FEVER, 10, 6), pending(CONTACT, 6)],
        SUSPENDED,
        ago(10),
        D,
    ),
    (
        "a gap between suspensions starts a new one",
        [confirmed(40), pending(FEVER, 10, 6), pending(SUSPECTED, 3)],
        SUSPENDED,
        ago(3),
        D,
    ),
    (
        "pending when the 14 days complete: still cancelled, since the case that ended a held status",
        [confirmed(30), confirmed(16), pending(CONTACT, 15)],
        CANCELLED,
        ago(30),
        D,
    ),
    (
        "pending released after the 14 days: epidemic-free from the release",
        [confirmed(30), confirmed(16), pending(CONTACT, 15, 1)],
        FREE,
        ago(1),
        None,
    ),
    (
        "events after D are not known on D",
        [confirmed(30), confirmed(-1), pending(FEVER, -2)],
        FREE,
        ago(16),
        None,
    ),
    ("a release after D is not known on D", [confirmed(30), pending(SUSPECTED, 3, -1)], SUSPENDED, ago(3), D),
]


@pytest.mark.parametrize(
    ("why", "events", "status", "since", "can_be_free_on"), TABLE, ids=[r[0] for r in TABLE]
)
def test_wuhan_2020_03(why, events, status, since, can_be_free_on):
    result = status_of(events)
    assert (result.status, result.since, result.can_be_free_on) == (status, since, can_be_free_on)
    assert result.rule_id == "wuhan-2020-03" and result.on == D
    assert result.reasons and all(text for _, text in result.reasons)


NEVER_HELD = [
    ("records began 12 days ago", [], ago(12), NOT_YET, ago(-1)),
    ("records began 13 days ago: 14 days today", [], ago(13), FREE, None),
    ("a case in the first days", [confirmed(5)], ago(10), NOT_YET, ago(-9)),
    ("pending when the first 14 days complete", [pending(FEVER, 10)], ago(20), NOT_YET, D),
]


@pytest.mark.parametrize(
    ("why", "events", "watched", "status", "can_be_free_on"), NEVER_HELD, ids=[r[0] for r in NEVER_HELD]
)
def test_a_compound_that_never_held_the_status_is_not_yet(why, events, watched, status, can_be_free_on):
    result = status_of(events, watched_since=watched)
    assert (result.status, result.can_be_free_on) == (status, can_be_free_on)
    if status is NOT_YET:
        assert result.since == watched


def test_day_by_day_after_a_confirmed_case():
    case_day = date(2020, 2, 20)
    events = [
        CompoundEvent(CONFIRMED, case_day),
        CompoundEvent(SUSPECTED, date(2020, 3, 8), date(2020, 3, 10)),
    ]
    days = [case_day + timedelta(days=k) for k in range(21)]
    statuses = [status_of(events, day).status for day in days]
    # cancelled on the day of the case and 13 more; free on the 14th day; suspended 8 and 9 March
    assert statuses == [CANCELLED] * 14 + [FREE] * 3 + [SUSPENDED] * 2 + [FREE] * 2
    assert {status_of(events, day).since for day in days[14:] if status_of(events, day).status is FREE} == {
        date(2020, 3, 5)
    }


def test_reasons_say_why():
    cancelled = status_of([confirmed(3)])
    assert [code for code, _ in cancelled.reasons] == ["cancelled", "confirmed_within_14_days"]
    assert "2020-03-13" in cancelled.reasons[0][1] and "2020-03-27" in cancelled.reasons[1][1]
    suspended = status_of([pending(CONTACT, 2)])
    assert [code for code, _ in suspended.reasons] == ["no_confirmed_14_days", "suspended"]
    assert "close contact recorded on 2020-03-14" in suspended.reasons[1][1]
    waiting = status_of([confirmed(15), pending(FEVER, 15)], watched_since=ago(20))
    assert [code for code, _ in waiting.reasons] == ["pending"]


def test_rules_and_bad_input():
    assert rules_on(date(2020, 3, 1)).id == "wuhan-2020-03" and set(RULES) == {"wuhan-2020-03"}
    assert compound_status([], D, WATCHED).status is FREE
    with pytest.raises(NoRuleInForce):
        compound_status([], date(2020, 2, 29), WATCHED)
    with pytest.raises(ValueError):
        CompoundEvent(CONFIRMED, D, D)
    with pytest.raises(ValueError):
        CompoundEvent(FEVER, D, ago(1))
    with pytest.raises(ValueError):
        compound_status([], WATCHED - timedelta(days=1), WATCHED, "wuhan-2020-03")


# Invariants over random histories.
offsets = st.integers(-5, 45)


@st.composite
def events(draw):
    kind = draw(st.sampled_from(EventKind))
    recorded = ago(draw(offsets))
    if kind is CONFIRMED or draw(st.booleans()):
        return CompoundEvent(kind, recorded)
    return CompoundEvent(kind, recorded, recorded + timedelta(days=draw(st.integers(0, 20))))


histories = st.lists(events(), max_size=12)


@settings(max_examples=400, deadline=None)
@given(histories)
def test_the_status_agrees_with_the_criteria(history):
    result = status_of(history)
    known = [event for event in history if event.recorded_on <= D]
    last_confirmed = max((e.recorded_on for e in known if e.kind is CONFIRMED), default=None)
    unreleased = [
        e for e in known if e.kind is not CONFIRMED and (e.released_on is None or e.released_on > D)
    ]
    clear = last_confirmed is None or (D - last_confirmed).days >= 14
    if result.status is FREE:
        assert clear and not unreleased and result.can_be_free_on is None
    elif result.status is SUSPENDED:
        assert clear and unreleased and result.can_be_free_on == D
    else:
        assert not clear or unreleased
        assert result.can_be_free_on >= D
    assert WATCHED <= result.since <= D


@settings(max_examples=300, deadline=None)
@given(histories, histories)
def test_events_after_d_change_nothing(history, more):
    later = [replace(event, recorded_on=D + timedelta(days=1), released_on=None) for event in more]
    assert status_of(history + later) == status_of(history)


@settings(max_examples=300, deadline=None)
@given(histories)
def test_ruling_out_restores_and_the_suspension_counts(history):
    result = status_of(history)
    if result.status is not SUSPENDED:
        return
    ruled_out = [
        replace(event, released_on=D)
        if event.kind is not CONFIRMED
        and event.recorded_on <= D
        and (event.released_on is None or event.released_on > D)
        else event
        for event in history
    ]
    restored = status_of(ruled_out)
    assert restored.status is FREE
    assert restored.since < result.since  # held from before the suspension began


@settings(max_examples=300, deadline=None)
@given(histories, st.sampled_from([SUSPECTED, FEVER, CONTACT]), st.integers(0, 45), st.integers(0, 45))
def test_a_three_kind_case_ruled_out_by_d_never_ends_an_epidemic_free_status(history, kind, start, length):
    before = status_of(history)
    if before.status is not FREE:
        return
    recorded = ago(start)
    released = min(recorded + timedelta(days=length), D)
    assert status_of([*history, CompoundEvent(kind, recorded, released)]).status is FREE


@settings(max_examples=300, deadline=None)
@given(histories)
def test_a_confirmed_case_today_cancels_a_held_status(history):
    before = status_of(history)
    after = status_of([*history, confirmed(0)])
    assert after.status in (CANCELLED, NOT_YET)
    if before.status is SUSPENDED or (before.status is FREE and before.since < D):
        assert (after.status, after.since) == (CANCELLED, D)
    elif before.status is FREE:  # earned today: a case reported the same day means it never was
        assert after.since < D
