"""Small venues API, mounted at /api/venues/: the registry of the caller's area (limit/offset/count), register a
venue, file a reopening application with the signed pledge, record an inspection. For workers holding an area;
a venue outside it is a 404. Bad input is a 4xx with {code, message, field}."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from wuyi.accounts.scoping import can_see_area
from wuyi.errors import Forbidden, NotFound
from wuyi.places.models import code_range
from wuyi.places.schemas import AREA_CODE, MAX_ID, Error, Paging, Text, page
from wuyi.venues import services
from wuyi.venues.models import InspectionOutcome, ReopeningApplication, Trade, Venue, VenueKind, VenueStatus

router = Router(tags=["venues"])

REFUSED = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
CHECK = ("temperature_and_registration", "regular_disinfection", "staff_protection", "no_dining_in",
         "contactless_pickup")


class VenueIn(Schema):
    community_code: str = Field(pattern=AREA_CODE)
    name: Text = Field(max_length=100)
    trade: Trade
    kind: VenueKind | None = None
    floor_area_m2: Decimal = Field(gt=0, max_digits=8, decimal_places=1)
    storeys: int = Field(1, ge=1, le=100)
    height_m: Decimal | None = Field(None, gt=0, max_digits=5, decimal_places=1)
    address: Text = Field(max_length=200)
    operator_name: Text = Field(max_length=60)
    operator_phone: str = Field("", max_length=20)


class VenueOut(Schema):
    id: int
    community_code: str
    name: str
    kind: str
    trade: str
    floor_area_m2: Decimal
    storeys: int
    height_m: Decimal | None
    address: str
    operator_name: str
    operator_phone: str
    status: str


class VenuePage(Schema):
    count: int
    items: list[VenueOut]


class ApplicationIn(Schema):
    pledge_signer: Text = Field(max_length=60)
    pledge_signed: bool
    temperature_and_registration: bool = False
    regular_disinfection: bool = False
    staff_protection: bool = False
    no_dining_in: bool = False
    contactless_pickup: bool = False


class ApplicationOut(Schema):
    id: int
    venue_id: int
    status: str
    pledge_signer: str
    pledge_signed_at: dt.datetime
    pledge_version: str
    checklist: dict[str, bool]


class InspectionIn(Schema):
    outcome: InspectionOutcome
    inspected_on: dt.date
    temperature_and_registration: bool = False
    regular_disinfection: bool = False
    staff_protection: bool = False
    no_dining_in: bool = False
    contactless_pickup: bool = False
    note: Text = Field("", max_length=1000)


class InspectionOut(Schema):
    id: int
    application_id: int
    outcome: str
    inspected_on: dt.date
    observed: dict[str, bool]
    notice_number: str
    missing: list[str]
    venue_status: str


def _worker(request: HttpRequest):
    user = request.user
    if not (user.is_worker and user.area_id):
        raise Forbidden("only workers holding an area may do this")
    return user


def venue_out(v: Venue) -> dict:
    return {"id": v.pk, "community_code": v.community.code, "name": v.name, "kind": v.kind, "trade": v.trade,
            "floor_area_m2": v.floor_area_m2, "storeys": v.storeys, "height_m": v.height_m, "address": v.address,
            "operator_name": v.operator_name, "operator_phone": v.operator_phone, "status": v.status}


def application_out(a: ReopeningApplication) -> dict:
    return {"id": a.pk, "venue_id": a.venue_id, "status": a.status, "pledge_signer": a.pledge_signer,
            "pledge_signed_at": a.pledge_signed_at, "pledge_version": a.pledge_version,
            "checklist": {c: getattr(a, c) for c in CHECK}}


@router.get("/venues", response={200: VenuePage, **REFUSED}, summary="The small venues of the caller's area")
def venues(request: HttpRequest, status: VenueStatus | None = None,
           area: Annotated[str | None, Query(pattern=AREA_CODE)] = None, paging: Query[Paging] = None):
    """``area``: only the venues beneath this node (a district, street or community of the caller's area)."""
    user = _worker(request)
    if area and not can_see_area(user, area):
        raise NotFound("area", "area")
    found = Venue.objects.filter(code_range("community__code", area or user.area.prefix)).select_related("community")
    if status:
        found = found.filter(status=status)
    count, rows = page(found.order_by("community__code", "name", "pk"), paging)
    return {"count": count, "items": [venue_out(v) for v in rows]}


@router.post("/venues", response={201: VenueOut, **REFUSED}, summary="Register a small venue")
def register(request: HttpRequest, data: VenueIn):
    """Refused (400, code ``not_small_venue``) when the venue is over its kind's thresholds."""
    user = _worker(request)
    venue = services.register_venue(services.VenueInput(
        community_code=data.community_code, name=data.name, trade=data.trade, kind=data.kind or "",
        floor_area_m2=data.floor_area_m2, storeys=data.storeys, height_m=data.height_m, address=data.address,
        operator_name=data.operator_name, operator_phone=data.operator_phone), by=user)
    return Status(201, venue_out(venue))


@router.post("/venues/{venue_id}/applications", response={201: ApplicationOut, **REFUSED},
             summary="File a reopening application with the signed pledge and its checklist")
def apply(request: HttpRequest, venue_id: Id, data: ApplicationIn):
    application = services.apply(venue_id, services.ApplicationInput(**data.dict()), by=_worker(request))
    return Status(201, application_out(application))


@router.post("/applications/{application_id}/inspection", response={201: InspectionOut, **REFUSED},
             summary="Record the inspection: approve (the venue opens) or suspend (a notice number)")
def inspect(request: HttpRequest, application_id: Id, data: InspectionIn):
    inspection = services.inspect(application_id, services.InspectionInput(**data.dict()), by=_worker(request))
    return Status(201, {
        "id": inspection.pk, "application_id": inspection.application_id, "outcome": inspection.outcome,
        "inspected_on": inspection.inspected_on, "observed": {c: getattr(inspection, c) for c in CHECK},
        "notice_number": inspection.notice_number, "missing": services.suspension_reasons(inspection),
        "venue_status": inspection.application.venue.status,
    })
