"""A city administrator drills down from the city to a household on a phone, then reads it in English."""

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def summary(page) -> dict[str, str]:
    cells = page.query_selector_all("#summary .stat")
    return {c.get_attribute("data-count"): c.query_selector("b").inner_text() for c in cells}


def test_city_admin_drills_down_to_a_household(phone, world):
    login(phone, "cityadmin")
    assert phone.url.endswith("/places/")
    assert phone.inner_text("h1").startswith("深圳市")
    assert summary(phone)["residents"] == "4" and summary(phone)["garden_estates"] == "2"
    assert "花园小区" in phone.inner_text("#summary")

    steps = [  # (link, heading, summary counts expected on the page it opens)
        ("福田区", "福田区", {"communities": "1", "compounds": "1", "residents": "2"}),
        ("园岭街道", "园岭街道", {"communities": "1", "buildings": "1", "households": "2"}),
        ("园东社区", "园东社区", {"compounds": "1", "garden_estates": "1", "residents": "2"}),
        ("百花园", "百花园", {"buildings": "1", "households": "2", "residents": "2"}),
        ("1栋", "1栋", {"households": "2", "residents": "2"}),
    ]
    for link, heading, counts in steps:
        phone.click(f"#children a:text-is('{link}')")
        phone.wait_for_load_state()
        assert phone.inner_text("h1").startswith(heading)
        shown = summary(phone)
        assert {k: shown[k] for k in counts} == counts, link
        assert phone.inner_text(".crumbs").startswith("深圳市")

    phone.click("#children a:text-is('101')")
    phone.wait_for_load_state()
    members = phone.inner_text("#members")
    assert "李*国" in members and "李建国" not in members and "业主" in members
    assert world.people[0].id_masked in members
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone.click("header button:text-is('English')")
    phone.wait_for_load_state()
    assert "Members" in phone.inner_text("main") and "Owner" in phone.inner_text("#members")
    assert phone.inner_text("header button.link >> nth=-1") == "中文"
