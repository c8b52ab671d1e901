"""Closed management operations: minting codes from passes, visits, revocation, and the online gate check.

Each writing operation is one transaction. A code carries the holder's colour at issue, so a change of colour
revokes the holder's outstanding codes at once (``revoke_stale_codes``, on health's ``colours_recomputed``
signal, in the transaction that changed the colour); revoking a pass revokes its holder's codes too.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from wuyi.access import codec, gate_policy, keys
from wuyi.access.events import ensure_partitions, local_day
from wuyi.access.models import AccessEvent, Code, CodeKind, CompoundPolicy, Source, Visit
from wuyi.accounts.models import User
from wuyi.errors import DomainError, NotFound
from wuyi.health.models import PersonColour
from wuyi.health.services import colour_of
from wuyi.people.models import Membership, Pass, PassKind, Person
from wuyi.people.services import new_pass_number
from wuyi.places.models import CODE_LENGTH, Area, Gate, Level
from wuyi.text import is_mobile_phone

ISSUER = "wuyi.shenzhen"
PHONE_CODE_LIFETIME = dt.timedelta(hours=4)  # "tokens on a phone live hours" (DESIGN.md §5)
REISSUE_BEFORE = dt.timedelta(hours=1)  # a phone gets a fresh code when its current one has less than this left
PAPER_CODE_LIFETIME = dt.timedelta(days=28)  # "paper passes live weeks and rely on revocation"
WORKER_CODE_LIFETIME = dt.timedelta(hours=12)
VISIT_LONGEST = dt.timedelta(days=1)
RETRY_WITHIN = dt.timedelta(hours=1)  # a check sent again with its id after this is a new check


def _pseudonym() -> str:
    return secrets.token_urlsafe(12)  # 96 random bits, 16 characters


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


@transaction.atomic
def mint(person: Person, kind: str, compounds: list[str], *, lifetime: dt.timedelta, by: User | None = None,
         role: str = "", not_before: dt.datetime | None = None, now: dt.datetime | None = None,
         expires_at: dt.datetime | None = None) -> Code:
    """Sign and store a new code for ``person`` with their colour now.

    The colour's row stays locked until the code is stored (PostgreSQL; SQLite runs one writer at a time): a
    change of colour under way is waited for and its colour taken, and one that comes later waits for this code
    and then revokes it with the others (``revoke_stale_codes``). Without the lock a code could be signed with
    the old colour after the change had revoked the codes it knew of."""
    now = now or timezone.now()
    stored_key = keys.current()
    colour_of(person.pk)  # stored, if it never was
    colour = PersonColour.objects.select_for_update().values_list("colour", flat=True).get(person_id=person.pk)
    expires_at = expires_at or now + lifetime
    claims = codec.Claims(
        sub=_pseudonym(), col=colour, cmp=tuple(sorted(compounds)), nm=person.masked_name, kind=kind, iss=ISSUER,
        iat=_epoch(now), exp=_epoch(expires_at), nbf=_epoch(not_before) if not_before else None, role=role or None,
    )
    text = codec.encode(claims, keys.signer(stored_key))
    return Code.objects.create(
        pseudonym=claims.sub, person=person, kind=kind, role=role, masked_name=claims.nm,
        compounds=list(claims.cmp), colour=colour, key=stored_key, issued_at=now, not_before=not_before,
        expires_at=expires_at, text=text, issued_by=by,
    )


def live_passes(person: Person, kinds=(PassKind.RESIDENT,), today: dt.date | None = None):
    today = today or timezone.localdate()
    return Pass.objects.filter(person=person, kind__in=kinds, revoked_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today))


@transaction.atomic
def my_code(person: Person, now: dt.datetime | None = None) -> Code | None:
    """The resident's current phone code: the compounds of their live resident passes; reissued when it has
    less than an hour left, when it was revoked, or when their passes changed. None without a live pass."""
    now = now or timezone.now()
    compounds = sorted(set(live_passes(person).values_list("compound__code", flat=True)))
    if not compounds:
        return None
    current = (Code.objects.filter(person=person, kind=CodeKind.RESIDENT, revoked_at__isnull=True,
                                   expires_at__gt=now + REISSUE_BEFORE).order_by("-issued_at").first())
    if current is not None and sorted(current.compounds) == compounds:
        return current
    return mint(person, CodeKind.RESIDENT, compounds, lifetime=PHONE_CODE_LIFETIME, now=now)


@transaction.atomic
def paper_code(pass_id: int, by: User | None, now: dt.datetime | None = None) -> Code:
    """The code printed on a paper pass (for people without a phone): long-lived, revocable."""
    now = now or timezone.now()
    p = Pass.objects.select_related("person", "compound").filter(pk=pass_id).first()
    if p is None:
        raise NotFound("pass", "pass_id")
    if p.revoked_at is not None:
        raise DomainError("pass_revoked", "this pass is revoked", "pass_id")
    if p.valid_until is not None and p.valid_until < timezone.localdate(now):
        raise DomainError("pass_expired", "this pass has ended: issue a new one", "pass_id")
    live = Code.objects.filter(person=p.person, kind=CodeKind.PAPER, compounds=[p.compound.code],
                               revoked_at__isnull=True, expires_at__gt=now).order_by("-issued_at").first()
    if live is not None:
        return live
    ends = now + PAPER_CODE_LIFETIME
    if p.valid_until is not None:
        ends = min(ends, dt.datetime.combine(p.valid_until + dt.timedelta(days=1), dt.time(),
                                             timezone.get_current_timezone()))
    return mint(p.person, CodeKind.PAPER, [p.compound.code], lifetime=PAPER_CODE_LIFETIME, expires_at=ends,
                by=by, now=now)


@transaction.atomic
def worker_code(person: Person, role: str, compounds: list[str], by: User | None,
                now: dt.datetime | None = None) -> Code:
    """A code for a worker (cadre, property staff, courier…) for the compounds named."""
    if role not in {r.value for r in gate_policy.WorkerRole}:
        raise DomainError("invalid_role", "unknown worker role", "role")
    found = set(Area.objects.filter(code__in=compounds, level=Level.COMPOUND).values_list("code", flat=True))
    if not compounds or found != set(compounds):
        raise DomainError("unknown_compound", "name one or more existing compounds", "compounds")
    return mint(person, CodeKind.WORKER, compounds, lifetime=WORKER_CODE_LIFETIME, role=role, by=by, now=now)


@dataclass
class VisitInput:
    name: str
    phone: str
    compound_code: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: str = ""


@transaction.atomic
def register_visit(host: Person, data: VisitInput, by: User | None, now: dt.datetime | None = None) -> Visit:
    """A resident registers a visitor for a window (at most a day): a visitor pass and a code for one entry.

    The host must live in the compound; the visitor is recorded as an (unverified) person with a phone, so
    that they can be traced like anyone who passed the gate."""
    now = now or timezone.now()
    name = (data.name or "").strip()
    if not 1 <= len(name) <= 60:
        raise DomainError("invalid_name", "enter the visitor's name", "name")
    phone = (data.phone or "").strip()
    if not is_mobile_phone(phone):
        raise DomainError("invalid_phone", "a mobile number has 11 digits and starts with 1", "phone")
    for moment, name_ in ((data.starts_at, "starts_at"), (data.ends_at, "ends_at")):
        if moment is None or timezone.is_naive(moment):
            raise DomainError("invalid_time", "give the time with its date", name_)
    if data.ends_at <= data.starts_at:
        raise DomainError("dates_out_of_order", "the visit must end after it starts", "ends_at")
    if data.ends_at - data.starts_at > VISIT_LONGEST:
        raise DomainError("visit_too_long", "a visit lasts at most a day", "ends_at")
    if data.ends_at <= now:
        raise DomainError("visit_past", "the visit is already over", "ends_at")
    compound = Area.objects.filter(code=data.compound_code, level=Level.COMPOUND).first()
    if compound is None:
        raise DomainError("unknown_compound", "no compound has this code", "compound_code")
    lives_there = Membership.objects.filter(person=host, moved_out__isnull=True,
                                            household__code__startswith=compound.code).exists()
    if not lives_there:
        raise DomainError("not_a_resident", "only a resident of the compound can register a visitor", "compound_code")
    visitor = Person.objects.create(name=name, phone=phone, verified=False)
    visitor_pass = Pass.objects.create(number=new_pass_number(), person=visitor, compound=compound,
                                       kind=PassKind.VISITOR, issued_by=by,
                                       valid_until=timezone.localdate(data.ends_at))
    code = mint(visitor, CodeKind.VISITOR, [compound.code], lifetime=data.ends_at - now, expires_at=data.ends_at,
                not_before=data.starts_at, by=by, now=now)
    return Visit.objects.create(visitor_pass=visitor_pass, host=host, compound=compound, starts_at=data.starts_at,
                                ends_at=data.ends_at, purpose=data.purpose[:100], code=code, registered_by=by)


# ---- revocation ------------------------------------------------------------------------------------------


def revoke_codes(codes, reason: str, now: dt.datetime | None = None) -> int:
    """Revoke the outstanding codes of a queryset; returns how many."""
    now = now or timezone.now()
    return codes.filter(revoked_at__isnull=True, expires_at__gt=now).update(revoked_at=now, revoked_reason=reason)


def revoke_stale_codes(person_ids=None, now: dt.datetime | None = None) -> int:
    """Revoke every outstanding code whose colour is no longer its holder's stored colour: one UPDATE."""
    codes = Code.objects.all() if person_ids is None else Code.objects.filter(person_id__in=list(person_ids))
    other_colour = PersonColour.objects.filter(person_id=OuterRef("person_id")).exclude(colour=OuterRef("colour"))
    return revoke_codes(codes.filter(Exists(other_colour)), "colour_changed", now)


