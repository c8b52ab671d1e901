"""The options of the cascading address selects: public, children of one node, no people."""

import re

import pytest

OPTIONS = "/places/options/"


def options(client, parent):
    response = client.get(OPTIONS, {"parent": parent})
    assert response.status_code == 200
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', response.content.decode())


def test_the_children_of_each_level(client, world):
    futian, compound = world.districts[0], world.compounds[0]
    building = compound.buildings.get()
    blank = ("", "请选择…")
    assert options(client, "440300") == [blank, ("440304", "福田区"), ("440306", "宝安区")]
    assert options(client, futian.code) == [blank, (world.streets[0].code, "园岭街道")]
    assert options(client, world.streets[0].code) == [blank, (world.communities[0].code, "园东社区")]
    assert options(client, world.communities[0].code) == [blank, (compound.code, "百花园")]
    assert options(client, compound.code) == [blank, (building.code, "1栋")]
    assert options(client, building.code) == [blank, (world.households[0].code, "101"), (world.households[1].code, "102")]


@pytest.mark.parametrize("parent", ["", "abc", "4403", "440304001001001001x", "440304001001001001" + "0101", "9" * 6])
def test_bad_or_unknown_parents_give_only_the_blank_option(client, world, parent):
    assert [value for value, _label in options(client, parent)] == [""]


def test_no_login_needed_and_no_people_in_it(client, world):
    page = client.get(OPTIONS, {"parent": world.compounds[0].buildings.get().code}).content.decode()
    assert all(p.name not in page and p.masked_name not in page for p in world.people)


def test_one_query(client, world, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(OPTIONS, {"parent": "440300"})
