"""/api/campaign/: catalogues, a compound's inspections (list, record: 201 or 4xx with code and field), the public
demonstration list."""

import pytest
from django.utils import timezone

from tests.campaign.conftest import CATALOGUE, answers
from wuyi.accounts.models import ApiToken
from wuyi.campaign import services
from wuyi.campaign.models import Demonstration, DemonstrationStatus, Inspection, Rectification


def bearer(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user, 'test')[1]}"}


def body(measures, failed=None, note="门岗无人登记"):
    today = timezone.localdate()
    return {"catalogue_code": CATALOGUE, "inspected_on": today.isoformat(), "results": [
        {"measure_id": m.pk, "result": "failed" if i == failed else "passed", "note": note if i == failed else ""}
        for i, m in enumerate(measures)]}


def test_catalogues_are_public_with_their_measures(client, catalogue):
    got = client.get("/api/campaign/catalogues?limit=1").json()
    assert got["count"] == 1
    first = got["items"][0]
    assert first["code"] == "sz-2020-02" and len(first["measures"]) == 10
    assert first["measures"][9]["status"] == "partial"


def test_record_an_inspection_201_with_its_rectification(client, world, measures):
    url = f"/api/campaign/compounds/{world.compounds[0].code}/inspections"
    r = client.post(url, body(measures, failed=1), content_type="application/json",
                    headers=bearer(world.users["community_worker"]))
    assert r.status_code == 201, r.content
    got = r.json()
    assert (got["passed"], got["failed"], got["fully_compliant"]) == (9, 1, False)
    rectification = Rectification.objects.get()
    assert got["results"][1]["rectification_id"] == rectification.pk
    listed = client.get(url, headers=bearer(world.users["street_worker"])).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == got["id"]


def test_a_failed_item_without_a_note_is_a_400_on_its_field(client, world, measures):
    r = client.post(f"/api/campaign/compounds/{world.compounds[0].code}/inspections", body(measures, 2, note=""),
                    content_type="application/json", headers=bearer(world.users["community_worker"]))
    assert r.status_code == 400
    assert r.json() == {"code": "note_required", "message": "a failed item needs a note saying what is wrong",
                        "field": f"measure_{measures[2].pk}"}
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("change, status, code", [
    ({"catalogue_code": "nope"}, 404, "not_found"),
    ({"inspected_on": "2019-12-01"}, 400, "invalid_date"),
    ({"results": []}, 400, "unanswered"),
    ({"results": [{"measure_id": 999999, "result": "passed"}]}, 400, "unknown_measure"),
    ({"results": [{"measure_id": 1, "result": "maybe"}]}, 422, "invalid"),
    ({"inspected_on": "yesterday"}, 422, "invalid"),
])
def test_bad_bodies_are_4xx_with_a_code(client, world, measures, change, status, code):
    r = client.post(f"/api/campaign/compounds/{world.compounds[0].code}/inspections", {**body(measures), **change},
                    content_type="application/json", headers=bearer(world.users["community_worker"]))
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_another_areas_compound_is_a_404(client, world, measures):
    headers = bearer(world.users["community_worker@1"])
    url = f"/api/campaign/compounds/{world.compounds[0].code}/inspections"
    r = client.post(url, body(measures), content_type="application/json", headers=headers)
    assert (r.status_code, r.json()["field"]) == (404, "compound_code")
    assert client.get(url, headers=headers).status_code == 404


def test_a_resident_is_refused(client, world, measures):
    r = client.get(f"/api/campaign/compounds/{world.compounds[0].code}/inspections",
                   headers=bearer(world.users["resident"]))
    assert r.status_code == 403


def test_without_login_inspections_are_401(client, world):
    assert client.get(f"/api/campaign/compounds/{world.compounds[0].code}/inspections").status_code == 401


def test_the_public_demonstration_list(client, world, measures):
    now = timezone.now()
    services.record_inspection(services.InspectionInput(world.compounds[0].code, CATALOGUE, timezone.localdate(),
                                                        answers(measures)), world.users["community_worker"], now=now)
    case = services.nominate(world.compounds[0].code, world.users["community_worker"], now=now)
    assert client.get("/api/campaign/demonstrations").json()["count"] == 0  # not yet approved
    for role in ("community_worker", "street_worker", "district_worker"):
        services.decide(case.pk, world.users[role], "approve", now=now)
    got = client.get("/api/campaign/demonstrations").json()
    assert got["count"] == 1
    assert got["items"][0]["compound_code"] == world.compounds[0].code
    assert got["items"][0]["district_name"] == "福田区"
    assert client.get("/api/campaign/demonstrations?limit=0").status_code == 422
    assert Demonstration.objects.get().status == DemonstrationStatus.APPROVED
