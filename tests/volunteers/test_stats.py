"""Volunteer statistics (issue 5): the figures of a small fixture counted by hand, by local day (Asia/Shanghai)
and by community; the rollup of settled days gives the same figures as the live queries; a district worker sees
only their district; the export's cells are the page's figures; who may open the page."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from wuyi.volunteers import services, stats
from wuyi.volunteers.models import DailyFigures, Task, TaskStatus, Team, TeamMember

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST, LAST = dt.date(2020, 2, 18), dt.date(2020, 2, 20)
NOW = dt.datetime(2020, 2, 20, 12, 0, tzinfo=SHANGHAI)  # 02-18 is settled, 02-19 and 02-20 are not
LATER = dt.datetime(2020, 3, 1, 12, 0, tzinfo=SHANGHAI)  # every day settled
WINDOW = {"start": "2020-02-18", "end": "2020-02-20"}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2020, 2, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def work(world):
    """Tasks and claims written through the services at fixed moments; the figures they must give, by hand.

    Side 0 (福田区, c0) and side 1 (宝安区, c1):
      T1 c0 02-18 08:00–12:00, 3 slots: v0 and v1 done (4 h each), confirmed 02-18 13:00
      T2 c0 02-19 23:00–02-20 01:00, 2 slots: v0 done (2 h), confirmed 02-20 02:00 (02-19 18:00 UTC)
      T3 c1 02-19 07:30–09:00 (starts 02-18 23:30 UTC), 5 slots: v2 done (1.5 h), v3 no-show, v1 cancelled;
         confirmed 02-19 10:00
      T4 c1 02-20 09:00–11:00, 1 slot: v2 claimed, not confirmed
      T5 c0 02-19 10:00–11:00, 4 slots: cancelled by the community (not counted)
      T6 c1 02-18 14:00–17:00, 6 slots: v2's team claims 2 slots (2 × 3 h), confirmed 02-18 18:00
    """
    c0, c1 = world.communities
    p = world.people
    v = [services.register_volunteer(person, (c0 if i < 2 else c1).code) for i, person in enumerate(p)]
    team = Team.objects.create(name="海旺社区青年突击队", leader=v[2], community=c1)
    for member in (v[2], v[3]):
        TeamMember.objects.create(team=team, volunteer=member)
    day_before = at(17, 9)

    def task(community, title, starts, ends, capacity):
        return services.publish(services.TaskInput(
            kind="gate_duty", title=title, community_code=community.code, starts_at=starts, ends_at=ends,
            capacity=capacity), by=None, now=day_before)

    t1 = task(c0, "T1", at(18, 8), at(18, 12), 3)
    t2 = task(c0, "T2", at(19, 23), at(20, 1), 2)
    t3 = task(c1, "T3", at(19, 7, 30), at(19, 9), 5)
    t4 = task(c1, "T4", at(20, 9), at(20, 11), 1)
    t5 = task(c0, "T5", at(19, 10), at(19, 11), 4)
    t6 = task(c1, "T6", at(18, 14), at(18, 17), 6)
    Task.objects.filter(pk=t5.pk).update(status=TaskStatus.CANCELLED)

    claims = {name: services.claim(t.pk, vol, now=day_before) for name, t, vol in (
        ("t1v0", t1, v[0]), ("t1v1", t1, v[1]), ("t2v0", t2, v[0]), ("t3v2", t3, v[2]), ("t3v3", t3, v[3]),
        ("t3v1", t3, v[1]), ("t4v2", t4, v[2]))}
    team_claim = services.claim(t6.pk, v[2], team=team, slots=2, now=day_before)
    services.cancel(claims["t3v1"].pk, v[1], now=day_before)
    services.confirm(claims["t1v0"].pk, None, now=at(18, 13))
    services.confirm(claims["t1v1"].pk, None, now=at(18, 13))
    services.confirm(team_claim.pk, None, now=at(18, 18))
    services.confirm(claims["t3v2"].pk, None, now=at(19, 10))
    services.confirm(claims["t3v3"].pk, None, present=False, now=at(19, 10))
    services.confirm(claims["t2v0"].pk, None, now=at(20, 2))
    return world


def figures(tasks, slots, taken, participations, hours) -> stats.Figures:
    return stats.Figures(tasks, slots, taken, participations, Decimal(hours))


BY_DAY = {
    dt.date(2020, 2, 18): figures(2, 9, 4, 4, "14.00"),
    dt.date(2020, 2, 19): figures(2, 7, 3, 1, "1.50"),
    dt.date(2020, 2, 20): figures(1, 1, 1, 1, "2.00"),
}
C0 = figures(2, 5, 3, 3, "10.00")
C1 = figures(3, 12, 5, 3, "7.50")
TOTAL = figures(5, 17, 8, 6, "17.50")


@pytest.mark.parametrize("now", [NOW, LATER], ids=["live", "rolled-up"])
def test_the_city_figures_are_the_hand_counted_ones(work, now):
    s = stats.statistics(work.city, FIRST, LAST, now=now)
    assert s.total == TOTAL
    assert dict(s.by_day) == BY_DAY
    assert [(place.code, f) for place, f in s.by_community] == [
        (work.communities[0].code, C0), (work.communities[1].code, C1)]
    assert [(place.code, f) for place, f in s.by_child] == [
        (work.districts[0].code, C0), (work.districts[1].code, C1)]
    assert s.total.fill_rate == pytest.approx(8 / 17)


def test_settled_days_are_rolled_up_once_for_the_whole_city(work):
    stats.statistics(work.districts[0], FIRST, LAST, now=NOW)
    city_rows = DailyFigures.objects.filter(area=work.city)
    assert list(city_rows.values_list("day", flat=True)) == [FIRST]  # 02-19 and 02-20 are not settled at NOW
    assert DailyFigures.objects.get(area=work.communities[1], day=FIRST).participations == 2  # the other side too
    stats.statistics(work.city, FIRST, LAST, now=LATER)
    assert sorted(city_rows.values_list("day", "participations")) == [
        (day, f.participations) for day, f in BY_DAY.items()]
    rows = DailyFigures.objects.count()
    assert stats.roll_up(FIRST, LAST, now=LATER) == 0
    assert DailyFigures.objects.count() == rows


def test_a_window_outside_the_work_counts_nothing_and_every_day_is_listed(work):
    s = stats.statistics(work.city, dt.date(2020, 2, 1), dt.date(2020, 2, 17), now=LATER)
    assert s.total == stats.Figures() and s.total.fill_rate is None
    assert len(s.by_day) == 17


def test_the_days_are_local_days_not_utc_days(work):
    """T3 starts at 07:30 on 02-19 (23:30 UTC on 02-18); T2's completion is confirmed at 02:00 on 02-20 (18:00 UTC
    on 02-19)."""
    only_19 = stats.statistics(work.communities[1], dt.date(2020, 2, 19), dt.date(2020, 2, 19), now=LATER)
    assert (only_19.total.tasks, only_19.total.slots) == (1, 5)
    only_20 = stats.statistics(work.communities[0], dt.date(2020, 2, 20), dt.date(2020, 2, 20), now=LATER)
    assert (only_20.total.tasks, only_20.total.participations, only_20.total.hours) == (0, 1, Decimal("2.00"))


# ---- the page -----------------------------------------------------------------------------------------------


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_totals_with_stable_hooks(work):
    response = client_of(work.users["city_admin"]).get("/volunteers/stats/", WINDOW)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total-tasks="5"' in html
    assert 'data-total-participations="6"' in html
    assert 'data-total-hours="17.50"' in html
    assert "echarts.min.js" in html and 'id="stats-charts"' in html
    assert response.context["stats"].total == TOTAL


def test_a_district_worker_sees_only_their_district(work):
    client = client_of(work.users["district_worker"])
    response = client.get("/volunteers/stats/", WINDOW)
    assert response.status_code == 200
    s = response.context["stats"]
    assert s.area == work.districts[0] and s.total == C0
    assert [place.code for place, _f in s.by_community] == [work.communities[0].code]
    html = response.content.decode()
    assert work.communities[1].name not in html
    assert client.get("/volunteers/stats/", {**WINDOW, "area": work.districts[1].code}).status_code == 404
    assert client.get("/volunteers/stats/export.xlsx", {**WINDOW, "area": work.communities[1].code}).status_code == 404
    assert client.get("/volunteers/stats/", {**WINDOW, "area": work.city.code}).status_code == 404
    narrowed = client.get("/volunteers/stats/", {**WINDOW, "area": work.communities[0].code})
    assert narrowed.status_code == 200 and narrowed.context["stats"].total == C0


def test_a_street_worker_cannot_climb_to_their_district(work):
    client = client_of(work.users["street_worker"])
    assert client.get("/volunteers/stats/", WINDOW).context["stats"].area == work.streets[0]
    assert client.get("/volunteers/stats/", {**WINDOW, "area": work.districts[0].code}).status_code == 404


@pytest.mark.parametrize("role, status", [
    ("city_admin", 200), ("district_worker", 200), ("street_worker", 200), ("community_worker", 200),
    ("health_official", 200), ("volunteer", 200), ("resident", 403), ("gate_guard", 403),
])
def test_who_may_open_the_page(work, role, status):
    client = client_of(work.users[role])
    assert client.get("/volunteers/stats/").status_code == status
    assert client.get("/volunteers/stats/export.xlsx").status_code == status


def test_a_volunteer_sees_the_city_aggregates(work):
    response = client_of(work.users["volunteer"]).get("/volunteers/stats/", WINDOW)
    assert response.context["stats"].area == work.city and response.context["stats"].total == TOTAL


def test_anonymous_users_are_sent_to_log_in(work):
    for url in ("/volunteers/stats/", "/volunteers/stats/export.xlsx"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_dates_are_a_form_error_and_the_default_window_is_shown(work):
    client = client_of(work.users["city_admin"])
    response = client.get("/volunteers/stats/", {"start": "2020-02-20", "end": "2020-02-18"})
    assert response.status_code == 200 and response.context["form"].errors
    s = response.context["stats"]
    assert (s.last - s.first).days == 29
    too_long = client.get("/volunteers/stats/", {"start": "2019-01-01", "end": "2020-02-18"})
    assert too_long.context["form"].errors and (too_long.context["stats"].last - too_long.context["stats"].first).days == 29


# ---- the export ---------------------------------------------------------------------------------------------


def sheet_rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_the_export_holds_the_page_figures_and_says_what_it_covers(work):
    client = client_of(work.users["city_admin"])
    page = client.get("/volunteers/stats/", WINDOW).context["stats"]
    response = client.get("/volunteers/stats/export.xlsx", WINDOW)
    assert response.status_code == 200
    assert "wuyi-volunteer-stats-440300-2020-02-18-2020-02-20.xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["说明", "按日", "按区", "按社区"]
    for ws in wb.worksheets:
        rows = sheet_rows(ws)
        covers = rows[1:3] if ws.title == "说明" else rows[:2]
        assert covers[0][0] == "区域" and "440300" in covers[0][1] and "深圳市" in covers[0][1]
        assert covers[1][0] == "日期" and "2020-02-18" in covers[1][1] and "2020-02-20" in covers[1][1]

    def numbers(f: stats.Figures) -> list:
        return [f.tasks, f.slots, f.taken, pytest.approx(f.fill_rate), f.participations, pytest.approx(float(f.hours))]

    by_day = sheet_rows(wb["按日"])[4:]
    assert [[row[0].date(), *row[1:]] for row in by_day[:-1]] == [[day, *numbers(f)] for day, f in page.by_day]
    assert by_day[-1] == ["合计", *numbers(page.total)]
    by_community = sheet_rows(wb["按社区"])[4:]
    assert by_community[:-1] == [[p.code, p.parent_name, p.name, *numbers(f)] for p, f in page.by_community]
    assert by_community[-1] == [None, None, "合计", *numbers(page.total)]
    by_district = sheet_rows(wb["按区"])[4:]
    assert by_district[:-1] == [[p.code, p.name, *numbers(f)] for p, f in page.by_child]
    summary = sheet_rows(wb["说明"])
    assert summary[-1] == ["合计", *numbers(page.total)]


def test_a_community_export_has_no_child_sheet(work):
    client = client_of(work.users["community_worker"])
    wb = load_workbook(io.BytesIO(client.get("/volunteers/stats/export.xlsx", WINDOW).content))
    assert wb.sheetnames == ["说明", "按日", "按社区"]
    assert sheet_rows(wb["按社区"])[-1][-2:] == [3, pytest.approx(10.0)]
