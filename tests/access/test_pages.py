"""The access pages: my code, the gate (who may use it), the paper pass, the access log."""

import datetime as dt
import re

import pytest
import zxingcpp
from django.utils import timezone

from wuyi.access import services, views
from wuyi.access.models import AccessEvent, Code
from wuyi.accounts.models import AuditEntry
from wuyi.people.models import PassKind
from wuyi.people.services import issue_pass

pytestmark = pytest.mark.django_db


def login(client, world, key):
    client.force_login(world.users[key])
    return client


def test_my_code_shows_the_qr_colour_name_and_compounds(client, world):
    issue_pass(world.people[0], world.compounds[0], by=None)
    login(client, world, "resident")
    assert client.get("/").headers["Location"] == "/access/code/"  # a resident lands on their code
    page = client.get("/access/code/")
    html = page.content.decode()
    code = Code.objects.get()
    assert page.status_code == 200 and "<svg" in html and f'data-code="{code.text}"' in html
    assert world.people[0].masked_name in html and world.compounds[0].name in html
    assert 'data-colour="green"' in html and 'id="clock"' in html


def test_without_a_pass_my_code_says_why(client, world):
    login(client, world, "resident")
    assert 'id="no-code"' in client.get("/access/code/").content.decode()


def test_only_the_gates_own_guards_use_the_gate_page(client, world):
    gate, other = world.gates
    login(client, world, "gate_guard")
    assert client.get("/access/gate/").headers["Location"] == f"/access/gate/{gate.code}/"
    assert client.get(f"/access/gate/{gate.code}/").status_code == 200
    assert client.get(f"/access/gate/{other.code}/").status_code == 403
    for key in ("community_worker", "city_admin", "resident"):
        login(client, world, key)
        assert client.get(f"/access/gate/{gate.code}/").status_code == 403, key
        assert client.post(f"/access/gate/{gate.code}/", {"code": "x"}).status_code == 403, key
    assert not AccessEvent.objects.exists()


def test_the_gate_page_decides_and_shows_the_answer(client, world):
    issue_pass(world.people[0], world.compounds[0], by=None)
    code = services.my_code(world.people[0])
    login(client, world, "gate_guard")
    gate = world.gates[0].code
    ok = client.post(f"/access/gate/{gate}/", {"code": code.text, "temperature": "36.6", "direction": "in"})
    assert 'data-allow="true"' in ok.content.decode() and world.people[0].masked_name in ok.content.decode()
    fever = client.post(f"/access/gate/{gate}/", {"code": code.text, "temperature": "38.1", "direction": "in"})
    assert 'data-reason="fever"' in fever.content.decode()
    typo = client.post(f"/access/gate/{gate}/", {"code": code.text, "temperature": "abc"})
    assert typo.status_code == 400 and 'id="problem"' in typo.content.decode()
    assert AccessEvent.objects.count() == 2


def test_the_gate_form_sent_twice_is_one_check(client, world):
    issue_pass(world.people[0], world.compounds[0], by=None)
    text = services.my_code(world.people[0]).text
    login(client, world, "gate_guard")
    gate = world.gates[0].code
    check_id = re.search(r'name="check_id" value="([^"]+)"', client.get(f"/access/gate/{gate}/").content.decode())
    form = {"code": text, "temperature": "36.5", "check_id": check_id.group(1)}
    answers = [client.post(f"/access/gate/{gate}/", form) for _ in "12"]
    assert [a.context["result"]["reason"] for a in answers] == ["admitted", "admitted"]
    assert AccessEvent.objects.count() == 1
    next_id = re.search(r'name="check_id" value="([^"]+)"', answers[1].content.decode()).group(1)
    assert next_id != check_id.group(1)
    client.post(f"/access/gate/{gate}/", {**form, "check_id": next_id})
    client.post(f"/access/gate/{gate}/", {**form, "check_id": "not-a-uuid"})
    assert AccessEvent.objects.count() == 3


def test_a_guard_registers_a_visitor_at_the_gate_with_a_residents_consent(client, world):
    login(client, world, "gate_guard")
    gate = world.gates[0].code
    bad = client.post(f"/access/gate/{gate}/visitor/", {"name": "张来访", "phone": "13911112222",
                                                       "household_code": world.households[2].code, "hours": 2,
                                                       "consent": "on"})
    assert bad.status_code == 400 and bad.context["visit_form"].errors["household_code"]
    ok = client.post(f"/access/gate/{gate}/visitor/", {"name": "张来访", "phone": "13911112222",
                                                      "household_code": world.households[0].code, "hours": 2,
                                                      "consent": "on"})
    assert ok.status_code == 302
    visit_page = client.get(ok.headers["Location"]).content.decode()
    text = re.search(r'data-code="([^"]+)"', visit_page).group(1)
    assert client.post(f"/access/gate/{gate}/", {"code": text, "temperature": "36.5"}).context["result"]["allow"]


