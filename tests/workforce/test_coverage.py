"""The coverage report: every gate and traffic checkpoint beneath the area with nobody on a shift that day and
period, in one SQL statement whatever the number of places."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workforce.conftest import DAY
from wuyi.places.models import Checkpoint, Gate
from wuyi.workforce import reports, services
from wuyi.workforce.models import Shift


def book(ww, worker, kind, code, period="morning", on=DAY):
    services.assign_shift(ww.users["city_admin"], services.ShiftInput(worker.pk, on, period, kind, code))


def codes(area, on=DAY, period="morning"):
    return [(g.kind, g.code) for g in reports.uncovered(area, on, period)]


def test_a_place_is_covered_only_on_the_day_and_period_someone_is_booked_there(ww):
    cadre, doctor, police = ww.workers[0]
    book(ww, cadre, "gate", ww.gates[0].code)
    book(ww, police, "checkpoint", ww.checkpoints[0].code, period="night")
    book(ww, doctor, "compound", ww.compounds[0].code, period="afternoon")  # a compound is not its gate
    assert codes(ww.districts[0]) == [("checkpoint", ww.checkpoints[0].code)]
    assert codes(ww.districts[0], period="night") == [("gate", ww.gates[0].code)]
    assert codes(ww.districts[0], period="afternoon") == [("checkpoint", ww.checkpoints[0].code),
                                                          ("gate", ww.gates[0].code)]
    assert codes(ww.districts[0], on=DAY + dt.timedelta(days=1)) == [("checkpoint", ww.checkpoints[0].code),
                                                                      ("gate", ww.gates[0].code)]


def test_the_report_holds_only_places_beneath_the_area(ww):
    assert codes(ww.communities[0]) == [("gate", ww.gates[0].code)]  # the street's checkpoint is above it
    assert codes(ww.streets[1]) == [("checkpoint", ww.checkpoints[1].code), ("gate", ww.gates[1].code)]
    assert len(codes(ww.city)) == 4
    assert codes(ww.compounds[0]) == [("gate", ww.gates[0].code)]


def test_an_inactive_workers_shift_covers_nothing(ww):
    cadre = ww.workers[0][0]
    book(ww, cadre, "gate", ww.gates[0].code)
    cadre.active = False
    cadre.save()
    assert ("gate", ww.gates[0].code) in codes(ww.communities[0])


def test_the_report_is_one_query_whatever_the_number_of_places(ww):
    compound = ww.compounds[0]
    Gate.objects.bulk_create([Gate(code=f"{compound.code}G{i}", compound=compound, name=f"门{i}") for i in range(2, 60)])
    Checkpoint.objects.bulk_create([Checkpoint(code=f"{ww.streets[0].code}K{i:02d}", street=ww.streets[0],
                                               name=f"卡口{i}") for i in range(2, 30)])
    book(ww, ww.workers[0][0], "gate", f"{compound.code}G7")
    with CaptureQueriesContext(connection) as queries:
        gaps = reports.uncovered(ww.districts[0], DAY, "morning")
    assert len(queries.captured_queries) == 1
    assert "NOT EXISTS" in queries.captured_queries[0]["sql"]
    assert len(gaps) == 59 + 29 - 1
    assert f"{compound.code}G7" not in {g.code for g in gaps}
    assert Shift.objects.count() == 1
