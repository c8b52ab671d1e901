"""The workforce API: scoped worker lists with paging, creation, shifts with a 4xx {code, message, field} on every
refusal (409 double booking, 403 outside the area, 404 another area's worker), the coverage report and figures."""

import pytest
from django.test import Client

from tests.workforce.conftest import DAY
from wuyi.workforce.models import Shift, Worker

API = "/api/workforce"


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.users[key])
    return c


def post(client, url, body, expected):
    response = client.post(API + url, body, content_type="application/json")
    assert response.status_code == expected, response.content
    return response.json()


def get(client, url, expected=200, **params):
    response = client.get(API + url, params)
    assert response.status_code == expected, response.content
    return response.json()


def test_workers_are_listed_within_the_callers_area_with_paging(ww):
    side0 = get(client_for(ww, "community_worker"), "/workers", limit=2)
    assert side0["count"] == 3 and [w["name"] for w in side0["items"]] == ["干部0", "医生0"]
    assert side0["items"][0]["phone"] == "13900000001"  # a community worker sees the whole number
    city = get(client_for(ww, "city_admin"), "/workers", kind="cadre")
    assert city["count"] == 2 and city["items"][0]["phone"] == "139****0001"
    assert get(client_for(ww, "district_worker@1"), "/workers", offset=1)["count"] == 3
    e = get(client_for(ww, "community_worker"), "/workers", 403, area=ww.communities[1].code)
    assert (e["code"], e["field"]) == ("outside_area", "area")


@pytest.mark.parametrize("key", ["resident", "volunteer", "gate_guard", "leader", "health_official"])
def test_only_workers_read_the_worker_list(ww, key):
    assert get(client_for(ww, key), "/workers", 403)["code"] == "forbidden"


def test_creating_a_worker_answers_201_or_the_field_at_fault(ww):
    c = client_for(ww, "street_worker")
    body = {"name": "林社工", "kind": "social_worker", "area_code": ww.communities[0].code, "phone": "13700000009"}
    made = post(c, "/workers", body, 201)
    assert Worker.objects.get(pk=made["id"]).area == ww.communities[0]
    e = post(c, "/workers", body | {"area_code": ww.communities[1].code}, 403)
    assert (e["code"], e["field"]) == ("outside_area", "area_code")
    e = post(c, "/workers", body | {"phone": "0755123"}, 400)
    assert (e["code"], e["field"]) == ("invalid_phone", "phone")
    assert post(c, "/workers", body | {"kind": "wizard"}, 422)["field"] == "kind"


def test_a_shift_is_booked_once_per_period_and_never_outside_the_area(ww):
    c = client_for(ww, "community_worker")
    cadre = ww.workers[0][0]
    body = {"worker_id": cadre.pk, "on": DAY.isoformat(), "period": "night", "target_kind": "gate",
            "target_code": ww.gates[0].code}
    made = post(c, "/shifts", body, 201)
    assert (made["target_kind"], made["target_code"]) == ("gate", ww.gates[0].code)
    e = post(c, "/shifts", body | {"target_kind": "compound", "target_code": ww.compounds[0].code}, 409)
    assert (e["code"], e["field"]) == ("double_booked", "period")
    e = post(c, "/shifts", body | {"period": "morning", "target_code": ww.gates[1].code}, 403)
    assert (e["code"], e["field"]) == ("outside_area", "target_code")
    e = post(c, "/shifts", body | {"worker_id": ww.workers[1][0].pk}, 404)
    assert (e["code"], e["field"]) == ("not_found", "worker_id")
    assert post(c, "/shifts", body | {"period": "noon"}, 422)["field"] == "period"
    assert Shift.objects.count() == 1


def test_coverage_lists_the_gates_and_checkpoints_nobody_is_on(ww):
    c = client_for(ww, "street_worker")
    post(c, "/shifts", {"worker_id": ww.workers[0][0].pk, "on": DAY.isoformat(), "period": "morning",
                        "target_kind": "gate", "target_code": ww.gates[0].code}, 201)
    morning = get(c, "/coverage", on=DAY.isoformat(), period="morning")
    assert (morning["gates"], morning["checkpoints"], morning["count"]) == (1, 1, 1)
    assert [(g["kind"], g["code"]) for g in morning["items"]] == [("checkpoint", ww.checkpoints[0].code)]
    night = get(c, "/coverage", on=DAY.isoformat(), period="night")
    assert {g["code"] for g in night["items"]} == {ww.checkpoints[0].code, ww.gates[0].code}
    assert get(c, "/coverage", 403, on=DAY.isoformat(), period="night", area=ww.streets[1].code)["field"] == "area"
    assert get(c, "/coverage")["period"] in {"morning", "afternoon", "night"}  # today, the period running now


def test_figures_for_the_workers_of_an_area(ww):
    assert get(client_for(ww, "community_worker"), "/figures")["workers_cadre"] == 1
    assert get(client_for(ww, "city_admin"), "/figures")["workers"] == 6
    assert get(client_for(ww, "street_worker"), "/figures", 403, area=ww.districts[1].code)["code"] == "outside_area"
    assert get(client_for(ww, "leader"), "/figures", 403)["code"] == "forbidden"
