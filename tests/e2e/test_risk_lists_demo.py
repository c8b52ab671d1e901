"""Anyone opens the public risk list of the demo city's epidemic: the lists Guangdong published in March 2020."""

import pytest

from wuyi.synth import city
from wuyi.synth.epidemic import build_epidemic
from wuyi.synth.generator import load_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISTRICTS = [d["name"] for d in load_data()["districts"]]


def shown_levels(page, day: str) -> dict[str, str]:
    """District name → the level the page shows for it, read from the district rows of the list."""
    page.goto(f"/health/risk/?date={day}")
    assert day in page.inner_text("main .card >> nth=0")
    levels = {}
    for row in page.locator("#risk-list tr.district").all():
        name, level = (cell.inner_text().strip() for cell in row.locator("td").all()[:2])
        levels[name] = level
    return levels


def test_futian_is_medium_on_16_march_and_every_district_low_on_21_march(phone):
    city.generate("tiny", seed=5, progress=False)
    build_epidemic(seed=2020)

    on_16_march = shown_levels(phone, "2020-03-16")
    assert on_16_march == {name: "中风险" if name == "福田区" else "低风险" for name in DISTRICTS}

    on_21_march = shown_levels(phone, "2020-03-21")
    assert on_21_march == {name: "低风险" for name in DISTRICTS}
