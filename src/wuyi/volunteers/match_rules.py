"""Matching rules: how well a volunteer fits a task, with the reasons; how volunteers and tasks are ranked.

Plain values in, plain values out; no Django. ``matching.py`` reads the database and calls these.

Source: issue 5 (the volunteer platform), points 1 and 4; no policy document fixes the weights, so they are
named constants below and every decision says why in its reason.

Hard rules (a pair that breaks one is not offered):

- **Skills.** The task's required skills must all be among the volunteer's. A hard rule, not a weight: a task
  that asks for a driver or a medic cannot be done by someone without the skill, and listing them would put
  the coordinator's phone calls on the wrong people. Each required skill held earns ``SKILL_POINTS``, so a
  volunteer sees first the tasks that need what only few can do.
- **No overlap.** The task's window must not overlap the window of another live claim of the volunteer; a
  task the volunteer already holds is not offered again.

Weights (added up; higher is better):

- **Distance** by area code (GB/T 2260 prefixes): same community ``SAME_COMMUNITY_POINTS`` > same street >
  same district > elsewhere (0). Volunteers walk to their tasks during closed management.
- **Availability.** The task's local (China Standard Time) weekday and hours lie inside the volunteer's
  weekly ranges (``{"0": [[8, 12]], …}``, 0 = Monday, [start hour, end hour)): ``AVAILABLE_POINTS``; a task
  across midnight must be covered on both days; adjacent ranges join ([8, 12] and [12, 18] cover 10–14). A
  volunteer who gave no availability at all is "unknown": ``UNKNOWN_AVAILABILITY_POINTS``, between the two. A
  task outside the stated hours is still offered, last: people do come for an urgent need.
- **Fairness** (volunteers ranked for one task only): fewer confirmed participations and hours in the last
  ``FAIRNESS_DAYS`` days earn more (``FAIRNESS_TIERS``), so the same people are not always first.

Ties are broken by a rotation: a hash of (local day, task, volunteer), so equal volunteers take turns being
first from day to day and from task to task, and the order is the same for everyone asking on one day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")  # Asia/Shanghai, no daylight saving since 1991

# Area code lengths (places/models.py, GB/T 2260): district 6, street 9, community 12.
DISTRICT_CODE, STREET_CODE, COMMUNITY_CODE = 6, 9, 12

SAME_COMMUNITY_POINTS = 40
SAME_STREET_POINTS = 25
SAME_DISTRICT_POINTS = 10
SKILL_POINTS = 15
AVAILABLE_POINTS = 30
UNKNOWN_AVAILABILITY_POINTS = 10

FAIRNESS_DAYS = 14
# (most hours served in FAIRNESS_DAYS, points, code, text); the first tier whose bound is not reached applies.
# No confirmed participation at all is its own, best tier.
NO_RECENT_SERVICE_POINTS = 30
FAIRNESS_TIERS: tuple[tuple[float, int, str, str], ...] = (
    (8, 20, "little_recent_service", f"Served little in the last {FAIRNESS_DAYS} days"),
    (24, 10, "some_recent_service", f"Served some in the last {FAIRNESS_DAYS} days"),
)
MUCH_RECENT_SERVICE = (0, "much_recent_service", f"Served much in the last {FAIRNESS_DAYS} days")

Reason = tuple[str, str]
Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class TaskFacts:
    """A task as matching sees it: where (its community's 12-digit code), when, and the skills it requires."""

    id: int
    community_code: str
    starts_at: datetime
    ends_at: datetime
    skills: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for moment in (self.starts_at, self.ends_at):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"a timezone-aware datetime is needed, got {moment!r}")
        if self.ends_at <= self.starts_at:
            raise ValueError("a task ends after it starts")


@dataclass(frozen=True)
class VolunteerFacts:
    """A volunteer as matching sees it.

    ``busy``: the windows of the volunteer's live claims (at least those that may overlap the tasks asked
    about); ``claimed``: the ids of the tasks those claims are on; ``recent_*``: confirmed service in the last
    FAIRNESS_DAYS days."""

    id: int
    community_code: str
    skills: frozenset[str] = frozenset()
    availability: Mapping[str, Sequence[Sequence[int]]] = field(default_factory=dict)
    busy: tuple[Window, ...] = ()
    claimed: frozenset[int] = frozenset()
    recent_hours: float = 0.0
    recent_participations: int = 0


@dataclass(frozen=True)
class Assessment:
    """Whether a volunteer may be offered a task, the pair's points and why (the refusals if not eligible)."""

    eligible: bool
    points: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Ranked:
    """One line of a ranking: the task or volunteer id, its score and the reasons."""

    id: int
    score: int
    reasons: tuple[Reason, ...]


# ---- single criteria ---------------------------------------------------------------------------------------


def proximity(volunteer_community: str, task_community: str) -> tuple[int, Reason]:
    """Points and reason for where the task is from the volunteer's home community."""
    if volunteer_community[:COMMUNITY_CODE] == task_community[:COMMUNITY_CODE]:
        return SAME_COMMUNITY_POINTS, ("same_community", "In the volunteer's community")
    if volunteer_community[:STREET_CODE] == task_community[:STREET_CODE]:
        return SAME_STREET_POINTS, ("same_street", "In the volunteer's street")
    if volunteer_community[:DISTRICT_CODE] == task_community[:DISTRICT_CODE]:
        return SAME_DISTRICT_POINTS, ("same_district", "In the volunteer's district")
    return 0, ("elsewhere", "In another district")


