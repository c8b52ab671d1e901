"""The workforce's operations: workers, groups, temporary Party organisations and their members, shifts, service
centres turned anti-epidemic, and their supplies. Each is one transaction, checks that the user's area reaches what
it touches (403 ``outside_area`` otherwise) and raises DomainError on bad input.

Nobody is booked twice in one period: the shift row is written in a savepoint under UNIQUE (worker, day, period),
its IntegrityError turned into ``double_booked``. A supply never goes below zero: stock moves by a conditional
UPDATE (``quantity >= n``; 0 rows: not enough), which PostgreSQL re-checks after a concurrent writer commits and
SQLite serialises with its IMMEDIATE transactions; the CHECK ``quantity >= 0`` stands behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from wuyi.accounts.models import WORKER_ROLES, User
from wuyi.accounts.scoping import area_prefix, can_see_area, scope
from wuyi.errors import DomainError, Forbidden, NotFound
from wuyi.places.models import Area, Checkpoint, Gate, Level, ServiceCentre
from wuyi.text import is_mobile_phone
from wuyi.workforce.models import (
    SHIFT_TARGETS,
    CentreActivation,
    Front,
    GroupKind,
    PartyMember,
    PartyOrganisation,
    PartyRole,
    Period,
    Shift,
    Supply,
    SupplyMovement,
    Worker,
    WorkerKind,
    WorkGroup,
)

MAX_STOCK_MOVE = 1_000_000  # one movement; a larger number is a typing error
# Groups that belong to one community: its aid work group (701 groups for ~700 communities) and its
# three-person team (POLICY.md §1d).
COMMUNITY_GROUPS = (GroupKind.AID, GroupKind.THREE_PERSON)


class OutsideArea(DomainError):
    status = 403

    def __init__(self, field: str):
        super().__init__("outside_area", "this is outside your area of work", field)


# ---- who may --------------------------------------------------------------------------------------------


def require_worker(user: User) -> str:
    """The code prefix of the user's area; Forbidden unless a worker role holding an area."""
    prefix = area_prefix(user)
    if user.role not in WORKER_ROLES or prefix is None:
        raise Forbidden("only workers of an area can do this")
    return prefix


def area_of(user: User, code: str, field: str = "area_code") -> Area:
    """The area with this code, if the user's area reaches it (403 otherwise, before saying whether it exists)."""
    require_worker(user)
    code = (code or "").strip()
    if not code:
        raise DomainError("required", "give an area", field)
    if not can_see_area(user, code):
        raise OutsideArea(field)
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise DomainError("unknown_area", "no area has this code", field)
    return area


def worker_of(user: User, worker_id, field: str = "worker_id") -> Worker:
    require_worker(user)
    worker = scope(user, Worker.objects.select_related("area")).filter(pk=_int(worker_id, field)).first()
    if worker is None:
        raise NotFound("worker", field)
    return worker


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError("invalid", "a number is expected", field) from None


