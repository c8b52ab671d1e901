"""Small-venue services: registration refused when not a small venue, the signed pledge, the inspection's
outcomes, one application at a time, another area's worker refused; the dashboard's figures."""

import datetime as dt
from decimal import Decimal

import pytest

from wuyi.errors import DomainError, Forbidden, NotFound
from wuyi.venues import services, stats
from wuyi.venues.models import ApplicationStatus, VenueStatus

SIGNED = dt.datetime(2020, 2, 24, 9, 0, tzinfo=dt.UTC)
ALL = dict(temperature_and_registration=True, regular_disinfection=True, staff_protection=True,
           no_dining_in=True, contactless_pickup=True)


def a_venue(world, side=0, **extra):
    data = dict(community_code=world.communities[side].code, name="好又多便利店", trade="grocery",
                floor_area_m2="80", address="园东路 1 号", operator_name="陈老板", operator_phone="13800138000")
    data.update(extra)
    return services.register_venue(services.VenueInput(**data), by=world.users[f"community_worker{'@1' * side}"])


def apply(world, venue, **items):
    return services.apply(venue.pk, services.ApplicationInput("陈老板", True, **items),
                          by=world.users["community_worker"], now=SIGNED)


def inspect(world, application, outcome, note="", **items):
    return services.inspect(application.pk, services.InspectionInput(outcome, dt.date(2020, 2, 25), note=note,
                                                                     **items), by=world.users["community_worker"])


def test_register_a_small_venue(world):
    v = a_venue(world)
    assert (v.kind, v.status, v.floor_area_m2, v.registered_by) == (
        "small_shop", VenueStatus.CLOSED, Decimal("80.0"), world.users["community_worker"])


@pytest.mark.parametrize("extra, code, field", [
    (dict(floor_area_m2="300"), "not_small_venue", "floor_area_m2"),
    (dict(trade="processing", floor_area_m2="100"), "not_small_venue", "height_m"),
    (dict(trade="processing", floor_area_m2="100", height_m="30"), "not_small_venue", "height_m"),
    (dict(trade="bar", kind="small_shop"), "not_small_venue", "trade"),
    (dict(trade="casino"), "invalid_trade", "trade"),
    (dict(floor_area_m2="abc"), "invalid_number", "floor_area_m2"),
    (dict(floor_area_m2="-5"), "invalid_number", "floor_area_m2"),
    (dict(operator_phone="12345"), "invalid_phone", "operator_phone"),
    (dict(name=" "), "invalid_text", "name"),
    (dict(community_code="440304001999"), "unknown_community", "community_code"),
    (dict(storeys=0), "invalid_storeys", "storeys"),
])
def test_register_refuses_bad_input(world, extra, code, field):
    with pytest.raises(DomainError) as e:
        a_venue(world, **extra)
    assert (e.value.code, e.value.field) == (code, field)


def test_another_areas_worker_is_refused(world):
    with pytest.raises(Forbidden):
        services.register_venue(services.VenueInput(world.communities[0].code, "x", "grocery", 10, "x", "x"),
                                by=world.users["community_worker@1"])
    v = a_venue(world)
    with pytest.raises(NotFound):
        services.apply(v.pk, services.ApplicationInput("陈老板", True, **ALL), by=world.users["community_worker@1"])
    for role in ("leader", "resident", "health_official"):
        with pytest.raises(Forbidden):
            services.venue_for(world.users[role], v.pk)
    assert services.venue_for(world.users["street_worker"], v.pk) == v


def test_the_pledge_must_be_signed(world):
    v = a_venue(world)
    with pytest.raises(DomainError) as e:
        services.apply(v.pk, services.ApplicationInput("陈老板", False, **ALL), by=world.users["community_worker"])
    assert e.value.field == "pledge_signed"
    with pytest.raises(DomainError) as e:
        services.apply(v.pk, services.ApplicationInput("  ", True, **ALL), by=world.users["community_worker"])
    assert e.value.field == "pledge_signer"


def test_approve_opens_the_venue(world):
    v = a_venue(world)
    application = apply(world, v, **ALL)
    assert (application.pledge_signed_at, application.pledge_version) == (SIGNED, services.PLEDGE_VERSION)
    v.refresh_from_db()
    assert v.status == VenueStatus.APPLIED
    with pytest.raises(DomainError) as e:
        apply(world, v, **ALL)
    assert (e.value.code, e.value.status) == ("already_applied", 409)
    # a grocery serves no food: "no eating inside" does not apply to it
    inspection = inspect(world, application, "approve", **(ALL | {"no_dining_in": False}))
    v.refresh_from_db()
    application.refresh_from_db()
    assert (v.status, application.status, inspection.notice_number) == (VenueStatus.OPEN, "approved", "")
    with pytest.raises(DomainError) as e:
        inspect(world, application, "approve", **ALL)
    assert e.value.code == "already_inspected"


def test_an_inspection_is_not_in_the_future(world):
    application = apply(world, a_venue(world), **ALL)
    with pytest.raises(DomainError) as e:
        services.inspect(application.pk, services.InspectionInput("approve", dt.date(2999, 1, 1), **ALL),
                         by=world.users["community_worker"])
    assert (e.value.code, e.value.field) == ("in_the_future", "inspected_on")


def test_approve_refused_when_a_condition_is_missing(world):
    v = a_venue(world, trade="eatery", name="沙县小吃")
    application = apply(world, v, **ALL)
    with pytest.raises(DomainError) as e:
        inspect(world, application, "approve", **(ALL | {"no_dining_in": False}))
    assert (e.value.code, e.value.field) == ("checklist_not_met", "no_dining_in")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_suspend_gives_a_numbered_notice_and_the_venue_may_apply_again(world):
    v = a_venue(world)
    application = apply(world, v, **ALL)
    inspection = inspect(world, application, "suspend", **(ALL | {"regular_disinfection": False}))
    v.refresh_from_db()
    assert v.status == VenueStatus.SUSPENDED
    assert inspection.notice_number == f"ZT{world.communities[0].code}-20200225-{application.pk:05d}"
    assert services.suspension_reasons(inspection) == ["regular_disinfection"]
    again = apply(world, v, **ALL)
    assert again.status == ApplicationStatus.SUBMITTED


def test_suspending_with_every_item_observed_needs_a_reason(world):
    application = apply(world, a_venue(world), **ALL)
    with pytest.raises(DomainError) as e:
        inspect(world, application, "suspend", **ALL)
    assert (e.value.code, e.value.field) == ("reason_required", "note")
    assert inspect(world, application, "suspend", note="门口无登记表", **ALL).notice_number


def test_figures_by_kind_status_and_child(world):
    a_venue(world)
    a_venue(world, name="网吧", trade="internet_cafe", floor_area_m2="150")
    apply(world, a_venue(world, name="面馆", trade="eatery"), **ALL)
    a_venue(world, side=1)
    city = stats.figures(world.city.prefix)
    assert (city["venues"], city["small_shop"], city["small_entertainment"], city["closed"], city["applied"]) == (
        4, 3, 1, 3, 1)
    assert stats.figures(world.districts[1].prefix)["venues"] == 1
    by_child = stats.figures_by_child(world.city)
    assert {code: f["venues"] for code, f in by_child.items()} == {world.districts[0].code: 3,
                                                                    world.districts[1].code: 1}
    assert by_child[world.districts[0].code]["applied"] == 1
    assert stats.figures_by_child(world.communities[0]) == {world.communities[0].code: stats.figures(
        world.communities[0].prefix)}
