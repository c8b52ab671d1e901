"""The volunteer platform's operations: publish, claim, cancel, check in and out, confirm, wishes, shift
series, thanks. Each is one transaction and raises DomainError on bad input.

Claims never exceed capacity (DESIGN.md §4): inside one transaction a conditional UPDATE moves ``taken``
(``filter(pk=…, status=OPEN, taken__lte=capacity - n).update(taken=F("taken") + n)``; 0 rows: full), then the
claim row is written in a savepoint under the partial unique constraint (one live claim per volunteer and task),
its IntegrityError turned into "already claimed" and the slots given back by rolling the whole transaction back.
PostgreSQL re-checks the WHERE of a waiting UPDATE; SQLite runs with IMMEDIATE transactions, so writers queue.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wuyi.accounts.models import User
from wuyi.errors import DomainError, NotFound
from wuyi.places.models import Area, Gate, Level, ServiceCentre
from wuyi.text import is_mobile_phone
from wuyi.volunteers import notify
from wuyi.volunteers.models import (
    LIVE_CLAIM,
    Claim,
    ClaimStatus,
    Skill,
    Task,
    TaskKind,
    TaskStatus,
    Team,
    TeamMember,
    Thanks,
    Volunteer,
    Wish,
    WishStatus,
)

MAX_SLOTS = 500
LONGEST_TASK = dt.timedelta(hours=24)
HOURS_PLACES = Decimal("0.01")


class Full(DomainError):
    status = 409

    def __init__(self):
        super().__init__("full", "every slot of this task is taken", "slots")


# ---- publishing --------------------------------------------------------------------------------------------


@dataclass
class TaskInput:
    kind: str
    title: str
    community_code: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    description: str = ""
    compound_code: str = ""
    gate_code: str = ""
    service_centre_code: str = ""
    skills: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_phone: str = ""
    cancel_hours: int = 2


def _check_task(data: TaskInput, now: dt.datetime) -> dict:
    if data.kind not in TaskKind.values:
        raise DomainError("invalid_kind", f"kind must be one of {', '.join(TaskKind.values)}", "kind")
    title = (data.title or "").strip()
    if not 1 <= len(title) <= 100:
        raise DomainError("invalid_title", "a title has 1 to 100 characters", "title")
    community = Area.objects.filter(code=data.community_code, level=Level.COMMUNITY).first()
    if community is None:
        raise DomainError("unknown_community", "no community has this code", "community_code")
    for moment, name in ((data.starts_at, "starts_at"), (data.ends_at, "ends_at")):
        if moment is None or timezone.is_naive(moment):
            raise DomainError("invalid_time", "give the date and time", name)
    if data.ends_at <= data.starts_at:
        raise DomainError("dates_out_of_order", "a task ends after it starts", "ends_at")
    if data.ends_at - data.starts_at > LONGEST_TASK:
        raise DomainError("task_too_long", "a task lasts at most a day: publish a series for longer", "ends_at")
    if data.ends_at <= now:
        raise DomainError("task_past", "the task is already over", "ends_at")
    if not 1 <= int(data.capacity) <= MAX_SLOTS:
        raise DomainError("invalid_capacity", f"a task has 1 to {MAX_SLOTS} slots", "capacity")
    unknown = [s for s in data.skills if s not in Skill.values]
    if unknown:
        raise DomainError("invalid_skill", f"unknown skill: {unknown[0]}", "skills")
    place: dict = {}
    if data.compound_code:
        place["compound"] = Area.objects.filter(code=data.compound_code, level=Level.COMPOUND,
                                                code__startswith=community.code).first()
        if place["compound"] is None:
            raise DomainError("unknown_compound", "no compound of this community has this code", "compound_code")
    if data.gate_code:
        place["gate"] = Gate.objects.filter(code=data.gate_code, compound__code__startswith=community.code).first()
        if place["gate"] is None:
            raise DomainError("unknown_gate", "no gate of this community has this code", "gate_code")
    if data.service_centre_code:
        place["service_centre"] = ServiceCentre.objects.filter(code=data.service_centre_code).first()
        if place["service_centre"] is None:
            raise DomainError("unknown_service_centre", "no service centre has this code", "service_centre_code")
    return {"community": community, "title": title, **place}


def publish(data: TaskInput, by: User | None, team: Team | None = None, now: dt.datetime | None = None,
            series: str = "") -> Task:
    now = now or timezone.now()
    checked = _check_task(data, now)
    return Task.objects.create(
        kind=data.kind, description=(data.description or "")[:2000], starts_at=data.starts_at, ends_at=data.ends_at,
        capacity=int(data.capacity), skills=list(dict.fromkeys(data.skills)), contact_name=data.contact_name[:60],
        contact_phone=data.contact_phone[:20], cancel_hours=max(0, int(data.cancel_hours)), published_by=by,
        team=team, series=series, **checked,
    )


@transaction.atomic
def publish_series(data: TaskInput, days: int, by: User | None, now: dt.datetime | None = None) -> list[Task]:
    """The same shift every day for ``days`` days from ``data``'s first start (gate duty 08:00–12:00 for 14 days)."""
    if not 1 <= days <= 60:
        raise DomainError("invalid_days", "a series runs 1 to 60 days", "days")
    series = secrets.token_hex(6)
    tasks = []
    for day in range(days):
        shift = dt.timedelta(days=day)
        tasks.append(publish(TaskInput(**{**data.__dict__, "starts_at": data.starts_at + shift,
                                          "ends_at": data.ends_at + shift}), by, now=now, series=series))
    return tasks


