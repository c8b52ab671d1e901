"""The world of tests/world.py, filled out for the API: every kind of object the API returns, on both sides.

The people of the second district get names of their own, so a name found in a response says which
side it came from.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client

from tests.world import World, build_world, make_id_number
from wuyi.accounts import audit
from wuyi.accounts.models import ApiToken, User
from wuyi.people import services
from wuyi.people.models import Declaration, Pass, Person
from wuyi.places.models import Building, Checkpoint, ServiceCentre

SIDE_NAMES = (("李建国", "王芳"), ("海大明", "滨小红"))
DECLARANT = ("福田申报人", "宝安申报人")
REGISTERED = ("福田老人", "宝安老人")


@dataclass
class Scene:
    world: World
    buildings: list[Building]
    people: list[list[Person]] = field(
        default_factory=lambda: [[], []]
    )  # by side: the two residents, the registered
    passes: list[list[Pass]] = field(default_factory=lambda: [[], []])  # by side, one per person above
    pending: list[Declaration] = field(default_factory=list)  # by side, filed by that side's resident
    tokens: dict[str, ApiToken] = field(default_factory=dict)  # by user key, named "token [<key>]"
    checkpoints: list[Checkpoint] = field(default_factory=list)
    centres: list[ServiceCentre] = field(default_factory=list)

    def user(self, key: str) -> User:
        return self.world.users[key]


def declaration_body(household_code: str, name: str, id_number: str, phone: str = "13900000000") -> dict:
    return {
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "household_code": household_code,
        "relation": "family",
        "travel": [],
        "symptoms": [],
    }


def build_scene() -> Scene:
    w = build_world()
    scene = Scene(world=w, buildings=[Building.objects.get(compound=k) for k in w.compounds])
    for side in (0, 1):
        people = w.people[2 * side : 2 * side + 2]
        for p, name in zip(people, SIDE_NAMES[side]):
            p.name = name
            p.save(update_fields=["name"])
        worker = w.users["community_worker" + ("@1" if side else "")]
        resident = w.users["resident" + ("@1" if side else "")]
        region = w.districts[side].code
        registered = services.register_on_behalf(
            services.DeclarationInput(
                **declaration_body(
                    w.households[2 * side + 1].code,
                    REGISTERED[side],
                    make_id_number(region, "19400101", 70 + side),
                    "",
                )
            ),
            by=worker,
        )
        scene.people[side] = [*people, registered.person]
        scene.passes[side] = [services.issue_pass(p, w.compounds[side], by=worker) for p in people] + [
            registered
        ]
        scene.pending.append(
            services.submit_declaration(
                services.DeclarationInput(
                    **declaration_body(
                        w.households[2 * side].code,
                        DECLARANT[side],
                        make_id_number(region, "19900101", 50 + side),
                        f"1390000000{side}",
                    )
                ),
                by=resident,
            )
        )
        scene.checkpoints.append(
            Checkpoint.objects.create(
                code=w.streets[side].code + "K01", street=w.streets[side], name=w.streets[side].name + "卡口"
            )
        )
        scene.centres.append(
            ServiceCentre.objects.create(
                code=w.communities[side].code + "S01",
                area=w.communities[side],
                name=w.communities[side].name + "党群服务中心",
            )
        )
        audit.record(worker, people[0], "view", f"walk probe {side}")
    for key, user in w.users.items():
        scene.tokens[key], _key = ApiToken.issue(user, f"token [{key}]")
    return scene


@pytest.fixture
def scene(db) -> Scene:
    return build_scene()


@pytest.fixture
def login(scene):
    """A test client logged in as the user with this world key."""

    def client_for(key: str) -> Client:
        client = Client()
        client.force_login(scene.user(key))
        return client

    return client_for
