"""Issue 5's acceptance journey, in Chromium: a resident under home quarantine posts a wish on a phone; the
community worker approves it at a desk; a volunteer on a phone finds and claims it, opens the check-in URL (as
scanning the task's QR at the door would: the URL is read back from the QR on the publisher's page with
zxing-cpp), checks in and out; the publisher confirms; the hours and the participation reach the volunteer's
ledger and the community's statistics page.

The clock is the server's own, so the test moves the task instead: its start to now so that check-in is
allowed, then, between check-in and check-out, the start and the check-in two hours back (two hours of service
pass in a second).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone
from PIL import Image

from tests.e2e.conftest import PHONE, _context, login
from wuyi.health.models import QuarantineKind
from wuyi.health.services import issue_quarantine
from wuyi.volunteers import services
from wuyi.volunteers.models import Claim, ClaimStatus, Task, Volunteer, Wish, WishStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WISH_TEXT = "家中老人降压药快吃完了，请帮忙到社康中心代取"
WISH_PHONE = "13911112222"
SERVICE = dt.timedelta(hours=2)


@pytest.fixture
def people(world):
    """李建国 (resident0) under home quarantine; his neighbour 王芳 (volunteer0) signed up as a volunteer."""
    resident, neighbour = world.people[0], world.people[1]
    today = timezone.localdate()
    issue_quarantine(resident.pk, QuarantineKind.HOME, today, today + dt.timedelta(days=14))
    volunteer_user = world.users["volunteer"]
    volunteer_user.person = neighbour
    volunteer_user.save()
    services.register_volunteer(neighbour, world.communities[0].code, skills=["driving"],
                                availability={str(d): [[8, 22]] for d in range(7)})
    return {"resident": resident, "volunteer": Volunteer.objects.get(person=neighbour)}


@pytest.fixture
def volunteer(browser, live_server):
    """A second phone: the volunteer's."""
    for ctx in _context(browser, live_server, PHONE):
        yield ctx.new_page()


def read_qr(page, selector: str) -> str:
    import zxingcpp

    shot = page.locator(selector).screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert len(found) == 1, f"{len(found)} codes in {selector}"
    return found[0].text