# ---- claims ------------------------------------------------------------------------------------------------


def _volunteer_of(user: User) -> Volunteer:
    volunteer = Volunteer.objects.filter(person_id=user.person_id).first() if user.person_id else None
    if volunteer is None:
        raise DomainError("not_a_volunteer", "sign up as a volunteer first", "volunteer", 403)
    return volunteer


def claim(task_id: int, volunteer: Volunteer, *, team: Team | None = None, slots: int = 1,
          now: dt.datetime | None = None) -> Claim:
    """Claim ``slots`` slots (1 for a volunteer; N for a team, by its leader). Never over capacity."""
    now = now or timezone.now()
    if not 1 <= slots <= MAX_SLOTS:
        raise DomainError("invalid_slots", f"claim 1 to {MAX_SLOTS} slots", "slots")
    if team is not None:
        if team.leader_id != volunteer.pk:
            raise DomainError("not_the_leader", "only the team's leader claims for it", "team", 403)
        members = TeamMember.objects.filter(team=team, status="active").count()
        if slots > members:
            raise DomainError("too_many_slots", "a team claims at most as many slots as it has members", "slots")
    elif slots != 1:
        raise DomainError("invalid_slots", "a volunteer claims one slot", "slots")
    with transaction.atomic():
        moved = Task.objects.filter(pk=task_id, status=TaskStatus.OPEN, ends_at__gt=now,
                                    taken__lte=F("capacity") - slots).update(taken=F("taken") + slots)
        if moved == 0:
            task = Task.objects.filter(pk=task_id).first()
            if task is None:
                raise NotFound("task", "task_id")
            if task.status != TaskStatus.OPEN or task.ends_at <= now:
                raise DomainError("closed", "this task takes no more claims", "task_id", 409)
            if Claim.objects.filter(LIVE_CLAIM, task_id=task_id, volunteer=volunteer).exists():
                raise DomainError("already_claimed", "you already hold a slot of this task", "task_id", 409)
            raise Full()
        try:
            with transaction.atomic():
                made = Claim.objects.create(task_id=task_id, volunteer=volunteer, team=team, slots=slots)
        except IntegrityError:
            transaction.set_rollback(True)
            raise DomainError("already_claimed", "you already hold a slot of this task", "task_id", 409) from None
        notify.claimed(made)
    return made


def cancel(claim_id: int, volunteer: Volunteer, now: dt.datetime | None = None) -> Claim:
    """Give a claim back until ``cancel_hours`` before the start; after that it is refused and the publisher
    must be called (and is told: that notice is written in a transaction of its own, so the refusal does not
    take it back)."""
    now = now or timezone.now()
    with transaction.atomic():
        c = Claim.objects.select_for_update().select_related("task").filter(pk=claim_id, volunteer=volunteer).first()
        if c is None:
            raise NotFound("claim", "claim_id")
        if c.status != ClaimStatus.ACTIVE:
            raise DomainError("not_active", "this claim is not active", "claim_id", 409)
        late = now > c.task.starts_at - dt.timedelta(hours=c.task.cancel_hours)
        if not late:
            c.status, c.cancelled_at = ClaimStatus.CANCELLED, now
            c.save(update_fields=["status", "cancelled_at"])
            Task.objects.filter(pk=c.task_id).update(taken=F("taken") - c.slots)
            notify.cancelled(c)
            return c
    with transaction.atomic():
        notify.late_cancel_attempt(c)
    raise DomainError("too_late", "it is too late to cancel online: call the publisher", "claim_id", 409)


