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
