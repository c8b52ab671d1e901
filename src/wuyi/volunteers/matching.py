"""Matching volunteers and tasks: the tasks to recommend to a volunteer, the volunteers to suggest for a task.

The database is read here, set-based (a fixed handful of queries, whatever the number of volunteers or
tasks); the decisions are ``match_rules``' (hard rules, weights, fairness and the rotating tie-break are
documented there). Nothing is written.

Who is considered: volunteers and tasks within the same district by default (``within``: a level of the area
tree; ``Level.CITY`` for everyone). Recommended tasks are open, not full, start after ``now`` and within
``RECOMMEND_HORIZON``; suggestions are for an open task that has not ended and still has a free slot.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Q, Sum
from django.utils import timezone

from wuyi.errors import DomainError
from wuyi.places.models import Level, code_range
from wuyi.volunteers import match_rules
from wuyi.volunteers.match_rules import Reason, TaskFacts, VolunteerFacts
from wuyi.volunteers.models import LIVE_CLAIM, Claim, ClaimStatus, Task, TaskStatus, Volunteer
from wuyi.volunteers.services import LONGEST_TASK

RECOMMEND_HORIZON = dt.timedelta(days=14)
LIVE_STATUSES = {ClaimStatus.ACTIVE, ClaimStatus.DONE}  # models.LIVE_CLAIM
_PREFIX = {Level.CITY: 0, Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12}


@dataclass(frozen=True)
class Match:
    """A recommended task (``task``) or a suggested volunteer (``volunteer``), its score and the reasons as
    (code, English text); pages translate the codes."""

    score: int
    reasons: tuple[Reason, ...]
    task: Task | None = None
    volunteer: Volunteer | None = None


def _prefix(community_code: str, within: str) -> str:
    if within not in _PREFIX:
        raise DomainError("invalid_level", f"within is one of {', '.join(_PREFIX)}", "within")
    return community_code[:_PREFIX[within]]


def _task_facts(task: Task, community_code: str) -> TaskFacts:
    return TaskFacts(task.pk, community_code, task.starts_at, task.ends_at, frozenset(task.skills or ()))


def _live_on_schedule() -> Q:
    """Claims that hold the volunteer's time: live, on a task that was not cancelled."""
    return LIVE_CLAIM & ~Q(task__status=TaskStatus.CANCELLED)


def recommend_tasks(volunteer: Volunteer, now: dt.datetime | None = None, limit: int = 10,
                    within: str = Level.DISTRICT) -> list[Match]:
    """The open tasks ``volunteer`` could claim, best first (three queries)."""
    now = now or timezone.now()
    home = volunteer.community.code
    held = list(Claim.objects.filter(_live_on_schedule(), volunteer=volunteer, task__ends_at__gt=now)
                .values_list("task_id", "task__starts_at", "task__ends_at"))
    facts = VolunteerFacts(
        volunteer.pk, home, frozenset(volunteer.skills or ()), volunteer.availability or {},
        busy=tuple((start, end) for _, start, end in held),
        claimed=frozenset(task_id for task_id, *_ in held))
    tasks = {t.pk: t for t in (
        Task.objects.filter(code_range("community__code", _prefix(home, within)), status=TaskStatus.OPEN,
                            starts_at__gt=now, starts_at__lte=now + RECOMMEND_HORIZON,
                            taken__lt=F("capacity"))
        .select_related("community", "compound", "gate", "service_centre"))}
    ranked = match_rules.rank_tasks(facts, (_task_facts(t, t.community.code) for t in tasks.values()), limit)
    return [Match(r.score, r.reasons, task=tasks[r.id]) for r in ranked]


def suggest_volunteers(task: Task, limit: int = 10, now: dt.datetime | None = None,
                       within: str = Level.DISTRICT) -> list[Match]:
    """The volunteers to ask for an unfilled task, best first, fairness included (five queries: the task, the
    overlapping claims, the recent service summed per volunteer, the volunteers' facts, the chosen ones)."""
    now = now or timezone.now()
    task = Task.objects.select_related("community").filter(pk=task.pk).first()
    if task is None or task.status != TaskStatus.OPEN or task.ends_at <= now:
        raise DomainError("closed", "this task takes no more claims", "task", 409)
    if task.taken >= task.capacity:
        raise DomainError("full", "every slot of this task is taken", "task", 409)
    prefix = _prefix(task.community.code, within)
    # Claims are found through their task (the tasks overlapping this one start in a range bounded by
    # LONGEST_TASK) or their volunteer (a subquery of the pool's ids), and their status is tested here or left
    # out: with a status condition in the WHERE, SQLite scans the (status, …) index over the whole city instead
    # (150 ms against 2 ms on the demo's 245,000 claims).
    pool = Q(volunteer__in=Volunteer.objects.filter(code_range("community__code", prefix)).values("pk"))
    overlapping = Task.objects.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLOSED, TaskStatus.DONE],
                                      starts_at__lt=task.ends_at, starts_at__gt=task.starts_at - LONGEST_TASK,
                                      ends_at__gt=task.starts_at).values("pk")
    busy: dict[int, list[match_rules.Window]] = defaultdict(list)
    claimed: dict[int, set[int]] = defaultdict(set)
    for volunteer_id, task_id, status, starts_at, ends_at in (
            Claim.objects.filter(pool, task__in=overlapping).order_by()
            .values_list("volunteer_id", "task_id", "status", "task__starts_at", "task__ends_at")):
        if status in LIVE_STATUSES:
            busy[volunteer_id].append((starts_at, ends_at))
            claimed[volunteer_id].add(task_id)
    # Confirmed in the window: done claims, and no-shows, which add no hours and no participations.
    served = {row["volunteer_id"]: (float(row["spent"] or 0), int(row["times"] or 0)) for row in (
        Claim.objects.filter(pool, confirmed_at__lte=now,
                             confirmed_at__gt=now - dt.timedelta(days=match_rules.FAIRNESS_DAYS))
        .order_by().values("volunteer_id").annotate(spent=Sum("hours"), times=Sum("participations")))}
    volunteers = (
        VolunteerFacts(pk, code, frozenset(skills or ()), availability or {}, tuple(busy[pk]),
                       frozenset(claimed[pk]), *served.get(pk, (0.0, 0)))
        for pk, code, skills, availability in Volunteer.objects.filter(code_range("community__code", prefix))
        .order_by().values_list("pk", "community__code", "skills", "availability").iterator(chunk_size=2000)
    )
    ranked = match_rules.rank_volunteers(_task_facts(task, task.community.code), volunteers, now, limit)
    found = Volunteer.objects.select_related("person", "community").in_bulk([r.id for r in ranked])
    return [Match(r.score, r.reasons, volunteer=found[r.id]) for r in ranked if r.id in found]
