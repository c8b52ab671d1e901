"""GET /api/dashboard/{code}: the page's panels as JSON, scoped as the page; 4xx with code and field on bad input."""

from django.test import Client

from tests.dashboard.conftest import DAY


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_panels_as_json(board):
    body = client(board.users["city_admin"]).get(f"/api/dashboard/440300?day={DAY}").json()
    assert body["day"] == "2020-03-10" and body["child_level"] == "district"
    assert set(body["panels"]) == {"figures", "risk", "status", "demonstrations", "compliance", "refusals"}
    demo = {r["code"]: r["values"] for r in body["panels"]["demonstrations"]["rows"]}
    assert demo["440304"] == {"communities": 2, "approved": 1, "pending": 1, "without": 1}
    assert body["panels"]["figures"]["extra"]["reported"]["cadres"] == {
        "value": 37000, "confirmed": True, "label": body["panels"]["figures"]["extra"]["reported"]["cadres"]["label"]}
    assert body["panels"]["refusals"]["total"]["refusals"] == 4


def test_scope_and_bad_input(board):
    leader = client(board.users["leader"])
    assert leader.get(f"/api/dashboard/440304001?day={DAY}").status_code == 200
    outside = leader.get("/api/dashboard/440306")
    assert outside.status_code == 403 and outside.json()["field"] == "code"
    unknown = leader.get("/api/dashboard/440304999")
    assert unknown.status_code == 404 and unknown.json()["field"] == "code"
    future = leader.get("/api/dashboard/440304?day=2999-01-01")
    assert future.status_code == 400 and (future.json()["code"], future.json()["field"]) == ("future_day", "day")
    bad = leader.get("/api/dashboard/440304?day=2020-13-01")
    assert bad.status_code == 422 and bad.json()["field"] == "day"
    resident = client(board.users["resident"]).get("/api/dashboard/440304")
    assert resident.status_code == 403
    assert Client().get("/api/dashboard/440304").status_code == 401
