"""The campaign's operations: copy a catalogue, record an inspection (opening and closing rectifications),
nominate a demonstration compound and decide on it level by level, withdraw it, record a ten-actions activity.
Each is one transaction and raises DomainError on bad input or a refused step.

Who may act: workers of an area (city administrator, district, street and community workers) on the compounds
beneath their node; nomination by a community worker of the compound's community; each approval by a worker
holding exactly that community, street or district (DESIGN.md §4, "Scope").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from wuyi.accounts.models import WORKER_ROLES, Role, User
from wuyi.accounts.scoping import can_see_area
from wuyi.campaign import compliance
from wuyi.campaign import demonstration as rules
from wuyi.campaign.models import (
    ActivityPhoto,
    ActivityRecord,
    ApprovalLevel,
    Decision,
    Demonstration,
    DemonstrationApproval,
    DemonstrationCheck,
    DemonstrationCriterion,
    DemonstrationStatus,
    Inspection,
    InspectionResult,
    Measure,
    MeasureCatalogue,
    Rectification,
    RectificationStatus,
    ResultValue,
    TenAction,
)
from wuyi.errors import DomainError, Forbidden, NotFound
from wuyi.places.models import Area, Level

RECTIFICATION_DAYS = 7  # the campaign's default time to put a failed item right; the inspector may set another
MAX_RECTIFICATION_DAYS = 90
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 9  # a WeChat post's nine pictures
MAX_PARTICIPANTS = 100_000
MAX_NOTE = 2000
CAMPAIGN_BEGINS = dt.date(2020, 1, 1)
LEVEL_ROLE = {
    ApprovalLevel.COMMUNITY: Role.COMMUNITY_WORKER,
    ApprovalLevel.STREET: Role.STREET_WORKER,
    ApprovalLevel.DISTRICT: Role.DISTRICT_WORKER,
}
LEVEL_CODE_LENGTH = {ApprovalLevel.COMMUNITY: 12, ApprovalLevel.STREET: 9, ApprovalLevel.DISTRICT: 6}


# ---- who may act ----------------------------------------------------------------------------------------


def worker(user: User) -> User:
    if not (user.is_authenticated and user.role in WORKER_ROLES and user.area_id):
        raise Forbidden("only workers of an area run the campaign")
    return user


def compound_for(user: User, code: str, field: str = "compound_code") -> Area:
    """The compound with this code, if it is beneath the worker's area; NotFound otherwise (no existence leak)."""
    worker(user)
    compound = Area.objects.filter(code=code or "", level=Level.COMPOUND).select_related("parent").first()
    if compound is None or not can_see_area(user, compound.code):
        raise NotFound("compound", field)
    return compound


def community_for(user: User, code: str, field: str = "community_code") -> Area:
    worker(user)
    community = Area.objects.filter(code=code or "", level=Level.COMMUNITY).first()
    if community is None or not can_see_area(user, community.code):
        raise NotFound("community", field)
    return community


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now or timezone.now())


# ---- catalogues -----------------------------------------------------------------------------------------


@transaction.atomic
def copy_catalogue(source_code: str, code: str, title: str, effective_from: dt.date,
                   issued_on: dt.date | None = None) -> MeasureCatalogue:
    """A new version of a catalogue with the same measures, to be edited (e.g. when rules 6–10 are recovered)."""
    source = MeasureCatalogue.objects.filter(code=source_code).first()
    if source is None:
        raise NotFound("catalogue", "source")
    code = (code or "").strip()
    if not code or len(code) > 40:
        raise DomainError("invalid_code", "a catalogue code has 1 to 40 characters", "code")
    if MeasureCatalogue.objects.filter(code=code).exists():
        raise DomainError("code_taken", "a catalogue with this code exists", "code")
    copy = MeasureCatalogue.objects.create(
        code=code, title=(title or source.title)[:200], issued_on=issued_on or source.issued_on,
        effective_from=effective_from, sources=source.sources, note=source.note,
    )
    Measure.objects.bulk_create([
        Measure(catalogue=copy, position=m.position, group=m.group, number=m.number, text=m.text, text_en=m.text_en,
                status=m.status, source=m.source, note=m.note)
        for m in source.measures.order_by("position")
    ])
    return copy


def catalogue_in_force(on: dt.date) -> MeasureCatalogue | None:
    return (MeasureCatalogue.objects.filter(effective_from__lte=on).order_by("-effective_from", "-pk").first()
            or MeasureCatalogue.objects.order_by("effective_from", "pk").first())


# ---- inspections ----------------------------------------------------------------------------------------


@dataclass
class ItemInput:
    measure_id: int
    result: str
    note: str = ""
    photo: object | None = None  # an uploaded file
    due_on: dt.date | None = None  # for a failed item; default inspected_on + RECTIFICATION_DAYS
    publish_task: bool = False  # also publish a volunteer task for the rectification


