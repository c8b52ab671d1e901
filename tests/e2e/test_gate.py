"""Issue 4's gate, in Chromium: a guard at a tablet scans codes (a handheld scanner types the code, then Enter)
and reads the big answer; a resident shows their code on a phone and registers a visitor, whose code opens
the gate once.

The codes are made through the services: a resident's own code; a red one (its holder put under home
quarantine); an expired one; one for another compound; a revoked one. The QR a page shows is read back from a
screenshot with zxing-cpp.
"""

import datetime as dt
import io

import pytest
from django.utils import timezone, translation
from PIL import Image

from tests.e2e.conftest import login
from wuyi.access import services
from wuyi.access.models import Code, CodeKind, Visit
from wuyi.access.views import REASON_LABELS
from wuyi.health.models import QuarantineKind
from wuyi.health.services import issue_quarantine
from wuyi.people.services import issue_pass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NORMAL = "36.5"
VISITOR = {"name": "张伟", "phone": "13912345678", "purpose": "送药"}


@pytest.fixture
def codes(world):
    """Passes for 李建国 and 王芳 at 百花园 (guard0's compound) and for 李建国 of 海滨花园; their codes."""
    resident, neighbour, outsider = world.people[0], world.people[1], world.people[2]
    home, elsewhere = world.compounds
    issue_pass(resident, home, by=world.users["community_worker"])
    issue_pass(neighbour, home, by=world.users["community_worker"])
    issue_pass(outsider, elsewhere, by=world.users["community_worker@1"])
    today = timezone.localdate()
    issue_quarantine(neighbour.pk, QuarantineKind.HOME, today, today + dt.timedelta(days=14))
    lifetime = services.PHONE_CODE_LIFETIME
    revoked = services.mint(resident, CodeKind.RESIDENT, [home.code], lifetime=lifetime)
    assert services.revoke_codes(Code.objects.filter(pk=revoked.pk), "phone_lost") == 1
    expired = services.mint(resident, CodeKind.RESIDENT, [home.code], lifetime=lifetime,
                            now=timezone.now() - lifetime - dt.timedelta(minutes=5))
    return {
        "resident": services.my_code(resident),
        "red": services.my_code(neighbour),
        "expired": expired,
        "other_compound": services.my_code(outsider),
        "revoked": revoked,
    }


