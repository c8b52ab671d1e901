"""The health API beyond the risk lists: colours, compound status, recording cases and test results."""

import datetime as dt

from django.utils import timezone

from wuyi.accounts.models import AuditEntry
from wuyi.health.models import Case, CloseContact
from wuyi.health.models import TestResult as NucleicAcidResult


def as_user(client, world, key):
    client.force_login(world.users[key])
    return client


def test_a_recorded_case_comes_back_with_its_household_contacts_and_colours_turn_red(client, world):
    from tests.health.test_clusters_and_compounds import add_member

    son = add_member(world.households[0], "李小明", 71)
    as_user(client, world, "health_official")
    response = client.post("/api/health/cases", {
        "kind": "confirmed", "reported_on": timezone.localdate().isoformat(),
        "household_code": world.households[0].code, "person_id": world.people[0].pk,
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["contacts"] == [son.pk] and body["district_code"] == "440304"
    colour = client.get(f"/api/health/people/{son.pk}/colour").json()
    assert colour["colour"] == "red"
    assert {r["code"] for r in colour["reasons"]} >= {"close_contact", "home_quarantine"}
    assert AuditEntry.objects.filter(person=son, what="colour (API)").exists()
    status = client.get(f"/api/health/compounds/{world.compounds[0].code}/status").json()
    assert (status["status"], status["since"]) == ("cancelled", timezone.localdate().isoformat())
    earlier = client.get(f"/api/health/compounds/{world.compounds[0].code}/status", {"on": "2020-03-01"}).json()
    assert earlier["status"] == "epidemic_free"


def test_bad_input_is_a_4xx_with_code_message_and_field_and_nothing_is_written(client, world):
    as_user(client, world, "health_official")
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post("/api/health/cases", {"kind": "confirmed", "reported_on": future,
                                                 "household_code": world.households[0].code},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "future_date", "message": "a case cannot be reported after today",
                               "field": "reported_on"}
    other_side = client.post("/api/health/cases", {"kind": "confirmed", "reported_on": "2020-03-01",
                                                   "household_code": world.households[2].code},
                             content_type="application/json")
    assert other_side.status_code == 404
    naive = client.post(f"/api/health/people/{world.people[0].pk}/test-results",
                        {"sampled_at": "2020-03-01T09:00:00", "outcome": "negative"},
                        content_type="application/json")
    assert naive.status_code == 400 and naive.json()["field"] == "sampled_at"
    assert not Case.objects.exists() and not CloseContact.objects.exists() and not NucleicAcidResult.objects.exists()


def test_only_officials_record_and_a_resident_reads_only_their_own_colour(client, world):
    as_user(client, world, "district_worker")
    assert client.post(f"/api/health/people/{world.people[0].pk}/test-results",
                       {"sampled_at": "2020-03-01T09:00:00+08:00", "outcome": "negative"},
                       content_type="application/json").status_code == 403
    as_user(client, world, "resident")
    mine = client.get(f"/api/health/people/{world.people[0].pk}/colour")
    assert mine.status_code == 200 and mine.json()["colour"] in ("green", "blue")
    assert not AuditEntry.objects.filter(what="colour (API)").exists()  # one's own record is no one's read
    assert client.get(f"/api/health/people/{world.people[1].pk}/colour").status_code == 404
    assert client.get(f"/api/health/compounds/{world.compounds[0].code}/status").status_code == 404
