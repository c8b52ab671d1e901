"""Workforce API, mounted at /api/workforce/: workers (list, create), shifts (create, with 409 on double booking),
the coverage report, and the figures of an area.

Workers are personal data: the list goes through ``scope`` and phones through ``phone_for``. A place or an area
outside the caller's node is a 403 ``outside_area``; a worker outside it is a 404, so the API never says it exists.
"""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from wuyi.accounts.audit import client_ip, record_many
from wuyi.accounts.scoping import phone_for, scope
from wuyi.places.models import Area, code_range
from wuyi.places.schemas import AREA_CODE, MAX_ID, Error, Paging, Text, page
from wuyi.workforce import reports, services, stats
from wuyi.workforce.models import Period, Worker, WorkerKind, period_at

router = Router(tags=["workforce"])

DENIED = {401: Error, 403: Error, 404: Error}
REFUSED = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error}

WorkerKindName = Literal[tuple(WorkerKind.values)]
PeriodName = Literal[tuple(Period.values)]
TargetKind = Literal["compound", "gate", "checkpoint", "service_centre"]


class WorkerIn(Schema):
    name: Text = Field(..., min_length=1, max_length=60)
    kind: WorkerKindName
    area_code: str = Field(..., pattern=AREA_CODE)
    phone: str = Field("", max_length=11)
    unit: Text = Field("", max_length=100)
    group_id: int | None = Field(None, ge=1, le=MAX_ID)
    party_member: bool = False
    active: bool = True


class WorkerOut(Schema):
    id: int
    name: str
    kind: str
    phone: str
    unit: str
    area_code: str
    area_name: str
    group_id: int | None
    party_member: bool
    active: bool


class WorkerPage(Schema):
    count: int
    items: list[WorkerOut]


class ShiftIn(Schema):
    worker_id: int = Field(..., ge=1, le=MAX_ID)
    on: dt.date
    period: PeriodName
    target_kind: TargetKind
    target_code: str = Field(..., min_length=1, max_length=20)


class ShiftOut(Schema):
    id: int
    worker_id: int
    on: dt.date
    period: str
    target_kind: str
    target_code: str


class GapOut(Schema):
    kind: str
    code: str
    name: str
    where: str
    where_code: str


class CoverageOut(Schema):
    area_code: str
    area_name: str
    on: dt.date
    period: str
    gates: int
    checkpoints: int
    count: int
    items: list[GapOut]


def worker_out(user, w: Worker) -> dict:
    return {"id": w.pk, "name": w.name, "kind": w.kind, "phone": phone_for(user, w.phone), "unit": w.unit,
            "area_code": w.area.code, "area_name": w.area.name, "group_id": w.group_id,
            "party_member": w.party_member, "active": w.active}


def _area(request: HttpRequest, code: str | None) -> Area:
    user = request.user
    services.require_worker(user)
    if not code:
        return user.area
    return services.area_of(user, code, "area")


@router.get("/workers", response={200: WorkerPage, **DENIED}, summary="Workers of the caller's area")
def workers(request: HttpRequest, area: str | None = Query(None, pattern=AREA_CODE),
            kind: WorkerKindName | None = None, active: bool | None = True, paging: Query[Paging] = None):
    """Workers deployed beneath the area (the caller's node by default), optionally of one kind."""
    node = _area(request, area)
    rows = scope(request.user, Worker.objects.filter(code_range("area__code", node.prefix))).select_related("area")
    if kind:
        rows = rows.filter(kind=kind)
    if active is not None:
        rows = rows.filter(active=active)
    count, items = page(rows.order_by("pk"), paging)
    people = sorted({w.person_id for w in items if w.person_id})
    if people:
        record_many(request.user, people, "view", "workforce worker list (API)", client_ip(request))
    return {"count": count, "items": [worker_out(request.user, w) for w in items]}


@router.post("/workers", response={201: WorkerOut, **REFUSED}, summary="Add a worker")
def create_worker(request: HttpRequest, body: WorkerIn):
    w = services.create_worker(request.user, services.WorkerInput(**body.dict()))
    return Status(201, worker_out(request.user, w))


@router.post("/shifts", response={201: ShiftOut, **REFUSED}, summary="Book a worker at a place for a period")
def create_shift(request: HttpRequest, body: ShiftIn):
    """409 ``double_booked`` when the worker already has a shift in that period; 403 ``outside_area`` for a place
    outside the caller's area."""
    s = services.assign_shift(request.user, services.ShiftInput(**body.dict()))
    return Status(201, {"id": s.pk, "worker_id": s.worker_id, "on": s.on, "period": s.period,
                        "target_kind": body.target_kind, "target_code": s.target.code})


@router.get("/coverage", response={200: CoverageOut, **DENIED},
            summary="Gates and traffic checkpoints with nobody on a shift")
def coverage(request: HttpRequest, on: dt.date | None = None, period: PeriodName | None = None,
             area: str | None = Query(None, pattern=AREA_CODE)):
    """On ``on`` (default: today) in ``period`` (default: the period running now), beneath the area."""
    node = _area(request, area)
    now = timezone.localtime()
    on = on or now.date()
    period = period or period_at(now.time())
    gaps = reports.uncovered(node, on, period)
    counted = reports.places_counted(node)
    return {"area_code": node.code, "area_name": node.name, "on": on, "period": period, **counted,
            "count": len(gaps), "items": [g.__dict__ for g in gaps]}


@router.get("/figures", response={200: dict[str, int], **DENIED}, summary="Figures of an area")
def figures(request: HttpRequest, area: str | None = Query(None, pattern=AREA_CODE)):
    """Workers by kind, groups by kind, temporary Party organisations and members, shifts today (stats.figures).
    Leaders read the same figures on the dashboard."""
    return stats.figures(_area(request, area).prefix)