def _hours(start: dt.datetime, end: dt.datetime) -> Decimal:
    return (Decimal((end - start).total_seconds()) / Decimal(3600)).quantize(HOURS_PLACES)


@transaction.atomic
def check_in(token: str, volunteer: Volunteer, now: dt.datetime | None = None) -> Claim:
    """Check in by scanning the task's QR at the place (its token), within an hour of the start."""
    now = now or timezone.now()
    task = Task.objects.filter(checkin_token=token).first()
    if task is None:
        raise DomainError("unknown_task", "this QR is not a task's", "token", 404)
    c = Claim.objects.select_for_update().filter(task=task, volunteer=volunteer, status=ClaimStatus.ACTIVE).first()
    if c is None:
        raise DomainError("no_claim", "you hold no slot of this task", "token", 409)
    if not task.starts_at - dt.timedelta(hours=1) <= now <= task.ends_at:
        raise DomainError("not_now", "check in from an hour before the start until the end", "token", 409)
    if c.checked_in_at is None:
        c.checked_in_at = now
        c.save(update_fields=["checked_in_at"])
    return c


@transaction.atomic
def check_out(token: str, volunteer: Volunteer, now: dt.datetime | None = None) -> Claim:
    now = now or timezone.now()
    c = (Claim.objects.select_for_update().select_related("task")
         .filter(task__checkin_token=token, volunteer=volunteer, status=ClaimStatus.ACTIVE).first())
    if c is None or c.checked_in_at is None:
        raise DomainError("not_checked_in", "check in first", "token", 409)
    c.checked_out_at = max(now, c.checked_in_at)
    c.save(update_fields=["checked_out_at"])
    return c


@transaction.atomic
def confirm(claim_id: int, by: User | None, present: bool = True, now: dt.datetime | None = None) -> Claim:
    """The publisher confirms completion: hours (from check-in/out, else the task's window, bounded by it) and
    participations (人次: the slots) go to the ledger; or marks a no-show."""
    now = now or timezone.now()
    c = Claim.objects.select_for_update().select_related("task").filter(pk=claim_id).first()
    if c is None:
        raise NotFound("claim", "claim_id")
    if c.status != ClaimStatus.ACTIVE:
        raise DomainError("not_active", "this claim is not active", "claim_id", 409)
    task = c.task
    if now < task.starts_at:
        raise DomainError("not_started", "confirm once the task has started", "claim_id", 409)
    if present:
        start = max(c.checked_in_at or task.starts_at, task.starts_at)
        end = min(c.checked_out_at or task.ends_at, task.ends_at)
        c.hours = _hours(start, end) * c.slots if end > start else Decimal(0)
        c.participations = c.slots
        c.status = ClaimStatus.DONE
    else:
        c.status = ClaimStatus.NO_SHOW
    c.confirmed_at = now
    c.save(update_fields=["hours", "participations", "status", "confirmed_at"])
    if not Claim.objects.filter(task=task, status=ClaimStatus.ACTIVE).exists() and now >= task.ends_at:
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    return c


@transaction.atomic
def thank(claim_id: int, by: User | None, text: str) -> Thanks:
    text = (text or "").strip()
    if not 1 <= len(text) <= 200:
        raise DomainError("invalid_text", "say thanks in 1 to 200 characters", "text")
    c = Claim.objects.filter(pk=claim_id, status=ClaimStatus.DONE).first()
    if c is None:
        raise DomainError("not_done", "thank a volunteer for a completed task", "claim_id", 404)
    thanks = Thanks.objects.create(claim=c, by=by, text=text)
    notify.thanked(thanks)
    return thanks


# ---- wishes ------------------------------------------------------------------------------------------------


@transaction.atomic
def review_wish(wish_id: int, approve: bool, by: User | None, reason: str = "", title: str = "",
                now: dt.datetime | None = None) -> Wish:
    """The community approves a wish (it becomes a one-slot task, contact given only to the claimant) or rejects
    it with a reason."""
    now = now or timezone.now()
    wish = Wish.objects.select_for_update().select_related("household", "person").filter(pk=wish_id).first()
    if wish is None:
        raise NotFound("wish", "wish_id")
    if wish.status != WishStatus.PENDING:
        raise DomainError("already_reviewed", "this wish has already been reviewed", "wish_id", 409)
    if approve:
        starts = max(now, wish.needed_by - dt.timedelta(hours=4))
        ends = max(wish.needed_by, starts + dt.timedelta(hours=1))
        # The task is public; the wish's own words may say who is ill or quarantined, so the title is the kind
        # alone and the words stay on the wish, shown with the contact to the claimant (and the community).
        public_title = (title or "").strip() or _("A resident's wish: %(kind)s") % {
            "kind": TaskKind(wish.kind).label}
        wish.task = publish(TaskInput(
            kind=wish.kind, title=public_title[:100], description="", community_code=wish.community.code,
            compound_code=wish.household.compound_code, starts_at=starts, ends_at=ends, capacity=1,
            contact_name=wish.person.masked_name, contact_phone=wish.contact_phone, cancel_hours=0,
        ), by, now=now)
        wish.status = WishStatus.APPROVED
    else:
        if not reason.strip():
            raise DomainError("reason_required", "say why the wish is rejected", "reason")
        wish.status, wish.reason = WishStatus.REJECTED, reason.strip()[:200]
    wish.reviewed_by = by
    wish.save(update_fields=["task", "status", "reason", "reviewed_by"])
    return wish


