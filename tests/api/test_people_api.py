"""The people API: self-declaration, the verification queue, registering on someone's behalf, persons, passes,
and the caller's own record. Reads of a person's details are audited."""

import pytest
from django.test import Client

from tests.api.conftest import declaration_body
from tests.world import make_id_number
from wuyi.accounts.models import ApiToken, AuditEntry
from wuyi.people.models import Declaration, DeclarationStatus, Pass

API = "/api/people"


def call(client: Client, method: str, url: str, expected: int, body: dict | None = None, **params):
    if body is not None:
        response = getattr(client, method)(url, body, content_type="application/json")
    else:
        response = getattr(client, method)(url, params)
    assert response.status_code == expected, response.content
    return response.json() if response.content else None


def new_declaration(scene, side: int = 0, name: str = "赵小明", seq: int = 20) -> dict:
    w = scene.world
    return declaration_body(
        w.households[2 * side].code, name, make_id_number(w.districts[side].code, "19850505", seq)
    )


# ---- self-declaration --------------------------------------------------------------------------------------


def test_a_resident_declares_and_finds_it_pending(scene, login):
    body = new_declaration(scene)
    body["travel"] = []
    body["symptoms"] = ["cough"]
    d = call(login("resident"), "post", f"{API}/declarations", 201, body)
    assert (d["status"], d["name"], d["symptoms"]) == ("pending", "赵*明", ["cough"])
    assert d["household"]["compound"] == {"code": scene.world.compounds[0].code, "name": "百花园"}
    assert d["id_masked"].startswith("4403") and "*" * 10 in d["id_masked"]
    assert "id_hmac" not in d and "id_number" not in d
    me = call(login("resident"), "get", f"{API}/me", 200)
    assert d["id"] in [x["id"] for x in me["declarations"]]


def test_a_declaration_with_a_bad_id_number_names_the_field(scene, login):
    body = {**new_declaration(scene), "id_number": "440304198505050000"}
    error = call(login("resident"), "post", f"{API}/declarations", 400, body)
    assert (error["code"], error["field"]) == ("invalid_id_number", "id_number")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"household_code": "4403"}, "household_code"),
        ({"name": "张\x00三"}, "name"),
        ({"relation": "landlord"}, "relation"),
        ({"symptoms": ["sneezing"]}, "symptoms.0"),
    ],
)
def test_malformed_declarations_are_validation_errors(scene, login, change, field):
    error = call(login("resident"), "post", f"{API}/declarations", 422, {**new_declaration(scene), **change})
    assert (error["code"], error["field"]) == ("invalid", field)


def test_declaring_needs_a_login(scene):
    assert (
        call(Client(), "post", f"{API}/declarations", 401, new_declaration(scene))["code"]
        == "unauthenticated"
    )


# ---- the queue ---------------------------------------------------------------------------------------------


def test_the_queue_holds_the_declarations_of_the_area(scene, login):
    queue = call(login("community_worker"), "get", f"{API}/declarations", 200, status="pending")
    assert [d["id"] for d in queue["items"]] == [scene.pending[0].pk]
    assert queue["items"][0]["name"] == "福***人"
    everything = call(login("city_admin"), "get", f"{API}/declarations", 200)
    assert everything["count"] == 4  # a pending one and a registration on each side
    approved = call(login("city_admin"), "get", f"{API}/declarations", 200, status="approved")
    assert {d["on_behalf"] for d in approved["items"]} == {True}
    assert call(login("resident"), "get", f"{API}/declarations", 403)["code"] == "forbidden"


def test_reading_a_declaration_shows_it_in_full_and_is_audited(scene, login):
    d = scene.pending[0]
    body = call(login("community_worker"), "get", f"{API}/declarations/{d.pk}", 200)
    assert (body["name"], body["phone"], body["roster"], body["person_id"]) == (
        "福田申报人",
        "13900000000",
        "new",
        None,
    )
    street = call(login("street_worker"), "get", f"{API}/declarations/{d.pk}", 200)
    assert street["phone"] == "139****0000"
    assert AuditEntry.objects.filter(
        actor=scene.user("community_worker"), what=f"declaration {d.pk}"
    ).exists()
    call(login("community_worker@1"), "get", f"{API}/declarations/{d.pk}", 404)


def test_approving_issues_the_pass_once(scene, login):
    d, client = scene.pending[0], login("community_worker")
    issued = call(client, "post", f"{API}/declarations/{d.pk}/approve", 200)
    assert issued["compound"]["code"] == scene.world.compounds[0].code
    assert (issued["kind"], issued["holder"], issued["revoked_at"]) == ("resident", "福***人", None)
    d.refresh_from_db()
    assert d.status == DeclarationStatus.APPROVED and d.person_id == issued["person_id"]
    assert AuditEntry.objects.filter(person_id=issued["person_id"], action="approve").count() == 1
    assert call(client, "post", f"{API}/declarations/{d.pk}/approve", 409)["code"] == "already_reviewed"
    resident = call(login("resident"), "get", f"{API}/me", 200)
    assert resident["person"]["id"] != issued["person_id"]  # the resident declared for someone else's ID


def test_only_workers_of_the_area_review(scene, login):
    d = scene.pending[0]
    assert (
        call(login("health_official"), "post", f"{API}/declarations/{d.pk}/approve", 403)["code"]
        == "forbidden"
    )
    assert (
        call(login("community_worker@1"), "post", f"{API}/declarations/{d.pk}/approve", 404)["code"]
        == "not_found"
    )
    call(login("street_worker@1"), "post", f"{API}/declarations/{d.pk}/reject", 404, {"reason": "不是本街道"})
    assert Declaration.objects.get(pk=d.pk).status == DeclarationStatus.PENDING


