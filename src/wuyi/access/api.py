"""Access API, mounted at /api/access/: what gate kits and handheld apps need.

- ``GET trust-list`` and ``GET revocation-list``: the signed documents a verifier works from offline
  (DESIGN.md §5), for gate guards, workers and health officials. They hold keys and pseudonyms, no one's
  personal data. The trust list is signed by the current key and cross-signed by every other key still
  trusted: a kit takes a new list only when a key it already trusts signed it, so after ``wuyi keys rotate``
  it takes the list that brings the new key through the old key's signature.
- ``GET gates/{gate_code}/policy``: the gate policy of the gate's compound for today and the next 7 days, for the
  gate's own guards and the workers whose area holds it.
- ``POST events``: a gate kit's batch of decisions, stored once each by their client-made UUID (DESIGN.md §4):
  the answer lists the ids accepted, the ids already stored (duplicates) and an error for each bad event, and
  the good events of a batch are stored whatever the bad ones. A gate guard uploads for their own gate only
  (each event for another gate gets the error ``not_your_gate``); the city administrator for any gate.
- ``POST check``: online verification for a handheld app at a gate, by the guards of that gate: the decision, and
  the access event it recorded.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema

from wuyi.access import events, keys, services
from wuyi.accounts.models import Role, User
from wuyi.accounts.scoping import can_see_area
from wuyi.errors import Forbidden, NotFound
from wuyi.places.models import Gate
from wuyi.places.schemas import Error, Text

router = Router(tags=["access"])

DENIED = {401: Error, 403: Error, 404: Error}
REFUSED = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}
GATE_CODE = r"^[0-9A-Za-z]{1,20}$"
GateCode = Annotated[str, Path(pattern=GATE_CODE)]
POLICY_DAYS_AHEAD = 7  # a kit that loses the network keeps the right policy for a week
MAX_CODE_CHARACTERS = 4096  # ours are ~310; a DCC code a few hundred more
# A reading must fit the access log's column (3 digits, 1 decimal); the policy judges whether it is plausible.
MAX_TYPED_CELSIUS = 99.9


class SignedDocumentOut(Schema):
    document: dict[str, Any]
    kid: str  # hex of the signing key's kid
    signature: str  # base64 of the raw ES256 signature (r‖s) over the document's canonical JSON


class SignatureOut(Schema):
    kid: str
    signature: str


class TrustListOut(SignedDocumentOut):
    cross_signatures: list[SignatureOut]  # the same document signed by each other trusted key


class PolicyDayOut(Schema):
    date: dt.date
    policy: str


class GatePolicyOut(Schema):
    gate_code: str
    compound_code: str
    days: list[PolicyDayOut]


class EventsIn(Schema):
    events: list[Any] = Field(..., max_length=events.MAX_BATCH)  # each one validated on its own
    device: Annotated[Text, Field(max_length=64)] = ""  # the kit's id; default: the caller's user name


class EventErrorOut(Schema):
    index: int
    event_id: str | None
    code: str
    message: str
    field: str | None


class IngestedOut(Schema):
    accepted: list[str]
    duplicates: list[str]
    errors: list[EventErrorOut]


class CheckIn(Schema):
    gate_code: Annotated[str, Field(pattern=GATE_CODE)]
    code: Annotated[str, Field(max_length=MAX_CODE_CHARACTERS)]
    direction: Literal["in", "out"] = "in"
    temperature: Annotated[float, Field(ge=0, le=MAX_TYPED_CELSIUS, allow_inf_nan=False)] | None = None
    # the app's own id for this check: sent again (after a lost answer), the check gets its first decision back
    event_id: uuid.UUID | None = None


class CheckOut(Schema):
    allow: bool
    reason: str
    next_step: str
    reason_text: str
    next_step_text: str
    report_to_community: bool
    policy: str
    masked_name: str
    colour: str | None
    holder_kind: str
    event_id: uuid.UUID


def list_reader(request: HttpRequest) -> User:
    user = request.user
    if (user.role == Role.GATE_GUARD and user.gate_id) or user.is_worker or user.role == Role.HEALTH_OFFICIAL:
        return user
    raise Forbidden("only gate guards, workers and health officials download the lists")


def _gate(gate_code: str, field: str) -> Gate:
    gate = Gate.objects.select_related("compound").filter(code=gate_code).first()
    if gate is None:
        raise NotFound("gate", field)
    return gate


def guards(user: User, gate: Gate) -> bool:
    return user.role == Role.GATE_GUARD and user.gate_id == gate.pk


@router.get("/trust-list", response={200: TrustListOut, **DENIED},
            summary="The signed trust list: the keys whose codes a gate accepts")
def trust_list(request: HttpRequest):
    list_reader(request)
    keys.current()  # made on first use: the key that signs the list must be on it
    document = keys.trust_document()
    signed = keys.sign_document(document)
    others = [keys.sign_document(document, stored) for stored in keys.trusted() if stored.kid != signed["kid"]]
    return {**signed, "cross_signatures": [{"kid": o["kid"], "signature": o["signature"]} for o in others]}


@router.get("/revocation-list", response={200: SignedDocumentOut, **DENIED},
            summary="The signed revocation list: pseudonym → revoked since, for codes not yet expired")
def revocation_list(request: HttpRequest):
    list_reader(request)
    return keys.sign_document(services.revocation_document())


@router.get("/gates/{gate_code}/policy", response={200: GatePolicyOut, **DENIED, 422: Error},
            summary=f"The gate policy of the gate's compound for today and the next {POLICY_DAYS_AHEAD} days")
def gate_policy(request: HttpRequest, gate_code: GateCode):
    gate = _gate(gate_code, "gate_code")
    user = request.user
    if not guards(user, gate) and not (user.is_worker and can_see_area(user, gate.compound.code)):
        raise NotFound("gate", "gate_code")
    today = timezone.localdate()
    days = [today + dt.timedelta(days=n) for n in range(POLICY_DAYS_AHEAD + 1)]
    return {"gate_code": gate.code, "compound_code": gate.compound.code,
            "days": [{"date": day, "policy": services.policy_for(gate.compound.code, day)} for day in days]}


@router.post("/events", response={200: IngestedOut, **REFUSED},
             summary="Upload a batch of gate decisions: stored once each by event id; an error per bad event")
def upload_events(request: HttpRequest, data: EventsIn):
    user = request.user
    if user.role == Role.GATE_GUARD and user.gate_id:
        only_gate = user.gate.code
    elif user.role == Role.CITY_ADMIN:
        only_gate = None
    else:
        raise Forbidden("only gate guards (for their gate) and the city administrator upload gate events")
    result = events.ingest(data.events, source="kit", device=data.device or user.username, only_gate=only_gate)
    return {"accepted": result.accepted, "duplicates": result.duplicates,
            "errors": [vars(error) for error in result.errors]}


@router.post("/check", response={200: CheckOut, **REFUSED},
             summary="Verify a code at a gate online: the decision, recorded as an access event")
def check(request: HttpRequest, data: CheckIn):
    gate = _gate(data.gate_code, "gate_code")
    user = request.user
    if not guards(user, gate):
        raise Forbidden("only the guards of this gate check codes at it", "gate_code")
    temperature = None
    if data.temperature is not None:
        temperature = float(Decimal(str(data.temperature)).quantize(Decimal("0.1")))
    result = services.check_at_gate(gate, data.code.strip(), data.direction, temperature, by=user,
                                    event_id=data.event_id)
    decision = result.decision
    return {"allow": decision.allow, "reason": decision.reason, "next_step": decision.next_step.value,
            "reason_text": decision.texts[0], "next_step_text": decision.texts[1],
            "report_to_community": decision.report_to_community, "policy": decision.rule_id,
            "masked_name": result.masked_name, "colour": result.colour, "holder_kind": result.holder_kind,
            "event_id": result.event_id}
