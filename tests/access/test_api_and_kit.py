"""The access API (lists, policy, batch upload, online check) and the gate kit without a server process: the kit
talks to the API in this process through Django's test client, or to scripted answers."""

import base64
import datetime as dt
import http.server
import io
import json
import socket
import threading
import uuid

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from wuyi.access import codec, keys, kit, services
from wuyi.access.models import AccessEvent, Code, CompoundPolicy, SigningKey
from wuyi.accounts.models import ApiToken, Role
from wuyi.people.services import issue_pass

pytestmark = pytest.mark.django_db


def token_client(user) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def event(gate_code: str, **changes) -> dict:
    moment = timezone.now() - dt.timedelta(minutes=5)
    return {"event_id": str(uuid.uuid4()), "occurred_at": moment.isoformat(), "gate": gate_code, "direction": "in",
            "allowed": True, "reason": "admitted", "next_step": "let_in", "temperature": 36.5, **changes}


def upload(client: Client, batch: list, raw: str | None = None):
    body = raw if raw is not None else json.dumps({"events": batch})
    return client.post("/api/access/events", body, content_type="application/json")


def resident_code(world, side=0, i=0) -> str:
    person = world.people[2 * side + i]
    issue_pass(person, world.compounds[side], by=None)
    return services.my_code(person).text


# ---- the API ------------------------------------------------------------------------------------------------


def test_the_same_batch_twice_is_all_duplicates_the_second_time(world):
    guard = token_client(world.users["gate_guard"])
    batch = [event(world.gates[0].code) for _ in range(3)]
    first = upload(guard, batch).json()
    assert sorted(first["accepted"]) == sorted(e["event_id"] for e in batch)
    second = upload(guard, batch).json()
    assert second["accepted"] == [] and sorted(second["duplicates"]) == sorted(e["event_id"] for e in batch)
    assert second["errors"] == []
    assert AccessEvent.objects.count() == 3
    stored = AccessEvent.objects.first()
    assert (stored.source, stored.device) == ("kit", world.users["gate_guard"].username)


def test_bad_events_get_an_error_each_and_the_good_ones_are_stored(world):
    gate = world.gates[0].code
    batch = [event(gate), event(gate, event_id="not-a-uuid"), event(gate),
             event(gate, occurred_at="2020-03-01T09:00:00"), event(gate, temperature=51.2), event(gate)]
    answer = upload(token_client(world.users["gate_guard"]), batch)
    assert answer.status_code == 200
    errors = answer.json()["errors"]
    assert [(e["index"], e["code"], e["field"]) for e in errors] == [
        (1, "invalid", "event_id"), (3, "naive_time", "occurred_at"), (4, "invalid", "temperature")]
    assert errors[2]["event_id"] == batch[4]["event_id"]
    assert sorted(answer.json()["accepted"]) == sorted(batch[i]["event_id"] for i in (0, 2, 5))
    assert AccessEvent.objects.count() == 3


def test_impossible_dates_and_numbers_json_allows_are_errors_not_server_errors(world):
    gate = world.gates[0].code
    client = token_client(world.users["city_admin"])
    good = event(gate)
    raw = json.dumps({"events": [event(gate, occurred_at="2020-13-45T09:00:00+08:00"), good,
                                 event(gate, event_id=str(uuid.uuid4()), temperature="__NAN__")]})
    answer = upload(client, [], raw=raw.replace('"__NAN__"', "NaN"))
    assert answer.status_code == 200
    assert [(e["index"], e["field"]) for e in answer.json()["errors"]] == [(0, "occurred_at"), (2, "temperature")]
    assert answer.json()["accepted"] == [good["event_id"]]


def test_a_lone_surrogate_is_an_error_of_its_event_and_of_the_device_field(world):
    gate = world.gates[0].code
    client = token_client(world.users["gate_guard"])
    good, bad = event(gate), event(gate, pseudonym="\ud800x", reason="admitted\udc80")
    answer = upload(client, [], raw=json.dumps({"events": [bad, good]}))  # json.dumps escapes them: \\ud800
    assert answer.status_code == 200
    assert [(e["index"], e["code"]) for e in answer.json()["errors"]] == [(0, "invalid")]
    assert answer.json()["accepted"] == [good["event_id"]]
    device = upload(client, [], raw=json.dumps({"events": [event(gate)], "device": "kit\udc80"}))
    assert device.status_code == 422 and device.json()["field"] == "device"


