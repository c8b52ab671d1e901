"""Clusters suggested when cases are recorded and decided by officials; a case recorded with its household;
compound status read from the records."""

import datetime as dt

import pytest

from tests.world import make_id_number
from wuyi.errors import DomainError
from wuyi.health import compound_service, services, zoning_service
from wuyi.health.colour_rules import CHINA_STANDARD_TIME
from wuyi.health.models import (
    Case,
    CaseKind,
    CaseOutcome,
    CloseContact,
    Cluster,
    ClusterSetting,
    ClusterStatus,
    FlagKind,
    PersonColour,
    QuarantineOrder,
)
from wuyi.people.models import Membership, Person, Relation

AT = dt.datetime(2020, 3, 20, 10, 0, tzinfo=CHINA_STANDARD_TIME)
TODAY = AT.date()


def add_member(household, name: str, seq: int) -> Person:
    person = Person(name=name, verified=True)
    person.set_id_number(make_id_number("440304", "19990101", seq))
    person.save()
    Membership.objects.create(person=person, household=household, relation=Relation.FAMILY)
    return person


def case_in(household, reported_on, kind=CaseKind.CONFIRMED, person=None, by=None) -> Case:
    return services.record_case(
        services.CaseInput(kind=kind, reported_on=reported_on, household_code=household.code,
                           person_id=person.pk if person else None),
        by=by, at=AT,
    )


# ---- clusters ---------------------------------------------------------------------------------------------


