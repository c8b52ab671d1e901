"""Small-venue pages: who may use them, the registry of the worker's area only, registration refused with a form
error, the pledge and checklist, the inspection, the suspension notice PDF and the Excel export read back."""

import datetime as dt
import io
import re

import pytest
from django.utils import translation
from openpyxl import load_workbook
from PIL import Image

from wuyi.venues import services
from wuyi.venues.forms import MESSAGES
from wuyi.venues.models import Venue, VenueStatus
from wuyi.venues.notice import A5_PX

ALL = {c: "on" for c in ("temperature_and_registration", "regular_disinfection", "staff_protection",
                         "no_dining_in", "contactless_pickup")}


def login(client, world, key):
    client.force_login(world.users[key])
    return client


def a_venue(world, side=0, name="好又多便利店", trade="grocery", area="80"):
    return services.register_venue(services.VenueInput(
        world.communities[side].code, name, trade, area, "园东路 1 号", "陈老板", operator_phone="13800138000"),
        by=world.users["community_worker" + ("@1" if side else "")])


@pytest.mark.parametrize("role, status", [
    ("community_worker", 200), ("street_worker", 200), ("district_worker", 200), ("city_admin", 200),
    ("leader", 403), ("resident", 403), ("volunteer", 403), ("gate_guard", 403), ("health_official", 403),
])
def test_who_may_see_the_registry(client, world, role, status):
    assert login(client, world, role).get("/venues/").status_code == status


def test_the_registry_shows_only_the_workers_area(client, world):
    mine, theirs = a_venue(world), a_venue(world, side=1, name="海旺士多")
    page = login(client, world, "community_worker").get("/venues/").content.decode()
    assert f'data-venue="{mine.pk}"' in page and f'data-venue="{theirs.pk}"' not in page
    assert client.get(f"/venues/{theirs.pk}/").status_code == 404
    assert client.post(f"/venues/{theirs.pk}/apply/", {"pledge_signer": "x", "pledge_signed": "on"}).status_code == 404
    city = login(client, world, "city_admin").get("/venues/").content.decode()
    assert f'data-venue="{mine.pk}"' in city and f'data-venue="{theirs.pk}"' in city


def test_register_and_refuse_a_venue_too_large(client, world):
    login(client, world, "community_worker")
    form = {"community": world.communities[0].code, "name": "大酒楼", "trade": "eatery", "floor_area_m2": "450",
            "storeys": "1", "address": "园东路 2 号", "operator_name": "周老板"}
    refused = client.post("/venues/new/", form)
    assert refused.status_code == 400
    with translation.override("zh-hans"):
        assert str(MESSAGES["not_small_venue"]) in refused.content.decode()
    assert not Venue.objects.exists()
    done = client.post("/venues/new/", form | {"floor_area_m2": "120"})
    assert done.status_code == 302
    assert Venue.objects.get().trade == "eatery"
    other = client.post("/venues/new/", form | {"community": world.communities[1].code})
    assert other.status_code == 400 and Venue.objects.count() == 1


def test_reopening_with_pledge_then_suspension_notice_pdf(client, world):
    v = a_venue(world, name="沙县小吃", trade="eatery")
    login(client, world, "community_worker")
    page = client.get(f"/venues/{v.pk}/").content.decode()
    assert 'id="pledge"' in page and services.PLEDGE_TEXT in page
    unsigned = client.post(f"/venues/{v.pk}/apply/", {"pledge_signer": "陈老板", **ALL})
    assert unsigned.status_code == 400 and not v.applications.exists()
    assert client.post(f"/venues/{v.pk}/apply/", {"pledge_signer": "陈老板", "pledge_signed": "on", **ALL}
                       ).status_code == 302
    application = v.applications.get()
    observed = {k: val for k, val in ALL.items() if k != "no_dining_in"}
    refused = client.post(f"/venues/applications/{application.pk}/inspect/",
                          {"inspected_on": dt.date.today().isoformat(), "outcome": "approve", **observed})
    assert refused.status_code == 400
    assert client.post(f"/venues/applications/{application.pk}/inspect/",
                       {"inspected_on": dt.date.today().isoformat(), "outcome": "suspend", **observed}
                       ).status_code == 302
    v.refresh_from_db()
    assert v.status == VenueStatus.SUSPENDED
    inspection = application.inspection
    page = client.get(f"/venues/{v.pk}/").content.decode()
    assert inspection.notice_number in page
    pdf = client.get(f"/venues/notices/{inspection.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = pdf.content
    assert body.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", body)) == 1
    assert re.search(rb"/MediaBox \[ ?0 0 419\.5\d* 595\.2", body)  # A5 in points
    # Pillow draws the text as pixels: read the page's image back and look for ink where the text goes
    page_image = _page_image(body).convert("L")
    assert page_image.size == A5_PX
    ink = {name: sum(page_image.crop(box).histogram()[:128]) for name, box in {
        "title": (0, 120, A5_PX[0], 320), "body": (0, 480, A5_PX[0], 1300),
        "signature": (0, A5_PX[1] - 480, A5_PX[0], A5_PX[1] - 260), "blank": (0, 1700, A5_PX[0], 1950)}.items()}
    assert ink["title"] > 2000 and ink["body"] > 5000 and ink["signature"] > 1000
    assert ink["blank"] < 100
    # another area's worker cannot print it
    assert login(client, world, "community_worker@1").get(f"/venues/notices/{inspection.pk}.pdf").status_code == 404


def _page_image(pdf: bytes) -> Image.Image:
    """Pillow writes the page as one JPEG (DCTDecode) image stream: read it out of the PDF."""
    found = re.search(rb"/DCTDecode.*?stream\r?\n", pdf, re.S)
    return Image.open(io.BytesIO(pdf[found.end():pdf.index(b"endstream", found.end())]))


def test_approval_opens_the_venue(client, world):
    v = a_venue(world)
    login(client, world, "community_worker")
    client.post(f"/venues/{v.pk}/apply/", {"pledge_signer": "陈老板", "pledge_signed": "on", **ALL})
    application = v.applications.get()
    assert client.post(f"/venues/applications/{application.pk}/inspect/",
                       {"inspected_on": dt.date.today().isoformat(), "outcome": "approve", **ALL}).status_code == 302
    v.refresh_from_db()
    assert v.status == VenueStatus.OPEN
    assert 'data-status="open"' in client.get("/venues/?status=open").content.decode()


def test_close_contact_trades_get_the_advice(client, world):
    salon = a_venue(world, name="丽人美发", trade="hair_beauty")
    login(client, world, "community_worker")
    page = client.get(f"/venues/{salon.pk}/").content.decode()
    assert 'id="advice"' in page and 'id="apply-form"' in page  # advice, not a refusal
    shop = a_venue(world, name="士多")
    assert 'id="advice"' not in client.get(f"/venues/{shop.pk}/").content.decode()


def test_excel_export_says_area_and_date(client, world):
    a_venue(world)
    a_venue(world, name="士多二号")
    a_venue(world, side=1, name="海旺士多")
    response = login(client, world, "street_worker").get("/venues/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("区域", f"{world.streets[0].name}（{world.streets[0].code}）")
    assert rows[1][0] == "日期" and rows[1][1].startswith("截至 ")
    names = [r[2] for r in rows[5:] if r and r[0] and r[0].isdigit()]
    assert sorted(names) == ["士多二号", "好又多便利店"]
    assert rows[-1][:2] == ("合计", 2)
    assert rows[5][3] == "小档口" and rows[5][11] == "未复工"