def test_a_visitor_admitted_at_a_kit_is_not_admitted_again_online(world):
    host = world.people[0]
    now = timezone.now()
    visit = services.register_visit(host, services.VisitInput(
        name="访客乙", phone="13912345679", compound_code=world.compounds[0].code, starts_at=now,
        ends_at=now + dt.timedelta(hours=2)), by=None)
    gate = world.gates[0]
    entry = event(gate.code, pseudonym=visit.code.pseudonym, holder_kind="visitor")
    answer = upload(token_client(world.users["gate_guard"]), [entry])
    assert answer.json()["accepted"] == [entry["event_id"]]
    visit.refresh_from_db()
    assert visit.entered_at is not None
    again = services.check_at_gate(gate, visit.code.text, "in", 36.5, by=None)
    assert (again.decision.allow, again.decision.reason) == (False, "visitor_code_used")


def test_a_guard_uploads_for_their_own_gate_only_and_the_city_administrator_for_any(world):
    own, other = event(world.gates[0].code), event(world.gates[1].code)
    answer = upload(token_client(world.users["gate_guard"]), [own, other]).json()
    assert answer["accepted"] == [own["event_id"]]
    assert [(e["index"], e["code"], e["field"]) for e in answer["errors"]] == [(1, "not_your_gate", "gate")]
    assert upload(token_client(world.users["city_admin"]), [other]).json()["accepted"] == [other["event_id"]]
    for key in ("district_worker", "community_worker", "health_official", "resident", "volunteer"):
        assert upload(token_client(world.users[key]), [event(world.gates[0].code)]).status_code == 403, key
    assert upload(Client(), [event(world.gates[0].code)]).status_code == 401
    assert AccessEvent.objects.count() == 2


def test_a_batch_over_the_limit_is_refused_whole(world):
    answer = upload(token_client(world.users["city_admin"]), [{}] * 5_001)
    assert answer.status_code == 422 and answer.json()["field"] == "events"


def test_the_trust_list_verifies_and_a_tampered_one_does_not(world):
    signed = token_client(world.users["gate_guard"]).get("/api/access/trust-list").json()
    document = keys.open_document(signed, keys.trust_list())
    assert document["kind"] == "wuyi-trust-list" and [k["kid"] for k in document["keys"]] == [keys.current().kid]
    tampered = json.loads(json.dumps(signed))
    tampered["document"]["issued_at"] += 1
    with pytest.raises(keys.BadDocument):
        keys.open_document(tampered, keys.trust_list())
    stranger = keys.trust_list_from_document({"keys": []})
    with pytest.raises(keys.BadDocument):
        keys.open_document(signed, stranger)


def test_the_revocation_list_names_revoked_pseudonyms_under_a_signature(world):
    person = world.people[0]
    issue_pass(person, world.compounds[0], by=None)
    code = services.my_code(person)
    services.revoke_codes(Code.objects.filter(pk=code.pk), "test")
    signed = token_client(world.users["community_worker"]).get("/api/access/revocation-list").json()
    document = keys.open_document(signed, keys.trust_list())
    assert code.pseudonym in document["revoked"] and person.name not in json.dumps(signed, ensure_ascii=False)


def test_the_lists_are_for_guards_workers_and_health_officials(world):
    for path in ("/api/access/trust-list", "/api/access/revocation-list"):
        assert Client().get(path).status_code == 401
        for key in ("gate_guard", "community_worker", "district_worker", "health_official", "city_admin"):
            assert token_client(world.users[key]).get(path).status_code == 200, (path, key)
        for key in ("resident", "volunteer"):
            assert token_client(world.users[key]).get(path).status_code == 403, (path, key)


