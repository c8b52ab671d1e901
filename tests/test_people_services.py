import pytest

from tests.world import make_id_number
from wuyi.errors import DomainError
from wuyi.people import services


@pytest.mark.parametrize("field", ["name", "place"])
def test_control_characters_are_refused_before_they_reach_the_database(world, field):
    data = services.DeclarationInput(
        name="张\x00三" if field == "name" else "张三",
        id_number=make_id_number("440304", "19900101", 77),
        phone="13800000077",
        household_code=world.households[0].code,
        travel=[{"place": "武\x00汉" if field == "place" else "武汉", "from": "2020-01-01"}] if field == "place" else [],
    )
    with pytest.raises(DomainError) as e:
        services.submit_declaration(data, by=world.users["resident"])
    assert e.value.field == ("name" if field == "name" else "travel[0].place")


def _declare(world, *, name, number, household, by):
    return services.submit_declaration(
        services.DeclarationInput(name=name, id_number=number, phone="13900000001", household_code=household.code),
        by=by,
    )


def test_a_person_living_in_another_household_cannot_be_taken_over_by_approval(world):
    """Someone who knows a resident's name and ID number declares them into another district's household."""
    from wuyi.people.models import Membership

    victim = world.people[2]  # lives in district 1
    impostor = world.users["volunteer"]
    number = make_id_number("440306", "19700101", 11)  # the victim's ID number, as tests.world made it
    d = _declare(world, name=victim.name, number=number, household=world.households[0], by=impostor)
    with pytest.raises(DomainError) as e:
        services.approve(d.pk, by=world.users["community_worker"])
    assert e.value.code == "lives_elsewhere"
    victim.refresh_from_db()
    impostor.refresh_from_db()
    assert impostor.person_id is None
    assert Membership.objects.filter(person=victim, moved_out__isnull=True).count() == 1
    assert victim.phone != "13900000001"


def test_approval_does_not_relink_a_person_who_already_has_an_account(world):
    person = world.people[0]  # the resident account of district 0 is linked to this person
    other = world.users["volunteer"]
    number = make_id_number("440304", "19700101", 1)
    d = _declare(world, name=person.name, number=number, household=world.households[0], by=other)
    issued = services.approve(d.pk, by=world.users["community_worker"])
    other.refresh_from_db()
    assert issued.person == person
    assert other.person_id is None
    assert world.users["resident"].person_id == person.pk


def test_an_expired_pass_is_replaced_not_handed_back(world):
    import datetime as dt

    from django.utils import timezone

    person, compound = world.people[0], world.compounds[0]
    old = services.issue_pass(person, compound, by=None)
    old.valid_until = timezone.localdate() - dt.timedelta(days=1)
    old.save()
    new = services.issue_pass(person, compound, by=None)
    old.refresh_from_db()
    assert new.pk != old.pk and new.valid_until > timezone.localdate()
    assert old.revoked_at is not None


def test_someone_who_knows_an_id_number_cannot_block_its_owners_declaration(world):
    number = make_id_number("440304", "19920202", 41)
    first = _declare(world, name="孙丽", number=number, household=world.households[0], by=world.users["volunteer"])
    second = _declare(world, name="孙丽", number=number, household=world.households[0], by=world.users["volunteer@1"])
    assert first.pk != second.pk
    with pytest.raises(DomainError) as e:
        _declare(world, name="孙丽", number=number, household=world.households[0], by=world.users["volunteer"])
    assert e.value.code == "already_pending"
