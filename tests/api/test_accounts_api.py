"""The accounts API: the caller's account, API tokens, and the audit log (mine, and my area's)."""

from django.test import Client

from wuyi.accounts.models import ApiToken

API = "/api/accounts"


def call(client: Client, method: str, url: str, expected: int, body: dict | None = None, **params):
    if body is not None:
        response = getattr(client, method)(url, body, content_type="application/json")
    else:
        response = getattr(client, method)(url, params)
    assert response.status_code == expected, response.content
    return response.json() if response.content else None


def test_me_says_who_and_where(scene, login):
    w = scene.world
    worker = call(login("community_worker"), "get", f"{API}/me", 200)
    assert (worker["username"], worker["role"], worker["gate"]) == ("community0", "community_worker", None)
    assert worker["area"] == {
        "code": w.communities[0].code,
        "name": "园东社区",
        "level": "community",
        "kind": "",
    }
    guard = call(login("gate_guard@1"), "get", f"{API}/me", 200)
    assert (guard["gate"]["code"], guard["gate"]["compound"]["name"]) == (w.gates[1].code, "海滨花园")
    assert call(login("resident"), "get", f"{API}/me", 200)["person_id"] == w.people[0].pk
    assert call(Client(), "get", f"{API}/me", 401)["code"] == "unauthenticated"


def test_a_token_is_shown_once_opens_the_api_and_stops_when_revoked(scene, login):
    client = login("gate_guard")
    created = call(client, "post", f"{API}/tokens", 201, {"name": "东门平板"})
    key = created["key"]
    assert key.startswith("wy_") and ApiToken.objects.get(pk=created["id"]).digest == ApiToken.digest_of(key)
    listed = call(client, "get", f"{API}/tokens", 200)
    assert "key" not in listed["items"][0] and created["id"] in [t["id"] for t in listed["items"]]
    assert key not in str(listed)
    with_key = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert call(with_key, "get", f"{API}/me", 200)["username"] == "guard0"
    assert call(client, "delete", f"{API}/tokens/{created['id']}", 204) is None
    assert call(with_key, "get", f"{API}/me", 401)["code"] == "unauthenticated"
    revoked = call(client, "get", f"{API}/tokens", 200)["items"]
    assert [t["revoked_at"] is not None for t in revoked if t["id"] == created["id"]] == [True]


def test_tokens_are_the_callers_own(scene, login):
    others = scene.tokens["resident@1"]
    assert call(login("resident"), "delete", f"{API}/tokens/{others.pk}", 404)["code"] == "not_found"
    others.refresh_from_db()
    assert others.revoked_at is None
    assert [t["name"] for t in call(login("resident"), "get", f"{API}/tokens", 200)["items"]] == [
        "token [resident]"
    ]


def test_a_token_needs_a_name(scene, login):
    assert call(login("resident"), "post", f"{API}/tokens", 422, {"name": ""})["field"] == "name"
    assert call(login("resident"), "post", f"{API}/tokens", 400, {"name": "   "})["code"] == "name_required"


def test_a_resident_sees_who_looked_at_their_record(scene, login):
    me = scene.people[0][0]
    call(login("street_worker"), "get", f"/api/people/persons/{me.pk}", 200)
    entries = call(login("resident"), "get", f"{API}/audit/mine", 200)["items"]
    assert entries[0]["who"].startswith("street0 (") and entries[0]["what"] == "person (API)"
    assert {e["what"] for e in entries} == {"person (API)", "walk probe 0"}
    assert call(login("volunteer"), "get", f"{API}/audit/mine", 200) == {"count": 0, "items": []}


def test_workers_read_the_audit_log_of_their_area(scene, login):
    first = scene.people[0][0]
    area = call(login("community_worker"), "get", f"{API}/audit", 200)
    assert {e["person"] for e in area["items"]} >= {"李*国"}
    assert all(e["person"] != "海*明" for e in area["items"])
    one = call(login("community_worker"), "get", f"{API}/audit", 200, person=first.pk)
    assert {e["person_id"] for e in one["items"]} == {first.pk}
    call(login("community_worker@1"), "get", f"{API}/audit", 404, person=first.pk)
    call(login("resident"), "get", f"{API}/audit", 403)
    call(login("health_official"), "get", f"{API}/audit", 403)
