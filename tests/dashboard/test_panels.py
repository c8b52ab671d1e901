"""The six panels' figures on the hand-counted board (see conftest), at the city, a district, a street and a
community; the reported figures beside the city's own; the query count does not grow with the number of areas."""

import pytest

from tests.dashboard.conftest import DAY
from wuyi.dashboard import panels
from wuyi.places.models import Area, CompoundKind, Level

GARDEN, VILLAGE = CompoundKind.GARDEN_ESTATE.value, CompoundKind.URBAN_VILLAGE.value


def rows(panel):
    return {row.code: row.values for row in panel.rows}


def test_the_city_figures_by_district(board):
    p = panels.dashboard(board.city, DAY).panels["figures"]
    by = rows(p)
    assert list(by) == ["440304", "440306"]
    assert {k: by["440304"][k] for k in ("communities", GARDEN, VILLAGE, "cadres", "workers", "party_organisations",
                                         "volunteers", "tasks", "participations")} == {
        "communities": 2, GARDEN: 2, VILLAGE: 1, "cadres": 2, "workers": 3, "party_organisations": 1,
        "volunteers": 2, "tasks": 2, "participations": 3}
    assert (by["440306"]["workers"], by["440306"]["cadres"], by["440306"]["party_organisations"],
            by["440306"]["tasks"], by["440306"]["participations"]) == (1, 0, 1, 0, 0)
    assert p.total["communities"] == 3 and p.total["workers"] == 4 and p.total["volunteers"] == 3
    assert all(row.link for row in p.rows)


def test_the_city_shows_what_was_reported_in_2020_and_which_sources_are_confirmed(board):
    reported = panels.dashboard(board.city, DAY).panels["figures"].extra["reported"]
    assert reported["cadres"].value == 37000 and reported["cadres"].confirmed
    assert reported["party_organisations"].value == 1737 and reported["party_organisations"].confirmed
    assert reported["workers"].value == 80000
    assert reported["tasks"].value == 40000 and not reported["tasks"].confirmed
    district = panels.dashboard(board.districts[0], DAY).panels["figures"]
    assert "reported" not in district.extra


def test_risk_levels_of_the_latest_list_on_or_before_the_day(board):
    p = panels.dashboard(board.city, DAY).panels["risk"]
    assert {code: v["level"] for code, v in rows(p).items()} == {"440304": "medium", "440306": "low"}
    assert p.extra["list_date"].isoformat() == "2020-03-08"
    assert (p.total["medium"], p.total["low"], p.total["high"]) == (1, 1, 0)
    street = panels.dashboard(board.streets[0], DAY).panels["risk"]  # its children are not on lists: its own units
    assert {code: v["level"] for code, v in rows(street).items()} == {"440304": "medium", "440304001": "medium"}
    assert street.total["level"] == "medium"
    before = panels.dashboard(board.city, DAY.replace(day=1)).panels["risk"]
    assert before.extra["list_date"] is None and all(v["level"] is None for v in rows(before).values())


def test_share_of_compounds_epidemic_free(board):
    p = panels.dashboard(board.city, DAY).panels["status"]
    by = rows(p)
    assert (by["440304"]["compounds"], by["440304"]["epidemic_free"], by["440304"]["share"]) == (3, 3, 1.0)
    assert (by["440306"]["compounds"], by["440306"]["epidemic_free"], by["440306"]["share"]) == (1, 0, 0.0)
    assert p.total["share"] == 0.75


def test_demonstrations_per_community_and_the_communities_without_one(board):
    city = panels.dashboard(board.city, DAY).panels["demonstrations"]
    by = rows(city)
    assert by["440304"] == {"communities": 2, "approved": 1, "pending": 1, "without": 1}
    assert by["440306"] == {"communities": 1, "approved": 0, "pending": 1, "without": 1}
    assert city.total == {"communities": 3, "approved": 1, "pending": 2, "without": 2}
    street = panels.dashboard(board.streets[0], DAY).panels["demonstrations"]
    assert rows(street)["440304001001"]["approved"] == 1
    assert [code for code, _name in street.extra["without"]] == ["440304001002"]
    later = panels.dashboard(board.streets[0], DAY.replace(day=11)).panels["demonstrations"]
    assert later.total["approved"] == 2 and later.extra["without"] == []