def test_a_second_case_in_a_household_within_14_days_suggests_a_cluster_of_both(world):
    home = world.households[0]
    first = case_in(home, TODAY - dt.timedelta(days=13))
    assert first.cluster is None
    second = case_in(home, TODAY)
    cluster = second.cluster
    assert cluster is not None and cluster.status == ClusterStatus.SUGGESTED
    assert cluster.setting == ClusterSetting.HOUSEHOLD and cluster.compound == world.compounds[0]
    assert set(cluster.cases.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_cases_14_days_apart_or_in_another_household_or_suspected_suggest_nothing(world):
    home, neighbour = world.households[0], world.households[1]
    case_in(home, TODAY - dt.timedelta(days=14))
    assert case_in(home, TODAY).cluster is None  # 14 days apart: not "within 14 days"
    assert case_in(neighbour, TODAY).cluster is None  # another household of the same compound
    assert case_in(neighbour, TODAY, kind=CaseKind.SUSPECTED).cluster is None
    assert Cluster.objects.count() == 0


def test_an_asymptomatic_infection_counts_and_a_third_case_joins_the_cluster(world):
    home = world.households[0]
    case_in(home, TODAY - dt.timedelta(days=5))
    second = case_in(home, TODAY - dt.timedelta(days=2), kind=CaseKind.ASYMPTOMATIC)
    third = case_in(home, TODAY)
    assert second.cluster is not None and third.cluster_id == second.cluster_id
    assert Cluster.objects.count() == 1 and second.cluster.cases.count() == 3


def test_only_a_confirmed_cluster_counts_in_zoning_and_a_dismissed_one_is_not_suggested_again(world):
    home = world.households[0]
    case_in(home, TODAY - dt.timedelta(days=1))
    cluster = case_in(home, TODAY).cluster
    entry = lambda: zoning_service.publish(TODAY, "cn-2020-02").entries.get(unit_code="440304")  # noqa: E731
    assert entry().clusters_within_14_days == 0  # suggested: not counted

    services.confirm_cluster(cluster.pk, by=world.users["health_official"], at=AT)
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.CONFIRMED and cluster.confirmed_by == world.users["health_official"]
    assert entry().clusters_within_14_days == 1
    with pytest.raises(DomainError) as e:
        services.dismiss_cluster(cluster.pk, at=AT)
    assert e.value.code == "already_decided"

    other = world.households[1]
    case_in(other, TODAY - dt.timedelta(days=1))
    dismissed = case_in(other, TODAY).cluster
    services.dismiss_cluster(dismissed.pk, at=AT)
    assert case_in(other, TODAY).cluster is None  # the dismissed cases are not suggested again
    assert entry().clusters_within_14_days == 1


def test_deciding_an_unknown_cluster_is_not_found(world):
    with pytest.raises(DomainError) as e:
        services.confirm_cluster(999_999, at=AT)
    assert e.value.status == 404


# ---- a case with its household ----------------------------------------------------------------------------


def test_recording_a_case_with_its_household_links_and_quarantines_every_other_member(world):
    head = world.people[0]
    home = world.households[0]
    son = add_member(home, "李小明", 71)
    daughter = add_member(home, "李小红", 72)
    case, contacts = services.record_case_with_household(
        services.CaseInput(kind=CaseKind.CONFIRMED, reported_on=TODAY, household_code=home.code, person_id=head.pk),
        by=world.users["health_official"], at=AT,
    )
    assert sorted(c.person_id for c in contacts) == sorted([son.pk, daughter.pk])
    for member in (son, daughter):
        order = QuarantineOrder.objects.get(person=member)
        assert (order.kind, order.start, order.planned_end) == ("home_quarantine", TODAY,
                                                                TODAY + dt.timedelta(days=14))
        assert PersonColour.objects.get(person=member).colour == "red"
    assert PersonColour.objects.get(person=head).colour == "red"
    assert not CloseContact.objects.filter(person=head).exists()


def test_a_failing_member_rolls_back_the_case_too(world, monkeypatch):
    home = world.households[0]
    add_member(home, "李小明", 71)

    def broken(*args, **kwargs):
        raise DomainError("boom", "broken", None)

    monkeypatch.setattr(services, "issue_quarantine", broken)
    with pytest.raises(DomainError):
        services.record_case_with_household(
            services.CaseInput(kind=CaseKind.CONFIRMED, reported_on=TODAY, household_code=home.code,
                               person_id=world.people[0].pk), at=AT)
    assert not Case.objects.exists() and not CloseContact.objects.exists()


# ---- compound status from the records ---------------------------------------------------------------------


def status(compound, on=TODAY):
    return compound_service.status_of(compound, on)


def test_a_compound_with_no_records_is_epidemic_free_from_14_days_after_records_begin(world):
    got = status(world.compounds[0])
    assert got.status == "epidemic_free"
    assert got.since == compound_service.RECORDS_BEGIN + dt.timedelta(days=13)
    early = status(world.compounds[0], compound_service.RECORDS_BEGIN + dt.timedelta(days=12))
    assert early.status == "not_yet"


def test_a_confirmed_case_cancels_and_14_days_later_the_status_returns(world):
    compound = world.compounds[0]
    case_in(world.households[0], TODAY)
    got = status(compound)
    assert got.status == "cancelled" and got.since == TODAY
    assert got.can_be_free_on == TODAY + dt.timedelta(days=14)
    assert status(compound, TODAY + dt.timedelta(days=14)).status == "epidemic_free"
    assert status(world.compounds[1]).status == "epidemic_free"  # the other district's compound is untouched


def test_a_suspected_case_suspends_and_ruling_it_out_restores(world):
    compound = world.compounds[0]
    suspected = case_in(world.households[0], TODAY - dt.timedelta(days=2), kind=CaseKind.SUSPECTED)
    assert status(compound).status == "suspended"
    services.set_case_outcome(suspected.pk, CaseOutcome.RULED_OUT, TODAY, at=AT)
    assert status(compound).status == "epidemic_free"
    assert status(compound, TODAY - dt.timedelta(days=1)).status == "suspended"  # as it was


def test_a_resident_close_contact_or_gate_fever_suspends_their_compound_until_released(world):
    compound = world.compounds[0]
    resident = world.people[1]  # lives in compound 0
    elsewhere = case_in(world.households[2], TODAY - dt.timedelta(days=3))  # a case in the other district
    contact = services.link_contact(elsewhere.pk, resident.pk, TODAY - dt.timedelta(days=4), at=AT)
    got = status(compound)
    assert got.status == "suspended"
    assert [code for code, _ in got.reasons] == ["no_confirmed_14_days", "suspended"]
    order = services.issue_quarantine(resident.pk, "home_quarantine", TODAY, TODAY + dt.timedelta(days=10), at=AT)
    services.release_quarantine(order.pk, at=AT)  # releases the contact too
    contact.refresh_from_db()
    assert contact.released_on == TODAY
    assert status(compound).status == "epidemic_free"

    flag = services.raise_flag(resident.pk, FlagKind.GATE_FEVER, TODAY, at=AT)
    assert status(compound).status == "suspended"
    services.clear_flag(flag.pk, TODAY, at=AT)
    assert status(compound).status == "epidemic_free"


def test_statuses_are_read_for_every_compound_beneath_an_area_in_a_fixed_number_of_queries(
        world, django_assert_max_num_queries):
    case_in(world.households[0], TODAY)
    with django_assert_max_num_queries(4):
        got = compound_service.statuses(world.city, TODAY)
    assert {code: s.status for code, s in got.items()} == {
        world.compounds[0].code: "cancelled", world.compounds[1].code: "epidemic_free"}
    assert compound_service.status_counts(world.districts[0], TODAY) == {
        "epidemic_free": 0, "suspended": 0, "cancelled": 1, "not_yet": 0}
