"""Compound status read from the records: the events of ``compound_status`` for each compound, and its status.

A compound's events (``compound_status.CompoundEvent``) come from four kinds of record:

- a confirmed case or an asymptomatic infection recorded in the compound: a confirmed event on its report
  date (an infection counts as a case here, which is the cautious reading; cases ruled out are left out);
- a suspected case recorded in the compound: pending from its report date until it is ruled out or discharged;
- a close contact (of any degree) who lives in the compound: pending from identification until released;
- a fever found at a gate (``Flag`` gate_fever) of a person who lives in the compound: pending until cleared.

"Lives in" is the person's open membership now: a move is not dated back (a person who moved out keeps
counting in the old compound for records made before the move only if the membership is still open).

Records begin on ``settings.WUYI_RECORDS_BEGIN`` (default 2020-01-19, the day Shenzhen reported its first
case): the "14 days without a confirmed case" of a compound with none are counted from it. The one rule set,
``wuhan-2020-03``, is applied to any date asked for, including the weeks before it came into force.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Q

from wuyi.health import compound_status as rules
from wuyi.health.models import Case, CaseKind, CaseOutcome, CloseContact, Flag, FlagKind
from wuyi.places.models import CODE_LENGTH, Area, Level, code_range

RECORDS_BEGIN = dt.date(2020, 1, 19)
COMPOUND_CODE_LENGTH = CODE_LENGTH[Level.COMPOUND]


def records_begin() -> dt.date:
    return getattr(settings, "WUYI_RECORDS_BEGIN", None) or RECORDS_BEGIN


def compound_events(prefix: str, on: dt.date) -> dict[str, list[rules.CompoundEvent]]:
    """The events up to ``on`` of every compound whose code starts with ``prefix``, keyed by compound code.

    Three queries (cases; contacts; fevers), whatever the number of compounds.
    """
    events: dict[str, list[rules.CompoundEvent]] = defaultdict(list)
    for code, kind, reported_on, outcome, outcome_on in (
        Case.objects.filter(code_range("compound__code", prefix), reported_on__lte=on)
        .exclude(outcome=CaseOutcome.RULED_OUT, kind__in=[CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC])
        .values_list("compound__code", "kind", "reported_on", "outcome", "outcome_on").order_by()
    ):
        if kind == CaseKind.SUSPECTED:
            released = outcome_on if outcome != CaseOutcome.UNDER_TREATMENT else None
            events[code].append(rules.CompoundEvent(rules.EventKind.SUSPECTED, reported_on, released))
        else:
            events[code].append(rules.CompoundEvent(rules.EventKind.CONFIRMED, reported_on))
    lives_here = Q(code_range("person__memberships__household__code", prefix),
                   person__memberships__moved_out__isnull=True)
    for household, identified_on, released_on in (
        CloseContact.objects.filter(lives_here, identified_on__lte=on)
        .values_list("person__memberships__household__code", "identified_on", "released_on").order_by()
    ):
        events[household[:COMPOUND_CODE_LENGTH]].append(
            rules.CompoundEvent(rules.EventKind.CONTACT, identified_on, _released(identified_on, released_on))
        )
    for household, since, cleared_on in (
        Flag.objects.filter(lives_here, kind=FlagKind.GATE_FEVER, since__lte=on)
        .values_list("person__memberships__household__code", "since", "cleared_on").order_by()
    ):
        events[household[:COMPOUND_CODE_LENGTH]].append(
            rules.CompoundEvent(rules.EventKind.FEVER, since, _released(since, cleared_on))
        )
    return events


def _released(start: dt.date, end: dt.date | None) -> dt.date | None:
    return None if end is None else max(start, end)


def _decide(events: list[rules.CompoundEvent], on: dt.date) -> rules.CompoundStatus:
    return rules.compound_status(events, on, min(records_begin(), on), rules.RULE_ID)


def status_of(compound: Area, on: dt.date) -> rules.CompoundStatus:
    """One compound's status on ``on``, with its reasons."""
    return _decide(compound_events(compound.code, on).get(compound.code, []), on)


def statuses(area: Area, on: dt.date) -> dict[str, rules.CompoundStatus]:
    """The status on ``on`` of every compound beneath ``area`` (or the compound itself), by code."""
    events = compound_events(area.prefix, on)
    codes = Area.objects.filter(code_range("code", area.prefix), level=Level.COMPOUND).values_list("code", flat=True)
    quiet = _decide([], on)  # every compound without events holds the same status: decided once, not 7,000 times
    return {code: _decide(events[code], on) if code in events else quiet for code in codes}


def status_counts(area: Area, on: dt.date) -> dict[str, int]:
    """How many compounds beneath ``area`` hold each status on ``on`` (every status present, maybe 0)."""
    counts = dict.fromkeys(rules.Status, 0)
    for status in statuses(area, on).values():
        counts[status.status] += 1
    return {status.value: n for status, n in counts.items()}
