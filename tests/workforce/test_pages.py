"""The workforce pages: who may open each (workers of an area; leaders the overview's figures only), each area's
rows only, a place or an area outside the user's node refused (403/404), bad input as a form error (400) and never
a 500, and the actions done through the pages."""

import pytest
from django.test import Client
from django.utils import timezone

from tests.workforce.conftest import DAY
from wuyi.workforce import services
from wuyi.workforce.forms import MESSAGES
from wuyi.workforce.models import (
    CentreActivation,
    PartyMember,
    PartyOrganisation,
    Shift,
    Supply,
    Worker,
    WorkGroup,
)

PAGES = ["/workforce/", "/workforce/workers/", "/workforce/workers/new/", "/workforce/groups/", "/workforce/teams/",
         "/workforce/party/", "/workforce/shifts/", "/workforce/coverage/", "/workforce/import/",
         "/workforce/centres/"]


def as_user(world, key) -> Client:
    c = Client()
    c.force_login(world.users[key])
    return c


@pytest.mark.parametrize("key", ["city_admin", "district_worker", "street_worker", "community_worker@1"])
@pytest.mark.parametrize("url", PAGES)
def test_every_page_opens_for_the_workers_of_an_area(ww, key, url):
    assert as_user(ww, key).get(url).status_code == 200