def test_rejecting_needs_a_reason(scene, login):
    d, client = scene.pending[0], login("street_worker")
    assert call(client, "post", f"{API}/declarations/{d.pk}/reject", 422, {"reason": ""})["field"] == "reason"
    assert (
        call(client, "post", f"{API}/declarations/{d.pk}/reject", 400, {"reason": "   "})["code"]
        == "reason_required"
    )
    rejected = call(
        client, "post", f"{API}/declarations/{d.pk}/reject", 200, {"reason": "身份证号与户籍不符"}
    )
    assert (rejected["status"], rejected["reason"]) == ("rejected", "身份证号与户籍不符")


def test_a_worker_registers_someone_in_their_area(scene, login):
    issued = call(
        login("community_worker"),
        "post",
        f"{API}/register",
        201,
        {**new_declaration(scene, name="钱奶奶", seq=30), "phone": ""},
    )
    assert issued["holder"] == "钱*奶"
    assert Pass.objects.get(pk=issued["id"]).person.verified
    elsewhere = call(
        login("community_worker"), "post", f"{API}/register", 400, new_declaration(scene, side=1, seq=31)
    )
    assert (elsewhere["code"], elsewhere["field"]) == ("unknown_household", "household_code")
    call(login("resident"), "post", f"{API}/register", 403, new_declaration(scene, seq=32))


# ---- persons and passes ------------------------------------------------------------------------------------


def test_the_persons_list_is_masked_scoped_and_audited(scene, login):
    worker = scene.user("community_worker")
    body = call(login("community_worker"), "get", f"{API}/persons", 200)
    assert body["count"] == 3
    assert [p["name"] for p in body["items"]] == ["李*国", "王*", "福**人"]
    first = body["items"][0]
    assert first["phone"] == "138****0000" and first["id_masked"].count("*") == 10
    assert set(first) == {"id", "name", "id_masked", "phone", "birth_year", "sex", "verified"}
    assert AuditEntry.objects.filter(actor=worker, what="person list (API)").count() == 3
    for role in ("volunteer", "resident", "gate_guard", "health_official"):  # a guard checks passes, not records
        assert call(login(role), "get", f"{API}/persons", 403)["code"] == "forbidden"


def test_a_person_in_detail_is_audited_and_outside_the_area_not_found(scene, login):
    p = scene.people[0][0]
    body = call(login("community_worker"), "get", f"{API}/persons/{p.pk}", 200)
    assert (body["name"], body["phone"], body["masked_name"]) == ("李建国", "13800000000", "李*国")
    assert [m["household"]["room"] for m in body["memberships"]] == ["101"]
    assert [x["number"] for x in body["passes"]] == [scene.passes[0][0].number]
    assert (
        AuditEntry.objects.filter(person=p, actor=scene.user("community_worker"), what="person (API)").count()
        == 1
    )
    assert call(login("district_worker"), "get", f"{API}/persons/{p.pk}", 200)["phone"] == "138****0000"
    assert call(login("district_worker@1"), "get", f"{API}/persons/{p.pk}", 404)["code"] == "not_found"
    assert call(login("resident"), "get", f"{API}/persons/{scene.people[0][1].pk}", 403)["code"] == "forbidden"
    assert call(login("gate_guard"), "get", f"{API}/persons/{p.pk}", 403)["code"] == "forbidden"


def test_a_resident_reads_their_own_record_unaudited(scene, login):
    p = scene.people[0][0]
    before = AuditEntry.objects.filter(person=p).count()
    assert call(login("resident"), "get", f"{API}/persons/{p.pk}", 200)["phone"] == "13800000000"
    assert AuditEntry.objects.filter(person=p).count() == before


def test_passes_of_the_area_and_revoking_one(scene, login):
    client = login("community_worker")
    assert call(client, "get", f"{API}/passes", 200)["count"] == 3
    target = scene.passes[0][1]
    call(login("community_worker@1"), "post", f"{API}/passes/{target.pk}/revoke", 404)
    call(login("gate_guard"), "post", f"{API}/passes/{target.pk}/revoke", 403)
    revoked = call(client, "post", f"{API}/passes/{target.pk}/revoke", 200)
    assert revoked["revoked_at"] is not None
    assert [p["id"] for p in call(client, "get", f"{API}/passes", 200, live="false")["items"]] == [target.pk]
    assert call(client, "get", f"{API}/passes", 200, live="true")["count"] == 2
    assert AuditEntry.objects.filter(person=target.person, action="revoke").exists()


def test_me_is_the_callers_own_record(scene, login):
    me = call(login("resident"), "get", f"{API}/me", 200)
    assert me["person"]["name"] == "李建国"
    assert [m["household"]["code"] for m in me["memberships"]] == [scene.world.households[0].code]
    assert [p["number"] for p in me["passes"]] == [scene.passes[0][0].number]
    assert [d["id"] for d in me["declarations"]] == [scene.pending[0].pk]
    assert call(login("volunteer"), "get", f"{API}/me", 200) == {
        "person": None,
        "memberships": [],
        "passes": [],
        "declarations": [],
    }


def test_a_bearer_token_can_approve(scene):
    _token, key = ApiToken.issue(scene.user("community_worker"), "desk")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", enforce_csrf_checks=True)
    call(client, "post", f"{API}/declarations/{scene.pending[0].pk}/approve", 200)
