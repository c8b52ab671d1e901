"""The health pages: who may use them, what each shows of whom, bad input as form errors, the audit."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.world import add_user, make_id_number
from wuyi.accounts.models import AuditEntry, Role
from wuyi.health import services
from wuyi.health.forms import MESSAGES
from wuyi.health.models import Case, CaseKind, Cluster, ClusterStatus, DailyReport, QuarantineOrder, RiskList
from wuyi.people.models import Membership, Person, Relation


def login(client, world, key):
    client.force_login(world.users[key])
    return client


def a_case(world, side=0, person=None, reported_on=None):
    return services.record_case(services.CaseInput(
        kind=CaseKind.CONFIRMED, reported_on=reported_on or timezone.localdate(),
        household_code=world.households[2 * side].code, person_id=person.pk if person else None))


@pytest.mark.parametrize("key", ["community_worker", "district_worker", "gate_guard", "resident", "volunteer"])
def test_only_health_officials_and_the_city_administrator_use_the_workbench(client, world, key):
    person = world.people[0]
    login(client, world, key)
    for url in ("/health/", f"/health/people/{person.pk}/", "/health/search/?q=李"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/health/people/{person.pk}/case/", {"kind": "confirmed"}).status_code == 403
    assert not Case.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, world):
    response = client.get("/health/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/health/risk/").status_code == 200  # the list is public


def test_an_official_sees_only_the_people_cases_and_compounds_of_their_district(client, world):
    theirs = a_case(world, side=1, person=world.people[2])
    login(client, world, "health_official")
    assert client.get(f"/health/people/{world.people[2].pk}/").status_code == 404
    assert client.get(f"/health/cases/{theirs.pk}/").status_code == 404
    assert client.get(f"/health/compounds/{world.compounds[1].code}/").status_code == 404
    assert client.post(f"/health/people/{world.people[2].pk}/order/", {
        "kind": "home_quarantine", "start": "2020-03-01", "planned_end": "2020-03-14"}).status_code == 404
    assert client.post(f"/health/cases/{theirs.pk}/outcome/", {"outcome": "discharged",
                                                               "on": timezone.localdate()}).status_code == 404
    page = client.get("/health/").content.decode()
    assert f"/health/cases/{theirs.pk}/" not in page
    mine = client.get(f"/health/people/{world.people[0].pk}/")
    assert mine.status_code == 200 and world.people[0].name in mine.content.decode()


def test_viewing_a_health_record_and_searching_are_audited(client, world):
    login(client, world, "health_official")
    person = world.people[0]
    client.get(f"/health/people/{person.pk}/")
    assert AuditEntry.objects.filter(person=person, action="view", actor=world.users["health_official"]).exists()
    response = client.get("/health/search/", {"q": make_id_number("440304", "19700101", 1)})
    assert response.status_code == 302 and response["Location"] == f"/health/people/{person.pk}/"
    other_side = client.get("/health/search/", {"q": make_id_number("440306", "19700101", 11)})
    assert other_side.status_code == 200 and "/health/people/" not in other_side.content.decode().split(
        'id="found"')[1]
    by_name = client.get("/health/search/", {"q": "王芳"})
    assert by_name.status_code == 302  # one 王芳 in the official's district: shown on her page, audited there
    assert not AuditEntry.objects.filter(person=world.people[1]).exists()
    namesake = Person.objects.create(name="李建华", verified=True)
    Membership.objects.create(person=namesake, household=world.households[1], relation=Relation.TENANT)
    listed = client.get("/health/search/", {"q": "李建"})  # a list of names is a read of each: audited
    assert listed.status_code == 200 and len(listed.context["found"]) == 2
    assert set(AuditEntry.objects.filter(what="health search results").values_list("person_id", flat=True)) == {
        world.people[0].pk, namesake.pk}


def test_a_case_outside_the_officials_area_is_refused_on_the_form_and_nothing_is_written(client, world):
    login(client, world, "health_official")
    response = client.post(f"/health/people/{world.people[0].pk}/case/", {
        "kind": "confirmed", "reported_on": timezone.localdate(), "household_code": world.households[2].code,
        "quarantine_kind": "home_quarantine"})
    assert response.status_code == 400
    assert response.context["case_form"].errors["household_code"] == [str(MESSAGES["outside_area"])]
    assert not Case.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({"kind": "confirmed", "reported_on": "2099-01-01"}, "reported_on"),
    ({"kind": "nonsense", "reported_on": "2020-03-01"}, "kind"),
    ({"kind": "confirmed", "reported_on": "not a date"}, "reported_on"),
    ({"kind": "confirmed", "reported_on": "2020-03-01", "household_code": "4403040010010019999999"},
     "household_code"),
])
def test_bad_case_input_is_a_form_error_on_its_field(client, world, data, field):
    login(client, world, "health_official")
    data = {"household_code": world.households[0].code, "quarantine_kind": "home_quarantine", **data}
    response = client.post(f"/health/people/{world.people[0].pk}/case/", data)
    assert response.status_code == 400
    assert response.context["case_form"].errors[field]
    assert not Case.objects.exists()


def test_recording_a_case_from_the_person_page_quarantines_the_household(client, world):
    login(client, world, "health_official")
    head = world.people[0]
    response = client.post(f"/health/people/{head.pk}/case/", {
        "kind": "confirmed", "reported_on": timezone.localdate(), "household_code": world.households[0].code,
        "link_household": "on", "quarantine_kind": "home_quarantine"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.person, case.recorded_by) == (head, world.users["health_official"])
    page = client.get(f"/health/people/{head.pk}/").content.decode()
    assert 'data-colour="red"' in page


def test_linking_a_contact_by_id_number_and_releasing_the_order(client, world):
    case = a_case(world, person=world.people[0])
    login(client, world, "health_official")
    contact = world.people[1]
    response = client.post(f"/health/cases/{case.pk}/contact/", {
        "id_number": make_id_number("440304", "19710101", 2), "degree": "close",
        "last_exposure_on": timezone.localdate(), "quarantine_kind": "centralized_quarantine"})
    assert response.status_code == 302
    order = QuarantineOrder.objects.get(person=contact)
    assert order.kind == "centralized_quarantine"
    unknown = client.post(f"/health/cases/{case.pk}/contact/", {
        "id_number": make_id_number("440306", "19700101", 11), "degree": "close",  # lives in the other district
        "last_exposure_on": timezone.localdate()})
    assert unknown.status_code == 400 and unknown.context["contact_form"].errors["id_number"]
    assert client.post(f"/health/orders/{order.pk}/release/").status_code == 302
    order.refresh_from_db()
    assert order.released_at is not None


def test_confirming_a_suggested_cluster_from_the_workbench(client, world):
    a_case(world, reported_on=timezone.localdate() - dt.timedelta(days=1))
    cluster = a_case(world).cluster
    login(client, world, "health_official")
    assert f'data-cluster="{cluster.pk}"' in client.get("/health/").content.decode()
    login(client, world, "health_official@1")
    assert client.post(f"/health/clusters/{cluster.pk}/confirm/").status_code == 404  # not their district
    login(client, world, "health_official")
    assert client.post(f"/health/clusters/{cluster.pk}/confirm/").status_code == 302
    assert Cluster.objects.get().status == ClusterStatus.CONFIRMED


def test_only_a_city_level_official_publishes_and_not_beyond_tomorrow(client, world):
    login(client, world, "health_official")
    assert client.post("/health/risk/publish/", {"date": timezone.localdate()}).status_code == 403
    add_user("cityhealth", Role.HEALTH_OFFICIAL, area=world.city)
    client.login(username="cityhealth", password="wuyi-test-pass-1")
    far = client.post("/health/risk/publish/", {"date": timezone.localdate() + dt.timedelta(days=2)})
    assert far.status_code == 400 and far.context["publish_form"].errors["date"]
    ok = client.post("/health/risk/publish/", {"date": timezone.localdate(), "rules": "cn-2020-02"})
    assert ok.status_code == 302
    assert RiskList.objects.get().rule_id == "cn-2020-02"


def test_the_resident_sees_their_colour_and_sends_the_daily_report_while_at_home(client, world):
    person = world.people[0]
    login(client, world, "resident")
    services.recompute_colours([person.pk])
    page = client.get("/health/me/")
    assert page.status_code == 200 and 'id="report-form"' not in page.content.decode()
    today = timezone.localdate()
    services.issue_quarantine(person.pk, "home_quarantine", today, today + dt.timedelta(days=14))
    page = client.get("/health/me/").content.decode()
    assert 'data-colour="red"' in page and 'id="report-form"' in page
    bad = client.post("/health/me/report/", {"temperature_morning": "52.0"})
    assert bad.status_code == 400 and bad.context["report_form"].errors["temperature_morning"]
    assert not DailyReport.objects.exists()
    assert client.post("/health/me/report/", {"temperature_morning": "36.6", "symptoms": ["cough"]}).status_code == 302
    report = DailyReport.objects.get()
    assert (report.person, str(report.temperature_morning), report.symptoms) == (person, "36.6", ["cough"])


def test_a_compound_page_shows_its_status_to_the_people_of_its_area(client, world):
    a_case(world)
    login(client, world, "community_worker")
    page = client.get(f"/places/c/{world.compounds[0].code}/").content.decode()
    assert 'data-status="cancelled"' in page
    detail = client.get(f"/health/compounds/{world.compounds[0].code}/")
    assert detail.status_code == 200 and 'data-reason="cancelled"' in detail.content.decode()
    assert client.get(f"/health/compounds/{world.compounds[0].code}/?on=2020-02-20").context[
        "status"].status == "epidemic_free"
    assert client.get(f"/health/compounds/{world.compounds[0].code}/?on=garbage").status_code == 404


def test_the_community_sees_who_missed_the_daily_report_and_the_read_is_audited(client, world):
    today = timezone.localdate()
    quiet, reported = world.people[0], world.people[1]
    for p in (quiet, reported):
        services.issue_quarantine(p.pk, "home_quarantine", today, today + dt.timedelta(days=14))
    services.record_daily_report(reported.pk, today, "36.5", None)
    services.issue_quarantine(world.people[2].pk, "home_quarantine", today, today + dt.timedelta(days=14))
    login(client, world, "community_worker")
    page = client.get("/health/missed/")
    assert page.status_code == 200
    assert [p.pk for p in page.context["people"]] == [quiet.pk]
    assert quiet.phone in page.content.decode()  # the community calls its residents: the whole number
    assert AuditEntry.objects.filter(person=quiet, what=f"missed daily reports {today}").exists()
    login(client, world, "district_worker")
    chosen = client.get("/health/missed/", {"community": world.communities[0].code})
    assert [p.pk for p in chosen.context["people"]] == [quiet.pk] and quiet.phone not in chosen.content.decode()
    assert client.get("/health/missed/", {"community": world.communities[1].code}).context["community"] is None
    login(client, world, "resident")
    assert client.get("/health/missed/").status_code == 403