@pytest.mark.parametrize("key", ["resident", "volunteer", "gate_guard", "health_official"])
@pytest.mark.parametrize("url", PAGES)
def test_other_roles_are_refused(ww, key, url):
    assert as_user(ww, key).get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(ww):
    response = Client().get("/workforce/workers/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_leader_sees_the_figures_of_their_node_and_no_ones_record(ww):
    c = as_user(ww, "leader")
    page = c.get("/workforce/").content.decode()
    assert 'data-key="workers"><b>3</b>' in page and "干部0" not in page and "/workforce/workers/" not in page
    assert c.get("/workforce/workers/").status_code == 403
    assert c.get(f"/workforce/?area={ww.districts[1].code}").status_code == 403


def test_the_overview_counts_beneath_the_area_and_splits_by_child(ww):
    page = as_user(ww, "city_admin").get("/workforce/").content.decode()
    assert 'data-key="workers"><b>6</b>' in page
    assert f'data-area="{ww.districts[0].code}"' in page and f'data-area="{ww.districts[1].code}"' in page


def test_a_worker_list_holds_the_areas_workers_only_and_another_area_is_refused(ww):
    c = as_user(ww, "community_worker")
    page = c.get("/workforce/workers/").content.decode()
    assert "干部0" in page and "13900000001" in page and "干部1" not in page
    assert c.get(f"/workforce/workers/?area={ww.communities[1].code}").status_code == 403
    assert c.get(f"/workforce/workers/{ww.workers[1][0].pk}/").status_code == 404
    filtered = c.get("/workforce/workers/?kind=police").content.decode()
    assert "民警0" in filtered and "干部0" not in filtered
    street = as_user(ww, "street_worker").get("/workforce/workers/").content.decode()
    assert "139****0001" in street  # masked above the community


def test_adding_a_worker_through_the_page_and_a_bad_one_is_a_form_error(ww):
    c = as_user(ww, "street_worker")
    form = {"name": "周医生", "kind": "medical", "area": ww.communities[0].code, "phone": "", "unit": "区人民医院",
            "group": "", "active": "on"}
    response = c.post("/workforce/workers/new/", form)
    assert response.status_code == 302
    assert Worker.objects.filter(name="周医生", area=ww.communities[0]).exists()
    response = c.post("/workforce/workers/new/", form | {"phone": "123"})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["phone"]
    response = c.post("/workforce/workers/new/", form | {"area": ww.communities[1].code})
    assert response.status_code == 400  # not among the choices of a street worker of the other district
    assert Worker.objects.filter(name="周医生").count() == 1


def test_the_shift_planner_books_and_refuses_a_double_booking_as_a_form_error(ww):
    c = as_user(ww, "community_worker")
    cadre = ww.workers[0][0]
    form = {"on": DAY.isoformat(), "worker": cadre.pk, "period": "morning", "place": f"gate:{ww.gates[0].code}"}
    assert c.post("/workforce/shifts/", form).status_code == 302
    response = c.post("/workforce/shifts/", form | {"place": f"compound:{ww.compounds[0].code}"})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["period"]
    page = c.get(f"/workforce/shifts/?on={DAY.isoformat()}").content.decode()
    assert "干部0" in page and ww.gates[0].name in page
    # a place of the other district is not offered, and forged it is still refused
    response = c.post("/workforce/shifts/", form | {"period": "night", "place": f"gate:{ww.gates[1].code}"})
    assert response.status_code == 400
    assert Shift.objects.count() == 1


def test_the_coverage_page_and_its_export_say_area_date_and_period(ww):
    from io import BytesIO

    from openpyxl import load_workbook

    c = as_user(ww, "street_worker")
    services.assign_shift(ww.users["street_worker"], services.ShiftInput(
        ww.workers[0][0].pk, DAY, "morning", "checkpoint", ww.checkpoints[0].code))
    page = c.get(f"/workforce/coverage/?on={DAY.isoformat()}&period=morning").content.decode()
    assert f'data-code="{ww.gates[0].code}"' in page and f'data-code="{ww.checkpoints[0].code}"' not in page
    response = c.get(f"/workforce/coverage/?on={DAY.isoformat()}&period=morning&format=xlsx")
    assert response.status_code == 200 and DAY.isoformat() in response["Content-Disposition"]
    wb = load_workbook(BytesIO(response.content))
    about = {row[0]: row[1] for row in wb["说明"].iter_rows(values_only=True) if len(row) > 1}
    assert about["日期"] == DAY.isoformat() and about["班次"] == "早班" and ww.streets[0].code in about["区域"]
    assert [r[1] for r in wb["缺岗"].iter_rows(min_row=2, values_only=True)] == [ww.gates[0].code]
    assert c.get(f"/workforce/coverage/?area={ww.streets[1].code}").status_code == 403


def test_groups_teams_and_party_organisations_through_the_pages(ww):
    c = as_user(ww, "community_worker")
    response = c.post("/workforce/groups/", {"kind": "three_person", "name": "园东三人小组",
                                             "area": ww.communities[0].code, "set_up_on": DAY.isoformat()})
    team = WorkGroup.objects.get(name="园东三人小组")
    assert response.status_code == 302
    Worker.objects.filter(pk__in=[w.pk for w in ww.workers[0][:2]]).update(group=team)
    page = c.get("/workforce/teams/").content.decode()
    assert 'data-complete="no"' in page and 'data-reason="missing_police"' in page
    Worker.objects.filter(pk=ww.workers[0][2].pk).update(group=team)
    assert 'data-complete="yes"' in c.get(f"/workforce/groups/{team.pk}/").content.decode()
    response = c.post("/workforce/party/", {"name": "百花园临时党支部", "area": ww.communities[0].code,
                                            "front": "compound", "set_up_on": DAY.isoformat()})
    org = PartyOrganisation.objects.get()
    assert response.status_code == 302
    assert c.post(f"/workforce/party/{org.pk}/", {"worker": ww.workers[0][0].pk, "role": "secretary"}).status_code \
        == 302
    response = c.post(f"/workforce/party/{org.pk}/", {"worker": ww.workers[0][1].pk, "role": "member"})
    assert response.status_code == 400  # the doctor is not a Party member, so not even a choice
    assert PartyMember.objects.count() == 1
    assert as_user(ww, "community_worker@1").get(f"/workforce/party/{org.pk}/").status_code == 404
    assert as_user(ww, "community_worker@1").get(f"/workforce/groups/{team.pk}/").status_code == 404


def test_a_centre_is_activated_and_its_stock_moved_but_never_below_zero(ww):
    c = as_user(ww, "community_worker")
    code = ww.centres[0].code
    assert c.post(f"/workforce/centres/{code}/activate/", {"since": DAY.isoformat()}).status_code == 302
    assert CentreActivation.objects.get().anti_epidemic_since == DAY
    assert c.post(f"/workforce/centres/{code}/supplies/", {"item": "口罩", "unit": "个", "quantity": 30}).status_code \
        == 302
    supply = Supply.objects.get()
    out = {f"s{supply.pk}-direction": "out", f"s{supply.pk}-amount": 31, f"s{supply.pk}-reason": "发放"}
    response = c.post(f"/workforce/centres/{code}/supplies/{supply.pk}/", out)
    assert response.status_code == 400
    assert [s.form.errors for s in response.context["supplies"]] == [{"amount": [str(MESSAGES["not_enough"])]}]
    assert c.post(f"/workforce/centres/{code}/supplies/{supply.pk}/", out | {f"s{supply.pk}-amount": 30}) \
        .status_code == 302
    supply.refresh_from_db()
    assert supply.quantity == 0
    services.assign_shift(ww.users["community_worker"], services.ShiftInput(
        ww.workers[0][1].pk, timezone.localdate(), "afternoon",
        "service_centre", code))
    page = c.get(f"/workforce/centres/{code}/").content.decode()
    assert "医生0" in page and "民警0" in page  # on shift today, and deployed to its community
    other = as_user(ww, "community_worker@1")
    assert other.get(f"/workforce/centres/{code}/").status_code == 404
    assert other.post(f"/workforce/centres/{code}/activate/", {"since": DAY.isoformat()}).status_code == 404


def test_editing_a_worker_and_the_audit_of_a_listed_resident(ww):
    from wuyi.accounts.models import AuditEntry

    c = as_user(ww, "community_worker")
    cadre = ww.workers[0][0]
    cadre.person = ww.people[0]
    cadre.save()
    page = c.get(f"/workforce/workers/{cadre.pk}/")
    assert page.status_code == 200
    assert AuditEntry.objects.filter(person=ww.people[0], actor=ww.users["community_worker"]).exists()
    form = {"name": "干部零", "kind": "cadre", "area": ww.compounds[0].code, "phone": cadre.phone, "unit": "",
            "group": "", "party_member": "on"}  # "active" unticked: the worker leaves
    response = c.post(f"/workforce/workers/{cadre.pk}/", form)
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert (cadre.name, cadre.area, cadre.active) == ("干部零", ww.compounds[0], False)
    listed = c.get("/workforce/workers/?state=inactive").content.decode()
    assert "干部零" in listed and "医生0" not in listed
