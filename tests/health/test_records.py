"""Health records through the services: each change recomputes the person's colour in the same transaction."""

import datetime as dt

import pytest
from django.db import transaction

from wuyi.errors import DomainError
from wuyi.health import services
from wuyi.health.colour_rules import CHINA_STANDARD_TIME
from wuyi.health.models import (
    Case,
    CaseKind,
    CaseOutcome,
    CloseContact,
    DailyReport,
    Flag,
    FlagKind,
    PersonColour,
    QuarantineKind,
    QuarantineOrder,
)
from wuyi.health.models import TestResult as NucleicAcidResult
from wuyi.people.models import Membership, Person, Relation

AT = dt.datetime(2020, 3, 20, 10, 0, tzinfo=CHINA_STANDARD_TIME)  # gd-2020-03 is in force
TODAY = AT.date()
LATER = AT + dt.timedelta(days=14)


def colour_of(person) -> PersonColour:
    return PersonColour.objects.get(person=person)


def reason_codes(person) -> list[str]:
    return [code for code, _text in colour_of(person).reasons]


def confirmed_case_of(world, person, reported_on=TODAY) -> Case:
    household = Membership.objects.get(person=person).household
    return services.record_case(
        services.CaseInput(kind=CaseKind.CONFIRMED, reported_on=reported_on, household_code=household.code,
                           onset_on=reported_on - dt.timedelta(days=3), person_id=person.pk),
        by=world.users["health_official"], at=AT,
    )


def test_a_confirmed_case_turns_its_person_red_with_reasons_in_the_same_transaction(world):
    person = world.people[0]
    with transaction.atomic():
        case = confirmed_case_of(world, person)
        stored = colour_of(person)  # read inside the transaction that recorded the case
    assert stored.colour == "red"
    assert stored.rule_id == "gd-2020-03"
    assert reason_codes(person) == ["confirmed_case"]
    assert stored.next_change is None  # waits on the case's outcome
    assert case.district == world.districts[0]
    assert case.compound == world.compounds[0]


def test_a_case_colours_only_its_person_not_the_household_neighbours(world):
    confirmed_case_of(world, world.people[0])
    assert not PersonColour.objects.filter(person=world.people[1]).exists()


def test_ruling_out_a_case_returns_the_person_to_the_default_colour(world):
    person = world.people[0]
    case = services.record_case(
        services.CaseInput(kind=CaseKind.SUSPECTED, reported_on=TODAY, compound_code=world.compounds[0].code,
                           person_id=person.pk),
        at=AT,
    )
    assert colour_of(person).colour == "red"
    services.set_case_outcome(case.pk, CaseOutcome.RULED_OUT, TODAY, at=AT)
    assert colour_of(person).colour == "blue"
    assert reason_codes(person) == ["nothing_abnormal"]


def test_a_linked_contact_is_red_and_releasing_their_quarantine_returns_them_to_the_default(world):
    case = confirmed_case_of(world, world.people[0])
    contact_person = world.people[1]
    services.link_contact(case.pk, contact_person.pk, last_exposure_on=TODAY - dt.timedelta(days=1), at=AT)
    order = services.issue_quarantine(
        contact_person.pk, QuarantineKind.CENTRALIZED, TODAY, TODAY + dt.timedelta(days=14), at=AT
    )
    assert colour_of(contact_person).colour == "red"
    assert set(reason_codes(contact_person)) == {"close_contact", "centralized_quarantine"}
    assert colour_of(contact_person).next_change == TODAY + dt.timedelta(days=14)

    services.release_quarantine(order.pk, at=LATER)
    assert colour_of(contact_person).colour == "blue"
    assert CloseContact.objects.get(person=contact_person).released_on == LATER.date()
    assert QuarantineOrder.objects.get(pk=order.pk).released_at is not None


def test_the_2022_rules_make_home_health_observation_yellow_and_release_makes_it_green(world, settings):
    settings.WUYI_COLOUR_RULES = "gd-2022"
    person = world.people[2]
    order = services.issue_quarantine(
        person.pk, QuarantineKind.HOME_HEALTH_OBSERVATION, TODAY, TODAY + dt.timedelta(days=7), at=AT
    )
    assert colour_of(person).colour == "yellow"
    services.release_quarantine(order.pk, at=AT + dt.timedelta(days=7))
    assert colour_of(person).colour == "green"


def test_gate_fever_under_2022_is_yellow_until_two_negative_tests_a_day_apart(world, settings):
    settings.WUYI_COLOUR_RULES = "gd-2022"
    person = world.people[3]
    services.raise_flag(person.pk, FlagKind.GATE_FEVER, TODAY, at=AT)
    assert colour_of(person).colour == "yellow"
    services.record_test_result(person.pk, AT + dt.timedelta(hours=1), "negative", at=AT + dt.timedelta(hours=2))
    assert colour_of(person).colour == "yellow"
    second = AT + dt.timedelta(days=1, hours=2)
    services.record_test_result(person.pk, second, "negative", at=second)
    assert colour_of(person).colour == "green"


