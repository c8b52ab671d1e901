"""/api/care/: the key persons of the caller's area (scoped, paged, audited, names by role), logging a contact;
4xx with code and field on bad input, another area's key person a 404."""

import datetime as dt

from django.utils import timezone

from wuyi.accounts.models import AuditEntry
from wuyi.care import services
from wuyi.care.models import CareContact, KeyReason

TODAY = timezone.localdate()


def login(client, world, key="community_worker"):
    client.force_login(world.users[key])
    return client


def key_person(world, i=0, side=0):
    return services.add_key_person(world.people[2 * side + i].pk, KeyReason.FROM_KEY_AREA,
                                   TODAY - dt.timedelta(days=3), by=world.users["community_worker" + "@1" * side])


def test_list_scoped_names_by_role_and_audited(client, world):
    mine, _theirs = key_person(world), key_person(world, side=1)
    got = login(client, world).get("/api/care/key-persons").json()
    assert got["count"] == 1
    (item,) = got["items"]
    assert (item["id"], item["name"], item["phone"], item["due"], item["days_since_contact"]) == (
        mine.pk, world.people[0].name, world.people[0].phone, True, None)
    assert AuditEntry.objects.filter(person=world.people[0], what="care API: key persons").count() == 1
    street = login(client, world, "street_worker").get("/api/care/key-persons").json()["items"][0]
    assert street["name"] == world.people[0].masked_name and street["phone"] != world.people[0].phone
    assert login(client, world, "city_admin").get("/api/care/key-persons?limit=1").json()["count"] == 2
    for role in ("leader", "resident", "volunteer"):
        assert login(client, world, role).get("/api/care/key-persons").status_code == 403


def test_log_a_contact(client, world):
    kp = key_person(world)
    login(client, world)
    at = timezone.now().isoformat()
    made = client.post(f"/api/care/key-persons/{kp.pk}/contacts", {"kind": "delivery", "at": at, "items": "口罩"},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["items"] == "口罩"
    listed = client.get("/api/care/key-persons").json()["items"][0]
    assert (listed["due"], listed["days_since_contact"]) == (False, 0)
    no_items = client.post(f"/api/care/key-persons/{kp.pk}/contacts", {"kind": "delivery", "at": at},
                           content_type="application/json")
    assert (no_items.status_code, no_items.json()["code"], no_items.json()["field"]) == (400, "items_required", "items")
    bad_kind = client.post(f"/api/care/key-persons/{kp.pk}/contacts", {"kind": "hug", "at": at},
                           content_type="application/json")
    assert (bad_kind.status_code, bad_kind.json()["field"]) == (422, "kind")
    future = client.post(f"/api/care/key-persons/{kp.pk}/contacts",
                         {"kind": "call", "at": (timezone.now() + dt.timedelta(days=1)).isoformat()},
                         content_type="application/json")
    assert (future.status_code, future.json()["code"]) == (400, "in_the_future")
    other = login(client, world, "community_worker@1").post(f"/api/care/key-persons/{kp.pk}/contacts",
                                                             {"kind": "call", "at": at},
                                                             content_type="application/json")
    assert (other.status_code, other.json()["field"]) == (404, "key_person_id")
    assert CareContact.objects.count() == 1
