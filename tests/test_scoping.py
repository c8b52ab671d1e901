from wuyi.accounts.scoping import scope
from wuyi.people.models import Declaration, Pass, Person


def test_each_role_sees_only_its_own_area(world):
    side0 = {p.pk for p in world.people[:2]}
    side1 = {p.pk for p in world.people[2:]}
    seen = lambda key: set(scope(world.users[key], Person.objects.all()).values_list("pk", flat=True))  # noqa: E731
    assert seen("city_admin") == side0 | side1
    for role in ("district_worker", "street_worker", "community_worker", "gate_guard", "health_official"):
        assert seen(role) == side0, role
        assert seen(role + "@1") == side1, role
    assert seen("resident") == {world.people[0].pk}
    assert seen("volunteer") == set()


def test_unscoped_models_are_empty_for_residents_without_a_person(world):
    world.users["resident"].person = None
    assert not scope(world.users["resident"], Pass.objects.all()).exists()
    assert not scope(world.users["volunteer"], Declaration.objects.all()).exists()


def _declaration(world, by, household):
    from tests.world import make_id_number
    from wuyi.people import services

    return services.submit_declaration(
        services.DeclarationInput(name="周明", id_number=make_id_number("440304", "19900101", 99), phone="",
                                  household_code=household.code),
        by=by,
    )


def test_declarations_are_for_the_workers_of_the_area_and_their_author(world):
    d = _declaration(world, world.users["volunteer"], world.households[0])
    sees = lambda key: scope(world.users[key], Declaration.objects.all()).filter(pk=d.pk).exists()  # noqa: E731
    for key in ("city_admin", "district_worker", "street_worker", "community_worker", "volunteer"):
        assert sees(key), key
    for key in ("gate_guard", "health_official", "resident", "community_worker@1", "volunteer@1"):
        assert not sees(key), key