def revocation_list(now: dt.datetime | None = None) -> dict[str, int]:
    """pseudonym → revoked since (epoch seconds), for the codes revoked that have not expired yet."""
    now = now or timezone.now()
    return {
        pseudonym: _epoch(revoked_at)
        for pseudonym, revoked_at in Code.objects.filter(revoked_at__isnull=False, expires_at__gt=now)
        .values_list("pseudonym", "revoked_at").iterator()
    }


def revocation_document(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    return {"kind": "wuyi-revocation-list", "issued_at": _epoch(now), "revoked": revocation_list(now)}


# ---- the gate ---------------------------------------------------------------------------------------------


def policy_for(compound_code: str, day: dt.date) -> str:
    """The gate policy the compound runs on ``day``: its own latest choice, else the city's default then."""
    chosen = (CompoundPolicy.objects.filter(compound__code=compound_code, effective_from__lte=day)
              .order_by("-effective_from").values_list("policy", flat=True).first())
    if chosen:
        return chosen
    try:
        return gate_policy.rules_on(day).id
    except gate_policy.NoPolicyInForce:
        return gate_policy.STRICT


@dataclass(frozen=True)
class GateResult:
    decision: gate_policy.Decision
    event_id: uuid.UUID
    masked_name: str
    colour: str | None
    holder_kind: str
    code: Code | None


def _household_last_exit(person_id: int, compound_code: str, before: dt.datetime) -> dt.datetime | None:
    """The last allowed exit of anyone of the person's household at this compound (for the exit quota)."""
    household = (Membership.objects.filter(person_id=person_id, moved_out__isnull=True,
                                           household__code__startswith=compound_code)
                 .values_list("household_id", flat=True).first())
    if household is None:
        return None
    members = Membership.objects.filter(household_id=household, moved_out__isnull=True).values_list("person_id",
                                                                                                    flat=True)
    pseudonyms = Code.objects.filter(person_id__in=members).values_list("pseudonym", flat=True)
    # the exits on a resident's code or a paper pass: a member's exit on a worker's code is work, not the quota
    return (AccessEvent.objects.filter(compound_code=compound_code, direction="out", allowed=True,
                                       holder_kind__in=(CodeKind.RESIDENT, CodeKind.PAPER),
                                       pseudonym__in=pseudonyms, occurred_at__lt=before,
                                       occurred_at__gte=before - dt.timedelta(days=3))
            .order_by("-occurred_at").values_list("occurred_at", flat=True).first())


def _checked_before(gate: Gate, event_id: uuid.UUID, now: dt.datetime) -> GateResult | None:
    """The decision an online check recorded at this gate under ``event_id`` within :data:`RETRY_WITHIN`, as
    first given (a kit's event of the same id is no online check: it does not answer for one)."""
    event = (AccessEvent.objects.filter(gate_code=gate.code, occurred_at__gte=now - RETRY_WITHIN,
                                        occurred_at__lte=now, event_id=event_id, source=Source.ONLINE).first())
    if event is None:
        return None
    stored = Code.objects.select_related("person").filter(pseudonym=event.pseudonym).first() if event.pseudonym \
        else None
    step = gate_policy.NextStep(event.next_step)
    at = timezone.localtime(event.occurred_at).strftime("%H:%M:%S")
    reason_text = gate_policy.VERIFICATION_TEXTS.get(event.reason, f"Decided at {at}: {event.reason}.")
    decision = gate_policy.Decision(event.allowed, event.reason, step,
                                    (reason_text, gate_policy.NEXT_STEP_TEXTS[step]),
                                    step is gate_policy.NextStep.REPORT_TO_COMMUNITY, event.policy)
    return GateResult(decision, event.event_id, stored.masked_name if stored else "",
                      stored.colour if stored else None, event.holder_kind, stored)


def check_at_gate(gate: Gate, text: str, direction: str, temperature: float | None, *, by: User | None,
                  now: dt.datetime | None = None, device: str = "", event_id: uuid.UUID | None = None) -> GateResult:
    """Verify a code online at a gate, decide under the compound's policy, and record the event: one
    transaction, so the event, a visitor's used entry and the decision stand or fall together.

    ``event_id`` is the client's id for this check (DESIGN.md §4: a client-made UUID): a check sent again with
    the same id (a retry after a lost answer, a form sent twice) gets the first decision back and records
    nothing more."""
    now = now or timezone.now()
    if event_id is not None:
        earlier = _checked_before(gate, event_id, now)
        if earlier is not None:
            return earlier
    compound_code = gate.compound.code
    policy = policy_for(compound_code, local_day(now))
    claims = None
    error = None
    stored = None
    try:
        # the compounds a code opens are the policy's to judge (a courier may serve any compound under some)
        claims = codec.verify((text or "").strip(), keys.trust_list(now), now)
    except codec.CodeError as e:
        error = e.code
    with transaction.atomic():
        if claims is not None:
            stored = Code.objects.select_related("person").filter(pseudonym=claims.sub).first()
            if stored is None or stored.revoked_at is not None:
                error, claims = "revoked", None
        visit = None
        if claims is not None and claims.kind == CodeKind.VISITOR:
            visit = Visit.objects.select_for_update().filter(code=stored).first()
        last_exit = None
        if claims is not None and claims.kind in (CodeKind.RESIDENT, CodeKind.PAPER) and direction == "out":
            last_exit = _household_last_exit(stored.person_id, compound_code, now)
        gate_input = gate_policy.GateInput(
            compound=compound_code, direction=direction, at=now,
            code=gate_policy.CodeClaims(sub=claims.sub, colour=claims.col, compounds=claims.cmp,
                                        masked_name=claims.nm, kind=claims.kind, role=claims.role)
            if claims is not None else None,
            verification_error=error if claims is None and error else None,
            temperature=temperature,
            visitor_entry_used=bool(visit and visit.entered_at),
            household_last_exit=last_exit,
        )
        decision = gate_policy.decide(gate_input, policy)
        if visit is not None and decision.allow and direction == "in":
            visit.entered_at = now
            visit.save(update_fields=["entered_at"])
        event_id = event_id or uuid.uuid4()
        ensure_partitions({local_day(now)})
        AccessEvent.objects.create(
            event_id=event_id, occurred_at=now, received_at=now,
            district_code=compound_code[: CODE_LENGTH[Level.DISTRICT]], compound_code=compound_code,
            gate_code=gate.code, direction=direction, allowed=decision.allow, reason=decision.reason,
            next_step=decision.next_step.value, policy=decision.rule_id, pseudonym=claims.sub if claims else "",
            holder_kind=claims.kind if claims else "", temperature=temperature, source=Source.ONLINE,
            device=(device or (by.username if by else ""))[:64],
        )
    return GateResult(decision, event_id, claims.nm if claims else "", claims.col if claims else None,
                      claims.kind if claims else "", stored)

