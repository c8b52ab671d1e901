"""Inspections: counts and score kept, a rectification per failure, closed on re-inspection; scope; bad input."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.campaign.conftest import CATALOGUE, INSPECTED, NOW, answers, inspect, png
from wuyi.campaign import services
from wuyi.campaign.models import Inspection, Rectification, RectificationStatus
from wuyi.errors import DomainError
from wuyi.volunteers.models import Task


def test_an_inspection_keeps_its_counts_and_score(world, measures):
    got = inspect(world.users["community_worker"], world.compounds[0], measures, failed=(1,), na=(7,))
    assert (got.passed, got.failed, got.not_applicable, got.fully_compliant) == (8, 1, 1, False)
    assert got.score == pytest.approx(8 / 9)
    assert got.results.count() == len(measures)


def test_each_failure_opens_a_rectification_due_in_seven_days(world, measures):
    got = inspect(world.users["community_worker"], world.compounds[0], measures, failed=(0, 3))
    rows = list(Rectification.objects.order_by("measure__position"))
    assert [r.measure for r in rows] == [measures[0], measures[3]]
    assert {r.due_on for r in rows} == {INSPECTED + dt.timedelta(days=services.RECTIFICATION_DAYS)}
    assert {r.status for r in rows} == {RectificationStatus.OPEN}
    assert rows[0].description == "item 0 not in place" and rows[0].inspection == got


def test_a_reinspection_closes_what_now_passes_and_keeps_what_still_fails(world, measures):
    user, compound = world.users["community_worker"], world.compounds[0]
    first = inspect(user, compound, measures, failed=(0, 3))
    second = inspect(user, compound, measures, on=INSPECTED + dt.timedelta(days=3), failed=(3,))
    assert second.previous == first
    closed = Rectification.objects.get(measure=measures[0])
    assert (closed.status, closed.closed_by) == (RectificationStatus.DONE, second)
    still = Rectification.objects.filter(measure=measures[3])
    assert still.count() == 1 and still.get().status == RectificationStatus.OPEN  # no second one for the same item
    third = inspect(user, compound, measures, on=INSPECTED + dt.timedelta(days=5))
    assert third.fully_compliant and not services.open_rectifications(compound).exists()
    assert Rectification.objects.get(measure=measures[3]).closed_by == third


def test_a_first_inspection_is_not_a_reinspection(world, measures):
    assert inspect(world.users["community_worker"], world.compounds[0], measures).previous is None


def test_a_rectification_can_be_published_as_a_volunteer_task(world, measures):
    items = answers(measures, failed=(2,), publish_task=True)
    services.record_inspection(services.InspectionInput(world.compounds[0].code, CATALOGUE, INSPECTED, items),
                               world.users["community_worker"], now=NOW)
    task = Task.objects.get()
    assert Rectification.objects.get().volunteer_task == task
    assert (task.community, task.compound) == (world.communities[0], world.compounds[0])


@pytest.mark.parametrize("role", ["street_worker", "district_worker", "city_admin"])
def test_workers_above_the_community_inspect_too(world, measures, role):
    assert inspect(world.users[role], world.compounds[0], measures).pk


@pytest.mark.parametrize("role", ["community_worker@1", "street_worker@1", "district_worker@1"])
def test_another_areas_worker_is_refused(world, measures, role):
    with pytest.raises(DomainError) as e:
        inspect(world.users[role], world.compounds[0], measures)
    assert (e.value.status, e.value.field) == (404, "compound_code")
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("role", ["resident", "volunteer", "gate_guard", "leader", "health_official"])
def test_people_who_are_not_workers_are_refused(world, measures, role):
    with pytest.raises(DomainError) as e:
        inspect(world.users[role], world.compounds[0], measures)
    assert e.value.status == 403


def test_a_failed_item_without_a_note_is_refused_whole(world, measures):
    items = answers(measures)
    items[4] = services.ItemInput(measures[4].pk, "failed", "")
    with pytest.raises(DomainError) as e:
        services.record_inspection(services.InspectionInput(world.compounds[0].code, CATALOGUE, INSPECTED, items),
                                   world.users["community_worker"], now=NOW)
    assert (e.value.code, e.value.field) == ("note_required", f"measure_{measures[4].pk}")
    assert not Inspection.objects.exists() and not Rectification.objects.exists()


def test_every_measure_must_be_answered(world, measures):
    with pytest.raises(DomainError) as e:
        services.record_inspection(services.InspectionInput(world.compounds[0].code, CATALOGUE, INSPECTED,
                                                            answers(measures)[:-1]),
                                   world.users["community_worker"], now=NOW)
    assert (e.value.code, e.value.field) == ("unanswered", f"measure_{measures[-1].pk}")


@pytest.mark.parametrize("day", [dt.date(2019, 12, 31), NOW.date() + dt.timedelta(days=1)])
def test_the_date_is_within_the_campaign(world, measures, day):
    with pytest.raises(DomainError) as e:
        inspect(world.users["community_worker"], world.compounds[0], measures, on=day)
    assert e.value.field == "inspected_on"


def test_a_photo_must_be_an_image(world, measures):
    items = answers(measures)
    items[0].photo = png()
    items[2].photo = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(DomainError) as e:
        services.record_inspection(services.InspectionInput(world.compounds[0].code, CATALOGUE, INSPECTED, items),
                                   world.users["community_worker"], now=NOW)
    assert (e.value.code, e.value.field) == ("invalid_photo", f"photo_{measures[2].pk}")


def test_a_photo_over_the_limit_is_refused(world, measures, monkeypatch):
    monkeypatch.setattr(services, "MAX_PHOTO_BYTES", 10)
    items = answers(measures)
    items[0].photo = png()
    with pytest.raises(DomainError) as e:
        services.record_inspection(services.InspectionInput(world.compounds[0].code, CATALOGUE, INSPECTED, items),
                                   world.users["community_worker"], now=NOW)
    assert e.value.code == "photo_too_large"


def test_a_photo_is_kept(world, measures, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    items = answers(measures)
    items[0].photo = png()
    got = services.record_inspection(services.InspectionInput(world.compounds[0].code, CATALOGUE, INSPECTED, items),
                                     world.users["community_worker"], now=NOW)
    assert got.results.get(measure=measures[0]).photo.name.startswith("campaign/inspections/")