def test_a_gate_policy_for_the_week_for_its_guards_and_the_workers_above_it(world):
    gate = world.gates[0]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    CompoundPolicy.objects.create(compound=world.compounds[0], policy="relaxed-2020-03-29+exit-quota",
                                  effective_from=tomorrow)
    answer = token_client(world.users["gate_guard"]).get(f"/api/access/gates/{gate.code}/policy").json()
    assert answer["compound_code"] == world.compounds[0].code and len(answer["days"]) == 8
    assert answer["days"][0]["policy"] == services.policy_for(world.compounds[0].code, timezone.localdate())
    assert {d["policy"] for d in answer["days"][1:]} == {"relaxed-2020-03-29+exit-quota"}
    path = f"/api/access/gates/{gate.code}/policy"
    assert token_client(world.users["community_worker"]).get(path).status_code == 200
    for key in ("gate_guard@1", "community_worker@1", "resident", "health_official"):
        assert token_client(world.users[key]).get(path).status_code == 404, key
    assert token_client(world.users["gate_guard"]).get("/api/access/gates/NOSUCHGATE/policy").status_code == 404


def test_an_online_check_sent_again_with_its_id_gets_its_first_answer_and_records_nothing_more(world):
    now = timezone.now()
    visit = services.register_visit(world.people[0], services.VisitInput(
        name="访客丁", phone="13912345671", compound_code=world.compounds[0].code, starts_at=now,
        ends_at=now + dt.timedelta(hours=2)), by=None)
    guard = token_client(world.users["gate_guard"])
    body = {"gate_code": world.gates[0].code, "code": visit.code.text, "temperature": 36.5,
            "event_id": str(uuid.uuid4())}
    first, again = (guard.post("/api/access/check", body, content_type="application/json").json() for _ in "12")
    assert (first["allow"], first["reason"]) == (True, "admitted")  # the visitor's one entry
    assert {**again, "reason_text": None} == {**first, "reason_text": None} and AccessEvent.objects.count() == 1
    assert again["reason_text"].startswith("Decided at ")  # when it was decided: the first answer's words are gone
    assert str(AccessEvent.objects.get().event_id) == body["event_id"]
    another = guard.post("/api/access/check", {**body, "event_id": str(uuid.uuid4())},
                         content_type="application/json").json()
    assert (another["allow"], another["reason"]) == (False, "visitor_code_used") and AccessEvent.objects.count() == 2
    fever = {**body, "code": resident_code(world), "temperature": 38.2, "event_id": str(uuid.uuid4())}
    answers = [guard.post("/api/access/check", fever, content_type="application/json").json() for _ in "12"]
    assert answers[0]["report_to_community"] and answers[1]["reason"] == "fever"
    assert {**answers[1], "reason_text": None} == {**answers[0], "reason_text": None}
    assert AccessEvent.objects.count() == 3
    kits = event(world.gates[0].code, next_step="")  # a kit's event: an online check of its id is a new check
    upload(guard, [kits])
    own = guard.post("/api/access/check", {**fever, "event_id": kits["event_id"]}, content_type="application/json")
    assert own.status_code == 200 and own.json()["reason"] == "fever" and AccessEvent.objects.count() == 5


def test_the_online_check_answers_the_guard_of_the_gate_and_records_the_event(world):
    text = resident_code(world)
    guard = token_client(world.users["gate_guard"])
    body = {"gate_code": world.gates[0].code, "code": text, "direction": "in", "temperature": 36.55}
    answer = guard.post("/api/access/check", body, content_type="application/json")
    assert answer.status_code == 200
    got = answer.json()
    assert (got["allow"], got["reason"], got["next_step"], got["masked_name"], got["colour"], got["holder_kind"]) \
        == (True, "admitted", "let_in", world.people[0].masked_name, "green", "resident")
    stored = AccessEvent.objects.get(event_id=got["event_id"])
    assert (stored.source, str(stored.temperature)) == ("online", "36.6")
    typo = guard.post("/api/access/check", {**body, "temperature": 3.6}, content_type="application/json").json()
    assert (typo["allow"], typo["reason"]) == (False, "implausible_temperature")
    too_hot = guard.post("/api/access/check", {**body, "temperature": 365}, content_type="application/json")
    assert too_hot.status_code == 422 and too_hot.json()["field"] == "temperature"
    for key in ("gate_guard@1", "community_worker", "city_admin"):
        other = token_client(world.users[key]).post("/api/access/check", body, content_type="application/json")
        assert other.status_code == 403, key
    unknown = guard.post("/api/access/check", {**body, "gate_code": "G404"}, content_type="application/json")
    assert unknown.status_code == 404
    assert AccessEvent.objects.count() == 2


