"""Small venues and care in Chromium, as a community worker at a desk: register an eatery, file its reopening with
the pledge signed and the checklist, inspect it and suspend it (no eating inside not observed), open the printable
suspension notice; then confirm a home-quarantined resident as a key person and log a delivery."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from wuyi.care.models import CareContact, KeyPerson
from wuyi.health.models import QuarantineKind
from wuyi.health.services import issue_quarantine
from wuyi.venues.models import Venue, VenueStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reopening_then_suspension_notice(desk, world):
    login(desk, "community0")
    desk.goto("/venues/")
    desk.click("#new-venue")
    desk.fill("#id_name", "沙县小吃")
    desk.select_option("#id_trade", "eatery")
    desk.fill("#id_floor_area_m2", "60")
    desk.fill("#id_address", "园东路 12 号")
    desk.fill("#id_operator_name", "陈老板")
    desk.click("#venue-form button[type=submit]")
    desk.wait_for_selector("#pledge")
    venue = Venue.objects.get()
    desk.fill("#id_pledge_signer", "陈老板")
    desk.check("#id_pledge_signed")
    for item in ("temperature_and_registration", "regular_disinfection", "staff_protection", "no_dining_in",
                 "contactless_pickup"):
        desk.check(f"#apply-form #id_{item}")
    desk.click("#apply-form button[type=submit]")
    desk.wait_for_selector("#inspect-form")
    for item in ("temperature_and_registration", "regular_disinfection", "staff_protection", "contactless_pickup"):
        desk.check(f"#inspect-form #id_{item}")
    desk.click("#approve")  # refused: no eating inside was not observed
    desk.wait_for_selector("#inspect-form .errorlist")
    desk.click("#suspend")
    desk.wait_for_selector("#venue-status[data-status=suspended]")
    venue.refresh_from_db()
    assert venue.status == VenueStatus.SUSPENDED
    link = desk.locator("a[id^=notice-]")
    response = desk.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_confirm_a_key_person_and_log_a_delivery(desk, world):
    today = timezone.localdate()
    issue_quarantine(world.people[0].pk, QuarantineKind.HOME, today - dt.timedelta(days=1),
                     today + dt.timedelta(days=13))
    login(desk, "community0")
    desk.goto("/care/")
    desk.click(f".suggestion[data-person='{world.people[0].pk}'] button")
    desk.wait_for_selector("#contact-form")
    assert world.people[0].name in desk.inner_text("#name")
    desk.select_option("#id_kind", "delivery")
    desk.fill("#id_items", "大米 5kg，蔬菜一袋")
    desk.click("#contact-form button[type=submit]")
    desk.wait_for_selector("#contacts tr[data-kind=delivery]")
    assert KeyPerson.objects.get().person == world.people[0]
    assert CareContact.objects.get().items == "大米 5kg，蔬菜一袋"
    desk.goto("/care/")
    assert desk.locator("#key-persons tr[data-due='0']").count() == 1
