"""The campaign's pages: workbench, catalogue, inspection sheet (form errors, never a 500), compound, nomination
and decisions, the worker's list of communities without one, the public list, exports; scope on every page."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.campaign.conftest import CATALOGUE, answers, png
from wuyi.campaign import services
from wuyi.campaign.models import Demonstration, DemonstrationStatus, Inspection, Rectification


def as_user(client, world, key):
    client.force_login(world.users[key])
    return client


def sheet(measures, failed=None, note="未设登记卡", **extra):
    data = {"inspected_on": timezone.localdate().isoformat(), "catalogue": CATALOGUE}
    for i, m in enumerate(measures):
        data[f"measure_{m.pk}"] = "failed" if i == failed else "passed"
        if i == failed:
            data[f"note_{m.pk}"] = note
    data.update(extra)
    return data


def inspect_today(world, measures, failed=()):
    return services.record_inspection(services.InspectionInput(world.compounds[0].code, CATALOGUE,
                                                               timezone.localdate(), answers(measures, failed=failed)),
                                      world.users["community_worker"])


def test_the_workbench_lists_the_compounds_of_the_area_with_their_figures(client, world, measures):
    inspect_today(world, measures, failed=(0,))
    page = as_user(client, world, "community_worker").get("/campaign/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world.compounds[0].name in html and world.compounds[1].name not in html
    assert page.context["figures"]["open"] == 1
    assert page.context["page"][0].latest_score == pytest.approx(0.9)


@pytest.mark.parametrize("role", ["resident", "volunteer", "gate_guard", "leader"])
def test_the_workbench_is_for_workers(client, world, role):
    assert as_user(client, world, role).get("/campaign/").status_code == 403


def test_another_area_asked_for_is_a_404(client, world):
    c = as_user(client, world, "community_worker")
    assert c.get(f"/campaign/?area={world.communities[1].code}").status_code == 404
    assert c.get(f"/campaign/compounds/{world.compounds[1].code}/").status_code == 404
    assert c.get(f"/campaign/compounds/{world.compounds[1].code}/inspect/").status_code == 404


def test_the_catalogue_says_what_is_missing(client, world):
    page = as_user(client, world, "community_worker").get(f"/campaign/catalogues/{CATALOGUE}/")
    assert page.status_code == 200
    assert [(found, n) for _g, found, n in page.context["missing"]] == [(5, 10), (0, 4)]
    html = page.content.decode()
    assert 'id="missing"' in html and "were not recovered" in html  # the catalogue's note says why


def test_a_city_admin_copies_a_catalogue_from_its_page(client, world):
    c = as_user(client, world, "city_admin")
    r = c.post(f"/campaign/catalogues/{CATALOGUE}/copy/", {"code": "sz-2020-03", "effective_from": "2020-03-01"})
    assert r.status_code == 302
    assert c.post(f"/campaign/catalogues/{CATALOGUE}/copy/", {"code": "sz-2020-03",
                                                               "effective_from": "2020-03-01"}).status_code == 400
    assert as_user(client, world, "community_worker").post(
        f"/campaign/catalogues/{CATALOGUE}/copy/", {"code": "x", "effective_from": "2020-03-01"}).status_code == 403


def test_the_inspection_sheet_records_and_opens_a_rectification(client, world, measures, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = as_user(client, world, "community_worker")
    url = f"/campaign/compounds/{world.compounds[0].code}/inspect/"
    assert c.get(url).status_code == 200
    r = c.post(url, sheet(measures, failed=3, **{f"photo_{measures[3].pk}": png()}))
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    inspection = Inspection.objects.get()
    assert r["Location"] == f"/campaign/inspections/{inspection.pk}/"
    assert Rectification.objects.get().measure == measures[3]
    assert inspection.results.get(measure=measures[3]).photo
    page = c.get(r["Location"])
    assert "rectification" in page.content.decode()
    compound_page = c.get(f"/campaign/compounds/{world.compounds[0].code}/")
    assert list(compound_page.context["open"]) == [Rectification.objects.get()]


def test_a_reinspection_page_lists_the_open_rectifications_first(client, world, measures):
    inspect_today(world, measures, failed=(2,))
    page = as_user(client, world, "community_worker").get(f"/campaign/compounds/{world.compounds[0].code}/inspect/")
    html = page.content.decode()
    assert html.index('id="open-rectifications"') < html.index('id="inspection-form"')


@pytest.mark.parametrize("change, field", [
    ({"note": ""}, "measure"),  # a failure without a note
    ("photo", "photo"),  # not an image
    ("unanswered", "measure"),
])
def test_bad_sheets_are_form_errors_not_500s(client, world, measures, change, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if change == "photo":
        data = sheet(measures, **{f"photo_{measures[0].pk}": SimpleUploadedFile("a.jpg", b"text", "image/jpeg")})
        key = f"photo_{measures[0].pk}"
    elif change == "unanswered":
        data = sheet(measures)
        del data[f"measure_{measures[5].pk}"]
        key = f"measure_{measures[5].pk}"
    else:
        data = sheet(measures, failed=1, **change)
        key = f"measure_{measures[1].pk}"
    r = as_user(client, world, "community_worker").post(f"/campaign/compounds/{world.compounds[0].code}/inspect/", data)
    assert r.status_code == 400
    assert key in r.context["form"].errors
    assert not Inspection.objects.exists()


def test_nominate_and_decide_through_the_pages(client, world, measures):
    inspect_today(world, measures)
    code = world.compounds[0].code
    c = as_user(client, world, "community_worker")
    assert c.post(f"/campaign/compounds/{code}/nominate/").status_code == 302
    case = Demonstration.objects.get()
    assert c.post(f"/campaign/demonstrations/{case.pk}/decide/", {"decision": "approve"}).status_code == 302
    street = as_user(client, world, "street_worker")
    assert [p.pk for p in street.get("/campaign/").context["pending"]] == [case.pk]
    street.post(f"/campaign/demonstrations/{case.pk}/decide/", {"decision": "approve", "next": "home"})
    # the district worker of the other side sees nothing of it
    assert as_user(client, world, "district_worker@1").post(
        f"/campaign/demonstrations/{case.pk}/decide/", {"decision": "approve"}).status_code == 404
    as_user(client, world, "district_worker").post(f"/campaign/demonstrations/{case.pk}/decide/",
                                                    {"decision": "approve"})
    assert Demonstration.objects.get().status == DemonstrationStatus.APPROVED
    client.logout()
    public = client.get("/campaign/demonstrations/public/")
    assert public.status_code == 200 and world.compounds[0].name in public.content.decode()


def test_a_nomination_refused_shows_the_reasons(client, world):
    r = as_user(client, world, "community_worker").post(f"/campaign/compounds/{world.compounds[0].code}/nominate/")
    assert r.status_code == 400
    assert "从未检查" in str(r.context["nomination_form"].non_field_errors())  # the reason, in the reader's language


def test_the_worker_sees_the_communities_still_without_one(client, world):
    page = as_user(client, world, "district_worker").get("/campaign/demonstrations/")
    assert [c.code for c in page.context["without"]] == [world.communities[0].code]
    city = as_user(client, world, "city_admin").get("/campaign/demonstrations/")
    assert city.context["without_count"] == 2


def test_the_inspections_export_says_its_area_and_dates(client, world, measures):
    inspect_today(world, measures, failed=(0,))
    r = as_user(client, world, "street_worker").get("/campaign/inspections.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][:2] == ("区域", f"{world.streets[0].name} ({world.streets[0].code})")
    assert rows[1][0] == "日期"
    assert rows[5][0] == world.compounds[0].code and rows[5][6] == 1
    assert len(rows) == 6
