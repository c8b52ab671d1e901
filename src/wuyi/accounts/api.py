"""Accounts API, mounted at /api/accounts/: who the caller is, their API tokens, and the audit log.

A resident reads who looked at their own record; workers read the audit log of the people in their
area, through `scope`.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from wuyi.accounts import services
from wuyi.accounts.models import ApiToken, AuditEntry
from wuyi.accounts.scoping import scope
from wuyi.errors import Forbidden, NotFound
from wuyi.people.models import Person
from wuyi.places.schemas import MAX_ID, AreaOut, Error, Paging, Text, page

router = Router(tags=["accounts"])


class GateOut(Schema):
    code: str
    name: str
    compound: AreaOut


class Account(Schema):
    username: str
    role: str
    role_label: str
    area: AreaOut | None
    gate: GateOut | None
    person_id: int | None


class TokenIn(Schema):
    name: Text = Field(
        ...,
        min_length=1,
        max_length=services.TOKEN_NAME_MAX_LENGTH,
        description="what the token is for, e.g. the device",
    )


class TokenOut(Schema):
    id: int
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class NewToken(TokenOut):
    key: str = Field(..., description="the bearer key: shown in this response only, never again")


class TokenPage(Schema):
    count: int
    items: list[TokenOut]


class AuditOut(Schema):
    who: str
    when: dt.datetime
    action: str
    what: str


class AuditRow(AuditOut):
    person_id: int | None
    person: str = Field(..., description="masked name of the person whose record it was")


class AuditPage(Schema):
    count: int
    items: list[AuditOut]


class AuditRowPage(Schema):
    count: int
    items: list[AuditRow]


def _area(area) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level, "kind": area.kind}


def _token(t: ApiToken) -> dict:
    return {"id": t.pk, "name": t.name, "created_at": t.created_at, "revoked_at": t.revoked_at}


@router.get("/me", response={200: Account, 401: Error}, summary="The caller's account")
def me(request: HttpRequest):
    user = request.user
    gate = user.gate
    return {
        "username": user.username,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "area": _area(user.area) if user.area_id else None,
        "gate": {"code": gate.code, "name": gate.name, "compound": _area(gate.compound)} if gate else None,
        "person_id": user.person_id,
    }


@router.post("/tokens", response={201: NewToken, 400: Error, 401: Error}, summary="Create an API token")
def create_token(request: HttpRequest, body: TokenIn):
    """A new bearer token of the caller. Its key is in this response only: only its SHA-256 is kept."""
    token, key = services.issue_token(request.user, body.name)
    return Status(201, {**_token(token), "key": key})


@router.get("/tokens", response={200: TokenPage, 401: Error}, summary="The caller's API tokens")
def tokens(request: HttpRequest, paging: Query[Paging] = None):
    count, rows = page(
        ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at", "-pk"), paging
    )
    return {"count": count, "items": [_token(t) for t in rows]}


@router.delete(
    "/tokens/{token_id}", response={204: None, 401: Error, 404: Error}, summary="Revoke an API token"
)
def revoke_token(request: HttpRequest, token_id: int = Path(..., ge=1, le=MAX_ID)):
    """Revoke one of the caller's tokens; it no longer opens the API. Another user's token is a 404."""
    services.revoke_token(request.user, token_id)
    return Status(204, None)


@router.get("/audit/mine", response={200: AuditPage, 401: Error}, summary="Who looked at my record")
def my_audit(request: HttpRequest, paging: Query[Paging] = None):
    """Every audit entry on the caller's own person, newest first: who, when, what."""
    person_id = request.user.person_id
    entries = AuditEntry.objects.filter(person_id=person_id) if person_id else AuditEntry.objects.none()
    count, rows = page(entries.order_by("-at", "-pk"), paging)
    return {
        "count": count,
        "items": [{"who": e.actor_label, "when": e.at, "action": e.action, "what": e.what} for e in rows],
    }


@router.get(
    "/audit",
    response={200: AuditRowPage, 401: Error, 403: Error, 404: Error},
    summary="The audit log of my area",
)
def audit(
    request: HttpRequest, person: int | None = Query(None, ge=1, le=MAX_ID), paging: Query[Paging] = None
):
    """Audit entries on the people of the worker's area, newest first; `person` for one person's (a 404 when
    that person is not in the worker's area)."""
    user = request.user
    if not user.is_worker:
        raise Forbidden("only workers may read the audit log of an area")
    entries = scope(user, AuditEntry.objects.select_related("person"))
    if person is not None:
        if not scope(user, Person.objects.filter(pk=person)).exists():
            raise NotFound("person", "person")
        entries = entries.filter(person_id=person)
    count, rows = page(entries.order_by("-at", "-pk"), paging)
    items = [
        {
            "who": e.actor_label,
            "when": e.at,
            "action": e.action,
            "what": e.what,
            "person_id": e.person_id,
            "person": e.person.masked_name if e.person else "",
        }
        for e in rows
    ]
    return {"count": count, "items": items}
