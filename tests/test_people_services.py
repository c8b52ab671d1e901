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
    assert e.value.field in ("name", "travel[0].place")