def _text(value: str, field: str, longest: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError("required", "required", field)
    if len(text) > longest:
        raise DomainError("too_long", f"at most {longest} characters", field)
    return text


# ---- workers --------------------------------------------------------------------------------------------


@dataclass
class WorkerInput:
    name: str
    kind: str
    area_code: str
    phone: str = ""
    unit: str = ""
    group_id: int | None = None
    party_member: bool = False
    active: bool = True


def _check_worker(user: User, data: WorkerInput) -> dict:
    name = _text(data.name, "name", 60)
    if data.kind not in WorkerKind.values:
        raise DomainError("invalid_kind", f"kind must be one of {', '.join(WorkerKind.values)}", "kind")
    phone = (data.phone or "").strip()
    if phone and not is_mobile_phone(phone):
        raise DomainError("invalid_phone", "a mobile number has 11 digits and starts with 1", "phone")
    area = area_of(user, data.area_code)
    group = None
    if data.group_id:
        group = WorkGroup.objects.select_related("area").filter(pk=_int(data.group_id, "group_id")).first()
        if group is None or not area.code.startswith(group.area.prefix):
            raise DomainError("group_elsewhere", "the group does not cover the area the worker is deployed to",
                              "group_id")
    return {"name": name, "kind": data.kind, "phone": phone, "unit": _text(data.unit, "unit", 100, required=False),
            "area": area, "group": group, "party_member": bool(data.party_member), "active": bool(data.active)}


def create_worker(user: User, data: WorkerInput) -> Worker:
    with transaction.atomic():
        return Worker.objects.create(**_check_worker(user, data))


def update_worker(user: User, worker_id: int, data: WorkerInput) -> Worker:
    with transaction.atomic():
        worker = worker_of(user, worker_id)
        for name, value in _check_worker(user, data).items():
            setattr(worker, name, value)
        if not worker.party_member and worker.party_memberships.exists():
            raise DomainError("still_in_party_organisation",
                              "remove the worker from their temporary Party organisations first", "party_member")
        worker.save()
        return worker


# ---- groups ---------------------------------------------------------------------------------------------


def create_group(user: User, kind: str, name: str, area_code: str, set_up_on: dt.date | None) -> WorkGroup:
    if kind not in GroupKind.values:
        raise DomainError("invalid_kind", f"kind must be one of {', '.join(GroupKind.values)}", "kind")
    name = _text(name, "name", 100)
    if set_up_on is None:
        raise DomainError("required", "give the date the group was set up", "set_up_on")
    with transaction.atomic():
        area = area_of(user, area_code)
        if kind in COMMUNITY_GROUPS and area.level != Level.COMMUNITY:
            raise DomainError("not_a_community", "this kind of group belongs to one community", "area_code")
        if kind == GroupKind.THREE_PERSON and WorkGroup.objects.filter(
                kind=kind, area=area, dissolved_on__isnull=True).exists():
            raise DomainError("team_exists", "this community already has a three-person team", "area_code", 409)
        return WorkGroup.objects.create(kind=kind, name=name, area=area, set_up_on=set_up_on)


def group_of(user: User, group_id, field: str = "group_id") -> WorkGroup:
    prefix = require_worker(user)
    group = WorkGroup.objects.select_related("area").filter(pk=_int(group_id, field)).first()
    if group is None or not group.area.code.startswith(prefix):
        raise NotFound("group", field)
    return group


def dissolve_group(user: User, group_id: int, on: dt.date) -> WorkGroup:
    with transaction.atomic():
        group = group_of(user, group_id)
        if on < group.set_up_on:
            raise DomainError("dates_out_of_order", "a group is dissolved after it is set up", "dissolved_on")
        group.dissolved_on = on
        group.save(update_fields=["dissolved_on"])
        return group


# ---- temporary Party organisations ----------------------------------------------------------------------


def create_party_organisation(user: User, name: str, area_code: str, front: str,
                              set_up_on: dt.date | None) -> PartyOrganisation:
    name = _text(name, "name", 100)
    if front not in Front.values:
        raise DomainError("invalid_front", f"front must be one of {', '.join(Front.values)}", "front")
    if set_up_on is None:
        raise DomainError("required", "give the date it was set up", "set_up_on")
    with transaction.atomic():
        area = area_of(user, area_code)
        return PartyOrganisation.objects.create(name=name, area=area, front=front, set_up_on=set_up_on)


def organisation_of(user: User, organisation_id, field: str = "organisation_id") -> PartyOrganisation:
    prefix = require_worker(user)
    org = PartyOrganisation.objects.select_related("area").filter(pk=_int(organisation_id, field)).first()
    if org is None or not org.area.code.startswith(prefix):
        raise NotFound("temporary Party organisation", field)
    return org


def same_branch(a: Area, b: Area) -> bool:
    """One area holds the other: a community's cadre belongs to the area of a Party branch at one of its compounds,
    and a compound's property staff to the area of its community's branch."""
    return a.code.startswith(b.prefix) or b.code.startswith(a.prefix)


def add_party_member(user: User, organisation_id: int, worker_id: int, role: str = PartyRole.MEMBER) -> PartyMember:
    """A member is an active Party member worker deployed in the organisation's area: the same node, one beneath it,
    or the one above it that it belongs to (``same_branch``)."""
    if role not in PartyRole.values:
        raise DomainError("invalid_role", f"role must be one of {', '.join(PartyRole.values)}", "role")
    with transaction.atomic():
        org = organisation_of(user, organisation_id)
        worker = worker_of(user, worker_id)
        if not worker.party_member:
            raise DomainError("not_a_party_member", "only a Party member can join", "worker_id")
        if not worker.active:
            raise DomainError("inactive_worker", "this worker is no longer active", "worker_id")
        if not same_branch(worker.area, org.area):
            raise DomainError("other_area", "the worker is deployed outside the organisation's area", "worker_id")
        if role == PartyRole.SECRETARY and org.members.filter(role=PartyRole.SECRETARY).exists():
            raise DomainError("secretary_taken", "the organisation already has a secretary", "role", 409)
        if org.members.filter(worker=worker).exists():
            raise DomainError("already_member", "this worker is already a member", "worker_id", 409)
        try:
            with transaction.atomic():
                return PartyMember.objects.create(organisation=org, worker=worker, role=role)
        except IntegrityError:  # a concurrent add of the same worker, or of a second secretary
            if role == PartyRole.SECRETARY:
                raise DomainError("secretary_taken", "the organisation already has a secretary", "role", 409) from None
            raise DomainError("already_member", "this worker is already a member", "worker_id", 409) from None


def remove_party_member(user: User, member_id: int) -> None:
    with transaction.atomic():
        member = PartyMember.objects.select_related("organisation__area").filter(pk=_int(member_id, "member_id")).first()
        if member is None or not can_see_area(user, member.organisation.area.code):
            raise NotFound("member", "member_id")
        member.delete()


# ---- shifts ---------------------------------------------------------------------------------------------


@dataclass
class ShiftInput:
    worker_id: int
    on: dt.date
    period: str
    target_kind: str  # one of SHIFT_TARGETS
    target_code: str


def target_of(user: User, kind: str, code: str):
    """The compound, gate, checkpoint or service centre with this code, if the user's area reaches it."""
    code = (code or "").strip()
    if kind not in SHIFT_TARGETS:
        raise DomainError("invalid_target", f"a shift is at one of: {', '.join(SHIFT_TARGETS)}", "target_kind")
    if not code:
        raise DomainError("required", "give the place of the shift", "target_code")
    if kind == "compound":
        target = Area.objects.filter(code=code, level=Level.COMPOUND).first()
        where = target.code if target else None
    elif kind == "gate":
        target = Gate.objects.select_related("compound").filter(code=code).first()
        where = target.compound.code if target else None
    elif kind == "checkpoint":
        target = Checkpoint.objects.select_related("street").filter(code=code).first()
        where = target.street.code if target else None
    else:
        target = ServiceCentre.objects.select_related("area").filter(code=code).first()
        where = target.area.code if target else None
    if target is None:
        raise DomainError("unknown_target", "no place of this kind has this code", "target_code")
    if not can_see_area(user, where):
        raise OutsideArea("target_code")
    return target


def assign_shift(user: User, data: ShiftInput) -> Shift:
    if data.period not in Period.values:
        raise DomainError("invalid_period", f"period must be one of {', '.join(Period.values)}", "period")
    if not isinstance(data.on, dt.date):
        raise DomainError("invalid_date", "give the date of the shift", "on")
    with transaction.atomic():
        worker = worker_of(user, data.worker_id)
        if not worker.active:
            raise DomainError("inactive_worker", "this worker is no longer active", "worker_id")
        target = target_of(user, data.target_kind, data.target_code)
        try:
            with transaction.atomic():
                return Shift.objects.create(worker=worker, on=data.on, period=data.period, assigned_by=user,
                                            **{data.target_kind: target})
        except IntegrityError:
            raise DomainError("double_booked", "this worker already has a shift in this period", "period",
                              409) from None


def remove_shift(user: User, shift_id: int) -> None:
    require_worker(user)
    with transaction.atomic():
        shift = scope(user, Shift.objects.all()).filter(pk=_int(shift_id, "shift_id")).first()
        if shift is None:
            raise NotFound("shift", "shift_id")
        shift.delete()


# ---- service centres and supplies -----------------------------------------------------------------------


def centre_of(user: User, code: str, field: str = "service_centre_code") -> ServiceCentre:
    require_worker(user)
    centre = ServiceCentre.objects.select_related("area").filter(code=(code or "").strip()).first()
    if centre is None or not can_see_area(user, centre.area.code):
        raise NotFound("service centre", field)
    return centre


def activate_centre(user: User, centre_code: str, since: dt.date | None) -> CentreActivation:
    """Turn a Party-mass service centre into an anti-epidemic centre from a date (or move that date)."""
    if since is None:
        raise DomainError("required", "give the date", "anti_epidemic_since")
    with transaction.atomic():
        centre = centre_of(user, centre_code)
        activation, _created = CentreActivation.objects.update_or_create(
            service_centre=centre, defaults={"anti_epidemic_since": since, "activated_by": user})
        return activation


def add_supply(user: User, centre_code: str, item: str, unit: str, quantity: int = 0) -> Supply:
    item = _text(item, "item", 60)
    unit = _text(unit, "unit", 20)
    quantity = _int(quantity, "quantity")
    if not 0 <= quantity <= MAX_STOCK_MOVE:
        raise DomainError("invalid_quantity", f"a quantity is 0 to {MAX_STOCK_MOVE}", "quantity")
    with transaction.atomic():
        centre = centre_of(user, centre_code)
        try:
            with transaction.atomic():
                supply = Supply.objects.create(service_centre=centre, item=item, unit=unit, quantity=quantity)
        except IntegrityError:
            raise DomainError("item_exists", "this centre already keeps this item", "item", 409) from None
        if quantity:
            SupplyMovement.objects.create(supply=supply, delta=quantity, reason="opening stock", by=user)
        return supply


def supply_of(user: User, supply_id, field: str = "supply_id") -> Supply:
    require_worker(user)
    supply = Supply.objects.select_related("service_centre__area").filter(pk=_int(supply_id, field)).first()
    if supply is None or not can_see_area(user, supply.service_centre.area.code):
        raise NotFound("supply", field)
    return supply


def move_stock(user: User, supply_id: int, delta: int, reason: str = "") -> Supply:
    """Stock in (delta > 0) or out (delta < 0). Out never takes more than there is (409 ``not_enough``)."""
    delta = _int(delta, "delta")
    if delta == 0 or abs(delta) > MAX_STOCK_MOVE:
        raise DomainError("invalid_delta", f"move 1 to {MAX_STOCK_MOVE} units in or out", "delta")
    reason = _text(reason, "reason", 100, required=False)
    with transaction.atomic():
        supply = supply_of(user, supply_id)
        rows = Supply.objects.filter(pk=supply.pk)
        if delta < 0:
            rows = rows.filter(quantity__gte=-delta)
        if rows.update(quantity=F("quantity") + delta, updated_at=timezone.now()) == 0:
            raise DomainError("not_enough", "there is not that much in stock", "delta", 409)
        SupplyMovement.objects.create(supply=supply, delta=delta, reason=reason, by=user)
        supply.refresh_from_db(fields=["quantity", "updated_at"])
        return supply

