"""The acceptance journey of issue 2, in Chromium.

A resident signs up and fills the self-declaration on a phone, choosing the address through the
cascading selects; a community worker at a desk finds it in the queue and approves it; the pass
appears on the resident's page; a worker of another community sees that resident neither on a page
nor through the API.
"""

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.world import make_id_number
from wuyi.people.identity import mask_name
from wuyi.people.models import Declaration, Pass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "赵小云"
ID_NUMBER = make_id_number("440304", "19920611", 61)
MOBILE = "13912345678"
PASSWORD = "Shenzhen-2020-home"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def choose(page, level: int, code: str) -> None:
    """Pick `code` in the `level`-th select of the address once htmx has loaded it."""
    page.wait_for_selector(f"#addr-{level} option[value='{code}']", state="attached")
    page.select_option(f"#addr-{level}", code)


def declare_on_a_phone(phone, world) -> None:
    phone.goto("/accounts/signup/")
    phone.fill("input[name=phone]", MOBILE)
    phone.fill("input[name=password1]", PASSWORD)
    phone.fill("input[name=password2]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/people/declare/")
    assert fits_the_screen(phone)

    phone.fill("input[name=name]", NAME)
    phone.fill("input[name=id_number]", ID_NUMBER)
    assert phone.input_value("input[name=phone]") == MOBILE  # the number of the sign-up
    room = world.households[1]  # 百花园 1栋 102, Futian
    for level, length in enumerate((6, 9, 12, 15, 18, 22)):
        choose(phone, level, room.code[:length])
    phone.check("input[name=relation][value=tenant]")
    today = timezone.localdate()
    phone.fill("input[name=travel_0_place]", "广东省东莞市")
    phone.fill("input[name=travel_0_from]", (today - dt.timedelta(days=5)).isoformat())
    phone.fill("input[name=travel_0_to]", (today - dt.timedelta(days=4)).isoformat())
    phone.get_by_label("咳嗽").check()
    assert fits_the_screen(phone)
    phone.click("form[action='/people/declare/'] button[type=submit]")
    phone.wait_for_url("**/people/me/")
    assert phone.locator("#declaration").get_attribute("data-status") == "pending"
    assert "等待审核" in phone.inner_text("#declaration")


def test_declare_approve_pass_and_nothing_for_another_community(phone, desk, other_desk, world):
    declare_on_a_phone(phone, world)
    d = Declaration.objects.get(id_masked=ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:])
    assert (d.name, d.household, d.symptoms, d.travel[0]["place"]) == (
        NAME, world.households[1], ["cough"], "广东省东莞市")
    masked = mask_name(NAME)

    # The community worker logs in at a desk, lands on the queue, finds the declaration and approves it.
    login(desk, "community0")
    desk.wait_for_url("**/people/queue/")
    row = desk.locator(f"tr[data-declaration='{d.pk}']")
    assert masked in row.inner_text() and "咳嗽" in row.inner_text() and "百花园 1栋 102" in row.inner_text()
    assert row.locator("[data-match=new]").count() == 1
    row.locator("button[name=approve]").click()
    desk.wait_for_selector(".messages li.success")
    issued = Pass.objects.get(person__declarations=d, revoked_at__isnull=True)
    person = issued.person
    assert issued.compound == world.compounds[0] and person.verified

    # The resident reloads "my" page: the pass is there.
    phone.reload()
    card = phone.locator(f".pass[data-pass='{issued.number}']")
    assert card.locator(".number").inner_text() == issued.number
    assert "百花园" in card.inner_text() and masked in card.inner_text()
    assert fits_the_screen(phone)

    # A worker of another community: not in the queue, no person page, no household page, nothing in the API.
    login(other_desk, "community1")
    for status in ("pending", "approved", "rejected"):
        other_desk.goto(f"/people/queue/?status={status}")
        assert masked not in other_desk.inner_text("main")
        assert other_desk.locator(f"tr[data-declaration='{d.pk}']").count() == 0
    for url in (f"/people/p/{person.pk}/", f"/people/queue/{d.pk}/", f"/people/pass/{issued.pk}/",
                f"/places/h/{world.households[1].code}/"):
        assert other_desk.goto(url).status == 404, url
    traces = (NAME, masked, person.id_masked, MOBILE, issued.number)
    for route in ("/api/people/persons", "/api/people/declarations"):
        theirs = other_desk.request.get(route)
        assert theirs.status == 200, route
        assert not any(t in theirs.text() for t in traces), route
        # ... while the resident's own community worker does get them, so the check above means something.
        ours = desk.request.get(route)
        assert ours.status == 200 and json.loads(ours.text())["count"] >= 1, route