# ---- volunteers and wishes ------------------------------------------------------------------------------------

LANGUAGES = ("zh", "yue", "en", "hak", "teo", "ja", "ko", "fr", "de", "es", "ru", "ar")  # Mandarin, Cantonese, …
WEEKDAYS = range(7)


def _availability(raw: dict) -> dict:
    """{weekday: [[start hour, end hour), …]} with 0 = Monday; hours 0–24, start before end."""
    clean: dict[str, list[list[int]]] = {}
    if not isinstance(raw, dict):
        raise DomainError("invalid_availability", "availability maps weekdays to hour ranges", "availability")
    for day, ranges in raw.items():
        if str(day) not in {str(d) for d in WEEKDAYS} or not isinstance(ranges, list):
            raise DomainError("invalid_availability", "weekdays are 0 (Monday) to 6", "availability")
        for pair in ranges:
            if (not isinstance(pair, list | tuple) or len(pair) != 2 or not all(isinstance(h, int) for h in pair)
                    or not 0 <= pair[0] < pair[1] <= 24):
                raise DomainError("invalid_availability", "an hour range is [start, end) within 0–24",
                                  "availability")
            clean.setdefault(str(day), []).append([pair[0], pair[1]])
    return clean


@transaction.atomic
def register_volunteer(person, community_code: str, *, skills=(), languages=("zh",), availability=None,
                       party_member: bool = False) -> Volunteer:
    """A verified resident signs up as a volunteer (or updates their profile)."""
    if not person.verified:
        raise DomainError("not_verified", "only a verified resident can volunteer: declare yourself first", "person")
    community = Area.objects.filter(code=community_code, level=Level.COMMUNITY).first()
    if community is None:
        raise DomainError("unknown_community", "no community has this code", "community_code")
    unknown = [s for s in skills if s not in Skill.values]
    if unknown:
        raise DomainError("invalid_skill", f"unknown skill: {unknown[0]}", "skills")
    odd = [lang for lang in languages if lang not in LANGUAGES]
    if odd:
        raise DomainError("invalid_language", f"unknown language: {odd[0]}", "languages")
    volunteer, _ = Volunteer.objects.update_or_create(person=person, defaults={
        "community": community, "skills": list(dict.fromkeys(skills)), "languages": list(dict.fromkeys(languages)),
        "availability": _availability(availability or {}), "party_member": bool(party_member)})
    return volunteer


@transaction.atomic
def submit_wish(person, text: str, needed_by: dt.datetime, contact_phone: str, kind: str = TaskKind.DELIVERY,
                now: dt.datetime | None = None) -> Wish:
    """A resident's wish (微心愿) for their household, to be reviewed by the community."""
    from wuyi.people.models import Membership

    now = now or timezone.now()
    text = (text or "").strip()
    if not 1 <= len(text) <= 300:
        raise DomainError("invalid_text", "say what is needed in 1 to 300 characters", "text")
    if kind not in TaskKind.values:
        raise DomainError("invalid_kind", "unknown kind", "kind")
    if needed_by is None or timezone.is_naive(needed_by) or needed_by <= now:
        raise DomainError("invalid_time", "needed by a moment to come", "needed_by")
    phone = (contact_phone or "").strip()
    if not is_mobile_phone(phone):
        raise DomainError("invalid_phone", "a mobile number has 11 digits and starts with 1", "contact_phone")
    home = Membership.objects.filter(person=person, moved_out__isnull=True).select_related("household").first()
    if home is None:
        raise DomainError("no_household", "only a resident with a household can post a wish", "person")
    community = Area.objects.get(code=home.household.code[:12], level=Level.COMMUNITY)
    return Wish.objects.create(person=person, household=home.household, community=community, kind=kind, text=text,
                               needed_by=needed_by, contact_phone=phone)
