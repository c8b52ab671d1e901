"""Ten actions: activity records per community, counts per action and community for the user's area, export."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.campaign.conftest import NOW, png
from wuyi.campaign import services
from wuyi.campaign.models import ActivityRecord, TenAction
from wuyi.errors import DomainError

HELD = dt.date(2020, 3, 1)


def record(world, key="community_worker", side=0, action=TenAction.CLEAN_HOMES, participants=12, **kw):
    return services.record_activity(services.ActivityInput(world.communities[side].code, action, HELD, "小区广场",
                                                           participants, "清洁家园", **kw), world.users[key], now=NOW)


def test_ten_actions_are_ten():
    assert len(TenAction.values) == 10


def test_an_activity_is_recorded_with_photos(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    got = record(world, photos=[png(), png()])
    assert (got.community, got.participants, got.photos.count()) == (world.communities[0], 12, 2)


@pytest.mark.parametrize("change, field", [
    ({"participants": -1}, "participants"),
    ({"action": "parade"}, "action"),
])
def test_bad_input_is_refused(world, change, field):
    data = {"action": TenAction.CLEAN_HOMES, "participants": 3, **change}
    with pytest.raises(DomainError) as e:
        record(world, **data)
    assert e.value.field == field
    assert not ActivityRecord.objects.exists()


def test_another_community_is_refused(world):
    with pytest.raises(DomainError) as e:
        record(world, side=1)
    assert e.value.status == 404


def test_the_page_counts_per_action_and_community_of_the_area(client, world):
    record(world)
    record(world, action=TenAction.MINDS, participants=3)
    record(world, key="community_worker@1", side=1)
    client.force_login(world.users["district_worker"])
    page = client.get("/campaign/activities/?from=2020-02-01&to=2020-03-31")
    assert page.status_code == 200
    (code, _name, counts, people), = page.context["lines"]
    assert code == world.communities[0].code and people == 15
    assert counts[TenAction.values.index("clean_homes")] == 1 and counts[TenAction.values.index("minds")] == 1


def test_recording_through_the_page_and_a_form_error(client, world):
    client.force_login(world.users["community_worker"])
    data = {"community": world.communities[0].code, "action": "mutual_help", "held_on": "2020-03-02",
            "participants": "8", "place": "党群服务中心"}
    assert client.post("/campaign/activities/new/", data).status_code == 302
    bad = client.post("/campaign/activities/new/", {**data, "participants": "-4"})
    assert bad.status_code == 400 and "participants" in bad.context["form"].errors
    assert ActivityRecord.objects.count() == 1


def test_the_export_says_its_area_and_dates(client, world):
    record(world)
    client.force_login(world.users["street_worker"])
    r = client.get("/campaign/activities.xlsx?from=2020-02-01&to=2020-03-31")
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb["十大行动"].values)
    assert rows[0][:2] == ("区域", f"{world.streets[0].name} ({world.streets[0].code})")
    assert rows[1][:2] == ("日期", "2020-02-01 — 2020-03-31")
    assert rows[5][0] == world.communities[0].code
    assert len(list(wb["活动记录"].values)) == 2
