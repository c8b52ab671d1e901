"""/api/venues/: the scoped list with paging, register (refused with code and field), apply, inspect; 4xx, never
a 500, and another area's venue a 404."""

import pytest
from django.utils import timezone

from wuyi.venues.models import Venue, VenueStatus

TODAY = timezone.localdate().isoformat()
ALL = dict(temperature_and_registration=True, regular_disinfection=True, staff_protection=True,
           no_dining_in=True, contactless_pickup=True)


def login(client, world, key="community_worker"):
    client.force_login(world.users[key])
    return client


def register(client, world, side=0, **extra):
    body = {"community_code": world.communities[side].code, "name": "好又多便利店", "trade": "grocery",
            "floor_area_m2": "80", "address": "园东路 1 号", "operator_name": "陈老板"} | extra
    return client.post("/api/venues/venues", body, content_type="application/json")


def test_register_apply_inspect(client, world):
    login(client, world)
    made = register(client, world)
    assert made.status_code == 201 and made.json()["kind"] == "small_shop"
    vid = made.json()["id"]
    applied = client.post(f"/api/venues/venues/{vid}/applications", {"pledge_signer": "陈老板", "pledge_signed": True,
                                                                      **ALL}, content_type="application/json")
    assert applied.status_code == 201 and applied.json()["pledge_version"]
    again = client.post(f"/api/venues/venues/{vid}/applications", {"pledge_signer": "陈老板", "pledge_signed": True},
                        content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_applied"
    aid = applied.json()["id"]
    inspected = client.post(f"/api/venues/applications/{aid}/inspection",
                            {"outcome": "suspend", "inspected_on": TODAY, **(ALL | {"staff_protection": False})},
                            content_type="application/json")
    assert inspected.status_code == 201
    assert inspected.json()["missing"] == ["staff_protection"] and inspected.json()["notice_number"]
    assert inspected.json()["venue_status"] == VenueStatus.SUSPENDED


@pytest.mark.parametrize("extra, status, code, field", [
    ({"floor_area_m2": "300"}, 400, "not_small_venue", "floor_area_m2"),
    ({"trade": "casino"}, 422, "invalid", "trade"),
    ({"floor_area_m2": "-1"}, 422, "invalid", "floor_area_m2"),
    ({"name": "a\x00b"}, 422, "invalid", "name"),
    ({"community_code": "440306001001"}, 403, "forbidden", "community_code"),
])
def test_register_refused(client, world, extra, status, code, field):
    response = register(login(client, world), world, **extra)
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (status, code, field)
    assert not Venue.objects.exists()


def test_list_is_scoped_and_paged(client, world):
    login(client, world)
    for i in range(3):
        register(client, world, name=f"店{i}")
    login(client, world, "community_worker@1")
    theirs = register(client, world, side=1).json()["id"]
    assert client.get("/api/venues/venues").json()["count"] == 1
    login(client, world)
    got = client.get("/api/venues/venues?limit=2&offset=1").json()
    assert got["count"] == 3 and [v["name"] for v in got["items"]] == ["店1", "店2"]
    assert client.get("/api/venues/venues?status=open").json()["count"] == 0
    assert client.get(f"/api/venues/venues?area={world.communities[0].code}").json()["count"] == 3
    outside = client.get(f"/api/venues/venues?area={world.communities[1].code}")
    assert (outside.status_code, outside.json()["field"]) == (404, "area")
    assert client.get(f"/api/venues/venues?area={world.districts[0].code}").status_code == 404  # above the caller
    refused = client.post(f"/api/venues/venues/{theirs}/applications", {"pledge_signer": "x", "pledge_signed": True},
                          content_type="application/json")
    assert (refused.status_code, refused.json()["field"]) == (404, "venue_id")
    assert login(client, world, "city_admin").get("/api/venues/venues").json()["count"] == 4
    assert client.get(f"/api/venues/venues?area={world.districts[1].code}").json()["count"] == 1
    for role in ("leader", "resident"):
        assert login(client, world, role).get("/api/venues/venues").status_code == 403
    client.logout()
    assert client.get("/api/venues/venues").status_code == 401


def test_unsigned_pledge_and_bad_inspection(client, world):
    login(client, world)
    vid = register(client, world, trade="eatery").json()["id"]
    unsigned = client.post(f"/api/venues/venues/{vid}/applications", {"pledge_signer": "陈老板", "pledge_signed": False},
                           content_type="application/json")
    assert (unsigned.status_code, unsigned.json()["field"]) == (400, "pledge_signed")
    aid = client.post(f"/api/venues/venues/{vid}/applications", {"pledge_signer": "陈老板", "pledge_signed": True},
                      content_type="application/json").json()["id"]
    refused = client.post(f"/api/venues/applications/{aid}/inspection",
                          {"outcome": "approve", "inspected_on": TODAY}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (400, "checklist_not_met")
    bad = client.post(f"/api/venues/applications/{aid}/inspection", {"outcome": "maybe", "inspected_on": "x"},
                      content_type="application/json")
    assert bad.status_code == 422
    assert client.post("/api/venues/applications/999999/inspection", {"outcome": "approve",
                       "inspected_on": TODAY}, content_type="application/json").status_code == 404
