"""People API, mounted at /api/people/: self-declaration, the verification queue, registering on someone's
behalf, persons, passes, and the caller's own record.

Every queryset goes through `scope`; an object outside it is a 404, so the API never says it exists.
Reviewing, registering and revoking are for worker roles, inside their area. Every read of a person's
details (a declaration, a person, a list of people) is written to the audit log, as the pages do.
"""

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from wuyi.accounts.audit import client_ip, record, record_many
from wuyi.accounts.models import User
from wuyi.accounts.scoping import phone_for, scope
from wuyi.errors import DomainError, Forbidden, NotFound
from wuyi.people import services
from wuyi.people.identity import mask_phone
from wuyi.people.models import Declaration, DeclarationStatus, Membership, Pass, Person
from wuyi.people.schemas import (
    DeclarationDetail,
    DeclarationIn,
    DeclarationOut,
    DeclarationPage,
    Me,
    PassOut,
    PassPage,
    PersonDetail,
    PersonPage,
    RejectIn,
    StatusName,
)
from wuyi.places.models import Household
from wuyi.places.schemas import MAX_ID, Error, Paging, page

router = Router(tags=["people"])

DENIED = {401: Error, 403: Error, 404: Error}
REFUSED = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error}
DECLARATION_RELATED = ("household__building__compound", "person")


def worker(request: HttpRequest) -> User:
    """The caller, if a worker role (city admin, district, street or community worker); else Forbidden."""
    if not request.user.is_worker:
        raise Forbidden("only workers may do this")
    return request.user


def household_ref(h: Household) -> dict:
    b = h.building
    return {
        "code": h.code,
        "room": h.room,
        "building": {"code": b.code, "name": b.name},
        "compound": {"code": b.compound.code, "name": b.compound.name},
    }


def declaration_out(d: Declaration) -> dict:
    return {
        "id": d.pk,
        "status": d.status,
        "name": d.masked_name,
        "id_masked": d.id_masked,
        "household": household_ref(d.household),
        "relation": d.relation,
        "travel": d.travel,
        "symptoms": d.symptoms,
        "on_behalf": d.on_behalf,
        "reason": d.reason,
        "created_at": d.created_at,
        "reviewed_at": d.reviewed_at,
    }


def pass_out(p: Pass) -> dict:
    return {
        "id": p.pk,
        "number": p.number,
        "kind": p.kind,
        "compound": {"code": p.compound.code, "name": p.compound.name},
        "person_id": p.person_id,
        "holder": p.person.masked_name,
        "issued_at": p.issued_at,
        "valid_until": p.valid_until,
        "revoked_at": p.revoked_at,
    }


def person_out(p: Person, phone: str) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "masked_name": p.masked_name,
        "id_masked": p.id_masked,
        "phone": phone,
        "birth_year": p.birth_year,
        "sex": p.sex,
        "verified": p.verified,
    }


def membership_out(m: Membership) -> dict:
    return {
        "household": household_ref(m.household),
        "relation": m.relation,
        "moved_in": m.moved_in,
        "moved_out": m.moved_out,
    }


def _scoped_declaration(user: User, declaration_id: int) -> Declaration:
    d = (
        scope(user, Declaration.objects.select_related(*DECLARATION_RELATED))
        .filter(pk=declaration_id)
        .first()
    )
    if d is None:
        raise NotFound("declaration", "declaration_id")
    return d


def _scoped_pass(user: User, pass_id: int) -> Pass:
    p = scope(user, Pass.objects.select_related("person", "compound")).filter(pk=pass_id).first()
    if p is None:
        raise NotFound("pass", "pass_id")
    return p


# ---- declarations ---------------------------------------------------------------------------------------


@router.post(
    "/declarations",
    response={201: DeclarationOut, 400: Error, 401: Error, 409: Error},
    summary="File a self-declaration",
)
def declare(request: HttpRequest, body: DeclarationIn):
    """The caller's self-declaration (自主申报), waiting for a community worker to verify it."""
    d = services.submit_declaration(body.to_input(), by=request.user)
    return Status(201, declaration_out(Declaration.objects.select_related(*DECLARATION_RELATED).get(pk=d.pk)))