def test_compliance_reads_each_compounds_latest_inspection_on_or_before_the_day(board):
    city = panels.dashboard(board.city, DAY).panels["compliance"]
    side0 = rows(city)["440304"]
    assert (side0["compounds"], side0["inspected"], side0["never_inspected"]) == (3, 2, 1)
    assert side0["average_score"] == pytest.approx((0.9 + 1.0) / 2)
    assert (side0["fully_compliant"], side0["share_fully_compliant"], side0["open_rectifications"]) == (1, 0.5, 1)
    side1 = rows(city)["440306"]
    assert (side1["inspected"], side1["never_inspected"], side1["average_score"]) == (0, 1, None)
    community = panels.dashboard(board.communities[0], DAY).panels["compliance"]
    assert rows(community)[board.compounds[0].code]["average_score"] == pytest.approx(0.9)
    assert all(not row.link for row in community.rows)  # compounds: no drill-down below the community


def test_refusals_of_the_day_by_reason(board):
    p = panels.dashboard(board.city, DAY).panels["refusals"]
    assert [c.key for c in p.columns] == ["refusals", "fever", "expired", "red_code"]
    assert rows(p)["440304"] == {"refusals": 3, "fever": 2, "expired": 1, "red_code": 0}
    assert rows(p)["440306"] == {"refusals": 1, "fever": 0, "expired": 0, "red_code": 1}


def test_a_community_dashboard_has_its_compounds_as_rows(board):
    p = panels.dashboard(board.communities[0], DAY).panels["figures"]
    assert [row.code for row in p.rows] == [board.compounds[0].code, board.compounds[0].code[:-3] + "002"]
    assert p.total["communities"] == 1 and p.total["workers"] == 3


def _grow(world, n: int) -> None:
    """n more districts, each with a street, a community and a compound."""
    for i in range(n):
        district = Area.objects.create(code=f"4403{20 + i}", name=f"新区{i}", level=Level.DISTRICT, parent=world.city)
        street = Area.objects.create(code=district.code + "001", name=f"街道{i}", level=Level.STREET, parent=district)
        community = Area.objects.create(code=street.code + "001", name=f"社区{i}", level=Level.COMMUNITY,
                                        parent=street)
        Area.objects.create(code=community.code + "001", name=f"小区{i}", level=Level.COMPOUND, parent=community,
                            kind=CompoundKind.GARDEN_ESTATE)


def test_the_number_of_queries_of_the_city_page_does_not_grow_with_the_areas(board, django_assert_max_num_queries):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(board.users["city_admin"])
    url = f"/dashboard/?day={DAY.isoformat()}"
    client.get(url)  # the volunteer rollup of the settled days and the day's refusals are counted once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _grow(board, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    figures = html[html.index('id="table-figures"'):html.index('id="panel-risk"')]
    assert figures.count("<tr data-code=") == 14  # 2 districts, then 14: the same queries


def test_refusals_are_counted_once_and_recounted_when_stale(board):
    import datetime as dt
    import uuid

    from tests.dashboard.conftest import at
    from wuyi.access.models import AccessEvent
    from wuyi.dashboard import refusals
    from wuyi.dashboard.models import RefusalCount

    def total() -> int:
        by_level = {level: sum(RefusalCount.objects.filter(day=DAY, level=level).values_list("refusals", flat=True))
                    for level in ("compound", "community", "street", "district")}
        assert len(set(by_level.values())) == 1, by_level  # every level sums to the same refusals
        return by_level["compound"]

    def refuse(hour: int) -> None:
        k0, g0 = board.compounds[0], board.gates[0]
        AccessEvent.objects.create(event_id=uuid.uuid4(), occurred_at=at(DAY, hour), received_at=at(DAY, hour),
                                   district_code="440304", compound_code=k0.code, gate_code=g0.code, direction="in",
                                   allowed=False, reason="fever", source="kit")

    evening = at(DAY, 18)
    assert refusals.counted(DAY, evening) == evening and total() == 4
    refuse(17)
    assert refusals.counted(DAY, evening + dt.timedelta(minutes=4)) == evening and total() == 4  # fresh enough
    later = evening + refusals.STALE + dt.timedelta(minutes=1)
    assert refusals.counted(DAY, later) == later and total() == 5
    settled = at(DAY + dt.timedelta(days=3))
    refusals.counted(DAY, settled)
    refuse(19)
    assert refusals.counted(DAY, settled + dt.timedelta(days=5)) == settled and total() == 6 - 1  # kept for good


def test_the_refresh_command_counts_a_day(board, capsys):
    from django.core.management import call_command

    call_command("dashboard", "refresh", "--day", DAY.isoformat())
    assert "2020-03-10: 4 refusals" in capsys.readouterr().out
