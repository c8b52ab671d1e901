"""The operations that change people's data. Each is one transaction and raises DomainError on bad input."""

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from wuyi.errors import DomainError, NotFound
from wuyi.people import identity
from wuyi.people.models import (
    Declaration,
    DeclarationStatus,
    Membership,
    Pass,
    PassKind,
    Person,
    Relation,
)
from wuyi.places.models import Area, Household
from wuyi.text import is_mobile_phone, printable

SYMPTOMS = ("fever", "cough", "fatigue", "sore_throat", "shortness_of_breath", "diarrhoea", "loss_of_smell")
TRAVEL_WINDOW_DAYS = 14  # the 14-day history asked of every returnee (十个一律, POLICY.md §1b item 5)
RESIDENT_PASS_DAYS = 90


@dataclass
class DeclarationInput:
    name: str
    id_number: str
    phone: str
    household_code: str
    relation: str = Relation.FAMILY
    travel: list[dict] = field(default_factory=list)
    symptoms: list[str] = field(default_factory=list)


def _clean(data: DeclarationInput, today: dt.date) -> tuple[str, Household, list[dict], list[str]]:
    name = data.name.strip()
    if not name or len(name) > 60 or not printable(name):
        raise DomainError("invalid_name", "a name of 1 to 60 printable characters is needed", "name")
    try:
        number = identity.normalise(data.id_number)
    except identity.InvalidIdNumber as e:
        raise DomainError("invalid_id_number", str(e), "id_number") from None
    phone = data.phone.strip()
    if phone and not is_mobile_phone(phone):
        raise DomainError("invalid_phone", "a mobile number has 11 digits and starts with 1", "phone")
    if data.relation not in Relation.values:
        raise DomainError("invalid_relation", f"relation must be one of {', '.join(Relation.values)}", "relation")
    household = Household.objects.filter(code=data.household_code).first()
    if household is None:
        raise DomainError("unknown_household", "no household has this code", "household_code")
    symptoms = list(dict.fromkeys(data.symptoms))
    unknown = [s for s in symptoms if s not in SYMPTOMS]
    if unknown:
        raise DomainError("invalid_symptom", f"unknown symptom: {unknown[0]}", "symptoms")
    travel = []
    earliest = today - dt.timedelta(days=TRAVEL_WINDOW_DAYS)
    for i, stop in enumerate(data.travel):
        place = str(stop.get("place", "")).strip()
        if not place or len(place) > 100 or not printable(place):
            raise DomainError("invalid_travel", f"stop {i + 1}: a place is needed", f"travel[{i}].place")
        try:
            start = dt.date.fromisoformat(str(stop.get("from")))
            end = dt.date.fromisoformat(str(stop.get("to") or stop.get("from")))
        except ValueError:
            raise DomainError("invalid_travel", f"stop {i + 1}: dates are YYYY-MM-DD", f"travel[{i}].from") from None
        if end < start or end > today or end < earliest:
            raise DomainError(
                "invalid_travel", f"stop {i + 1}: dates must lie in the last {TRAVEL_WINDOW_DAYS} days, in order",
                f"travel[{i}].to",
            )
        travel.append({"place": place, "from": start.isoformat(), "to": end.isoformat()})
    return number, household, travel, symptoms


@transaction.atomic
def submit_declaration(data: DeclarationInput, *, by, on_behalf: bool = False) -> Declaration:
    """File a self-declaration (or one for someone without a phone, by a worker) for verification."""
    today = timezone.localdate()
    number, household, travel, symptoms = _clean(data, today)
    digest = identity.id_hmac(number, settings.WUYI_ID_KEY)
    submitter = by if by is not None and by.is_authenticated else None
    # Per submitter: someone else who knows the number can neither block the real person's declaration
    # nor learn from the refusal that one exists; the worker sees both in the queue.
    if submitter is not None and Declaration.objects.filter(
        id_hmac=digest, status=DeclarationStatus.PENDING, submitted_by=submitter
    ).exists():
        raise DomainError("already_pending", "your declaration for this ID number is already waiting", "id_number", 409)
    return Declaration.objects.create(
        submitted_by=submitter,
        on_behalf=on_behalf,
        name=data.name.strip(),
        id_hmac=digest,
        id_masked=identity.mask(number),
        birth_year=identity.birth_year(number),
        sex=identity.sex(number),
        phone=data.phone.strip(),
        household=household,
        relation=data.relation,
        travel=travel,
        symptoms=symptoms,
    )


@dataclass(frozen=True)
class RosterMatch:
    """What the roster says about a declaration: the person with its ID number, if any, and where they live."""

    person: Person | None
    lives_in_household: bool
    same_name: bool

    @property
    def label(self) -> str:
        if self.person is None:
            return "new"
        if self.lives_in_household and self.same_name:
            return "match"
        return "conflict"


