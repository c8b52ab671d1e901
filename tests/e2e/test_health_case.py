"""Issue 3's acceptance journey, in Chromium: a health official records a confirmed case in an epidemic-free
compound; the compound's status is cancelled, the household's colours turn red with their reasons, and the
district's risk list for the next day changes.
"""

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.world import add_user, make_id_number
from wuyi.accounts.models import Role
from wuyi.health import services
from wuyi.health.zoning_service import publish
from wuyi.people.models import Membership, Person, Relation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FUTIAN = "440304"


@pytest.fixture
def household(world):
    """李建国 (the world's first person) and his son, in 百花园 1栋 101, Futian; colours computed; today's list."""
    head = world.people[0]
    son = Person(name="李小明", phone="13800009999", verified=True)
    son.set_id_number(make_id_number(FUTIAN, "20050301", 77))
    son.save()
    Membership.objects.create(person=son, household=world.households[0], relation=Relation.FAMILY)
    services.recompute_colours([p.pk for p in Person.objects.all()])
    publish(timezone.localdate(), "cn-2020-02")
    add_user("cityhealth", Role.HEALTH_OFFICIAL, area=world.city)
    return head, son


def test_a_confirmed_case_cancels_the_compound_reddens_the_household_and_changes_the_list(desk, world, household):
    head, son = household
    compound = world.compounds[0]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    login(desk, "cityhealth")
    desk.wait_for_url("**/health/")  # a health official lands on the workbench

    desk.goto(f"/health/compounds/{compound.code}/")
    assert desk.get_attribute("#compound-status", "data-status") == "epidemic_free"

    desk.goto("/health/")
    desk.fill("#search input[name=q]", make_id_number(FUTIAN, "19700101", 1))  # 李建国's ID number
    desk.click("#search button[type=submit]")
    desk.wait_for_url(f"**/health/people/{head.pk}/")
    assert desk.get_attribute("#colour", "data-colour") == "green"

    desk.select_option("#case-form select[name=kind]", "confirmed")
    assert desk.is_checked("#case-form input[name=link_household]")
    desk.click("#case-form button[type=submit]")
    desk.wait_for_load_state()
    assert desk.get_attribute("#colour", "data-colour") == "red"
    assert desk.locator("#colour [data-reason=confirmed_case]").count() == 1
    assert "确诊病例" in desk.inner_text("#colour [data-reason=confirmed_case]")

    desk.click("#person-cases a")
    row = desk.locator(f"#contacts tr[data-person='{son.pk}']")
    assert row.get_attribute("data-colour") == "red"
    row.locator("a").click()
    desk.wait_for_url(f"**/health/people/{son.pk}/")
    assert desk.get_attribute("#colour", "data-colour") == "red"
    reasons = desk.locator("#colour [data-reason]").evaluate_all("els => els.map(e => e.dataset.reason)")
    assert "close_contact" in reasons and "home_quarantine" in reasons
    assert "密切接触者" in desk.inner_text("#colour")

    desk.goto(f"/health/compounds/{compound.code}/")
    assert desk.get_attribute("#compound-status", "data-status") == "cancelled"
    assert desk.locator("#compound-status [data-reason=cancelled]").count() == 1

    desk.goto("/health/")
    desk.fill("#publish input[name=date]", tomorrow.isoformat())
    desk.select_option("#publish select[name=rules]", "cn-2020-02")
    desk.click("#publish button[type=submit]")
    desk.wait_for_url(f"**/health/risk/?date={tomorrow.isoformat()}")
    futian = desk.locator(f"#risk-list tr.district[data-code='{FUTIAN}']")
    assert futian.get_attribute("data-level") == "medium"
    assert "中风险" in futian.inner_text()
    assert desk.locator("#risk-list tr.district[data-code='440306']").get_attribute("data-level") == "low"
    change = desk.locator(f"#changes li[data-code='{FUTIAN}']")
    assert "低风险" in change.inner_text() and "中风险" in change.inner_text()