# ---- the kit, without a server process ---------------------------------------------------------------------


class ApiInProcess:
    """The kit's transport to the API of this process, through Django's test client."""

    def __init__(self, user):
        self.client = token_client(user)
        self.posts = 0

    def _answer(self, response):
        if response.status_code >= 500:
            raise kit.Unreachable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise kit.Refused(response.status_code, response.json())
        return response.json()

    def get(self, path):
        return self._answer(self.client.get(path))

    def post(self, path, payload):
        self.posts += 1
        return self._answer(self.client.post(path, payload, content_type="application/json"))


class Down:
    def get(self, path):
        raise kit.Unreachable("connection refused")

    post = lambda self, path, payload: self.get(path)  # noqa: E731


class Flaky:
    """Down for the first ``failures`` requests, then the API."""

    def __init__(self, api, failures):
        self.api, self.failures = api, failures

    def get(self, path):
        return self._pass("get", path)

    def post(self, path, payload):
        return self._pass("post", path, payload)

    def _pass(self, method, *args):
        if self.failures:
            self.failures -= 1
            raise kit.Unreachable("connection refused")
        return getattr(self.api, method)(*args)


@pytest.fixture
def guard_api(world):
    return ApiInProcess(world.users["gate_guard"])


@pytest.fixture
def gate_kit(world, tmp_path, guard_api):
    k = kit.Kit(world.gates[0].code, tmp_path / "kit.sqlite3", transport=guard_api, log=lambda message: None)
    k.refresh()
    yield k
    k.close()


def test_a_kit_decides_offline_and_its_decisions_reach_the_server_once_it_answers(world, gate_kit, guard_api):
    good, revoked = resident_code(world, 0, 0), resident_code(world, 0, 1)
    services.revoke_codes(Code.objects.filter(text=revoked), "test")
    gate_kit.refresh()
    gate_kit.transport = Down()
    decisions = [gate_kit.record(good, "in", 36.5), gate_kit.record(revoked, "in", 36.5),
                 gate_kit.record(good[:-4] + "AAAA", "in", 36.5), gate_kit.record(resident_code(world, 1), "in", 36.5)]
    assert [(d.decision.allow, d.decision.reason) for d in decisions] == [
        (True, "admitted"), (False, "revoked"), (False, "malformed"), (False, "not_for_this_compound")]
    assert decisions[0].masked_name == world.people[0].masked_name
    assert decisions[0].line().startswith(f"ALLOW\tadmitted\tlet_in\t{world.people[0].masked_name}\t")
    with pytest.raises(kit.Unreachable):
        gate_kit.upload_once()
    assert gate_kit.counts() == {"pending": 4, "uploaded": 0, "rejected": 0}
    gate_kit.transport = guard_api
    assert gate_kit.drain()
    assert gate_kit.counts() == {"pending": 0, "uploaded": 4, "rejected": 0}
    assert sorted(str(i) for i in AccessEvent.objects.values_list("event_id", flat=True)) == sorted(
        d.event_id for d in decisions)
    stored = AccessEvent.objects.get(event_id=decisions[1].event_id)
    assert (stored.reason, stored.source, stored.device, stored.gate_code) == (
        "revoked", "kit", f"kit-{world.gates[0].code}", world.gates[0].code)


def test_the_queue_and_the_lists_survive_a_restart(world, gate_kit, tmp_path):
    text = resident_code(world)
    gate_kit.transport = Down()
    recorded = [gate_kit.record(text, "in", 36.5).event_id for _ in range(3)]
    gate_kit.close()
    again = kit.Kit(world.gates[0].code, tmp_path / "kit.sqlite3", transport=Down(), log=lambda message: None)
    assert again.provisioned and again.pending() == 3
    assert sorted(json.loads(b)["event_id"] for (b,) in again._db().execute("SELECT body FROM event")) == sorted(
        recorded)
    assert again.record(text, "out", 36.5).decision.allow  # still decides, offline, from the lists it kept
    again.close()


