"""The places API: the area tree with counts, buildings, households, gates, checkpoints, service centres."""

import pytest
from django.test import Client

from wuyi.accounts.models import ApiToken

API = "/api/places"


def get(client: Client, url: str, status: int = 200, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == status, response.content
    return response.json()


def test_the_city_with_its_districts_and_counts(scene, login):
    body = get(login("city_admin"), f"{API}/areas/440300")
    assert body["node"] == {"code": "440300", "name": "深圳市", "level": "city", "kind": ""}
    assert body["ancestors"] == []
    # Two districts, each: a community, a garden estate, a building, two households, three residents.
    assert body["counts"] == {
        "communities": 2,
        "compounds": 2,
        "garden_estates": 2,
        "urban_villages": 0,
        "other_compounds": 0,
        "buildings": 2,
        "households": 4,
        "residents": 6,
    }
    assert [(c["code"], c["name"], c["counts"]["residents"]) for c in body["children"]] == [
        ("440304", "福田区", 3),
        ("440306", "宝安区", 3),
    ]


def test_a_community_with_its_ancestors_and_compounds(scene, login):
    w = scene.world
    body = get(login("community_worker"), f"{API}/areas/{w.communities[0].code}")
    assert [a["code"] for a in body["ancestors"]] == ["440300", "440304", w.streets[0].code]
    [compound] = body["children"]
    assert (compound["code"], compound["kind"]) == (w.compounds[0].code, "garden_estate")
    assert compound["counts"]["buildings"] == 1 and compound["counts"]["households"] == 2


def test_a_compound_has_buildings_for_children(scene, login):
    body = get(login("gate_guard"), f"{API}/areas/{scene.world.compounds[0].code}")
    assert body["children"] == [
        {
            "code": scene.buildings[0].code,
            "name": "1栋",
            "level": "building",
            "kind": "",
            "counts": {
                "communities": 0,
                "compounds": 0,
                "garden_estates": 0,
                "urban_villages": 0,
                "other_compounds": 0,
                "buildings": 1,
                "households": 2,
                "residents": 3,
            },
        }
    ]


def test_children_page_by_limit_and_offset(scene, login):
    body = get(login("city_admin"), f"{API}/areas/440300/children", limit=1, offset=1)
    assert body["count"] == 2
    assert [c["name"] for c in body["items"]] == ["宝安区"]


def test_buildings_households_and_gates_of_a_compound(scene, login):
    w, client = scene.world, login("street_worker")
    compound, building = w.compounds[0].code, scene.buildings[0].code
    buildings = get(client, f"{API}/compounds/{compound}/buildings")
    assert buildings == {
        "count": 1,
        "items": [{"code": building, "name": "1栋", "households": 2, "residents": 3}],
    }
    households = get(client, f"{API}/buildings/{building}/households")
    assert [(h["room"], h["residents"]) for h in households["items"]] == [("101", 1), ("102", 2)]
    gates = get(client, f"{API}/compounds/{compound}/gates")
    assert gates["items"] == [{"code": w.gates[0].code, "name": "百花园东门", "direction": "both"}]


def test_a_node_outside_the_area_is_not_found_and_residents_get_no_area_data(scene, login):
    w = scene.world
    assert get(login("district_worker@1"), f"{API}/areas/{w.compounds[0].code}", 404)["code"] == "not_found"
    assert get(login("gate_guard"), f"{API}/areas/{w.communities[0].code}", 404)["code"] == "not_found"
    assert (
        get(login("district_worker"), f"{API}/compounds/{w.compounds[1].code}/gates", 404)["code"]
        == "not_found"
    )
    for key in ("resident", "volunteer"):
        assert get(login(key), f"{API}/areas/{w.compounds[0].code}", 403)["code"] == "forbidden"
    assert get(Client(), f"{API}/areas/440300", 401)["code"] == "unauthenticated"


def test_a_malformed_code_is_a_validation_error(scene, login):
    body = get(login("city_admin"), f"{API}/areas/44030x", 422)
    assert (body["code"], body["field"]) == ("invalid", "code")


def test_checkpoints_and_service_centres_of_the_area(scene, login):
    w, client = scene.world, login("district_worker")
    checkpoints = get(client, f"{API}/checkpoints")
    assert [(c["code"], c["street"]["code"]) for c in checkpoints["items"]] == [
        (scene.checkpoints[0].code, w.streets[0].code)
    ]
    assert get(client, f"{API}/checkpoints", area=w.communities[0].code)["count"] == 0
    assert get(client, f"{API}/checkpoints", 404, area=w.streets[1].code)["code"] == "not_found"
    centres = get(client, f"{API}/service-centres", area=w.streets[0].code)
    assert [(c["name"], c["area"]["level"]) for c in centres["items"]] == [
        ("园东社区党群服务中心", "community")
    ]
    assert get(login("city_admin"), f"{API}/service-centres")["count"] == 2


def test_options_are_public_names_and_codes_without_people(scene):
    w, client = scene.world, Client()
    assert get(client, f"{API}/options", parent="440300")["items"] == [
        {"code": "440304", "name": "福田区"},
        {"code": "440306", "name": "宝安区"},
    ]
    rooms = get(client, f"{API}/options", parent=scene.buildings[1].code)
    assert rooms == {
        "count": 2,
        "items": [
            {"code": w.households[2].code, "name": "101"},
            {"code": w.households[3].code, "name": "102"},
        ],
    }
    assert get(client, f"{API}/options", parent="999999")["count"] == 0


@pytest.mark.parametrize("parent", ["", "4403", "44030400100100100101", "abcdef"])
def test_options_refuse_a_parent_that_is_no_code(scene, parent):
    assert get(Client(), f"{API}/options", 422, parent=parent)["field"] == "parent"


def test_a_bearer_token_opens_the_api(scene):
    _token, key = ApiToken.issue(scene.user("community_worker"), "tablet")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert get(client, f"{API}/areas/{scene.world.communities[0].code}")["node"]["name"] == "园东社区"
    assert (
        get(Client(HTTP_AUTHORIZATION="Bearer wy_not-a-key"), f"{API}/areas/440300", 401)["code"]
        == "unauthenticated"
    )
