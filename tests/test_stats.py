from wuyi.places.stats import counts_by_child


def test_city_counts_group_by_district(world):
    counts = counts_by_child(world.city)
    futian, baoan = world.districts
    assert counts[futian.code].communities == 1
    assert counts[futian.code].compounds["garden_estate"] == 1
    assert counts[futian.code].households == 2
    assert counts[baoan.code].residents == 2
    assert counts[""].residents == 4 and counts[""].buildings == 2


def test_moved_out_residents_are_not_counted(world):
    from datetime import date

    m = world.people[0].memberships.get()
    m.moved_out = date(2020, 3, 1)
    m.save()
    assert counts_by_child(world.compounds[0])[""].residents == 1
