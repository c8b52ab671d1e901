"""Recomputing colours for many people at once: set-based, bounded in queries, the same as one by one."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from wuyi.health import services
from wuyi.health.colour_rules import CHINA_STANDARD_TIME, PersonFacts, decide_colour
from wuyi.health.models import Case, CaseKind, Flag, FlagKind, PersonColour, QuarantineKind, QuarantineOrder
from wuyi.people.models import Membership, Person
from wuyi.synth import city

AT = dt.datetime(2020, 3, 20, 10, 0, tzinfo=CHINA_STANDARD_TIME)  # gd-2020-03 is in force
TODAY = AT.date()


def colours() -> dict[int, str]:
    return dict(PersonColour.objects.values_list("person_id", "colour"))


@pytest.fixture
def tiny_city(db):
    city.generate("tiny", seed=1, progress=False)
    return list(Person.objects.order_by("pk").values_list("pk", flat=True))


def quarantine(person_ids: list[int]) -> None:
    QuarantineOrder.objects.bulk_create(
        QuarantineOrder(person_id=pk, kind=QuarantineKind.HOME, start=TODAY, planned_end=TODAY + dt.timedelta(days=14))
        for pk in person_ids
    )


# Statements of a city-wide run: the savepoint pair, the ids with facts, the UPDATE of everyone, the INSERT…SELECT of
# those without a colour and the revocation of stale codes (access); PostgreSQL also makes, ANALYZEs and drops its
# temporary table and runs an UPDATE … FROM it. Per round of 500 people with facts, five reads and, on SQLite, one
# upsert (PostgreSQL COPYs them through the driver, uncounted), and PostgreSQL's ANALYZE of its table.
FIXED = {"sqlite": 6, "postgresql": 9}
ROUND = {"sqlite": 6, "postgresql": 5}
EXTRA = {"sqlite": 0, "postgresql": 1}


def statements(rounds: int) -> int:
    return FIXED[connection.vendor] + rounds * ROUND[connection.vendor] + EXTRA[connection.vendor]


def test_recompute_over_the_tiny_city_gives_everyone_a_colour_in_a_bounded_number_of_queries(
    tiny_city, django_assert_max_num_queries
):
    quarantined = tiny_city[::50]
    quarantine(quarantined)
    with django_assert_max_num_queries(statements(rounds=1)):  # 60 people with facts are one round
        result = services.recompute_city(AT)
    stored = colours()
    assert len(stored) == len(tiny_city) > 2000
    assert {pk for pk, colour in stored.items() if colour == "red"} == set(quarantined)
    assert set(stored.values()) == {"red", "blue"}
    assert result.fact_people == len(quarantined)
    assert result.default_people == len(tiny_city) - len(quarantined)
    assert result.colours == {"blue": len(tiny_city) - len(quarantined), "red": len(quarantined)}


def test_the_query_count_grows_with_rounds_of_people_with_facts_not_with_people(
    tiny_city, django_assert_max_num_queries
):
    quarantine(tiny_city[: 3 * services.RECOMPUTE_BATCH])
    with django_assert_max_num_queries(statements(rounds=3)):
        services.recompute_city(AT)
    assert sum(colour == "red" for colour in colours().values()) == 3 * services.RECOMPUTE_BATCH


def test_a_second_recompute_updates_stored_colours_to_the_facts_of_the_moment(world):
    person, stale = world.people[0], world.people[1]
    services.issue_quarantine(person.pk, QuarantineKind.HOME, TODAY, TODAY + dt.timedelta(days=14), at=AT)
    PersonColour.objects.create(person=stale, rule_id="gd-2020-03", colour="red", reasons=[], computed_at=AT)

    services.recompute_city(AT)
    assert colours()[stale.pk] == "blue"
    assert colours()[person.pk] == "red"

    later = AT + dt.timedelta(days=30)  # the order is overdue but not released: still red
    services.recompute_city(later)
    assert PersonColour.objects.get(person=person).next_change == later.date()
    assert set(PersonColour.objects.values_list("computed_at", flat=True)) == {later}


def test_city_recompute_agrees_with_the_rule_module_person_by_person(world):
    case_person, arrival, fever = world.people[0], world.people[1], world.people[2]
    household = Membership.objects.get(person=case_person).household
    services.record_case(services.CaseInput(kind=CaseKind.ASYMPTOMATIC, reported_on=TODAY,
                                            household_code=household.code, person_id=case_person.pk), at=AT)
    services.raise_flag(arrival.pk, FlagKind.HIGH_RISK_ARRIVAL, TODAY - dt.timedelta(days=3), at=AT)
    services.raise_flag(fever.pk, FlagKind.GATE_FEVER, TODAY, at=AT)
    PersonColour.objects.all().delete()

    services.recompute_city(AT, "gd-2022")
    facts = services.person_facts([p.pk for p in world.people], AT)
    for person in world.people:
        expected = decide_colour(facts[person.pk], AT, "gd-2022")
        stored = PersonColour.objects.get(person=person)
        assert (stored.colour, stored.reasons) == (expected.colour.value, [list(r) for r in expected.reasons])
    assert {pk: c for pk, c in colours().items() if pk in {p.pk for p in world.people}} == {
        case_person.pk: "red", arrival.pk: "red", fever.pk: "yellow", world.people[3].pk: "green",
    }
    assert decide_colour(PersonFacts(), AT, "gd-2022").colour.value == "green"
    assert Case.objects.count() == 1 and Flag.objects.count() == 2


def test_the_command_recomputes_the_city_under_the_rules_asked_for(world, capsys):
    services.issue_quarantine(world.people[0].pk, QuarantineKind.HOME, TODAY, TODAY, at=AT)
    call_command("health", "recompute", "--at", "2020-03-20T10:00", "--no-progress")
    assert colours()[world.people[1].pk] == "blue"
    call_command("health", "recompute", "--at", "2020-03-20", "--rules", "gd-2022", "--no-progress")
    assert colours()[world.people[1].pk] == "green"
    assert colours()[world.people[0].pk] == "red"
    assert "gd-2022" in capsys.readouterr().out


def test_the_command_refuses_a_moment_with_no_rule_in_force_or_a_bad_one(world):
    with pytest.raises(CommandError):
        call_command("health", "recompute", "--at", "2020-02-01", "--no-progress")
    with pytest.raises(CommandError):
        call_command("health", "recompute", "--at", "yesterday", "--no-progress")
    assert not PersonColour.objects.exists()