def test_a_declared_high_risk_arrival_is_red_and_clearing_a_gate_fever_is_blue(world):
    person, other = world.people[0], world.people[1]
    services.raise_flag(person.pk, FlagKind.HIGH_RISK_ARRIVAL, TODAY - dt.timedelta(days=2), at=AT)
    assert reason_codes(person) == ["high_risk_arrival"]
    fever = services.raise_flag(other.pk, FlagKind.GATE_FEVER, TODAY, at=AT)
    assert colour_of(other).colour == "red"
    services.clear_flag(fever.pk, TODAY, at=AT)
    assert colour_of(other).colour == "blue"


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda w: services.issue_quarantine(
            w.people[0].pk, QuarantineKind.HOME, TODAY, TODAY - dt.timedelta(days=1), at=AT), id="end before start"),
        pytest.param(lambda w: services.issue_quarantine(
            10**9, QuarantineKind.HOME, TODAY, TODAY, at=AT), id="unknown person"),
        pytest.param(lambda w: services.issue_quarantine(
            w.people[0].pk, "curfew", TODAY, TODAY, at=AT), id="unknown kind"),
        pytest.param(lambda w: services.record_case(services.CaseInput(
            kind=CaseKind.CONFIRMED, reported_on=TODAY, household_code="440304001001001001999",
            person_id=w.people[0].pk), at=AT), id="unknown household"),
        pytest.param(lambda w: services.record_case(services.CaseInput(
            kind=CaseKind.CONFIRMED, reported_on=TODAY, compound_code=w.compounds[0].code,
            onset_on=TODAY + dt.timedelta(days=1), person_id=w.people[0].pk), at=AT), id="onset after report"),
        pytest.param(lambda w: services.record_case(services.CaseInput(
            kind=CaseKind.CONFIRMED, reported_on=TODAY, compound_code=w.compounds[0].code, person_id=10**9),
            at=AT), id="case of an unknown person"),
        pytest.param(lambda w: services.record_test_result(
            w.people[0].pk, AT + dt.timedelta(days=1), "negative", at=AT), id="test sampled in the future"),
        pytest.param(lambda w: services.record_daily_report(
            w.people[0].pk, TODAY, "45.2", None, at=AT), id="impossible temperature"),
        pytest.param(lambda w: services.record_daily_report(
            w.people[0].pk, TODAY, "36.5", None, ["headache?"], at=AT), id="unknown symptom"),
        pytest.param(lambda w: services.raise_flag(
            w.people[0].pk, FlagKind.GATE_FEVER, TODAY + dt.timedelta(days=1), at=AT), id="flag in the future"),
    ],
)
def test_bad_input_is_a_domain_error_and_nothing_is_written(world, call):
    with pytest.raises(DomainError):
        call(world)
    for model in (Case, CloseContact, QuarantineOrder, DailyReport, NucleicAcidResult, Flag, PersonColour):
        assert not model.objects.exists(), model.__name__


def test_a_failure_after_the_colour_is_computed_rolls_back_the_record_too(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.issue_quarantine(world.people[0].pk, QuarantineKind.HOME, TODAY, TODAY, at=AT)
    assert not QuarantineOrder.objects.exists()
    assert not PersonColour.objects.exists()


def test_releasing_twice_or_linking_twice_is_refused(world):
    case = confirmed_case_of(world, world.people[0])
    services.link_contact(case.pk, world.people[1].pk, TODAY, at=AT)
    with pytest.raises(DomainError) as linked:
        services.link_contact(case.pk, world.people[1].pk, TODAY, at=AT)
    assert linked.value.code == "already_linked"
    order = services.issue_quarantine(world.people[1].pk, QuarantineKind.HOME, TODAY, TODAY, at=AT)
    services.release_quarantine(order.pk, at=AT)
    with pytest.raises(DomainError) as released:
        services.release_quarantine(order.pk, at=AT)
    assert released.value.code == "already_released"


def test_missed_reports_lists_people_at_home_under_an_order_without_a_report_that_day(world):
    community = world.communities[0]
    home, reported, elsewhere = world.people[0], world.people[1], world.people[3]
    centralized = Person.objects.create(name="张伟", verified=True)
    Membership.objects.create(person=centralized, household=world.households[0], relation=Relation.FAMILY)
    for person in (home, reported):
        services.issue_quarantine(person.pk, QuarantineKind.HOME, TODAY, TODAY + dt.timedelta(days=14), at=AT)
    services.issue_quarantine(centralized.pk, QuarantineKind.CENTRALIZED, TODAY, TODAY, at=AT)
    services.issue_quarantine(elsewhere.pk, QuarantineKind.HOME, TODAY, TODAY, at=AT)  # another community
    services.record_daily_report(reported.pk, TODAY, "36.6", "36.8", ["cough"], at=AT)

    assert list(services.missed_reports(community, TODAY)) == [home]
    assert list(services.missed_reports(community, TODAY - dt.timedelta(days=1))) == []  # before the orders
    order = QuarantineOrder.objects.get(person=home)
    services.release_quarantine(order.pk, at=AT + dt.timedelta(days=1))
    assert list(services.missed_reports(community, TODAY + dt.timedelta(days=1))) == [reported]
    assert list(services.missed_reports(community, TODAY)) == [home]  # still missed on the day before release


def test_missed_reports_are_listed_per_community(world):
    with pytest.raises(DomainError):
        services.missed_reports(world.compounds[0], TODAY)