def test_a_kit_never_set_up_cannot_decide(world, tmp_path):
    fresh = kit.Kit(world.gates[0].code, tmp_path / "new.sqlite3", transport=Down(), log=lambda message: None)
    with pytest.raises(kit.Unreachable):
        fresh.refresh()
    with pytest.raises(kit.NotProvisioned):
        fresh.record("WY1:ANYTHING", "in", 36.5)
    fresh.close()


def test_uploads_back_off_while_the_server_is_down_then_go_through(world, gate_kit, guard_api):
    gate_kit.record(resident_code(world), "in", 36.5)
    gate_kit.transport = Flaky(guard_api, failures=8)
    waits = []
    assert gate_kit.drain(backoff=kit.Backoff(rng=lambda: 1.0), sleep=waits.append)
    assert waits == [0.5, 1, 2, 4, 8, 16, 30, 30]  # doubling, capped at 30 s
    assert gate_kit.counts()["uploaded"] == 1 and AccessEvent.objects.count() == 1
    jittered = kit.Backoff(rng=lambda: 0.0)
    assert [jittered.next() for _ in range(3)] == [0.25, 0.5, 1]  # the jitter takes off at most half


def test_only_what_the_server_acknowledged_is_marked_and_rejected_events_are_kept(world, gate_kit):
    ids = gate_kit.simulate(5)
    answers = [{"accepted": [ids[0]], "duplicates": [ids[1]],
                "errors": [{"index": 2, "event_id": ids[2], "code": "too_old", "message": "old", "field": "occurred_at"},
                           {"index": 3, "event_id": ids[2], "code": "invalid", "message": "x", "field": None},
                           {"index": 0, "event_id": None, "code": "batch_too_large", "message": "x", "field": "events"}]}]

    class Scripted:
        def post(self, path, payload):
            assert [e["event_id"] for e in payload["events"]] == ids
            return answers.pop(0)

    gate_kit.transport = Scripted()
    result = gate_kit.upload_once()
    assert (result.sent, result.accepted, result.duplicates, result.rejected, result.left) == (5, 1, 1, 1, 2)
    rows = dict(gate_kit._db().execute("SELECT event_id, state || ' ' || coalesce(error_code, '') FROM event"))
    assert rows == {ids[0]: "uploaded ", ids[1]: "uploaded ", ids[2]: "rejected too_old",
                    ids[3]: "pending ", ids[4]: "pending "}


def test_an_event_the_server_refuses_is_kept_with_its_reason(world, gate_kit):
    gate_kit.clock = lambda: timezone.now() + dt.timedelta(hours=2)  # a kit whose clock runs two hours fast
    decided = gate_kit.record(resident_code(world), "in", 36.5)
    assert gate_kit.drain()
    row = gate_kit._db().execute("SELECT state, error_code, error_field FROM event WHERE event_id = ?",
                                 (decided.event_id,)).fetchone()
    assert row == ("rejected", "future", "occurred_at") and AccessEvent.objects.count() == 0


def test_a_refusal_that_can_pass_is_sent_again_after_a_refresh(world, gate_kit):
    guard = world.users["gate_guard"]
    decided = gate_kit.record(resident_code(world), "in", 36.5)
    guard.gate = world.gates[1]  # the guard's account is moved to another gate for a while
    guard.save()
    assert gate_kit.drain()
    state = "SELECT state, error_code FROM event WHERE event_id = ?"
    assert gate_kit._db().execute(state, (decided.event_id,)).fetchone() == ("rejected", "not_your_gate")
    guard.gate = world.gates[0]
    guard.save()
    gate_kit.refresh()
    assert gate_kit._db().execute(state, (decided.event_id,)).fetchone()[0] == "pending"
    assert gate_kit.drain()
    assert gate_kit.counts() == {"pending": 0, "uploaded": 1, "rejected": 0}
    assert AccessEvent.objects.filter(event_id=decided.event_id).count() == 1