@router.get("/declarations", response={200: DeclarationPage, **DENIED}, summary="The verification queue")
def declarations(request: HttpRequest, status: StatusName | None = None, paging: Query[Paging] = None):
    """Declarations of the worker's area, oldest first when pending (first come, first verified)."""
    user = worker(request)
    found = scope(user, Declaration.objects.select_related(*DECLARATION_RELATED))
    if status:
        found = found.filter(status=status)
    order = ("created_at", "pk") if status == DeclarationStatus.PENDING else ("-created_at", "-pk")
    count, rows = page(found.order_by(*order), paging)
    return {"count": count, "items": [declaration_out(d) for d in rows]}


@router.get(
    "/declarations/{declaration_id}",
    response={200: DeclarationDetail, **DENIED},
    summary="One declaration, against the roster (audited)",
)
def declaration(request: HttpRequest, declaration_id: int = Path(..., ge=1, le=MAX_ID)):
    user = worker(request)
    d = _scoped_declaration(user, declaration_id)
    match = services.roster_match(d)
    whose = d.person or match.person
    record(user, whose, "view", f"declaration {d.pk}", client_ip(request))
    in_scope = whose is not None and scope(user, Person.objects.filter(pk=whose.pk)).exists()
    return {
        **declaration_out(d),
        "name": d.name,
        "phone": phone_for(user, d.phone),
        "roster": match.label,
        "person_id": whose.pk if in_scope else None,
    }


@router.post(
    "/declarations/{declaration_id}/approve",
    response={200: PassOut, **REFUSED},
    summary="Approve a declaration: the resident pass",
)
@transaction.atomic  # the change and its audit entry stand or fall together
def approve(request: HttpRequest, declaration_id: int = Path(..., ge=1, le=MAX_ID)):
    """Verify against the roster, record the person in the household, and issue the resident pass (出入证)."""
    user = worker(request)
    d = _scoped_declaration(user, declaration_id)
    issued = services.approve(d.pk, by=user)
    record(user, issued.person, "approve", f"declaration {d.pk}, pass {issued.number}", client_ip(request))
    return pass_out(issued)


@router.post(
    "/declarations/{declaration_id}/reject",
    response={200: DeclarationOut, **REFUSED},
    summary="Reject a declaration, saying why",
)
@transaction.atomic  # the change and its audit entry stand or fall together
def reject(request: HttpRequest, body: RejectIn, declaration_id: int = Path(..., ge=1, le=MAX_ID)):
    user = worker(request)
    d = _scoped_declaration(user, declaration_id)
    services.reject(d.pk, body.reason, by=user)
    record(user, d.person, "reject", f"declaration {d.pk}", client_ip(request))
    return declaration_out(Declaration.objects.select_related(*DECLARATION_RELATED).get(pk=d.pk))


@router.post("/register", response={201: PassOut, **REFUSED}, summary="Register someone on their behalf")
@transaction.atomic  # the change and its audit entry stand or fall together
def register(request: HttpRequest, body: DeclarationIn):
    """A worker registers someone without a phone (the elderly, children) in a household of their area:
    verified at once, pass issued."""
    user = worker(request)
    if not scope(user, Household.objects.filter(code=body.household_code)).exists():
        # The answer for a code that does not exist: households elsewhere are not the worker's to know.
        raise DomainError("unknown_household", "no household has this code", "household_code")
    issued = services.register_on_behalf(body.to_input(), by=user)
    record(user, issued.person, "register", f"registered on behalf, pass {issued.number}", client_ip(request))
    return Status(201, pass_out(issued))


# ---- persons and passes ---------------------------------------------------------------------------------


