"""The leaders' dashboard in Chromium: a leader of 福田区 logs in and lands on the dashboard of the district, sees
the approved demonstration compound counted in its street and then in its community, and drills down to that
community, whose charts are drawn."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from wuyi.campaign.models import Demonstration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_lands_on_the_dashboard_and_drills_down_to_a_community(desk, world):
    street, community, compound = world.streets[0], world.communities[0], world.compounds[0]
    now = timezone.now()
    Demonstration.objects.create(compound=compound, community=community, status="approved",
                                 nominated_at=now - dt.timedelta(days=7), approved_at=now - dt.timedelta(hours=1))

    login(desk, "leader0")
    desk.wait_for_url("**/dashboard/")
    assert desk.locator("#totals").get_attribute("data-area") == world.districts[0].code

    def approved(code: str) -> str:
        return desk.locator(f"#table-demonstrations tr[data-code='{code}'] td[data-key=approved]").inner_text()

    assert approved(street.code) == "1"
    desk.click(f"#table-demonstrations tr[data-code='{street.code}'] a")
    desk.wait_for_url(f"**/dashboard/{street.code}/**")
    assert approved(community.code) == "1"

    desk.click(f"#table-demonstrations tr[data-code='{community.code}'] a")
    desk.wait_for_url(f"**/dashboard/{community.code}/**")
    assert community.name in desk.locator("h1").inner_text()
    assert approved(compound.code) == "1"
    assert desk.locator("#chart-demonstrations canvas").count() == 1  # ECharts drew the panel's chart
    assert desk.locator("#table-demonstrations a").count() == 0  # compounds: no drill-down below the community