@dataclass
class InspectionInput:
    compound_code: str
    catalogue_code: str
    inspected_on: dt.date
    items: Sequence[ItemInput] = field(default_factory=list)


def check_photo(photo, field_name: str) -> None:
    """A photo is a real image (Pillow can read it) of at most MAX_PHOTO_BYTES."""
    if photo is None:
        return
    size = getattr(photo, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise DomainError("photo_too_large", f"a photo is at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB", field_name)
    from PIL import Image

    try:
        photo.seek(0)
        with Image.open(photo) as image:
            image.verify()
        photo.seek(0)
    except Exception as exc:  # Pillow raises many kinds for a file that is not an image
        raise DomainError("invalid_photo", "the photo is not an image", field_name) from exc


def open_rectifications(compound: Area):
    return (Rectification.objects.filter(compound=compound, status=RectificationStatus.OPEN)
            .select_related("measure", "inspection").order_by("due_on", "pk"))


def latest_inspection(compound: Area, on: dt.date | None = None) -> Inspection | None:
    qs = Inspection.objects.filter(compound=compound)
    if on is not None:
        qs = qs.filter(inspected_on__lte=on)
    return qs.order_by("-inspected_on", "-pk").first()


@transaction.atomic
def record_inspection(data: InspectionInput, by: User, now: dt.datetime | None = None) -> Inspection:
    """Record an inspection of every measure of the catalogue. Each failed item opens a rectification (unless one
    is open for that measure already); each open rectification whose measure now passes is closed by this one.
    A compound with open rectifications is being re-inspected: ``previous`` is its latest inspection."""
    now = now or timezone.now()
    compound = compound_for(by, data.compound_code)
    catalogue = MeasureCatalogue.objects.filter(code=data.catalogue_code or "").first()
    if catalogue is None:
        raise NotFound("catalogue", "catalogue_code")
    if not isinstance(data.inspected_on, dt.date) or not CAMPAIGN_BEGINS <= data.inspected_on <= _today(now):
        raise DomainError("invalid_date", "an inspection is dated between the campaign's start and today",
                          "inspected_on")
    measures = {m.pk: m for m in catalogue.measures.order_by("position")}
    assessed = compliance.assess(
        list(measures), [compliance.Item(i.measure_id, i.result or "", i.note or "") for i in data.items]
    )
    if assessed.problems:
        first = assessed.problems[0]
        raise DomainError(first.code, first.message, f"measure_{first.measure}")
    if assessed.unanswered:
        missing = next(pk for pk in measures if pk not in {i.measure_id for i in data.items if i.result})
        raise DomainError("unanswered", "answer every measure (passed, failed or not applicable)",
                          f"measure_{missing}")
    by_measure = {i.measure_id: i for i in data.items}
    for item in data.items:
        if len(item.note or "") > MAX_NOTE:
            raise DomainError("note_too_long", f"a note has at most {MAX_NOTE} characters", f"measure_{item.measure_id}")
        check_photo(item.photo, f"photo_{item.measure_id}")
        if item.result == ResultValue.FAILED and item.due_on is not None and not (
            data.inspected_on <= item.due_on <= data.inspected_on + dt.timedelta(days=MAX_RECTIFICATION_DAYS)
        ):
            raise DomainError("invalid_due_date", f"a rectification is due within {MAX_RECTIFICATION_DAYS} days "
                              "of the inspection", f"due_{item.measure_id}")
    still_open = list(open_rectifications(compound).select_for_update())
    previous = latest_inspection(compound) if still_open else None
    inspection = Inspection.objects.create(
        compound=compound, catalogue=catalogue, inspected_on=data.inspected_on, inspected_by=by, previous=previous,
        passed=assessed.passed, failed=assessed.failed, not_applicable=assessed.not_applicable,
        score=assessed.score, fully_compliant=assessed.fully_compliant,
    )
    results = {}
    for pk in measures:
        item = by_measure[pk]
        result = InspectionResult(inspection=inspection, measure_id=pk, result=item.result, note=(item.note or "").strip())
        if item.photo is not None:
            result.photo.save(getattr(item.photo, "name", "photo.jpg") or "photo.jpg", item.photo, save=False)
        result.save()
        results[pk] = result
    open_by_measure = {r.measure_id: r for r in still_open}
    closing = [r for r in still_open if r.measure_id in by_measure and by_measure[r.measure_id].result == ResultValue.PASSED]
    for r in closing:
        r.status, r.closed_by = RectificationStatus.DONE, inspection
    Rectification.objects.bulk_update(closing, ["status", "closed_by"])
    for pk in assessed.failed_measures:
        if pk in open_by_measure:
            continue  # still failing: the rectification already open stays the one to follow
        item = by_measure[pk]
        rectification = Rectification.objects.create(
            inspection=inspection, result=results[pk], compound=compound, measure=measures[pk],
            description=item.note.strip(), due_on=item.due_on or data.inspected_on + dt.timedelta(days=RECTIFICATION_DAYS),
        )
        if item.publish_task:
            rectification.volunteer_task = _publish_task(rectification, by, now)
            rectification.save(update_fields=["volunteer_task"])
    return inspection


def _publish_task(rectification: Rectification, by: User, now: dt.datetime):
    """A volunteer task to help put a failed item right: the next day from 09:00 to 17:00, two people."""
    from zoneinfo import ZoneInfo

    from wuyi.volunteers import services as volunteer_services
    from wuyi.volunteers.models import TaskKind

    day = max(rectification.inspection.inspected_on, timezone.localdate(now)) + dt.timedelta(days=1)
    tz = ZoneInfo("Asia/Shanghai")
    compound = rectification.compound
    return volunteer_services.publish(
        volunteer_services.TaskInput(
            kind=TaskKind.OTHER, title=f"整改：{compound.name} {rectification.measure}"[:100],
            community_code=compound.code[:12], compound_code=compound.code,
            starts_at=dt.datetime.combine(day, dt.time(9), tz), ends_at=dt.datetime.combine(day, dt.time(17), tz),
            capacity=2, description=rectification.description,
        ),
        by, now=now,
    )


# ---- demonstration compounds ----------------------------------------------------------------------------


def facts_for(compound: Area, on: dt.date, ticked: Sequence[str] | None = None,
              demonstration: Demonstration | None = None) -> rules.Facts:
    """What the rule needs to know of a compound on ``on``: its status, its latest inspection, unmet criteria."""
    from wuyi.health import compound_service

    status = compound_service.status_of(compound, on)
    latest = latest_inspection(compound, on)
    active = list(DemonstrationCriterion.objects.filter(active=True).order_by("code").values_list("code", flat=True))
    if ticked is None:
        ticked = list(demonstration.checks.filter(met=True).values_list("criterion__code", flat=True)) \
            if demonstration is not None else []
    return rules.Facts(
        on=on, compound_status=str(status.status), latest_inspected_on=latest.inspected_on if latest else None,
        latest_fully_compliant=bool(latest and latest.fully_compliant), unmet_criteria=rules.unmet(active, ticked),
    )


class NotEligible(DomainError):
    """Refused with the rule's reasons (kept for the pages, which show them in the reader's language)."""

    def __init__(self, verdict: rules.Eligibility, facts: rules.Facts):
        super().__init__("not_eligible", "not eligible: " + verdict.text, "compound_code", status=409)
        self.verdict, self.facts = verdict, facts


def _refuse_if_not_eligible(facts: rules.Facts) -> None:
    verdict = rules.evaluate(facts)
    if not verdict.eligible:
        raise NotEligible(verdict, facts)


@transaction.atomic
def nominate(compound_code: str, by: User, criteria_met: Sequence[str] = (), now: dt.datetime | None = None,
             note: str = "") -> Demonstration:
    """A community nominates one of its compounds; the nomination is refused with the reasons if not eligible."""
    now = now or timezone.now()
    if by.role != Role.COMMUNITY_WORKER:
        raise Forbidden("a community worker nominates the compounds of their community")
    compound = compound_for(by, compound_code)
    active = {c.code: c for c in DemonstrationCriterion.objects.filter(active=True)}
    unknown = [c for c in criteria_met if c not in active]
    if unknown:
        raise DomainError("unknown_criterion", f"no active criterion has the code {unknown[0]}", "criteria_met")
    _refuse_if_not_eligible(facts_for(compound, _today(now), ticked=list(criteria_met)))
    case = Demonstration.objects.select_for_update().filter(compound=compound).first()
    if case is not None and case.status not in (DemonstrationStatus.REJECTED, DemonstrationStatus.WITHDRAWN):
        raise DomainError("already_nominated", f"this compound is already {case.get_status_display()}",
                          "compound_code", status=409)
    if case is None:
        case = Demonstration(compound=compound, community=compound.parent)
    case.status, case.nominated_by, case.nominated_at, case.approved_at = (
        DemonstrationStatus.NOMINATED, by, now, None)
    case.save()
    case.checks.all().delete()
    DemonstrationCheck.objects.bulk_create([
        DemonstrationCheck(demonstration=case, criterion=criterion, met=code in criteria_met)
        for code, criterion in sorted(active.items())
    ])
    return case


def level_of(user: User) -> str | None:
    for level, role in LEVEL_ROLE.items():
        if user.role == role:
            return level
    return None


def may_decide(user: User, case: Demonstration) -> bool:
    level = level_of(user)
    if level is None or not user.area_id:
        return False
    return (user.area.code == case.compound.code[: LEVEL_CODE_LENGTH[level]]
            and rules.step(case.status, level).allowed)


@transaction.atomic
def decide(demonstration_id: int, by: User, decision: str, note: str = "",
           now: dt.datetime | None = None) -> Demonstration:
    """The community, then the street, then the district approves or rejects; an approval re-checks eligibility
    and is refused with the reasons if the compound is no longer eligible. A rejection ends the case."""
    now = now or timezone.now()
    worker(by)
    case = (Demonstration.objects.select_for_update().filter(pk=demonstration_id)
            .select_related("compound").first())
    if case is None or not can_see_area(by, case.compound.code):
        raise NotFound("demonstration compound", "demonstration_id")
    level = level_of(by)
    if level is None or by.area.code != case.compound.code[: LEVEL_CODE_LENGTH[level]]:
        raise Forbidden("a worker of the compound's own community, street or district decides", "decision")
    if decision not in Decision.values:
        raise DomainError("invalid_decision", "a decision is approve or reject", "decision")
    step = rules.step(case.status, level)
    if not step.allowed:
        raise DomainError("out_of_order", step.reason, "decision", status=409)
    if decision == Decision.APPROVE:
        _refuse_if_not_eligible(facts_for(case.compound, _today(now), demonstration=case))
        case.status = step.status_after_approval
        if case.status == DemonstrationStatus.APPROVED:
            case.approved_at = now
    else:
        case.status = DemonstrationStatus.REJECTED
    case.save(update_fields=["status", "approved_at"])
    DemonstrationApproval.objects.create(demonstration=case, level=level, decision=decision, by=by, at=now,
                                         note=(note or "")[:MAX_NOTE])
    return case


@transaction.atomic
def withdraw(demonstration_id: int, by: User) -> Demonstration:
    worker(by)
    case = Demonstration.objects.select_for_update().filter(pk=demonstration_id).select_related("compound").first()
    if case is None or not can_see_area(by, case.compound.code):
        raise NotFound("demonstration compound", "demonstration_id")
    if by.role != Role.COMMUNITY_WORKER:
        raise Forbidden("the community that nominated a compound withdraws it")
    if case.status in (DemonstrationStatus.APPROVED, DemonstrationStatus.REJECTED, DemonstrationStatus.WITHDRAWN):
        raise DomainError("closed", "this case is closed", "demonstration_id", status=409)
    case.status = DemonstrationStatus.WITHDRAWN
    case.save(update_fields=["status"])
    return case


def pending_for(user: User):
    """The cases waiting for a decision at this user's level in their area."""
    level = level_of(user)
    if level is None or not user.area_id:
        return Demonstration.objects.none()
    return (Demonstration.objects.filter(status=rules.WAITING_FOR[level], compound__code__startswith=user.area.code)
            .select_related("compound", "community").order_by("nominated_at", "pk"))


# ---- ten actions ----------------------------------------------------------------------------------------


@dataclass
class ActivityInput:
    community_code: str
    action: str
    held_on: dt.date
    place: str = ""
    participants: int = 0
    description: str = ""
    photos: Sequence[object] = ()


@transaction.atomic
def record_activity(data: ActivityInput, by: User, now: dt.datetime | None = None) -> ActivityRecord:
    community = community_for(by, data.community_code)
    if data.action not in TenAction.values:
        raise DomainError("invalid_action", "choose one of the ten actions", "action")
    if not isinstance(data.held_on, dt.date) or not CAMPAIGN_BEGINS <= data.held_on <= _today(now):
        raise DomainError("invalid_date", "an activity is dated between the campaign's start and today", "held_on")
    try:
        participants = int(data.participants)
    except (TypeError, ValueError):
        participants = -1
    if not 0 <= participants <= MAX_PARTICIPANTS:
        raise DomainError("invalid_participants", f"participants is a number from 0 to {MAX_PARTICIPANTS}",
                          "participants")
    if len(data.photos) > MAX_PHOTOS:
        raise DomainError("too_many_photos", f"at most {MAX_PHOTOS} photos", "photos")
    for photo in data.photos:
        check_photo(photo, "photos")
    record = ActivityRecord.objects.create(
        community=community, action=data.action, held_on=data.held_on, place=(data.place or "")[:200],
        participants=participants, description=(data.description or "")[:MAX_NOTE], created_by=by,
    )
    for photo in data.photos:
        item = ActivityPhoto(record=record)
        item.image.save(getattr(photo, "name", "photo.jpg") or "photo.jpg", photo, save=False)
        item.save()
    return record