@router.get("/persons", response={200: PersonPage, **DENIED}, summary="People in the caller's area (audited)")
def persons(request: HttpRequest, paging: Query[Paging] = None):
    """Masked names, ID numbers and phones of the people of a worker's area; audited per person."""
    user = worker(request)
    count, rows = page(scope(user, Person.objects.all()).order_by("pk"), paging)
    others = [p.pk for p in rows if p.pk != user.person_id]
    if others:
        record_many(user, others, "view", "person list (API)", client_ip(request))
    items = [
        {
            "id": p.pk,
            "name": p.masked_name,
            "id_masked": p.id_masked,
            "phone": mask_phone(p.phone) if p.phone else "",
            "birth_year": p.birth_year,
            "sex": p.sex,
            "verified": p.verified,
        }
        for p in rows
    ]
    return {"count": count, "items": items}


@router.get(
    "/persons/{person_id}", response={200: PersonDetail, **DENIED}, summary="A person's details (audited)"
)
def person(request: HttpRequest, person_id: int = Path(..., ge=1, le=MAX_ID)):
    """The person, their homes, passes and declarations, as far as the caller's area reaches."""
    user = request.user
    if person_id != user.person_id:
        worker(request)  # a gate guard checks passes, not people's records
    p = scope(user, Person.objects.all()).filter(pk=person_id).first()
    if p is None:
        raise NotFound("person", "person_id")
    if p.pk != user.person_id:
        record(user, p, "view", "person (API)", client_ip(request))
    declared = Q(person=p) | Q(id_hmac=p.id_hmac) if p.id_hmac else Q(person=p)
    return {
        **person_out(p, p.phone if p.pk == user.person_id else phone_for(user, p.phone)),
        "memberships": [
            membership_out(m)
            for m in scope(user, Membership.objects.filter(person=p))
            .select_related("household__building__compound")
            .order_by("moved_out", "-moved_in")
        ],
        "passes": [
            pass_out(x)
            for x in scope(user, Pass.objects.filter(person=p)).select_related("person", "compound")
        ],
        "declarations": [
            declaration_out(d)
            for d in scope(user, Declaration.objects.filter(declared)).select_related(*DECLARATION_RELATED)
        ],
    }


@router.get("/passes", response={200: PassPage, **DENIED}, summary="Passes in the caller's area")
def passes(request: HttpRequest, live: bool | None = None, paging: Query[Paging] = None):
    """Passes the caller may see; `live=true` for the unrevoked ones only, `false` for the revoked."""
    found = scope(request.user, Pass.objects.select_related("person", "compound"))
    if live is not None:
        found = found.filter(revoked_at__isnull=live)
    count, rows = page(found.order_by("-issued_at", "-pk"), paging)
    return {"count": count, "items": [pass_out(p) for p in rows]}


@router.post("/passes/{pass_id}/revoke", response={200: PassOut, **REFUSED}, summary="Revoke a pass")
@transaction.atomic  # the change and its audit entry stand or fall together
def revoke(request: HttpRequest, pass_id: int = Path(..., ge=1, le=MAX_ID)):
    user = worker(request)
    p = _scoped_pass(user, pass_id)
    revoked = services.revoke_pass(p.pk, by=user)
    record(user, p.person, "revoke", f"pass {p.number}", client_ip(request))
    return pass_out(Pass.objects.select_related("person", "compound").get(pk=revoked.pk))


@router.get("/me", response={200: Me, 401: Error}, summary="The caller's own record")
def me(request: HttpRequest):
    """The caller's person (once a declaration of theirs is approved), homes, passes and declarations."""
    user = request.user
    own = Q(submitted_by=user, on_behalf=False)
    if user.person_id:
        own |= Q(person_id=user.person_id)
    declared = scope(user, Declaration.objects.filter(own)).select_related(*DECLARATION_RELATED)
    person = user.person
    if person is None:
        return {
            "person": None,
            "memberships": [],
            "passes": [],
            "declarations": [declaration_out(d) for d in declared],
        }
    return {
        "person": person_out(person, person.phone),
        "memberships": [
            membership_out(m)
            for m in scope(user, Membership.objects.filter(person=person))
            .select_related("household__building__compound")
            .order_by("moved_out", "-moved_in")
        ],
        "passes": [
            pass_out(p)
            for p in scope(user, Pass.objects.filter(person=person)).select_related("person", "compound")
        ],
        "declarations": [declaration_out(d) for d in declared],
    }