def test_a_refusal_for_good_stays_refused_after_a_refresh(world, gate_kit):
    ids = gate_kit.simulate(1)
    api = gate_kit.transport
    gate_kit.transport = Scripted([{"accepted": [], "duplicates": [], "errors": [
        {"index": 0, "event_id": ids[0], "code": "too_old", "message": "old", "field": "occurred_at"}]}])
    gate_kit.upload_once()
    gate_kit.transport = api
    gate_kit.refresh()
    assert gate_kit.counts() == {"pending": 0, "uploaded": 0, "rejected": 1}


class Scripted:
    """A server that gives these answers to the kit's uploads, in turn, then the last one again."""

    def __init__(self, answers):
        self.answers, self.posts = list(answers), 0

    def post(self, path, payload):
        self.posts += 1
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def test_an_answer_that_settles_nothing_is_waited_on_as_a_failure(world, gate_kit, guard_api):
    gate_kit.simulate(3)
    nothing = {"accepted": [], "duplicates": [], "errors": []}
    gate_kit.transport = Scripted([nothing] * 4 + [None])
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 4:
            gate_kit.transport = guard_api

    assert gate_kit.drain(backoff=kit.Backoff(rng=lambda: 1.0), sleep=sleep)
    assert waits == [0.5, 1, 2, 4] and gate_kit.counts()["uploaded"] == 3
    gate_kit.simulate(1)
    gate_kit.transport = Scripted([nothing])
    uploader = kit.Uploader(gate_kit, backoff=kit.Backoff(base=0.01, rng=lambda: 1.0))
    for _ in range(3):
        uploader.step()
    assert uploader.backoff.attempts == 3 and gate_kit.transport.posts == 3 and gate_kit.pending() == 1


def test_a_new_trust_list_is_taken_only_if_a_trusted_key_signed_it(world, gate_kit):
    old_kid = keys.current().kid
    resident_code(world, 0, 1)  # a live code keeps the old key trusted after the rotation
    keys.rotate()
    new_code = resident_code(world)  # signed by the new key, which the kit does not know yet
    gate_kit.transport, api = Down(), gate_kit.transport
    assert gate_kit.record(new_code, "in", 36.5).decision.reason == "unknown_key"
    gate_kit.transport = api
    gate_kit.refresh()  # the new list comes cross-signed by the old key
    assert gate_kit.record(new_code, "in", 36.5).decision.reason == "admitted"
    assert {kid.hex() for kid in gate_kit.lists.trust} == {old_kid, keys.current().kid}
    # a list signed by a key the kit never trusted is refused, and the kit keeps its own
    stranger = codec.SigningKey.generate()
    unsaved = SigningKey(kid=stranger.kid.hex(), private_pem=stranger.to_pem(settings.WUYI_KEY_PASSPHRASE))
    document = {**keys.trust_document(), "issued_at": int(timezone.now().timestamp()) + 60}
    document["keys"].append({"kid": unsaved.kid, "trusted_until": None, "public_key": base64.b64encode(
        stranger.public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).decode()})
    with pytest.raises(kit.BadList, match="not signed by a trusted key"):
        gate_kit._take_trust(keys.sign_document(document, unsaved))
    assert {kid.hex() for kid in gate_kit.lists.trust} == {old_kid, keys.current().kid}


def test_an_older_revocation_list_is_refused(world, gate_kit):
    stale = keys.sign_document(services.revocation_document(timezone.now() - dt.timedelta(hours=1)))
    with pytest.raises(kit.BadList, match="older"):
        gate_kit._take_revocations(stale)


def test_a_visitor_enters_once_at_the_kit(world, gate_kit):
    host = world.people[0]
    now = timezone.now()
    visit = services.register_visit(host, services.VisitInput(
        name="访客甲", phone="13912345678", compound_code=world.compounds[0].code, starts_at=now,
        ends_at=now + dt.timedelta(hours=2)), by=None)
    text = visit.code.text
    assert [gate_kit.record(text, "in", 36.5).decision.reason for _ in range(2)] == ["admitted", "visitor_code_used"]


