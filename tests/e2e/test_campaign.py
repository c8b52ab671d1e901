"""Issue 6's campaign journey, in Chromium: a community worker inspects a compound (one item fails, a rectification
shows), re-inspects it (all pass, the rectification closes), nominates it as a demonstration compound and approves
at the community level; the street worker approves; the district worker approves; the public list shows it, and
the district's leader finds it counted on the dashboard, down to its community.

The test world has no case, so its compounds are epidemic-free today (records begin on 2020-01-19).
"""

import pytest

from tests.e2e.conftest import login
from wuyi.campaign.models import (
    Demonstration,
    DemonstrationStatus,
    Inspection,
    MeasureCatalogue,
    Rectification,
    RectificationStatus,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAILURE_NOTE = "东门未设检查登记卡"


def fill_sheet(page, measures, failed=None):
    for m in measures:
        page.check(f"input[name=measure_{m.pk}][value={'failed' if m.pk == failed else 'passed'}]")
    if failed is not None:
        page.fill(f"textarea[name=note_{failed}]", FAILURE_NOTE)
    with page.expect_navigation():
        page.click("#inspection-form button[type=submit]")


def test_inspection_to_public_list(desk, other_desk, world, live_server):
    compound = world.compounds[0]
    measures = list(MeasureCatalogue.objects.get(code="sz-2020-02").measures.order_by("position"))
    gate_rule = measures[5]  # 一律 1: a checkpoint with registration at every entrance

    # The community worker inspects 百花园 from the workbench: one item fails.
    login(desk, "community0")
    desk.click("nav a[href='/campaign/']")
    desk.click(f"#compounds tr[data-compound='{compound.code}'] a.button")
    desk.wait_for_url(f"**/campaign/compounds/{compound.code}/inspect/")
    fill_sheet(desk, measures, failed=gate_rule.pk)
    first = Inspection.objects.get()
    desk.wait_for_url(f"**/campaign/inspections/{first.pk}/")
    row = desk.locator(f"#results tr[data-measure='{gate_rule.pk}']")
    assert FAILURE_NOTE in row.inner_text() and row.locator(".rectification").count() == 1
    assert not first.fully_compliant

    # The compound's page shows the open rectification; the re-inspection lists it first, and all pass.
    desk.goto(f"/campaign/compounds/{compound.code}/")
    assert FAILURE_NOTE in desk.inner_text("#open-rectifications")
    desk.click("#inspect")
    assert desk.locator(f"#open-rectifications li[data-measure='{gate_rule.pk}']").count() == 1
    fill_sheet(desk, measures)
    second = Inspection.objects.latest("pk")
    assert second.previous == first and second.fully_compliant
    assert desk.locator("#closed li").count() == 1
    rectification = Rectification.objects.get()
    assert (rectification.status, rectification.closed_by) == (RectificationStatus.DONE, second)

    # It is nominated as a demonstration compound and approved at the community level.
    desk.goto(f"/campaign/compounds/{compound.code}/")
    assert desk.locator("#open-rectifications [data-rectification]").count() == 0
    with desk.expect_navigation():
        desk.click("#nominate button[type=submit]")
    case = Demonstration.objects.get()
    assert case.status == DemonstrationStatus.NOMINATED
    with desk.expect_navigation():
        desk.click(f"#demonstration form.decide[data-case='{case.pk}'] button[value=approve]")
    case.refresh_from_db()
    assert case.status == DemonstrationStatus.COMMUNITY_APPROVED

    # The street worker finds it waiting on the workbench and approves.
    login(other_desk, "street0")
    other_desk.goto("/campaign/")
    with other_desk.expect_navigation():
        other_desk.click(f"#pending [data-case='{case.pk}'] button[value=approve]")
    case.refresh_from_db()
    assert case.status == DemonstrationStatus.STREET_APPROVED

    # The district worker approves last.
    other_desk.click("form[action='/accounts/logout/'] button")
    login(other_desk, "district0")
    other_desk.goto("/campaign/")
    with other_desk.expect_navigation():
        other_desk.click(f"#pending [data-case='{case.pk}'] button[value=approve]")
    case.refresh_from_db()
    assert case.status == DemonstrationStatus.APPROVED and case.approved_at is not None

    # The public list, read without logging in, shows it under its district, street and community.
    other_desk.click("form[action='/accounts/logout/'] button")
    other_desk.goto("/campaign/demonstrations/public/")
    listed = other_desk.locator(f"#public-list .demo[data-compound='{compound.code}']")
    assert listed.count() == 1 and compound.name in listed.inner_text()
    text = other_desk.inner_text("#public-list")
    assert world.districts[0].name in text and world.streets[0].name in text and world.communities[0].name in text

    # The district's leader lands on the dashboard: the compound is counted in its street, then its community.
    login(other_desk, "leader0")
    other_desk.wait_for_url("**/dashboard/")

    def approved(code: str) -> str:
        return other_desk.locator(f"#table-demonstrations tr[data-code='{code}'] td[data-key=approved]").inner_text()

    assert approved(world.streets[0].code) == "1"
    other_desk.click(f"#table-demonstrations tr[data-code='{world.streets[0].code}'] a")
    other_desk.wait_for_url(f"**/dashboard/{world.streets[0].code}/**")
    assert approved(world.communities[0].code) == "1"
