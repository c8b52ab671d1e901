"""Codes minted from passes, revocation when a colour or a pass changes, keys and their rotation, the online gate
check, visits, the access log (ingestion, hourly counts, purge)."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from wuyi.access import codec, events, keys, services
from wuyi.access.models import AccessEvent, Code, CompoundPolicy, Visit
from wuyi.errors import DomainError
from wuyi.health import services as health
from wuyi.health.models import PersonColour
from wuyi.people.models import Membership, PassKind, Person, Relation
from wuyi.people.services import issue_pass, revoke_pass

pytestmark = pytest.mark.django_db


def resident_code(world, i=0, side=0):
    person = world.people[2 * side + i]
    issue_pass(person, world.compounds[side], by=None)
    return services.my_code(person)


def check(world, text, side=0, direction="in", temperature=36.5, now=None):
    return services.check_at_gate(world.gates[side], text, direction, temperature, by=None, now=now)


def quarantine(person):
    today = timezone.localdate()
    return health.issue_quarantine(person.pk, "home_quarantine", today, today + dt.timedelta(days=14))


# ---- minting ------------------------------------------------------------------------------------------------


def test_my_code_carries_a_pseudonym_the_colour_the_compounds_and_a_masked_name_and_no_id(world):
    code = resident_code(world)
    claims = codec.verify(code.text, keys.trust_list(), timezone.now())
    person = world.people[0]
    assert (claims.col, claims.cmp, claims.nm, claims.kind) == ("green", (world.compounds[0].code,),
                                                                person.masked_name, "resident")
    assert claims.sub == code.pseudonym and person.name not in code.text
    assert claims.exp - claims.iat == int(services.PHONE_CODE_LIFETIME.total_seconds())
    assert services.my_code(person) == code  # the same code while it has more than an hour left


def test_no_live_pass_no_code_and_a_new_pass_gives_a_new_code(world):
    person = world.people[0]
    assert services.my_code(person) is None
    first = resident_code(world)
    issue_pass(person, world.compounds[1], by=None)  # a second compound
    second = services.my_code(person)
    assert second != first and sorted(second.compounds) == sorted(c.code for c in world.compounds)


def test_a_colour_change_revokes_the_outstanding_codes_at_once(world):
    code = resident_code(world)
    quarantine(world.people[0])
    code.refresh_from_db()
    assert code.revoked_at is not None and code.revoked_reason == "colour_changed"
    fresh = services.my_code(world.people[0])
    assert fresh.colour == "red"
    assert check(world, code.text).decision.reason == "revoked"
    assert check(world, fresh.text).decision.reason == "red_code"


def test_a_city_wide_recompute_revokes_only_the_codes_whose_colour_changed(world):
    kept, changed = resident_code(world, 0), resident_code(world, 1)
    Code.objects.filter(pk=changed.pk).update(colour="blue")  # as if minted under the 2020 rules
    health.recompute_city()
    kept.refresh_from_db()
    changed.refresh_from_db()
    assert kept.revoked_at is None and changed.revoked_reason == "colour_changed"


def test_revoking_the_pass_revokes_the_code(world):
    code = resident_code(world)
    revoke_pass(code.person.passes.get().pk, by=None)
    code.refresh_from_db()
    assert code.revoked_reason == "pass_revoked"
    assert services.my_code(code.person) is None
    assert code.pseudonym in services.revocation_list()


def test_a_paper_pass_lives_weeks_and_is_reused_until_revoked(world):
    person = world.people[1]
    paper = issue_pass(person, world.compounds[0], by=None, kind=PassKind.PAPER)
    code = services.paper_code(paper.pk, by=None)
    assert code.kind == "paper" and code.expires_at - code.issued_at > dt.timedelta(days=20)
    assert services.paper_code(paper.pk, by=None) == code
    assert check(world, code.text).decision.allow


def test_a_worker_code_carries_its_role_and_a_courier_is_judged_by_the_policy(world):
    courier = world.people[2]
    code = services.worker_code(courier, "courier", [world.compounds[1].code], by=None)
    assert codec.verify(code.text, keys.trust_list(), timezone.now()).role == "courier"
    CompoundPolicy.objects.create(compound=world.compounds[0], policy="strict-2020-02",
                                  effective_from=dt.date(2020, 2, 9))
    assert check(world, code.text).decision.reason == "service_worker_not_admitted"
    CompoundPolicy.objects.create(compound=world.compounds[0], policy="relaxed-2020-03-29",
                                  effective_from=dt.date(2020, 3, 29))
    assert check(world, code.text).decision.allow  # relaxed admits couriers with a green code anywhere
    with pytest.raises(DomainError):
        services.worker_code(courier, "astronaut", [world.compounds[1].code], by=None)


# ---- the gate -------------------------------------------------------------------------------------------------


def test_the_gate_refuses_each_failure_with_its_reason_and_records_every_decision(world):
    code = resident_code(world)
    assert check(world, code.text).decision.allow
    assert check(world, code.text, side=1).decision.reason == "not_for_this_compound"
    later = timezone.now() + dt.timedelta(hours=5)
    assert check(world, code.text, now=later).decision.reason == "expired"
    assert check(world, code.text[:-4] + "AAAA").decision.reason in ("malformed", "bad_signature")
    assert check(world, "HC1:" + code.text[4:]).decision.reason == "unknown_prefix"
    assert check(world, code.text, temperature=38.2).decision.reason == "fever"
    assert check(world, code.text, temperature=None).decision.reason == "no_temperature"
    assert AccessEvent.objects.count() == 7
    assert AccessEvent.objects.filter(allowed=True).count() == 1


def test_a_visitor_enters_once(world):
    now = timezone.now()
    visit = services.register_visit(world.people[0], services.VisitInput(
        name="张来访", phone="13911112222", compound_code=world.compounds[0].code, starts_at=now,
        ends_at=now + dt.timedelta(hours=3)), by=None)
    assert check(world, visit.code.text).decision.allow
    again = check(world, visit.code.text).decision
    assert (again.allow, again.reason) == (False, "visitor_code_used")
    assert Visit.objects.get().entered_at is not None
    early = services.register_visit(world.people[0], services.VisitInput(
        name="李未到", phone="13911113333", compound_code=world.compounds[0].code,
        starts_at=now + dt.timedelta(hours=2), ends_at=now + dt.timedelta(hours=3)), by=None)
    assert check(world, early.code.text).decision.reason == "not_yet_valid"


@pytest.mark.parametrize("change, code", [
    ({"phone": "123"}, "invalid_phone"),
    ({"name": ""}, "invalid_name"),
    ({"hours": -1}, "dates_out_of_order"),
    ({"hours": 30}, "visit_too_long"),
    ({"compound": 1}, "not_a_resident"),
])
def test_bad_visits_are_refused_and_nothing_is_written(world, change, code):
    now = timezone.now()
    data = services.VisitInput(
        name=change.get("name", "张来访"), phone=change.get("phone", "13911112222"),
        compound_code=world.compounds[change.get("compound", 0)].code, starts_at=now,
        ends_at=now + dt.timedelta(hours=change.get("hours", 2)))
    with pytest.raises(DomainError) as e:
        services.register_visit(world.people[0], data, by=None)
    assert e.value.code == code
    assert not Visit.objects.exists() and not Code.objects.exists()


# ---- keys ---------------------------------------------------------------------------------------------------


def test_rotation_keeps_old_codes_valid_and_signs_new_ones_with_the_new_key(world):
    old = resident_code(world)
    call_command("keys", "rotate")
    assert old.key.kid in {k.kid for k in keys.trusted()}
    assert check(world, old.text).decision.allow
    new = resident_code(world, 1)
    assert new.key.kid != old.key.kid
    old.key.refresh_from_db()
    assert old.key.trusted_until >= old.expires_at  # trusted while its codes live, and for kits to roll over
    assert old.key.kid in {k.kid for k in keys.trusted(old.key.trusted_until - dt.timedelta(seconds=1))}
    assert old.key.kid not in {k.kid for k in keys.trusted(old.key.trusted_until + dt.timedelta(seconds=1))}


def test_private_keys_are_encrypted_at_rest(world, settings):
    stored = keys.current()
    pem = bytes(stored.private_pem)
    assert b"ENCRYPTED PRIVATE KEY" in pem
    with pytest.raises((TypeError, ValueError)):
        codec.SigningKey.from_pem(pem, None)


def test_signed_documents_verify_and_a_tampered_one_does_not(world):
    resident_code(world)
    signed = keys.sign_document(keys.trust_document())
    trust = keys.trust_list()
    assert keys.open_document(signed, trust)["kind"] == "wuyi-trust-list"
    signed["document"]["keys"].append({"kid": "00", "public_key": "", "trusted_until": None})
    with pytest.raises(keys.BadDocument):
        keys.open_document(signed, trust)


# ---- the access log -------------------------------------------------------------------------------------------


def event(world, **change):
    base = {"event_id": str(uuid.uuid4()), "occurred_at": timezone.now().isoformat(), "gate": world.gates[0].code,
            "direction": "in", "allowed": True, "reason": "admitted", "temperature": 36.4}
    return {**base, **change}


def test_ingestion_is_idempotent_and_reports_each_bad_event(world):
    good = [event(world) for _ in range(5)]
    bad = [event(world, gate="nowhere"), event(world, occurred_at="yesterday"), event(world, temperature=55),
           event(world, event_id="not-a-uuid"), "not an object"]
    first = events.ingest(good + bad)
    assert len(first.accepted) == 5 and not first.duplicates
    assert [(e.index, e.code, e.field) for e in first.errors] == [
        (5, "unknown_gate", "gate"), (6, "invalid", "occurred_at"), (7, "invalid", "temperature"),
        (8, "invalid", "event_id"), (9, "invalid", None)]
    second = events.ingest(good + [good[0]])
    assert not second.accepted and len(second.duplicates) == 6
    assert AccessEvent.objects.count() == 5
    other_gate = events.ingest([event(world)], only_gate=world.gates[1].code)
    assert other_gate.errors[0].code == "not_your_gate"


def test_hourly_counts_and_purge(world):
    now = timezone.now()
    old = now - dt.timedelta(days=events.RETENTION_DAYS + 2)
    events.ingest([event(world), event(world, direction="out"), event(world, allowed=False, reason="fever")])
    events.ensure_partitions({events.local_day(old)})  # PostgreSQL: the old day's partition, dropped by purge
    AccessEvent.objects.bulk_create([AccessEvent(
        event_id=uuid.uuid4(), occurred_at=old, received_at=old, district_code="440304",
        compound_code=world.compounds[0].code, gate_code=world.gates[0].code, direction="in", allowed=True,
        reason="admitted", source="kit")])
    hour = timezone.localtime(now, events.SHANGHAI).hour
    row = events.hourly(day=events.local_day(now), compound_code=world.compounds[0].code)[hour]
    assert (row.entries, row.exits, row.refusals, row.refusals_by_reason) == (1, 1, 1, {"fever": 1})
    removed = events.purge()
    assert AccessEvent.objects.count() == 3 and removed == 1


def test_an_event_is_its_district_moment_and_id(world):
    first = event(world)
    later = {**first, "occurred_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat()}
    assert events.ingest([first, later]).duplicates == [first["event_id"]]  # within a batch, by id alone
    assert events.ingest([first]).duplicates == [first["event_id"]]
    assert events.ingest([later]).accepted == [first["event_id"]]  # a kit never moves an event: another one
    assert AccessEvent.objects.filter(event_id=first["event_id"]).count() == 2


def test_a_batch_part_stored_part_new_stores_only_the_new(world):
    """The fast path writes a batch whole; one stored event in it sends the batch the careful way."""
    stored = [event(world) for _ in range(3)]
    events.ingest(stored)
    new = [event(world) for _ in range(4)]
    mixed = events.ingest(new[:2] + stored + new[2:])
    assert sorted(mixed.accepted) == sorted(e["event_id"] for e in new)
    assert sorted(mixed.duplicates) == sorted(e["event_id"] for e in stored)
    assert AccessEvent.objects.count() == 7
    assert events.ingest(new + [event(world)]).accepted != []  # and the next batch still goes through


def in_threads(*functions) -> None:
    """Run the functions at once, each in a thread with its own database connection, closed when it ends."""
    import threading

    from django.db import connection

    def closing(function):
        try:
            function()
        finally:
            connection.close()

    threads = [threading.Thread(target=closing, args=(f,)) for f in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_the_same_events_at_once_store_each_event_once():
    import threading

    from tests.world import build_world

    w = build_world()
    batch = [event(w) for _ in range(200)]
    results, barrier = [], threading.Barrier(2)

    def upload():
        barrier.wait()
        results.append(events.ingest(batch))

    in_threads(upload, upload)
    accepted = [i for r in results for i in r.accepted]
    assert sorted(accepted) == sorted(e["event_id"] for e in batch)  # each once, by one upload or the other
    assert sum(len(r.duplicates) for r in results) == len(batch)
    assert AccessEvent.objects.count() == len(batch)


@pytest.mark.django_db(transaction=True)
def test_a_code_minted_while_the_colour_changes_takes_the_new_colour():
    """A recompute has turned the person red and revoked their codes, and not committed yet, when a code is minted:
    the code waits for it and is red (unlocked, it was signed green after the revocation and stayed valid)."""
    import threading

    from tests.world import build_world

    w = build_world()
    person = w.people[0]
    issue_pass(person, w.compounds[0], by=None)
    assert health.colour_of(person.pk).colour == "green"
    changed, minted = threading.Event(), []

    def recompute():
        with transaction.atomic():
            PersonColour.objects.filter(person_id=person.pk).update(colour="red")
            services.revoke_stale_codes([person.pk])
            changed.set()
            threading.Event().wait(1.0)  # the code below is asked for while this change is not committed

    def ask_for_a_code():
        changed.wait()
        minted.append(services.my_code(person))

    in_threads(recompute, ask_for_a_code)
    code = Code.objects.get(pk=minted[0].pk)
    assert (code.colour, code.revoked_at) == ("red", None)
    assert codec.verify(code.text, keys.trust_list(), timezone.now()).col == "red"


def test_an_exit_on_a_worker_code_does_not_use_the_households_exit_quota(world):
    compound = world.compounds[0]
    CompoundPolicy.objects.create(compound=compound, policy="strict-2020-02+exit-quota",
                                  effective_from=dt.date(2020, 1, 1))
    spouse = Person.objects.create(name="李二", phone="13800009999", verified=True)
    Membership.objects.create(person=spouse, household=world.households[0], relation=Relation.FAMILY)
    issue_pass(spouse, compound, by=None)
    cadre = services.worker_code(world.people[0], "cadre", [compound.code], by=None)
    assert check(world, cadre.text, direction="out").decision.allow  # at work, on a cadre's code
    spouse_out = check(world, services.my_code(spouse).text, direction="out").decision
    assert (spouse_out.allow, spouse_out.reason) == (True, "may_leave")
    issue_pass(world.people[0], compound, by=None)
    again = check(world, services.my_code(world.people[0]).text, direction="out").decision
    assert (again.allow, again.reason) == (False, "exit_quota_used")  # the household's exit was the spouse's
