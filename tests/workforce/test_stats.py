"""Figures for the dashboard: by kind beneath a prefix, and for each direct child area in one GROUP BY per family."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workforce.conftest import DAY
from wuyi.workforce import services, stats
from wuyi.workforce.models import CentreActivation, Worker, WorkGroup


def scene(ww):
    admin = ww.users["city_admin"]
    services.create_group(admin, "guidance", "福田指导服务组", ww.districts[0].code, DAY)
    services.create_group(admin, "aid", "园东援助工作组", ww.communities[0].code, DAY)
    old = services.create_group(admin, "aid", "海旺援助工作组", ww.communities[1].code, DAY)
    services.dissolve_group(admin, old.pk, DAY + dt.timedelta(days=1))
    org = services.create_party_organisation(admin, "百花园临时党支部", ww.communities[0].code, "compound", DAY)
    services.add_party_member(admin, org.pk, ww.workers[0][0].pk, "secretary")
    Worker.objects.create(name="离岗", kind="cadre", area=ww.communities[0], active=False)
    services.assign_shift(admin, services.ShiftInput(ww.workers[0][1].pk, DAY, "morning", "gate", ww.gates[0].code))
    services.assign_shift(admin, services.ShiftInput(ww.workers[1][1].pk, DAY, "night", "gate", ww.gates[1].code))
    services.assign_shift(admin, services.ShiftInput(ww.workers[1][2].pk, DAY - dt.timedelta(days=1), "night",
                                                     "gate", ww.gates[1].code))
    CentreActivation.objects.create(service_centre=ww.centres[1], anti_epidemic_since=DAY)


def test_figures_beneath_a_prefix(ww):
    scene(ww)
    city = stats.figures(ww.city.prefix, today=DAY)
    assert (city["workers"], city["workers_cadre"], city["workers_medical"], city["workers_police"]) == (6, 2, 2, 2)
    assert (city["groups"], city["groups_guidance"], city["groups_aid"]) == (3, 1, 2)
    assert (city["party_organisations"], city["party_members"], city["shifts_today"]) == (1, 1, 2)
    assert city["anti_epidemic_centres"] == 1
    later = stats.figures(ww.city.prefix, today=DAY + dt.timedelta(days=1))
    assert (later["groups_aid"], later["shifts_today"]) == (1, 0)  # one dissolved, no shift that day
    side1 = stats.figures(ww.communities[1].prefix, today=DAY)
    assert (side1["workers"], side1["groups"], side1["party_members"], side1["shifts_today"]) == (3, 1, 0, 1)
    assert stats.figures("440399", today=DAY) == stats.empty()


def test_figures_by_child_group_by_the_code_prefix_in_a_few_queries(ww):
    scene(ww)
    with CaptureQueriesContext(connection) as queries:
        by_district = stats.figures_by_child(ww.city, today=DAY)
    assert len(queries.captured_queries) <= 7
    assert list(by_district) == [ww.districts[0].code, ww.districts[1].code]
    fu, bao = by_district.values()
    assert (fu["workers"], fu["groups_aid"], fu["groups_guidance"], fu["party_members"], fu["shifts_today"]) == (
        3, 1, 1, 1, 1)
    assert (bao["workers"], bao["groups"], bao["anti_epidemic_centres"], bao["shifts_today"]) == (3, 1, 1, 1)
    by_street = stats.figures_by_child(ww.districts[0], today=DAY)
    # the district's own guidance group belongs to no street
    assert by_street == {ww.streets[0].code: by_street[ww.streets[0].code]}
    assert by_street[ww.streets[0].code]["groups"] == 1
    assert stats.figures_by_child(ww.compounds[0], today=DAY) == {}
    assert WorkGroup.objects.count() == 3
