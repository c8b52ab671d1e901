"""The campaign's synthetic history (issue 6): inspections of every compound of the city against the measures
catalogue in force, rectifications, re-inspections, demonstration compounds at every stage of approval, and
records of the ten actions. For the demo and for a city-scale benchmark (~700 communities, ~6,600 compounds).

Everything here is chosen (synthetic, never real):

- Every compound is inspected once, 20 to 40 days before ``today``. ``FULLY_COMPLIANT_SHARE`` pass every item
  (a measure that does not apply, such as residents still in Hubei, is marked not applicable now and then); the
  others fail one or two items, each opening a rectification due seven days later.
- ``REINSPECTED_SHARE`` of the compounds with failures are re-inspected 3 to 10 days later, all items passing:
  their rectifications are closed by the re-inspection. The others keep them open (some overdue).
- In ``APPROVED_SHARE`` of the communities one eligible compound (epidemic-free today, latest inspection fully
  compliant) is an approved demonstration compound; ``PENDING_SHARE`` have one waiting at the community, street
  or district level; the rest have none yet.
- Each community holds 0 to 3 activities of each of the ten actions in the 30 days before ``today``.

Rows are written with ``bulk_create`` in batches (ids come back from the database), never one query per row; the
same seed, ``today`` and city give the same rows (ids aside). ``replace`` first deletes every inspection,
rectification, demonstration case and activity record (the catalogues and criteria stay).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from wuyi.campaign.models import (
    ActivityPhoto,
    ActivityRecord,
    ApprovalLevel,
    Decision,
    Demonstration,
    DemonstrationApproval,
    DemonstrationCheck,
    DemonstrationStatus,
    Inspection,
    InspectionResult,
    MeasureCatalogue,
    Rectification,
    RectificationStatus,
    ResultValue,
    TenAction,
)
from wuyi.campaign.services import RECTIFICATION_DAYS
from wuyi.places.models import Area, Level
from wuyi.synth.bulk import Progress, create_in_batches

LOCAL = ZoneInfo("Asia/Shanghai")
BATCH = 2000
FULLY_COMPLIANT_SHARE = 0.8
NOT_APPLICABLE_SHARE = 0.1  # of compliant compounds, one item does not apply
REINSPECTED_SHARE = 0.6
APPROVED_SHARE = 0.75
PENDING_SHARE = 0.1
FIRST_INSPECTION_DAYS = (20, 40)
REINSPECTION_AFTER = (3, 10)
ACTIVITY_DAYS = 30
ACTIVITIES_PER_ACTION = (0, 3)
PARTICIPANTS = (5, 120)
PLACES = ("党群服务中心", "小区广场", "社区活动室", "小区出入口", "线上")
FAILURE_NOTES = ("出入口未设检查登记卡", "体温检测记录不全", "出租屋租户未登记", "外来人员进入未登记",
                 "返深人员排查不全", "隔离人员台账不清")
PENDING_STATUSES = (DemonstrationStatus.NOMINATED, DemonstrationStatus.COMMUNITY_APPROVED,
                    DemonstrationStatus.STREET_APPROVED)
LEVELS_BEFORE = {
    DemonstrationStatus.NOMINATED: [],
    DemonstrationStatus.COMMUNITY_APPROVED: [ApprovalLevel.COMMUNITY],
    DemonstrationStatus.STREET_APPROVED: [ApprovalLevel.COMMUNITY, ApprovalLevel.STREET],
    DemonstrationStatus.APPROVED: [ApprovalLevel.COMMUNITY, ApprovalLevel.STREET, ApprovalLevel.DISTRICT],
}


def delete_campaign() -> dict[str, int]:
    """Delete every inspection, rectification, demonstration case and activity record, children first, one
    statement per table."""
    counts = {}
    for model in (ActivityPhoto, ActivityRecord, DemonstrationCheck, DemonstrationApproval, Demonstration,
                  Rectification, InspectionResult):
        counts[model._meta.model_name] = model.objects.all()._raw_delete(connection.alias)
    Inspection.objects.filter(previous__isnull=False).update(previous=None)
    counts["inspection"] = Inspection.objects.all()._raw_delete(connection.alias)
    return counts


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), LOCAL)


@transaction.atomic
def build_campaign(seed: int = 2020, *, today: dt.date | None = None, replace: bool = True,
                   progress: Progress | None = None) -> dict[str, int]:
    """Write the campaign's history for every compound and community of the city; the counts of what was written."""
    from wuyi.health import compound_service

    report = progress or (lambda stage, done, total: None)
    today = today or timezone.localdate()
    rng = random.Random(seed)
    if replace:
        delete_campaign()
    catalogue = (MeasureCatalogue.objects.filter(effective_from__lte=today).order_by("-effective_from", "-pk").first()
                 or MeasureCatalogue.objects.order_by("pk").first())
    if catalogue is None:
        return {"inspections": 0}
    measures = list(catalogue.measures.order_by("position").values_list("pk", flat=True))
    compounds = list(Area.objects.filter(level=Level.COMPOUND).order_by("code").values_list("pk", "code", "parent_id"))
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code").values_list("pk", "code"))

    # ---- first inspections ----
    plans = []  # (compound pk, code, community pk, first day, failed measures, not-applicable measure, reinspect day)
    for pk, code, community in compounds:
        first = today - dt.timedelta(days=rng.randint(*FIRST_INSPECTION_DAYS))
        failed: list[int] = []
        na = None
        if rng.random() < FULLY_COMPLIANT_SHARE:
            if rng.random() < NOT_APPLICABLE_SHARE and len(measures) > 1:
                na = rng.choice(measures)
        else:
            failed = sorted(rng.sample(measures, min(len(measures), rng.randint(1, 2))))
        again = None
        if failed and rng.random() < REINSPECTED_SHARE:
            again = min(today, first + dt.timedelta(days=rng.randint(*REINSPECTION_AFTER)))
        plans.append((pk, code, community, first, failed, na, again))

    def inspection(pk, day, failed, na, previous=None):
        judged = len(measures) - (1 if na else 0)
        passed = judged - len(failed)
        return Inspection(compound_id=pk, catalogue=catalogue, inspected_on=day, previous=previous, passed=passed,
                          failed=len(failed), not_applicable=1 if na else 0,
                          score=passed / judged if judged else 0.0, fully_compliant=not failed)

    firsts = create_in_batches(Inspection, [inspection(p[0], p[3], p[4], p[5]) for p in plans], report, "inspections", BATCH)

    def results_of(ins: Inspection, failed, na) -> list[InspectionResult]:
        out = []
        for m in measures:
            if m in failed:
                out.append(InspectionResult(inspection=ins, measure_id=m, result=ResultValue.FAILED,
                                            note=rng.choice(FAILURE_NOTES)))
            elif m == na:
                out.append(InspectionResult(inspection=ins, measure_id=m, result=ResultValue.NOT_APPLICABLE))
            else:
                out.append(InspectionResult(inspection=ins, measure_id=m, result=ResultValue.PASSED))
        return out

    first_results = []
    for ins, plan in zip(firsts, plans, strict=True):
        first_results += results_of(ins, plan[4], plan[5])
    first_results = create_in_batches(InspectionResult, first_results, report, "inspection results", BATCH)

    # ---- re-inspections, then the rectifications (closed by them or still open) ----
    redo = [(ins, plan) for ins, plan in zip(firsts, plans, strict=True) if plan[6] is not None]
    seconds = create_in_batches(Inspection, [inspection(plan[0], plan[6], [], None, previous=ins)
                                             for ins, plan in redo], report, "re-inspections", BATCH)
    second_of = {ins.pk: second for (ins, _plan), second in zip(redo, seconds, strict=True)}
    second_results = []
    for second in seconds:
        second_results += results_of(second, [], None)
    create_in_batches(InspectionResult, second_results, report, "re-inspection results", BATCH)
    rectifications = []
    for r in first_results:
        if r.result != ResultValue.FAILED:
            continue
        ins = r.inspection
        closing = second_of.get(ins.pk)
        rectifications.append(Rectification(
            inspection=ins, result=r, compound_id=ins.compound_id, measure_id=r.measure_id, description=r.note,
            due_on=ins.inspected_on + dt.timedelta(days=RECTIFICATION_DAYS),
            status=RectificationStatus.DONE if closing else RectificationStatus.OPEN, closed_by=closing))
    create_in_batches(Rectification, rectifications, report, "rectifications", BATCH)

    # ---- demonstration compounds ----
    free = {code for code, s in compound_service.statuses(Area.objects.get(level=Level.CITY), today).items()
            if s.status == "epidemic_free"} if Area.objects.filter(level=Level.CITY).exists() else set()
    eligible_by_community = defaultdict(list)
    for plan in plans:
        fully = not plan[4] or plan[6] is not None  # fully compliant at the latest inspection
        if fully and plan[1] in free:
            eligible_by_community[plan[2]].append(plan)
    cases, approvals_plan = [], []
    for community_pk, _code in communities:
        draw = rng.random()
        eligible = eligible_by_community.get(community_pk)
        if not eligible or draw >= APPROVED_SHARE + PENDING_SHARE:
            continue
        plan = rng.choice(eligible)
        status = DemonstrationStatus.APPROVED if draw < APPROVED_SHARE else rng.choice(PENDING_STATUSES)
        latest = plan[6] or plan[3]
        nominated = min(today, latest + dt.timedelta(days=rng.randint(1, 5)))
        steps = [min(today, nominated + dt.timedelta(days=i + 1)) for i in range(len(LEVELS_BEFORE[status]))]
        cases.append(Demonstration(compound_id=plan[0], community_id=community_pk, status=status,
                                   nominated_at=_moment(nominated, 10),
                                   approved_at=_moment(steps[-1], 16) if status == DemonstrationStatus.APPROVED
                                   else None))
        approvals_plan.append(list(zip(LEVELS_BEFORE[status], steps, strict=True)))
    cases = create_in_batches(Demonstration, cases, report, "demonstration compounds", BATCH)
    approvals = [DemonstrationApproval(demonstration=case, level=level, decision=Decision.APPROVE, at=_moment(day, 16))
                 for case, steps in zip(cases, approvals_plan, strict=True) for level, day in steps]
    create_in_batches(DemonstrationApproval, approvals, report, "approvals", BATCH)

    # ---- ten actions ----
    activities = []
    for community_pk, _code in communities:
        for action in TenAction.values:
            for _ in range(rng.randint(*ACTIVITIES_PER_ACTION)):
                activities.append(ActivityRecord(
                    community_id=community_pk, action=action,
                    held_on=today - dt.timedelta(days=rng.randint(0, ACTIVITY_DAYS - 1)),
                    place=rng.choice(PLACES), participants=rng.randint(*PARTICIPANTS)))
    create_in_batches(ActivityRecord, activities, report, "activity records", BATCH)

    return {
        "inspections": len(firsts) + len(seconds),
        "reinspections": len(seconds),
        "inspection_results": len(first_results) + len(second_results),
        "rectifications": len(rectifications),
        "open_rectifications": sum(1 for r in rectifications if r.status == RectificationStatus.OPEN),
        "demonstrations": len(cases),
        "approved_demonstrations": sum(1 for c in cases if c.status == DemonstrationStatus.APPROVED),
        "approvals": len(approvals),
        "activity_records": len(activities),
    }