def test_a_wish_is_approved_claimed_checked_in_and_out_confirmed_and_counted(phone, volunteer, desk, world, people,
                                                                             live_server):
    # A resident under home quarantine posts a wish from the phone.
    login(phone, "resident0")
    phone.goto("/volunteers/")
    phone.wait_for_url("**/volunteers/me/profile/**")  # not a volunteer: the sign-up page, with a way to ask
    phone.click("#need-help a")
    phone.click("#new-wish")
    phone.fill("#wish-form textarea[name=text]", WISH_TEXT)
    phone.select_option("#wish-form select[name=kind]", "delivery")
    needed_by = timezone.localtime() + dt.timedelta(hours=6)
    phone.fill("#wish-form input[name=needed_by]", needed_by.strftime("%Y-%m-%dT%H:%M"))
    phone.fill("#wish-form input[name=contact_phone]", WISH_PHONE)
    phone.click("#wish-form button[type=submit]")
    phone.wait_for_url("**/volunteers/wishes/")
    wish = Wish.objects.get()
    assert (wish.person, wish.status) == (people["resident"], WishStatus.PENDING)
    assert phone.get_attribute(f"#wishes [data-wish='{wish.pk}']", "data-status") == "pending"

    # The community worker approves it at a desk.
    login(desk, "community0")
    desk.click("nav a[href='/volunteers/community/']")
    card = desk.locator(f"#pending-wishes [data-wish='{wish.pk}']")
    assert WISH_TEXT in card.inner_text() and WISH_PHONE in card.inner_text()
    with desk.expect_navigation():
        card.locator("form.approve button").click()
    assert desk.locator(".messages li.success").count() == 1
    wish.refresh_from_db()
    task = wish.task
    assert wish.status == WishStatus.APPROVED and task is not None and task.capacity == 1

    # A volunteer on another phone finds the task (its contact hidden) and claims it (the contact shown).
    login(volunteer, "volunteer0")
    volunteer.goto("/volunteers/")
    listed = volunteer.locator(f"#task-list [data-task='{task.pk}']")
    assert listed.get_attribute("data-kind") == "delivery"
    assert listed.locator(".slots").get_attribute("data-slots-left") == "1"
    assert WISH_PHONE not in volunteer.content() and WISH_TEXT not in volunteer.content()  # the words are private
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    listed.locator("button[type=submit]").tap()
    volunteer.wait_for_url(f"**/volunteers/tasks/{task.pk}/")
    assert WISH_PHONE in volunteer.inner_text("#contact") and WISH_TEXT in volunteer.inner_text("#wish-text")
    claim = Claim.objects.get(task=task)
    assert claim.volunteer == people["volunteer"]

    # The publisher's page shows the claim and the check-in QR; scanning it gives the check-in URL.
    desk.goto(f"/volunteers/tasks/{task.pk}/")
    assert desk.get_attribute(f"#claims tr[data-claim='{claim.pk}']", "data-status") == "active"
    checkin_url = read_qr(desk, "#checkin-qr")
    assert checkin_url == f"{live_server.url}/volunteers/checkin/{task.checkin_token}/"
    assert desk.inner_text("#checkin-url") == checkin_url

    # At the door: the task starts now; the volunteer opens the scanned URL and checks in.
    Task.objects.filter(pk=task.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    volunteer.goto(checkin_url)
    assert volunteer.get_attribute("#checkin-state", "data-state") == "claimed"
    with volunteer.expect_navigation():
        volunteer.tap("#checkin-form button[type=submit]")
    assert volunteer.get_attribute("#checkin-state", "data-state") == "checked_in"

    # Two hours of service pass; the volunteer scans again and checks out.
    Task.objects.filter(pk=task.pk).update(starts_at=F("starts_at") - SERVICE)
    Claim.objects.filter(pk=claim.pk).update(checked_in_at=F("checked_in_at") - SERVICE)
    volunteer.goto(checkin_url)
    with volunteer.expect_navigation():
        volunteer.tap("#checkin-form button[type=submit]")
    assert volunteer.get_attribute("#checkin-state", "data-state") == "checked_out"

    # The publisher sees both times and confirms completion.
    desk.goto(f"/volunteers/tasks/{task.pk}/")
    row = desk.locator(f"#claims tr[data-claim='{claim.pk}']")
    assert row.locator("td").nth(3).inner_text() != "—" and row.locator("td").nth(4).inner_text() != "—"
    with desk.expect_navigation():
        row.locator("button.confirm").click()
    row = desk.locator(f"#claims tr[data-claim='{claim.pk}']")
    assert row.get_attribute("data-status") == "done"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DONE and claim.participations == 1
    assert SERVICE.total_seconds() / 3600 <= claim.hours < Decimal("2.05")

    # Done: the contact is gone from the volunteer's page; the hours and the participation are in the ledger.
    volunteer.goto(f"/volunteers/tasks/{task.pk}/")
    assert volunteer.locator("#contact").count() == 0 and WISH_PHONE not in volunteer.content()
    volunteer.goto("/volunteers/me/")
    ledger = volunteer.locator("#ledger")
    assert Decimal(ledger.get_attribute("data-hours")) == claim.hours
    assert ledger.get_attribute("data-participations") == "1"
    assert volunteer.inner_text("#my-hours") == str(claim.hours)

    # The resident sees the wish done.
    phone.goto("/volunteers/wishes/")
    assert phone.get_attribute(f"#wishes [data-wish='{wish.pk}'] .claim", "data-status") == "done"

    # The community's statistics count the hours and the participation (today's figures are live).
    desk.goto("/volunteers/community/")
    desk.click("#stats-link")
    desk.wait_for_url(f"**/volunteers/stats/?area={world.communities[0].code}")
    totals = desk.locator("#totals")
    assert totals.get_attribute("data-area") == world.communities[0].code
    assert desk.get_attribute("#totals [data-total-participations]", "data-total-participations") == "1"
    assert Decimal(desk.get_attribute("#totals [data-total-hours]", "data-total-hours")) == claim.hours
    today = desk.locator(f"#by-day tr[data-day='{timezone.localdate().isoformat()}'] td")
    assert today.nth(5).inner_text() == "1" and today.nth(6).inner_text() == f"{claim.hours:,.2f}"