def test_the_paper_pass_is_an_a6_pdf_whose_qr_reads_back_and_printing_is_audited(client, world):
    person = world.people[1]
    paper = issue_pass(person, world.compounds[0], by=None, kind=PassKind.PAPER)
    login(client, world, "community_worker")
    response = client.get(f"/access/paper/{paper.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF") and re.search(rb"/MediaBox \[ ?0 0 297\.6\d* 419\.5", pdf)
    code = Code.objects.get(kind="paper")
    page = views.paper_page(code, world.compounds[0], paper.number)
    assert [r.text for r in zxingcpp.read_barcodes(page)] == [code.text]
    assert AuditEntry.objects.filter(person=person, action="print").exists()
    login(client, world, "community_worker@1")
    assert client.get(f"/access/paper/{paper.pk}/").status_code == 404


def test_the_access_log_counts_per_hour_for_the_area_and_the_gate(client, world):
    issue_pass(world.people[0], world.compounds[0], by=None)
    code = services.my_code(world.people[0])
    for temperature in (36.5, 38.0):
        services.check_at_gate(world.gates[0], code.text, "in", temperature, by=None)
    hour = timezone.localtime(timezone.now(), views.events.SHANGHAI).hour
    login(client, world, "community_worker")
    page = client.get(f"/access/log/compound/{world.compounds[0].code}/")
    assert page.status_code == 200
    row = page.context["rows"][hour]
    assert (row["entries"], row["refusals"]) == (1, 1)
    assert page.context["reasons"][0][0] == "fever"
    assert client.get(f"/access/log/gate/{world.gates[0].code}/").status_code == 200
    assert client.get(f"/access/log/compound/{world.compounds[1].code}/").status_code == 404
    assert client.get(f"/access/log/gate/{world.gates[0].code}/?day=2020-13-01").status_code == 404
    for day in ("0001-01-01", "9999-12-31"):  # dates whose day has no UTC moment: no log, not a server error
        assert client.get(f"/access/log/gate/{world.gates[0].code}/?day={day}").status_code == 404
        assert client.get(f"/access/log/compound/{world.compounds[0].code}/?day={day}").status_code == 404
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert client.get(f"/access/log/gate/{world.gates[0].code}/?day={yesterday}").context["totals"]["entries"] == 0


def test_a_community_worker_issues_a_worker_code_for_compounds_of_their_area(client, world):
    from tests.world import make_id_number

    login(client, world, "community_worker")
    data = {"id_number": make_id_number("440304", "19710101", 2), "role": "property_staff",
            "compounds": [world.compounds[0].code]}
    ok = client.post("/access/workers/new/", data)
    assert ok.status_code == 200 and 'data-role="property_staff"' in ok.content.decode()
    code = Code.objects.get(kind="worker")
    assert (code.person, code.compounds) == (world.people[1], [world.compounds[0].code])
    outside = client.post("/access/workers/new/", {**data, "compounds": [world.compounds[1].code]})
    assert outside.status_code == 400 and outside.context["form"].errors["compounds"]
    unknown = client.post("/access/workers/new/", {**data, "id_number": make_id_number("440304", "19800101", 99)})
    assert unknown.status_code == 400 and unknown.context["form"].errors["id_number"]
    assert Code.objects.count() == 1
    for answered in (ok, unknown):  # the ID number typed is not shown back in clear
        assert data["id_number"] not in answered.content.decode()
    login(client, world, "resident")
    assert client.get("/access/workers/new/").status_code == 403


def test_a_visitors_code_is_shown_to_its_host_and_the_guards_of_its_compound_only(client, world):
    now = timezone.now()
    visit = services.register_visit(world.people[0], services.VisitInput(
        name="访客丙", phone="13912345670", compound_code=world.compounds[0].code, starts_at=now,
        ends_at=now + dt.timedelta(hours=2)), by=None)
    for key, status in (("resident", 200), ("gate_guard", 200), ("gate_guard@1", 404), ("community_worker", 404),
                        ("district_worker", 404), ("health_official", 404), ("city_admin", 404)):
        login(client, world, key)
        assert client.get(f"/access/visits/{visit.pk}/").status_code == status, key


def test_a_paper_pass_that_has_ended_is_not_printed(client, world):
    paper = issue_pass(world.people[1], world.compounds[0], by=None, kind=PassKind.PAPER)
    paper.valid_until = timezone.localdate() - dt.timedelta(days=1)
    paper.save(update_fields=["valid_until"])
    login(client, world, "community_worker")
    response = client.get(f"/access/paper/{paper.pk}/", follow=True)
    assert response.status_code == 200 and "ended" in response.content.decode()
    assert not Code.objects.filter(kind="paper").exists()
