"""Care API, mounted at /api/care/: the key persons of the caller's area (scoped, limit/offset/count, audited, names
as the pages show them) and logging a contact. For workers holding an area; a key person outside it is a 404."""

import datetime as dt
from typing import Annotated

from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from wuyi.accounts.audit import client_ip, record_many
from wuyi.accounts.scoping import phone_for, scope
from wuyi.care import rules, services
from wuyi.care.models import ContactKind, KeyPerson, KeyReason
from wuyi.care.views import name_for
from wuyi.errors import Forbidden
from wuyi.places.schemas import MAX_ID, Error, Paging, Text, page

router = Router(tags=["care"])

REFUSED = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class KeyPersonOut(Schema):
    id: int
    person_id: int
    name: str
    phone: str
    reason: str
    community_code: str
    since: dt.date
    until: dt.date | None
    last_contact_at: dt.datetime | None
    days_since_contact: int | None
    due: bool


class KeyPersonPage(Schema):
    count: int
    items: list[KeyPersonOut]


class ContactIn(Schema):
    kind: ContactKind
    at: dt.datetime
    note: Text = Field("", max_length=300)
    items: Text = Field("", max_length=300)


class ContactOut(Schema):
    id: int
    key_person_id: int
    kind: str
    at: dt.datetime
    note: str
    items: str


def _worker(request: HttpRequest):
    user = request.user
    if not (user.is_worker and user.area_id):
        raise Forbidden("only workers holding an area may do this")
    return user


@router.get("/key-persons", response={200: KeyPersonPage, **REFUSED},
            summary="The key persons of the caller's area, those due a contact first")
def key_persons(request: HttpRequest, reason: KeyReason | None = None, active: bool = True,
                paging: Query[Paging] = None):
    user = _worker(request)
    found = scope(user, KeyPerson.objects.select_related("person", "community")).annotate(
        last_contact=Max("contacts__at"))
    if active:
        found = found.filter(until__isnull=True)
    if reason:
        found = found.filter(reason=reason)
    count, rows = page(found.order_by(F("last_contact").asc(nulls_first=True), "since", "pk"), paging)
    record_many(user, {kp.person_id for kp in rows}, "view", "care API: key persons", client_ip(request))
    today = timezone.localdate()
    items = []
    for kp in rows:
        due = rules.contact_due(timezone.localtime(kp.last_contact).date() if kp.last_contact else None, kp.since,
                                today)
        items.append({"id": kp.pk, "person_id": kp.person_id, "name": name_for(user, kp.person),
                      "phone": phone_for(user, kp.person.phone), "reason": kp.reason,
                      "community_code": kp.community.code, "since": kp.since, "until": kp.until,
                      "last_contact_at": kp.last_contact, "days_since_contact": due.days_since, "due": due.due})
    return {"count": count, "items": items}


@router.post("/key-persons/{key_person_id}/contacts", response={201: ContactOut, **REFUSED},
             summary="Log a visit, a delivery (with its items), a call or counselling")
def log_contact(request: HttpRequest, key_person_id: Id, data: ContactIn):
    c = services.log_contact(key_person_id, services.ContactInput(data.kind, data.at, data.note, data.items),
                             by=_worker(request))
    return Status(201, {"id": c.pk, "key_person_id": c.key_person_id, "kind": c.kind, "at": c.at, "note": c.note,
                        "items": c.items})
