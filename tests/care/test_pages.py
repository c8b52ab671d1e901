"""Care pages: who may use them, the area's key persons only, names in full for the community worker and masked
above, the read audited on every page, those due a contact first, suggestions confirmed, contacts logged with form
errors, and the Excel export read back."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from wuyi.accounts.models import AuditEntry
from wuyi.care import services
from wuyi.care.models import CareContact, KeyPerson, KeyReason
from wuyi.health.models import QuarantineKind, QuarantineOrder

TODAY = timezone.localdate()


def login(client, world, key):
    client.force_login(world.users[key])
    return client


def key_person(world, i=0, side=0, reason=KeyReason.QUARANTINED_HOUSEHOLD, since=None):
    return services.add_key_person(world.people[2 * side + i].pk, reason, since or TODAY - dt.timedelta(days=5),
                                   by=world.users["community_worker" + ("@1" if side else "")])


@pytest.mark.parametrize("role, status", [
    ("community_worker", 200), ("street_worker", 200), ("district_worker", 200), ("city_admin", 200),
    ("leader", 403), ("resident", 403), ("volunteer", 403), ("gate_guard", 403), ("health_official", 403),
])
def test_who_may_see_the_list(client, world, role, status):
    assert login(client, world, role).get("/care/").status_code == status


def test_the_list_shows_the_area_names_by_role_and_audits(client, world):
    mine, theirs = key_person(world), key_person(world, side=1)
    page = login(client, world, "community_worker").get("/care/").content.decode()
    assert f'data-key-person="{mine.pk}"' in page and f'data-key-person="{theirs.pk}"' not in page
    assert world.people[0].name in page
    assert AuditEntry.objects.filter(actor=world.users["community_worker"], person=world.people[0]).exists()
    assert not AuditEntry.objects.filter(person=world.people[2]).exists()
    street = login(client, world, "street_worker").get("/care/").content.decode()
    assert world.people[0].name not in street and world.people[0].masked_name in street
    assert client.get(f"/care/{theirs.pk}/").status_code == 404
    assert client.post(f"/care/{theirs.pk}/contact/", {"kind": "call", "at": "2020-02-10T10:00"}).status_code == 404


def test_those_due_a_contact_come_first(client, world):
    contacted, never = key_person(world, 0), key_person(world, 1)
    services.log_contact(contacted.pk, services.ContactInput("call", timezone.now()), by=world.users["community_worker"])
    page = login(client, world, "community_worker").get("/care/").content.decode()
    assert page.index(f'data-key-person="{never.pk}"') < page.index(f'data-key-person="{contacted.pk}"')
    assert f'data-key-person="{never.pk}" data-due="1"' in page
    assert f'data-key-person="{contacted.pk}" data-due="0"' in page


def test_history_page_logs_contacts_and_audits(client, world):
    kp = key_person(world)
    login(client, world, "community_worker")
    page = client.get(f"/care/{kp.pk}/")
    assert page.status_code == 200
    assert AuditEntry.objects.filter(person=world.people[0], what__contains="history").count() == 1
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    refused = client.post(f"/care/{kp.pk}/contact/", {"kind": "delivery", "at": at})
    assert refused.status_code == 400 and 'class="errorlist' in refused.content.decode()
    assert client.post(f"/care/{kp.pk}/contact/", {"kind": "delivery", "at": at, "items": "大米 5kg"}).status_code == 302
    history = client.get(f"/care/{kp.pk}/").content.decode()
    assert 'data-kind="delivery"' in history and "大米 5kg" in history
    assert CareContact.objects.get().by == world.users["community_worker"]
    assert client.post(f"/care/{kp.pk}/end/", {"until": TODAY.isoformat()}).status_code == 302
    kp.refresh_from_db()
    assert kp.until == TODAY


def test_confirm_a_suggestion(client, world):
    QuarantineOrder.objects.create(person=world.people[1], kind=QuarantineKind.HOME,
                                   start=TODAY - dt.timedelta(days=2), planned_end=TODAY + dt.timedelta(days=12))
    login(client, world, "community_worker")
    page = client.get("/care/").content.decode()
    assert f'data-person="{world.people[1].pk}"' in page
    response = client.post("/care/confirm/", {"person_id": world.people[1].pk, "reason": "quarantined_household",
                                              "since": (TODAY - dt.timedelta(days=2)).isoformat(), "source": "x"})
    kp = KeyPerson.objects.get()
    assert response.status_code == 302 and response.url == f"/care/{kp.pk}/"
    assert f'data-person="{world.people[1].pk}"' not in client.get("/care/").content.decode()
    # another area's worker cannot confirm someone they do not reach
    login(client, world, "community_worker@1").post("/care/confirm/", {
        "person_id": world.people[0].pk, "reason": "from_key_area", "since": TODAY.isoformat()})
    assert KeyPerson.objects.count() == 1
    assert client.post("/care/confirm/", {"person_id": "x"}).status_code == 302


def test_excel_export_says_area_and_date_and_is_audited(client, world):
    key_person(world, 0)
    key_person(world, 1, reason=KeyReason.FROM_KEY_AREA)
    key_person(world, side=1)
    response = login(client, world, "street_worker").get("/care/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("区域", f"{world.streets[0].name}（{world.streets[0].code}）")
    assert rows[1][0] == "日期" and rows[1][1].startswith("截至 ")
    people = [r for r in rows[4:] if r and r[0] and str(r[0]).isdigit()]
    assert sorted(r[2] for r in people) == sorted(p.masked_name for p in world.people[:2])
    assert {r[5] for r in people} == {"重点疫区来深人员", "居家隔离家庭"}
    assert rows[-1][:2] == ("合计", 2)
    assert AuditEntry.objects.filter(action="export", actor=world.users["street_worker"]).count() == 2
