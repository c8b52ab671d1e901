"""The small venues' operations: register a venue, file a reopening application with the signed pledge, inspect it
(approve: the venue opens; suspend: a numbered suspension notice). Each is one transaction, checks that the acting
worker's area holds the venue, and raises DomainError on bad input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from wuyi.accounts.models import User
from wuyi.errors import DomainError, Forbidden, NotFound
from wuyi.places.models import Area, Level
from wuyi.text import is_mobile_phone, printable
from wuyi.venues import rules
from wuyi.venues.models import (
    ApplicationStatus,
    InspectionOutcome,
    ReopeningApplication,
    Trade,
    Venue,
    VenueInspection,
    VenueKind,
    VenueStatus,
)

# The pledge (疫情防控承诺书) the operator signs, with its version; the checklist items follow it.
PLEDGE_VERSION = "sz-2020-02"
PLEDGE_TEXT = (
    "本人作为本场所经营者，郑重承诺：严格落实疫情防控要求，在门口设置体温检测和登记点，"
    "对场所定期消毒，做好从业人员防护，不提供堂食（仅限外卖和无接触服务），提供无接触取货；"
    "如未落实上述措施，自愿接受暂停营业。"
)
MAX_AREA = Decimal("99999")


def _acting_prefix(by: User) -> str:
    if by is None or not by.is_authenticated or not by.is_worker or not by.area_id:
        raise Forbidden("only workers holding an area may do this")
    return by.area.prefix


def _check_area(by: User, code: str, field: str | None = None) -> None:
    if not code.startswith(_acting_prefix(by)):
        raise Forbidden("this community is outside your area", field)


def venue_for(by: User, venue_id: int) -> Venue:
    """The venue if it lies beneath the worker's area; NotFound otherwise (never say it exists)."""
    prefix = _acting_prefix(by)
    venue = Venue.objects.select_related("community__parent").filter(pk=venue_id).first()
    if venue is None or not venue.community.code.startswith(prefix):
        raise NotFound("venue", "venue_id")
    return venue


# ---- registry --------------------------------------------------------------------------------------------


@dataclass
class VenueInput:
    community_code: str
    name: str
    trade: str
    floor_area_m2: Decimal | float | str
    address: str
    operator_name: str
    kind: str = ""  # derived from the trade when empty
    storeys: int = 1
    height_m: Decimal | float | str | None = None
    operator_phone: str = ""


def _decimal(value, field: str, places: str = "0.1") -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal(places))
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_number", "give a number", field) from None
    if not (0 < number <= MAX_AREA):
        raise DomainError("invalid_number", f"give a number above 0 and at most {MAX_AREA}", field)
    return number


def _text(value: str, field: str, most: int) -> str:
    text = (value or "").strip()
    if not 1 <= len(text) <= most or not printable(text):
        raise DomainError("invalid_text", f"write 1 to {most} characters", field)
    return text


def register_venue(data: VenueInput, by: User) -> Venue:
    """Register a small venue of a community in the worker's area; refused when it is not a small venue."""
    community = Area.objects.filter(code=data.community_code, level=Level.COMMUNITY).first()
    if community is None:
        raise DomainError("unknown_community", "no community has this code", "community_code")
    _check_area(by, community.code, "community_code")
    if data.trade not in Trade.values:
        raise DomainError("invalid_trade", "choose a trade from the list", "trade")
    kind = data.kind or rules.TRADE_KIND[data.trade]
    if kind not in VenueKind.values:
        raise DomainError("invalid_kind", f"kind must be one of {', '.join(VenueKind.values)}", "kind")
    area = _decimal(data.floor_area_m2, "floor_area_m2")
    try:
        storeys = int(data.storeys)
    except (TypeError, ValueError):
        storeys = 0
    if not 1 <= storeys <= 100:
        raise DomainError("invalid_storeys", "a building has 1 to 100 storeys", "storeys")
    height = None if data.height_m in (None, "") else _decimal(data.height_m, "height_m")
    phone = (data.operator_phone or "").strip()
    if phone and not is_mobile_phone(phone):
        raise DomainError("invalid_phone", "a mobile number has 11 digits and starts with 1", "operator_phone")
    verdict = rules.small_venue(kind, area, storeys, height, trade=data.trade)
    if not verdict.is_small:
        code, message = verdict.reasons[0]
        field = {"trade_of_other_kind": "trade", "height_required": "height_m", "workshop_too_tall": "height_m"}
        raise DomainError("not_small_venue", f"not a small venue: {message}", field.get(code, "floor_area_m2"))
    with transaction.atomic():
        return Venue.objects.create(
            community=community, name=_text(data.name, "name", 100), kind=kind, trade=data.trade,
            floor_area_m2=area, storeys=storeys, height_m=height, address=_text(data.address, "address", 200),
            operator_name=_text(data.operator_name, "operator_name", 60), operator_phone=phone,
            registered_by=by,
        )


# ---- reopening ---------------------------------------------------------------------------------------------


@dataclass
class ApplicationInput:
    pledge_signer: str
    pledge_signed: bool
    temperature_and_registration: bool = False
    regular_disinfection: bool = False
    staff_protection: bool = False
    no_dining_in: bool = False
    contactless_pickup: bool = False