def _ranges(availability: Mapping, weekday: int) -> list[tuple[int, int]]:
    """The weekday's ranges in seconds from local midnight, sorted, overlapping and adjacent ones joined."""
    raw = availability.get(str(weekday), availability.get(weekday, ())) or ()
    joined: list[tuple[int, int]] = []
    for start, end in sorted((int(a) * 3600, int(b) * 3600) for a, b in raw):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def available(availability: Mapping, starts_at: datetime, ends_at: datetime) -> bool | None:
    """True if every local moment of [starts_at, ends_at) lies in the weekly ranges, False if not, None if the
    volunteer gave no ranges at all."""
    if not any(availability.get(key) for key in availability):
        return None
    cursor, end = starts_at.astimezone(CHINA_STANDARD_TIME), ends_at.astimezone(CHINA_STANDARD_TIME)
    while cursor < end:
        midnight = datetime.combine(cursor.date(), time(0), tzinfo=CHINA_STANDARD_TIME)
        piece_end = min(end, midnight + timedelta(days=1))
        first, last = (cursor - midnight).total_seconds(), (piece_end - midnight).total_seconds()
        if not any(a <= first and last <= b for a, b in _ranges(availability, cursor.weekday())):
            return False
        cursor = piece_end
    return True


def overlaps(window: Window, others: Iterable[Window]) -> bool:
    """Whether [start, end) shares a moment with any of ``others`` (touching ends do not overlap)."""
    start, end = window
    return any(start < other_end and other_start < end for other_start, other_end in others)


def fairness(volunteer: VolunteerFacts) -> tuple[int, Reason]:
    """Points for having served less in the last FAIRNESS_DAYS days (confirmed claims only)."""
    if volunteer.recent_participations == 0:
        return NO_RECENT_SERVICE_POINTS, ("no_recent_service",
                                          f"Has not served in the last {FAIRNESS_DAYS} days")
    for most_hours, points, code, text in FAIRNESS_TIERS:
        if volunteer.recent_hours < most_hours:
            return points, (code, text)
    points, code, text = MUCH_RECENT_SERVICE
    return points, (code, text)


def rotation(day: date, task_id: int, volunteer_id: int) -> int:
    """The tie-break: a stable pseudo-random number per (local day, task, volunteer)."""
    digest = hashlib.sha256(f"{day.isoformat()}:{task_id}:{volunteer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


# ---- the pair ----------------------------------------------------------------------------------------------


def assess(volunteer: VolunteerFacts, task: TaskFacts) -> Assessment:
    """The hard rules, then distance, skills and availability (not fairness: it ranks volunteers only)."""
    refusals: list[Reason] = []
    if task.id in volunteer.claimed:
        refusals.append(("already_claimed", "Already holds a slot of this task"))
    missing = sorted(task.skills - volunteer.skills)
    for skill in missing:
        refusals.append((f"missing_skill_{skill}", f"Lacks the {skill} skill"))
    if task.id not in volunteer.claimed and overlaps((task.starts_at, task.ends_at), volunteer.busy):
        refusals.append(("busy", "Holds another task at that time"))
    if refusals:
        return Assessment(False, 0, tuple(refusals))

    points, where = proximity(volunteer.community_code, task.community_code)
    reasons: list[Reason] = [where]
    for skill in sorted(task.skills):
        points += SKILL_POINTS
        reasons.append((f"skill_{skill}", f"Has the {skill} skill"))
    fits = available(volunteer.availability, task.starts_at, task.ends_at)
    if fits is None:
        points += UNKNOWN_AVAILABILITY_POINTS
        reasons.append(("availability_unknown", "Gave no weekly availability"))
    elif fits:
        points += AVAILABLE_POINTS
        reasons.append(("available", "Available at that time"))
    else:
        reasons.append(("outside_availability", "Outside the weekly availability"))
    return Assessment(True, points, tuple(reasons))


def local_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_STANDARD_TIME).date()


def rank_volunteers(task: TaskFacts, volunteers: Iterable[VolunteerFacts], now: datetime,
                    limit: int = 10) -> list[Ranked]:
    """The eligible volunteers for ``task``, best first: the pair's points plus fairness, ties by rotation."""
    day = local_day(now)
    scored = []
    for volunteer in volunteers:
        verdict = assess(volunteer, task)
        if not verdict.eligible:
            continue
        bonus, why = fairness(volunteer)
        ranked = Ranked(volunteer.id, verdict.points + bonus, (*verdict.reasons, why))
        scored.append((-ranked.score, rotation(day, task.id, volunteer.id), ranked))
    scored.sort(key=lambda row: row[:2])
    return [ranked for *_, ranked in scored[:max(0, limit)]]


def rank_tasks(volunteer: VolunteerFacts, tasks: Iterable[TaskFacts], limit: int = 10) -> list[Ranked]:
    """The tasks ``volunteer`` may be offered, best first; ties go to the task that starts first."""
    scored = []
    for task in tasks:
        verdict = assess(volunteer, task)
        if verdict.eligible:
            ranked = Ranked(task.id, verdict.points, verdict.reasons)
            scored.append((-verdict.points, task.starts_at, task.id, ranked))
    scored.sort(key=lambda row: row[:3])
    return [ranked for *_, ranked in scored[:max(0, limit)]]
