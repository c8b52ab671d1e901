"""Care for key persons: suggest key persons from health data, confirm or register them, end their care, log a
visit, a delivery, a call or counselling. Each write is one transaction, scoped to the acting worker's area, and
raises DomainError on bad input.

Suggestions are set-based (DESIGN.md §6): one query for the people under an active home quarantine or home
health observation order, one for the approved self-declarations of the last 14 days that name a key area
(``rules.KEY_AREAS``); only those few declarations are read in Python, to find the date the person left the key
area (``rules.arrival``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from wuyi.accounts.models import User
from wuyi.accounts.scoping import scope
from wuyi.care import rules
from wuyi.care.models import CareContact, ContactKind, KeyPerson, KeyReason
from wuyi.errors import DomainError, Forbidden, NotFound
from wuyi.health.models import QuarantineKind, QuarantineOrder
from wuyi.people.models import Declaration, DeclarationStatus, Membership, Person
from wuyi.places.models import CODE_LENGTH, Area, Level, code_range
from wuyi.text import printable

HOME_ORDERS = (QuarantineKind.HOME, QuarantineKind.HOME_HEALTH_OBSERVATION)
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_TEXT = 300


def _worker(by: User) -> str:
    if by is None or not by.is_authenticated or not by.is_worker or not by.area_id:
        raise Forbidden("only workers holding an area may do this")
    return by.area.prefix


def community_of_person(person_field: str = "pk"):
    """The code of the community a person lives in (their current household's first 12 characters)."""
    return Subquery(
        Membership.objects.filter(person=OuterRef(person_field), moved_out__isnull=True)
        .order_by("-moved_in", "-pk").annotate(c=Substr("household__code", 1, CODE_LENGTH[Level.COMMUNITY]))
        .values("c")[:1]
    )


# ---- suggestions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    person_id: int
    reason: str
    community_code: str
    since: dt.date
    source: str


def _active_key_persons(reason: str):
    return KeyPerson.objects.filter(person=OuterRef("person_id"), reason=reason, until__isnull=True)


def suggestions(prefix: str, today: dt.date) -> list[Suggestion]:
    """People beneath ``prefix`` who should be key persons and are not yet: under an active home quarantine or
    home health observation order on ``today``, or declared a stay in a key area that ended within 14 days."""
    found: list[Suggestion] = []
    orders = (
        QuarantineOrder.objects.filter(kind__in=HOME_ORDERS, released_at__isnull=True, start__lte=today,
                                       planned_end__gte=today)
        .annotate(community=community_of_person("person_id"), taken=Exists(_active_key_persons(
            KeyReason.QUARANTINED_HOUSEHOLD)))
        .filter(code_range("community", prefix), taken=False)
        .order_by("person_id", "start")
        .values_list("person_id", "community", "start", "kind", "planned_end")
    )
    seen = set()
    for person_id, community, start, kind, planned_end in orders:
        if person_id not in seen:
            seen.add(person_id)
            found.append(Suggestion(person_id, KeyReason.QUARANTINED_HOUSEHOLD, community, start,
                                    f"{QuarantineKind(kind).label} {start}–{planned_end}"))
    window_start = dt.datetime.combine(today - dt.timedelta(days=rules.KEY_AREA_DAYS), dt.time(0),
                                       timezone.get_current_timezone())
    names = reduce(or_, (Q(travel__icontains=a) | Q(travel__icontains=_json_escaped(a)) for a in rules.KEY_AREAS))
    declarations = (
        Declaration.objects.filter(names, status=DeclarationStatus.APPROVED, person__isnull=False,
                                   created_at__gte=window_start)
        .filter(code_range("household__code", prefix))
        .annotate(taken=Exists(_active_key_persons(KeyReason.FROM_KEY_AREA)))
        .filter(taken=False)
        .order_by("person_id", "-created_at")
        .values_list("person_id", "household__code", "travel")
    )
    seen = set()
    for person_id, household, travel in declarations:
        verdict = rules.arrival(travel, today)
        if person_id in seen or not verdict.from_key_area:
            continue
        seen.add(person_id)
        found.append(Suggestion(person_id, KeyReason.FROM_KEY_AREA, household[:CODE_LENGTH[Level.COMMUNITY]],
                                verdict.arrived_on, verdict.reasons[0][1]))
    return found


def _json_escaped(text: str) -> str:
    """How ``json.dumps`` writes non-ASCII text (SQLite keeps it so; PostgreSQL's jsonb keeps the characters)."""
    return text.encode("ascii", "backslashreplace").decode().replace("\\x", "\\u00")


# ---- key persons ---------------------------------------------------------------------------------------------


def add_key_person(person_id: int, reason: str, since: dt.date, by: User, source: str = "",
                   today: dt.date | None = None) -> KeyPerson:
    """Make a person of the worker's area a key person (a confirmed suggestion, or one the worker knows of); the
    community is the one they live in."""
    prefix = _worker(by)
    if reason not in KeyReason.values:
        raise DomainError("invalid_reason", f"reason must be one of {', '.join(KeyReason.values)}", "reason")
    if not isinstance(since, dt.date) or since > (today or timezone.localdate()):
        raise DomainError("invalid_date", "give a date not in the future", "since")
    source = (source or "").strip()[:200]
    with transaction.atomic():
        person = (scope(by, Person.objects.all()).filter(pk=person_id)
                  .annotate(community_code=community_of_person()).first())
        if person is None or not person.community_code or not person.community_code.startswith(prefix):
            raise NotFound("person", "person_id")
        community = Area.objects.get(code=person.community_code, level=Level.COMMUNITY)
        try:
            with transaction.atomic():
                return KeyPerson.objects.create(person=person, reason=reason, community=community, since=since,
                                                source=source, responsible=by)
        except IntegrityError:
            raise DomainError("already_key_person", "already a key person for this reason", "person_id",
                              status=409) from None


def key_person_for(by: User, key_person_id: int) -> KeyPerson:
    _worker(by)
    found = (scope(by, KeyPerson.objects.select_related("person", "community__parent", "responsible"))
             .filter(pk=key_person_id).first())
    if found is None:
        raise NotFound("key person", "key_person_id")
    return found


def end_care(key_person_id: int, until: dt.date, by: User) -> KeyPerson:
    """End the care of a key person on ``until`` (quarantine over, 14 days passed)."""
    with transaction.atomic():
        key_person = key_person_for(by, key_person_id)
        if key_person.until is not None:
            raise DomainError("already_ended", "this care has ended", "key_person_id", status=409)
        if not isinstance(until, dt.date) or until < key_person.since:
            raise DomainError("invalid_date", "the care ends on or after the day it began", "until")
        key_person.until = until
        key_person.save(update_fields=["until"])
        return key_person


@dataclass
class ContactInput:
    kind: str
    at: dt.datetime
    note: str = ""
    items: str = ""


def log_contact(key_person_id: int, data: ContactInput, by: User, now: dt.datetime | None = None) -> CareContact:
    """Log a visit, a delivery (with its items), a call or counselling given to a key person of the worker's area."""
    now = now or timezone.now()
    if data.kind not in ContactKind.values:
        raise DomainError("invalid_kind", f"kind must be one of {', '.join(ContactKind.values)}", "kind")
    if not isinstance(data.at, dt.datetime) or timezone.is_naive(data.at):
        raise DomainError("invalid_time", "give the date and time", "at")
    if data.at > now + CLOCK_SKEW:
        raise DomainError("in_the_future", "a contact is logged once it has happened", "at")
    note, items = (data.note or "").strip(), (data.items or "").strip()
    for value, field in ((note, "note"), (items, "items")):
        if len(value) > MAX_TEXT or not printable(value):
            raise DomainError("invalid_text", f"write at most {MAX_TEXT} characters", field)
    if data.kind == ContactKind.DELIVERY and not items:
        raise DomainError("items_required", "say what was delivered", "items")
    with transaction.atomic():
        key_person = key_person_for(by, key_person_id)
        if timezone.localtime(data.at).date() < key_person.since:
            raise DomainError("before_care", "the contact is on or after the day the care began", "at")
        return CareContact.objects.create(key_person=key_person, kind=data.kind, at=data.at, by=by, note=note,
                                          items=items if data.kind == ContactKind.DELIVERY else "")