def roster_match(declaration: Declaration) -> RosterMatch:
    person = Person.objects.filter(id_hmac=declaration.id_hmac).first()
    if person is None:
        return RosterMatch(None, False, False)
    lives = Membership.objects.filter(
        person=person, household_id=declaration.household_id, moved_out__isnull=True
    ).exists()
    return RosterMatch(person, lives, person.name == declaration.name)


def _pending(declaration_id: int) -> Declaration:
    declaration = Declaration.objects.select_for_update().filter(pk=declaration_id).first()
    if declaration is None:
        raise NotFound("declaration", "declaration_id")
    if declaration.status != DeclarationStatus.PENDING:
        raise DomainError("already_reviewed", "this declaration has already been reviewed", "declaration_id", 409)
    return declaration


def new_pass_number() -> str:
    return "P" + secrets.token_hex(6).upper()


def issue_pass(person: Person, compound: Area, *, by, kind: str = PassKind.RESIDENT, days: int = RESIDENT_PASS_DAYS) -> Pass:
    """A live pass of this kind for this compound: the existing one while it is valid, else a new one."""
    live = Pass.objects.filter(person=person, compound=compound, kind=kind, revoked_at__isnull=True).first()
    if live is not None and (live.valid_until is None or live.valid_until >= timezone.localdate()):
        return live
    if live is not None:  # expired: retire it so that the one-live-pass constraint admits the new one
        live.revoked_at = timezone.now()
        live.save(update_fields=["revoked_at"])
    try:
        with transaction.atomic():
            return Pass.objects.create(
                number=new_pass_number(), person=person, compound=compound, kind=kind, issued_by=by,
                valid_until=timezone.localdate() + dt.timedelta(days=days),
            )
    except IntegrityError:  # a concurrent approval issued it first
        return Pass.objects.get(person=person, compound=compound, kind=kind, revoked_at__isnull=True)


@transaction.atomic
def approve(declaration_id: int, *, by) -> Pass:
    """Verify a declaration against the roster, record the person there, and issue the resident pass.

    A person already in the roster under another name is a conflict for the worker to sort out in the
    roster first: approval refuses it rather than overwrite the record.
    """
    declaration = _pending(declaration_id)
    match = roster_match(declaration)
    if match.person is not None and not match.same_name:
        raise DomainError(
            "roster_conflict", "the roster has this ID number under another name; correct the roster first",
            "declaration_id", 409,
        )
    if (
        match.person is not None
        and not match.lives_in_household
        and Membership.objects.filter(person=match.person, moved_out__isnull=True).exists()
    ):
        raise DomainError(
            "lives_elsewhere", "the roster has this person living in another household; record the move in the "
            "roster first", "declaration_id", 409,
        )
    person = match.person or Person(name=declaration.name, id_hmac=declaration.id_hmac)
    person.id_masked = declaration.id_masked
    person.birth_year = declaration.birth_year
    person.sex = declaration.sex
    if declaration.phone:
        person.phone = declaration.phone
    person.verified = True
    person.save()
    if not match.lives_in_household:
        Membership.objects.create(
            person=person, household=declaration.household, relation=declaration.relation,
            moved_in=timezone.localdate(),
        )
    declaration.status = DeclarationStatus.APPROVED
    declaration.reviewed_by = by
    declaration.reviewed_at = timezone.now()
    declaration.person = person
    declaration.save()
    submitter = declaration.submitted_by
    if (
        submitter is not None
        and not declaration.on_behalf
        and submitter.person_id is None
        and not type(submitter).objects.filter(person=person).exists()  # a person has at most one account
    ):
        submitter.person = person
        submitter.save(update_fields=["person"])
    compound = Area.objects.get(code=declaration.household.compound_code)
    return issue_pass(person, compound, by=by)


@transaction.atomic
def reject(declaration_id: int, reason: str, *, by) -> Declaration:
    reason = reason.strip()
    if not reason:
        raise DomainError("reason_required", "say why the declaration is rejected", "reason")
    if not printable(reason):
        raise DomainError("invalid_reason", "the reason holds characters that cannot be stored", "reason")
    declaration = _pending(declaration_id)
    declaration.status = DeclarationStatus.REJECTED
    declaration.reason = reason[:200]
    declaration.reviewed_by = by
    declaration.reviewed_at = timezone.now()
    declaration.save()
    return declaration


@transaction.atomic
def revoke_pass(pass_id: int, *, by) -> Pass:
    p = Pass.objects.select_for_update().filter(pk=pass_id).first()
    if p is None:
        raise NotFound("pass", "pass_id")
    if p.revoked_at is None:
        p.revoked_at = timezone.now()
        p.save(update_fields=["revoked_at"])
    return p


@transaction.atomic
def register_on_behalf(data: DeclarationInput, *, by) -> Pass:
    """A worker registers someone without a phone (the elderly, children): filed and verified at once."""
    declaration = submit_declaration(data, by=by, on_behalf=True)
    return approve(declaration.pk, by=by)
