"""THE one place that decides which rows of people's data a user may see.

A role is held on an area node and reaches everything beneath it; a gate guard reaches the
compound of their gate; a resident reaches only their own record; a volunteer reaches no one's.
Every page and API route that returns people or their data passes its queryset through `scope`.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from wuyi.accounts.models import AREA_ROLES, WORKER_ROLES, AuditEntry, Role, User
from wuyi.people.identity import mask_phone
from wuyi.people.models import Declaration, Membership, Pass, Person
from wuyi.places.models import Area, Building, Household, code_range


def area_prefix(user: User) -> str | None:
    """The code prefix this user's data reaches, or None for a role without an area."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role in AREA_ROLES and user.area_id:
        return user.area.prefix
    if user.role == Role.GATE_GUARD and user.gate_id:
        return user.gate.compound.code
    return None


def _person_in_prefix(prefix: str, field: str = "pk") -> Q:
    """The person (the row itself, or the one its `field` points at) lives beneath the prefix."""
    lives_there = Membership.objects.filter(person=OuterRef(field), moved_out__isnull=True).filter(
        code_range("household__code", prefix)
    )
    return Q(Exists(lives_there))


# For each model: how to say "in the area with this prefix" and "belongs to this person".
_BY_AREA = {
    Person: _person_in_prefix,
    Membership: lambda p: code_range("household__code", p),
    Declaration: lambda p: code_range("household__code", p),
    Pass: lambda p: code_range("compound__code", p),
    Household: lambda p: code_range("code", p),
    Building: lambda p: code_range("code", p),
    Area: lambda p: code_range("code", p),
    AuditEntry: lambda p: _person_in_prefix(p, "person"),
}
_BY_SELF = {
    Person: lambda u: Q(pk=u.person_id),
    Membership: lambda u: Q(person_id=u.person_id),
    Declaration: lambda u: Q(submitted_by=u) | Q(person_id=u.person_id, person__isnull=False),
    Pass: lambda u: Q(person_id=u.person_id),
    AuditEntry: lambda u: Q(person_id=u.person_id),
}


def register(model, *, by_area, by_self=None) -> None:
    """Let `scope` filter a model of an app above this one (health, access…): how to say "in the area with
    this prefix" and, for residents, "belongs to this user". The app calls this from its AppConfig.ready,
    so imports keep pointing down (DESIGN.md §3) while this stays the one place that scopes."""
    _BY_AREA[model] = by_area
    if by_self is not None:
        _BY_SELF[model] = by_self


def person_in_prefix(prefix: str, field: str = "pk") -> Q:
    """For `register`: the person the row's `field` points at lives beneath the prefix."""
    return _person_in_prefix(prefix, field)


def scope(user: User, queryset: QuerySet) -> QuerySet:
    """The rows of `queryset` that `user` may see; an empty queryset when none."""
    model = queryset.model
    prefix = area_prefix(user)
    if model is Declaration and user.role not in WORKER_ROLES:
        prefix = None  # declarations (symptoms, travel) are for the workers who verify them, and their author
    if prefix is not None and model in _BY_AREA:
        return queryset.filter(_BY_AREA[model](prefix))
    if user.is_authenticated and (user.role in (Role.RESIDENT, Role.VOLUNTEER) or model is Declaration) \
            and model in _BY_SELF:
        if user.person_id is None and model is not Declaration:
            return queryset.none()
        return queryset.filter(_BY_SELF[model](user))
    return queryset.none()


def phone_for(user: User, phone: str) -> str:
    """Community workers call their residents, so they see the whole number; everyone above sees it masked."""
    if not phone or user.role == Role.COMMUNITY_WORKER:
        return phone
    return mask_phone(phone)


def can_see_area(user: User, code: str) -> bool:
    prefix = area_prefix(user)
    return prefix is not None and code.startswith(prefix)