def test_the_exit_quota_is_not_applied_at_the_kit_and_the_kit_says_so(world, gate_kit):
    CompoundPolicy.objects.create(compound=world.compounds[0], policy="strict-2020-02+exit-quota",
                                  effective_from=timezone.localdate())
    gate_kit.refresh()
    decided = gate_kit.record(resident_code(world), "out", 36.5)
    assert decided.decision.allow and decided.note == kit.EXIT_QUOTA_NOTE and kit.EXIT_QUOTA_NOTE in decided.line()


def test_the_scanner_lines(world, gate_kit):
    text = resident_code(world)
    out = []
    lines = [text, f"{text} 36.6", "", "out", text, f"{text} 39.1", "WY1:NOT A CODE"]
    assert kit.run_lines(gate_kit, lines, out.append) == 5
    assert [line.split("\t")[:2] for line in out] == [
        ["DENY", "no_temperature"], ["ALLOW", "admitted"], ["direction out"], ["ALLOW", "may_leave"],
        ["DENY", "fever"], ["DENY", "malformed"]]
    assert gate_kit.read_line(f"{text} 36.6") == (text, 36.6)
    assert gate_kit.read_line(text) == (text, None)
    implausible = gate_kit.record(text, "in", 3.6)
    assert implausible.decision.reason == "implausible_temperature" and implausible.event["temperature"] is None


def test_the_uploader_thread_uploads_what_is_recorded(world, gate_kit):
    uploader = kit.Uploader(gate_kit, idle_wait=0.05)
    recorded = gate_kit.simulate(20, [resident_code(world)])
    uploader.step()  # one step of the thread's loop, here
    assert gate_kit.counts()["uploaded"] == 20
    assert sorted(str(i) for i in AccessEvent.objects.values_list("event_id", flat=True)) == sorted(recorded)


# ---- the HTTP transport and the command ---------------------------------------------------------------------


@pytest.fixture
def answering():
    """A small HTTP server answering each path with the status in it: /status/403, /status/500, /garbage."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/garbage":
                body, status = b"<html>", 200
            else:
                status = int(self.path.rsplit("/", 1)[1])
                body = json.dumps({"code": "x", "message": "y", "field": None}).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_http_transport_tells_a_refusal_from_an_unreachable_server(answering):
    transport = kit.HttpTransport(answering, "token", timeout=5)
    assert transport.get("/status/200") == {"code": "x", "message": "y", "field": None}
    with pytest.raises(kit.Refused) as refused:
        transport.get("/status/403")
    assert refused.value.status == 403 and refused.value.body["code"] == "x"
    for path in ("/status/500", "/garbage"):
        with pytest.raises(kit.Unreachable):
            transport.get(path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(kit.Unreachable):
        kit.HttpTransport(f"http://127.0.0.1:{closed}", "token", timeout=5).post("/api/access/events", {})


def test_provision_makes_a_guard_account_and_a_token_that_works(world):
    gate = world.gates[0]
    out = io.StringIO()
    call_command("gate", "provision", "--gate", gate.code, stdout=out)
    key = out.getvalue().strip()
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(f"/api/access/gates/{gate.code}/policy")
    assert answer.status_code == 200
    account = ApiToken.objects.get(digest=ApiToken.digest_of(key)).user
    assert (account.role, account.gate_id, account.has_usable_password()) == (Role.GATE_GUARD, gate.pk, False)
    call_command("gate", "provision", "--gate", gate.code)  # a second token for the same account
    assert ApiToken.objects.filter(user=account).count() == 2


def test_status_tells_the_queue_and_the_lists_from_the_kit_file(world, gate_kit):
    gate_kit.simulate(3)
    out = io.StringIO()
    call_command("gate", "status", "--gate", world.gates[0].code, "--db", str(gate_kit.path), stdout=out)
    assert "queue: 3 pending, 0 uploaded, 0 rejected" in out.getvalue()
    assert f"compound: {world.compounds[0].code}" in out.getvalue()
