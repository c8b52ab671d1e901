"""Issue 6's workforce journey, in Chromium at a desk: a community worker adds a medical worker, books them on the
compound's gate for this morning, is refused a second booking in the same period (a form error, not a 500), and
finds the gate covered in the coverage report while the gate's afternoon is still open; the export names the area
and the date."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.e2e.conftest import login
from wuyi.workforce.models import Shift, Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_community_worker_staffs_a_gate_and_reads_the_coverage(world, desk):
    page = desk
    gate = world.gates[0]
    today = timezone.localdate().isoformat()
    login(page, "community0")
    page.goto("/workforce/")
    page.click("nav.subnav a[href^='/workforce/workers/']")
    page.click("a[href^='/workforce/workers/new/']")
    page.fill("#id_name", "周医生")
    page.fill("#id_phone", "13712345678")
    page.select_option("#id_kind", "medical")
    page.fill("#id_unit", "社区健康服务中心")
    page.click("#worker-form button[type=submit]")
    page.wait_for_selector("#workers tr[data-worker]")
    assert "周医生" in page.inner_text("#workers")
    doctor = Worker.objects.get(name="周医生")

    page.goto(f"/workforce/shifts/?on={today}")
    page.select_option("#id_worker", str(doctor.pk))
    page.select_option("#id_period", "morning")
    page.select_option("#id_place", f"gate:{gate.code}")
    page.click("#shift-form button[type=submit]")
    page.wait_for_selector("table.shifts[data-period=morning] tr[data-shift]")
    assert gate.name in page.inner_text("table.shifts[data-period=morning]")

    page.select_option("#id_worker", str(doctor.pk))
    page.select_option("#id_period", "morning")
    page.select_option("#id_place", f"compound:{world.compounds[0].code}")
    page.click("#shift-form button[type=submit]")
    page.wait_for_selector("#shift-form .errorlist")
    assert Shift.objects.count() == 1

    page.goto(f"/workforce/coverage/?on={today}&period=morning")
    assert page.locator(f"#gaps tr[data-code='{gate.code}']").count() == 0
    page.goto(f"/workforce/coverage/?on={today}&period=afternoon")
    assert page.locator(f"#gaps tr[data-code='{gate.code}']").count() == 1
    with page.expect_download() as download:
        page.click("#export")
    wb = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    about = {row[0]: row[1] for row in wb["说明"].iter_rows(values_only=True) if len(row) > 1}
    assert about["日期"] == today and world.communities[0].code in about["区域"] and about["班次"] == "中班"
