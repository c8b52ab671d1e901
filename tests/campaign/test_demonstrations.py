"""Demonstration compounds: nominated by the community, approved by community, street and district in order, each
re-checking eligibility; a rejection ends the case; a new nomination may follow."""

import datetime as dt

import pytest

from tests.campaign.conftest import NOW, TZ, inspect
from wuyi.campaign import services
from wuyi.campaign.models import (
    Demonstration,
    DemonstrationApproval,
    DemonstrationCriterion,
    DemonstrationStatus,
)
from wuyi.errors import DomainError
from wuyi.health.models import CaseKind
from wuyi.health.services import CaseInput, record_case

LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def ready(world, measures):
    """百花园 inspected fully compliant, epidemic-free (no case in the world)."""
    inspect(world.users["community_worker"], world.compounds[0], measures)
    return world.compounds[0]


def nominate(world, compound, **kw):
    return services.nominate(compound.code, world.users["community_worker"], now=NOW, **kw)


def approve(world, case, role, now=LATER):
    return services.decide(case.pk, world.users[role], "approve", now=now)


def test_the_three_levels_approve_in_order(world, ready):
    case = nominate(world, ready)
    assert case.status == DemonstrationStatus.NOMINATED
    assert approve(world, case, "community_worker").status == DemonstrationStatus.COMMUNITY_APPROVED
    assert approve(world, case, "street_worker").status == DemonstrationStatus.STREET_APPROVED
    final = approve(world, case, "district_worker")
    assert (final.status, final.approved_at) == (DemonstrationStatus.APPROVED, LATER)
    assert list(DemonstrationApproval.objects.order_by("pk").values_list("level", "decision")) == [
        ("community", "approve"), ("street", "approve"), ("district", "approve")]


@pytest.mark.parametrize("role", ["street_worker", "district_worker"])
def test_a_level_above_cannot_jump_the_queue(world, ready, role):
    case = nominate(world, ready)
    with pytest.raises(DomainError) as e:
        approve(world, case, role)
    assert (e.value.code, e.value.status) == ("out_of_order", 409)
    assert Demonstration.objects.get().status == DemonstrationStatus.NOMINATED


def test_another_areas_workers_cannot_decide(world, ready):
    case = nominate(world, ready)
    for role in ("community_worker@1", "street_worker@1", "district_worker@1"):
        with pytest.raises(DomainError) as e:
            approve(world, case, role)
        assert e.value.status == 404
    assert not DemonstrationApproval.objects.exists()


def test_a_city_admin_holds_no_level(world, ready):
    case = nominate(world, ready)
    with pytest.raises(DomainError) as e:
        approve(world, case, "city_admin")
    assert e.value.status == 403


def test_approval_is_refused_when_the_compound_lost_its_status(world, ready):
    case = nominate(world, ready)
    approve(world, case, "community_worker")
    record_case(CaseInput(kind=CaseKind.CONFIRMED, reported_on=dt.date(2020, 3, 21),
                          household_code=world.households[0].code),
                at=dt.datetime(2020, 3, 21, 10, tzinfo=TZ))
    with pytest.raises(DomainError) as e:
        approve(world, case, "street_worker", now=dt.datetime(2020, 3, 22, 10, tzinfo=TZ))
    assert e.value.code == "not_eligible" and "not epidemic-free" in e.value.message
    assert Demonstration.objects.get().status == DemonstrationStatus.COMMUNITY_APPROVED


def test_a_compound_that_is_not_fully_compliant_cannot_be_nominated(world, measures):
    inspect(world.users["community_worker"], world.compounds[0], measures, failed=(0,))
    with pytest.raises(DomainError) as e:
        nominate(world, world.compounds[0])
    assert e.value.code == "not_eligible" and "not fully compliant" in e.value.message
    assert not Demonstration.objects.exists()


def test_a_compound_never_inspected_cannot_be_nominated(world):
    with pytest.raises(DomainError) as e:
        nominate(world, world.compounds[0])
    assert "never inspected" in e.value.message


def test_a_later_failing_inspection_stops_the_approval(world, ready, measures):
    case = nominate(world, ready)
    inspect(world.users["community_worker"], ready, measures, on=dt.date(2020, 3, 15), failed=(2,))
    with pytest.raises(DomainError) as e:
        approve(world, case, "community_worker")
    assert e.value.code == "not_eligible"


def test_active_further_criteria_must_be_ticked(world, ready):
    DemonstrationCriterion.objects.create(code="ledgers", text="住户台账清楚")
    DemonstrationCriterion.objects.create(code="old", text="停用", active=False)
    with pytest.raises(DomainError) as e:
        nominate(world, ready)
    assert "ledgers" in e.value.message
    with pytest.raises(DomainError) as e:
        nominate(world, ready, criteria_met=["old"])
    assert (e.value.code, e.value.field) == ("unknown_criterion", "criteria_met")
    case = nominate(world, ready, criteria_met=["ledgers"])
    assert list(case.checks.values_list("criterion__code", "met")) == [("ledgers", True)]


def test_a_rejection_ends_the_case_and_a_new_nomination_may_follow(world, ready):
    case = nominate(world, ready)
    approve(world, case, "community_worker")
    rejected = services.decide(case.pk, world.users["street_worker"], "reject", "台账不全", now=LATER)
    assert rejected.status == DemonstrationStatus.REJECTED
    with pytest.raises(DomainError):
        approve(world, case, "district_worker")
    again = nominate(world, ready)
    assert (again.pk, again.status) == (case.pk, DemonstrationStatus.NOMINATED)


def test_a_live_case_cannot_be_nominated_twice(world, ready):
    nominate(world, ready)
    with pytest.raises(DomainError) as e:
        nominate(world, ready)
    assert (e.value.code, e.value.status) == ("already_nominated", 409)


@pytest.mark.parametrize("role", ["street_worker", "district_worker", "community_worker@1"])
def test_only_the_compounds_community_nominates(world, ready, role):
    with pytest.raises(DomainError) as e:
        services.nominate(ready.code, world.users[role], now=NOW)
    assert e.value.status in (403, 404)


def test_withdraw(world, ready):
    case = nominate(world, ready)
    assert services.withdraw(case.pk, world.users["community_worker"]).status == DemonstrationStatus.WITHDRAWN
    with pytest.raises(DomainError):
        services.withdraw(case.pk, world.users["community_worker"])


def test_pending_for_shows_each_level_its_own_queue(world, ready):
    case = nominate(world, ready)
    assert list(services.pending_for(world.users["community_worker"])) == [case]
    assert not services.pending_for(world.users["street_worker"]).exists()
    approve(world, case, "community_worker")
    assert list(services.pending_for(world.users["street_worker"])) == [case]
    assert not services.pending_for(world.users["street_worker@1"]).exists()