def zh(text: str, context: str | None = None) -> str:
    """``text`` as the zh-Hans pages say it (the English itself while it lacks a translation)."""
    with translation.override("zh-hans"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def reason_label(reason: str) -> str:
    with translation.override("zh-hans"):
        return str(REASON_LABELS[reason])


def scan(page, text: str, temperature: str = NORMAL) -> dict:
    """Type the temperature, then the code as a handheld scanner does (its characters, then Enter)."""
    page.fill("#temperature", temperature)
    page.locator("#code").press_sequentially(text)
    with page.expect_navigation():
        page.press("#code", "Enter")
    answer = page.locator("#answer")
    return {"allow": answer.get_attribute("data-allow"), "reason": answer.get_attribute("data-reason"),
            "verdict": answer.locator(".verdict").inner_text(), "reason_text": answer.locator(".reason").inner_text(),
            "text": answer.inner_text()}


def read_qr(page) -> str:
    """The text of the QR in ``#qr``, read back from a screenshot of what the page shows."""
    import zxingcpp

    shot = Image.open(io.BytesIO(page.locator("#qr").screenshot())).convert("L")
    found = zxingcpp.read_barcodes(shot)
    assert len(found) == 1, f"{len(found)} barcodes in the screenshot of #qr"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def guard_at_the_gate(page, world) -> None:
    login(page, "guard0")
    page.wait_for_url(f"**/access/gate/{world.gates[0].code}/")  # a guard lands on their gate


def test_the_guard_admits_a_resident_and_refuses_each_bad_code_with_its_reason(desk, world, codes):
    guard_at_the_gate(desk, world)

    for typo in ("365", "NaN"):  # the dot missed; a scanner's junk: a message, never a server error
        desk.fill("#temperature", typo)
        desk.fill("#code", codes["resident"].text)
        with desk.expect_navigation():
            desk.press("#code", "Enter")
        assert desk.inner_text("#problem") == zh("Type the temperature as a number, e.g. 36.5.")
        assert desk.locator("#answer").count() == 0

    answer = scan(desk, codes["resident"].text)
    assert (answer["allow"], answer["reason"]) == ("true", "admitted")
    assert answer["verdict"] == zh("Pass", "gate verdict")  # not 出入证, the document also called a pass
    assert answer["reason_text"] == reason_label("admitted")
    assert "李*国" in answer["text"] and "绿码" in answer["text"]

    for name, reason in [("red", "red_code"), ("expired", "expired"), ("other_compound", "not_for_this_compound"),
                         ("revoked", "revoked")]:
        answer = scan(desk, codes[name].text)
        assert (name, answer["allow"], answer["reason"]) == (name, "false", reason)
        assert answer["verdict"] == zh("Stop", "gate verdict")
        assert answer["reason_text"] == reason_label(reason)
    red = scan(desk, codes["red"].text)
    assert "王*" in red["text"] and "红码" in red["text"]  # the holder the guard reports, with the colour
    assert desk.locator("#answer .report").count() == 1

    assert desk.get_attribute("#answer", "data-next") == "report_to_community"
    today = desk.inner_text("#today")
    assert today.startswith(zh("Today: %(e)s in, %(x)s out, %(r)s refused.") % {"e": 1, "x": 0, "r": 5})


def test_a_resident_shows_a_live_code_and_a_registered_visitor_gets_in_once(phone, desk, world, codes):
    login(phone, "resident0")
    phone.wait_for_url("**/access/code/")  # a resident lands on "my code"
    card = phone.locator("#my-code")
    assert card.get_attribute("data-colour") == "green"
    assert "李*国" in card.inner_text() and "李建国" not in phone.content()
    assert phone.locator("#qr svg").count() == 1
    assert phone.get_attribute("#qr", "data-code") == codes["resident"].text
    before = phone.inner_text("#clock")
    phone.wait_for_timeout(1_100)
    assert phone.inner_text("#clock") != before  # a running clock: a screenshot of the code shows as stale

    phone.fill("#visit-form input[name=name]", VISITOR["name"])
    phone.fill("#visit-form input[name=phone]", VISITOR["phone"])
    phone.fill("#visit-form input[name=purpose]", VISITOR["purpose"])
    with phone.expect_navigation():
        phone.click("#visit-form button[type=submit]")
    visit = Visit.objects.select_related("code").get(host=world.people[0])
    assert phone.url.endswith(f"/access/visits/{visit.pk}/")
    assert "张*" in phone.inner_text("#visit")
    visitor_code = phone.get_attribute("#qr", "data-code")
    assert visitor_code == visit.code.text and visitor_code.startswith("WY1:")
    assert phone.locator("#visit .badge.warn").count() == 0

    guard_at_the_gate(desk, world)
    answer = scan(desk, visitor_code)
    assert (answer["allow"], answer["reason"]) == ("true", "admitted")
    assert "张*" in answer["text"]
    answer = scan(desk, visitor_code)
    assert (answer["allow"], answer["reason"]) == ("false", "visitor_code_used")
    assert answer["reason_text"] == reason_label("visitor_code_used")

    phone.reload()
    assert phone.locator("#visit .badge.warn").count() == 1  # the host sees the entry used


def test_the_qr_on_the_phone_reads_back_as_the_code(phone, world, codes):
    login(phone, "resident0")
    phone.wait_for_url("**/access/code/")
    assert read_qr(phone) == codes["resident"].text
    visit = services.register_visit(world.people[0], services.VisitInput(
        name=VISITOR["name"], phone=VISITOR["phone"], compound_code=world.compounds[0].code,
        starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(hours=2)), by=world.users["resident"])
    phone.goto(f"/access/visits/{visit.pk}/")
    assert read_qr(phone) == visit.code.text