def apply(venue_id: int, data: ApplicationInput, by: User, now: dt.datetime | None = None) -> ReopeningApplication:
    """File the operator's application to reopen: the pledge must be signed (name typed, box ticked); the time of
    signing is recorded. A closed or suspended venue may apply; one application at a time."""
    with transaction.atomic():
        venue = venue_for(by, venue_id)
        venue = Venue.objects.select_for_update().get(pk=venue.pk)
        if not data.pledge_signed:
            raise DomainError("pledge_not_signed", "the operator signs the pledge first", "pledge_signed")
        signer = _text(data.pledge_signer, "pledge_signer", 60)
        if venue.status not in (VenueStatus.CLOSED, VenueStatus.SUSPENDED):
            code = "already_open" if venue.status == VenueStatus.OPEN else "already_applied"
            raise DomainError(code, f"the venue is {venue.status}", "venue_id", status=409)
        items = {c: bool(getattr(data, c)) for c in rules.CHECKLIST}
        try:
            with transaction.atomic():
                application = ReopeningApplication.objects.create(
                    venue=venue, pledge_signer=signer, pledge_signed_at=now or timezone.now(),
                    pledge_version=PLEDGE_VERSION, submitted_by=by, **items,
                )
        except IntegrityError:
            raise DomainError("already_applied", "an application is waiting for its inspection",
                              "venue_id", status=409) from None
        venue.status = VenueStatus.APPLIED
        venue.save(update_fields=["status"])
        return application


@dataclass
class InspectionInput:
    outcome: str
    inspected_on: dt.date
    temperature_and_registration: bool = False
    regular_disinfection: bool = False
    staff_protection: bool = False
    no_dining_in: bool = False
    contactless_pickup: bool = False
    note: str = ""


def notice_number(community: Area, inspected_on: dt.date, application_id: int) -> str:
    """暂停营业通告 number: the community's code, the date and the application's id (unique without a counter
    that two inspectors could both read)."""
    return f"ZT{community.code}-{inspected_on:%Y%m%d}-{application_id:05d}"


def application_for(by: User, application_id: int) -> ReopeningApplication:
    prefix = _acting_prefix(by)
    application = (ReopeningApplication.objects.select_related("venue__community__parent")
                   .filter(pk=application_id).first())
    if application is None or not application.venue.community.code.startswith(prefix):
        raise NotFound("application", "application_id")
    return application


def inspect(application_id: int, data: InspectionInput, by: User) -> VenueInspection:
    """Record the one-by-one check of a submitted application, each item as observed. Approving needs every
    condition that applies to the trade observed (``rules.checklist``); the venue opens. Suspending gives the
    venue a numbered suspension notice; the note says why when every item was observed."""
    if data.outcome not in InspectionOutcome.values:
        raise DomainError("invalid_outcome", "approve or suspend", "outcome")
    if not isinstance(data.inspected_on, dt.date):
        raise DomainError("invalid_date", "give the date of the inspection", "inspected_on")
    note = (data.note or "").strip()
    if len(note) > 1000:
        raise DomainError("invalid_text", "write at most 1000 characters", "note")
    with transaction.atomic():
        application = application_for(by, application_id)
        application = ReopeningApplication.objects.select_for_update().select_related("venue__community").get(
            pk=application.pk)
        if application.status != ApplicationStatus.SUBMITTED:
            raise DomainError("already_inspected", "this application has been inspected", "application_id",
                              status=409)
        if data.inspected_on > timezone.localdate():
            raise DomainError("in_the_future", "an inspection is recorded once it has happened", "inspected_on")
        if data.inspected_on < timezone.localtime(application.pledge_signed_at).date():
            raise DomainError("before_application", "the inspection follows the application", "inspected_on")
        items = {c: bool(getattr(data, c)) for c in rules.CHECKLIST}
        verdict = rules.checklist(application.venue.trade, **items)
        venue = application.venue
        number = ""
        if data.outcome == InspectionOutcome.APPROVE:
            if not verdict.met:
                raise DomainError("checklist_not_met", "not every condition is met: suspend instead",
                                  verdict.missing[0])
            application.status = ApplicationStatus.APPROVED
            venue.status = VenueStatus.OPEN
        else:
            if verdict.met and not note:
                raise DomainError("reason_required", "say why the venue is suspended", "note")
            number = notice_number(venue.community, data.inspected_on, application.pk)
            application.status = ApplicationStatus.SUSPENDED
            venue.status = VenueStatus.SUSPENDED
        inspection = VenueInspection.objects.create(
            application=application, inspector=by, inspected_on=data.inspected_on, note=note,
            outcome=data.outcome, notice_number=number, **items,
        )
        application.save(update_fields=["status"])
        venue.save(update_fields=["status"])
        return inspection


def suspension_reasons(inspection: VenueInspection) -> list[str]:
    """The checklist items the inspection did not observe (codes of ``rules.CHECKLIST``)."""
    items = {c: getattr(inspection, c) for c in rules.CHECKLIST}
    return list(rules.checklist(inspection.application.venue.trade, **items).missing)
