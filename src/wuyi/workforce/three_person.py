"""Is a community's three-person team (三人小组) complete? Plain values in, a verdict with reasons out.

Source (POLICY.md §1d, CONFIRMED): the community three-person team is a community cadre (社区干部), a medical
worker (医务人员) and a police officer (民警); it traces contacts and manages home quarantine in each
neighbourhood (Zou et al. 2020, "Tripartite working teams comprising community cadres, medical personnel and
police"). A team is complete when it has at least one active member of each of the three kinds. Inactive members
do not count; members of other kinds are allowed (they do not fill a seat).
"""

from collections.abc import Iterable
from dataclasses import dataclass

RULE_ID = "sz-2020-02-three-person"
# The three seats, in the order the policy names them; the values are WorkerKind values.
SEATS = ("cadre", "medical", "police")


@dataclass(frozen=True)
class TeamVerdict:
    complete: bool
    missing: tuple[str, ...]  # the seats nobody active fills, in SEATS order
    reasons: tuple[str, ...]  # codes: "no_team", "missing_<seat>", "inactive_<seat>" (a seat held only by inactives)
    rule: str = RULE_ID


def assess(members: Iterable[tuple[str, bool]] | None) -> TeamVerdict:
    """`members` are (worker kind, active) pairs of the team; None when the community has no team at all."""
    if members is None:
        return TeamVerdict(False, SEATS, ("no_team",) + tuple(f"missing_{s}" for s in SEATS))
    active = set()
    inactive = set()
    for kind, is_active in members:
        (active if is_active else inactive).add(kind)
    missing = tuple(s for s in SEATS if s not in active)
    reasons = []
    for seat in missing:
        reasons.append(f"inactive_{seat}" if seat in inactive else f"missing_{seat}")
    return TeamVerdict(not missing, missing, tuple(reasons))
