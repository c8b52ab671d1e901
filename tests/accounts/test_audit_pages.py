"""Who looked at my record (residents) and the audit log of an area (workers)."""

import datetime as dt

import pytest
from django.utils import timezone

from wuyi.accounts import audit
from wuyi.accounts.models import AuditEntry
from wuyi.accounts.views import AUDIT_PAGE_SIZE

MY_AUDIT = "/accounts/me/audit/"
AUDIT = "/accounts/audit/"


def as_user(client, user):
    client.force_login(user)
    return client


def test_a_resident_sees_who_looked_at_their_record_newest_first(client, world):
    resident = world.users["resident"]  # lives in world.people[0]
    worker = world.users["community_worker"]
    audit.record(worker, world.people[0], "view", "person page")
    audit.record(world.users["street_worker"], world.people[0], "view", "pass P1")
    audit.record(worker, world.people[1], "view", "someone else's page")
    page = as_user(client, resident).get(MY_AUDIT).content.decode()
    assert "community0 (" in page and "street0 (" in page
    assert "someone else's page" not in page
    assert page.index("pass P1") < page.index("person page")


def test_my_audit_pages_through_many_entries(client, world):
    person = world.people[0]
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor_label=f"worker{i}", person=person, action="view", what=f"look {i}")
         for i in range(AUDIT_PAGE_SIZE + 5)]
    )
    first = as_user(client, world.users["resident"]).get(MY_AUDIT)
    assert len(first.context["rows"]) == AUDIT_PAGE_SIZE and first.context["page"].has_next()
    second = client.get(MY_AUDIT + "?page=2")
    assert len(second.context["rows"]) == 5
    assert client.get(MY_AUDIT + "?page=zzz").status_code == 200


def test_an_unverified_resident_is_told_their_record_is_not_linked(client, world):
    from tests.world import add_user

    newcomer = add_user("13912345678", "resident")
    AuditEntry.objects.create(actor_label="x", person=None, action="view", what="nobody's")
    response = as_user(client, newcomer).get(MY_AUDIT)
    assert response.status_code == 200 and not response.context["linked"] and not response.context["rows"]


def test_my_audit_needs_a_login(client, db):
    assert client.get(MY_AUDIT).url.startswith("/accounts/login/")


def test_workers_see_the_audit_log_of_their_area_only(client, world):
    audit.record(world.users["community_worker"], world.people[0], "view", "in futian")
    audit.record(world.users["community_worker@1"], world.people[2], "view", "in baoan")
    page = as_user(client, world.users["street_worker"]).get(AUDIT).content.decode()
    assert "in futian" in page and "in baoan" not in page
    everything = as_user(client, world.users["city_admin"]).get(AUDIT).content.decode()
    assert "in futian" in everything and "in baoan" in everything


@pytest.mark.parametrize("role", ["resident", "volunteer", "gate_guard", "health_official"])
def test_the_area_audit_log_is_for_workers(client, world, role):
    assert as_user(client, world.users[role]).get(AUDIT).status_code == 403


def test_audit_entries_show_when_in_local_time(client, world):
    entry = AuditEntry.objects.create(actor_label="w", person=world.people[0], action="view", what="x")
    AuditEntry.objects.filter(pk=entry.pk).update(at=dt.datetime(2020, 3, 1, 1, 30, tzinfo=dt.UTC))
    page = as_user(client, world.users["resident"]).get(MY_AUDIT).content.decode()
    assert "2020-03-01 09:30" in page  # Asia/Shanghai
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
