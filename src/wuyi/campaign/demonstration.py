"""Whether a compound may be a demonstration compound (示范无疫小区) on a day, with the reasons.

No Shenzhen criteria for "健康家园·无疫小区" were found (POLICY.md §5, UNCONFIRMED). The rule here is the
campaign's own, built from what the system knows and nothing presented as Shenzhen's: the compound is
epidemic-free on the day (the compound-status rule set in force, ``health.compound_status``), its latest
inspection against the measures catalogue is fully compliant, and every active further criterion that the
campaign's administrators configured is met (ticked at nomination). Approval goes up in order: community,
street, district (the order of creation documented for Wuhan and Shanghai; POLICY.md §5 analogues).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

EPIDEMIC_FREE = "epidemic_free"

COMMUNITY = "community"
STREET = "street"
DISTRICT = "district"
LEVELS = (COMMUNITY, STREET, DISTRICT)

NOMINATED = "nominated"
COMMUNITY_APPROVED = "community_approved"
STREET_APPROVED = "street_approved"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

# The status a case must hold for each level to decide, and the status an approval there moves it to.
WAITING_FOR = {COMMUNITY: NOMINATED, STREET: COMMUNITY_APPROVED, DISTRICT: STREET_APPROVED}
APPROVED_TO = {COMMUNITY: COMMUNITY_APPROVED, STREET: STREET_APPROVED, DISTRICT: APPROVED}
NEXT_LEVEL = {status: level for level, status in WAITING_FOR.items()}


@dataclass(frozen=True)
class Facts:
    """What is known of a compound on ``on``."""

    on: dt.date
    compound_status: str  # health.compound_status.Status value
    latest_inspected_on: dt.date | None  # None: never inspected
    latest_fully_compliant: bool
    unmet_criteria: tuple[str, ...] = ()  # codes of active further criteria not ticked


Reason = tuple[str, str]  # (code, English text); pages translate the code


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Reason, ...]  # why not (empty when eligible)
    met: tuple[Reason, ...]  # what holds

    @property
    def text(self) -> str:
        return "; ".join(text for _code, text in self.reasons)


def evaluate(facts: Facts) -> Eligibility:
    reasons: list[Reason] = []
    met: list[Reason] = []
    if facts.compound_status == EPIDEMIC_FREE:
        met.append(("epidemic_free", "epidemic-free on the day"))
    else:
        reasons.append(("not_epidemic_free",
                        f"not epidemic-free on {facts.on.isoformat()} (status: {facts.compound_status})"))
    if facts.latest_inspected_on is None:
        reasons.append(("never_inspected", "never inspected"))
    elif facts.latest_inspected_on > facts.on:
        reasons.append(("inspected_after", "the latest inspection is after the day asked about"))
    elif not facts.latest_fully_compliant:
        reasons.append(("not_fully_compliant",
                        f"the latest inspection ({facts.latest_inspected_on.isoformat()}) is not fully compliant"))
    else:
        met.append(("fully_compliant",
                    f"the latest inspection ({facts.latest_inspected_on.isoformat()}) is fully compliant"))
    for code in facts.unmet_criteria:
        reasons.append(("criterion_not_met", f"further criterion not met: {code}"))
    if not facts.unmet_criteria:
        met.append(("criteria_met", "every active further criterion met"))
    return Eligibility(eligible=not reasons, reasons=tuple(reasons), met=tuple(met))


def unmet(active: Iterable[str], ticked: Iterable[str]) -> tuple[str, ...]:
    """The active criteria (codes, in order) not among the ticked ones."""
    ticked = set(ticked)
    return tuple(code for code in active if code not in ticked)


@dataclass(frozen=True)
class Step:
    """May ``level`` decide now, and the status after an approval there."""

    allowed: bool
    reason: str
    status_after_approval: str | None


def step(status: str, level: str) -> Step:
    """Whether a case in ``status`` waits for a decision at ``level`` (approval goes up in order)."""
    if level not in LEVELS:
        return Step(False, f"unknown level {level}", None)
    if status in (APPROVED, REJECTED, WITHDRAWN):
        return Step(False, f"the case is closed ({status})", None)
    if WAITING_FOR[level] != status:
        return Step(False, f"the case waits for the {NEXT_LEVEL.get(status, '?')} level, not the {level} level", None)
    return Step(True, "", APPROVED_TO[level])
