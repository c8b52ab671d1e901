"""The dashboard pages: who may open them, the drill-down and its scope, the day, the Excel exports read back
against the page's figures, and no person's record on any panel."""

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.dashboard.conftest import DAY
from wuyi.dashboard.panels import PANELS

Q = f"?day={DAY.isoformat()}"


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def cell(html: str, panel: str, code: str, key: str) -> str:
    """The raw value of a table cell: the row of ``code`` ("" for the total) in the panel's table."""
    table = re.search(rf'<table class="counts" id="table-{panel}">(.*?)</table>', html, re.S).group(1)
    row = re.search(rf'<tr[^>]*data-code="{code}"[^>]*>(.*?)</tr>', table, re.S).group(1)
    return re.search(rf'data-key="{key}" data-value="([^"]*)"', row).group(1)


def test_a_leader_lands_on_the_dashboard_of_their_district(board):
    c = client(board.users["leader"])
    response = c.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/dashboard/"
    html = response.content.decode()
    assert 'data-area="440304"' in html
    assert 'href="/dashboard/440304001/' in html  # the drill-down to its street


def test_drill_down_to_a_street_and_a_community(board):
    c = client(board.users["leader"])
    html = c.get(f"/dashboard/440304001/{Q}").content.decode()
    assert cell(html, "demonstrations", "440304001001", "approved") == "1"
    html = c.get(f"/dashboard/440304001001/{Q}").content.decode()
    assert cell(html, "refusals", board.compounds[0].code, "fever") == "2"


@pytest.mark.parametrize("who, url, status", [
    ("leader", "/dashboard/440306/", 403),  # another district
    ("leader", "/dashboard/440300/", 403),  # above their node
    ("leader@1", "/dashboard/440304001/", 403),
    ("leader", "/dashboard/440304999/", 404),  # no such area
    ("leader", f"/dashboard/{'440304001001001'}/", 404),  # a compound: below the drill-down
    ("resident", "/dashboard/", 403),
    ("volunteer", "/dashboard/", 403),
    ("gate_guard", "/dashboard/", 403),
    ("health_official", "/dashboard/", 403),
    ("community_worker", "/dashboard/", 200),
    ("community_worker", "/dashboard/440304001/", 403),
    ("street_worker", "/dashboard/440304001001/", 200),
    ("city_admin", "/dashboard/440306001001/", 200),
    ("leader", "/dashboard/440306/figures.xlsx", 403),
    ("resident", "/dashboard/440304/figures.xlsx", 403),
])
def test_who_may_open_what(board, who, url, status):
    assert client(board.users[who]).get(url).status_code == status


def test_anonymous_users_are_sent_to_log_in(board):
    response = Client().get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_day_defaults_to_today_and_a_bad_one_is_a_form_error(board):
    c = client(board.users["city_admin"])
    html = c.get("/dashboard/?day=2999-01-01").content.decode()
    assert "errorlist" in html and 'data-day="2999-01-01"' not in html
    html = c.get("/dashboard/?day=nonsense").content.decode()
    assert "errorlist" in html
    assert c.get("/dashboard/440300/risk.xlsx?day=2999-01-01").status_code == 400
    assert c.get("/dashboard/440300/nothing.xlsx").status_code == 404


def test_the_city_page_shows_the_reported_figures_beside_its_own(board):
    html = client(board.users["city_admin"]).get(f"/dashboard/{Q}").content.decode()
    assert 'id="reported"' in html and 'data-reported="37000"' in html and 'data-reported="1737"' in html
    counted = dict(re.findall(r'<tr data-key="([^"]+)">.*?<td class="num">([^<]*)</td>', html))
    assert (counted["communities"], counted["garden_estate"], counted["urban_village"], counted["cadres"]) == (
        "3", "3", "1", "2")
    assert "href=\"/health/risk/\"" in html
    district = client(board.users["leader"]).get(f"/dashboard/{Q}").content.decode()
    assert 'id="reported"' not in district


def test_no_panel_lists_a_person(board):
    html = client(board.users["city_admin"]).get(f"/dashboard/{Q}").content.decode()
    for person in board.people:
        assert person.name not in html and person.masked_name not in html and person.phone not in html


@pytest.mark.parametrize("panel", PANELS)
def test_each_export_reads_back_with_the_page_figures(board, panel):
    c = client(board.users["city_admin"])
    html = c.get(f"/dashboard/{Q}").content.decode()
    response = c.get(f"/dashboard/440300/{panel}.xlsx{Q}")
    assert response.status_code == 200
    assert f"wuyi-dashboard-{panel}-440300-2020-03-10.xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    lines = [[v for v in row] for row in ws.iter_rows(values_only=True)]
    assert "深圳市（440300）" in lines[0][0] and "2020-03-10" in lines[0][0]
    keys = re.findall(r'data-key="([^"]+)"', re.search(rf'id="table-{panel}">.*?<tr[^>]*data-code="440304"(.*?)</tr>',
                                                       html, re.S).group(1))
    last = next(i for i, line in enumerate(lines) if line[0] == "440306")
    total = [] if panel == "risk" else [("", lines[last + 1])]  # the total follows the last child area
    checked = 0
    for code, line in [(line[0], line) for line in lines if line[0] in ("440304", "440306")] + total:
        for key, value in zip(keys, line[2:]):
            shown = cell(html, panel, code, key)
            if key == "level":
                continue
            if value is None:
                assert shown == ""
            else:
                assert float(shown) == pytest.approx(value), (panel, code, key)
            checked += 1
    assert checked >= 3


def test_the_risk_export_says_the_level(board):
    c = client(board.users["city_admin"])
    ws = load_workbook(io.BytesIO(c.get(f"/dashboard/440300/risk.xlsx{Q}").content)).active
    levels = {row[0]: row[2] for row in ws.iter_rows(values_only=True) if row[0] in ("440304", "440306")}
    assert set(levels.values()) == {"中风险", "低风险"} or set(levels.values()) == {"Medium risk", "Low risk"}
