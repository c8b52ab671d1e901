"""A small world for tests: two districts, each with a street, a community, a compound, people, one user per role.

Codes are real in shape (GB/T 2260 prefixes of Shenzhen). Every test that needs data builds it
through here so that a change of model shows up in one place.
"""

from dataclasses import dataclass, field

from wuyi.accounts.models import Role, User
from wuyi.people import identity
from wuyi.people.models import Membership, Person, Relation
from wuyi.places.models import Area, Building, CompoundKind, Gate, Household, Level

PASSWORD = "wuyi-test-pass-1"


def make_id_number(region: str, birth: str, seq: int) -> str:
    """A valid 18-digit ID number: region (6), birth date YYYYMMDD, 3-digit sequence, check digit."""
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + identity.check_digit(first17)


@dataclass
class World:
    city: Area
    districts: list[Area] = field(default_factory=list)
    streets: list[Area] = field(default_factory=list)
    communities: list[Area] = field(default_factory=list)
    compounds: list[Area] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)  # "<role>" for side 0, "<role>@1" for side 1


def add_user(username: str, role: str, *, area=None, gate=None, person=None) -> User:
    user = User(username=username, role=role, area=area, gate=gate, person=person)
    user.set_password(PASSWORD)
    user.save()
    return user


def seed_catalogues() -> None:
    """The measures catalogue a migration writes: a browser test's flush (transaction=True) empties it."""
    import importlib

    from django.apps import apps

    from wuyi.campaign.models import MeasureCatalogue

    if not MeasureCatalogue.objects.filter(code="sz-2020-02").exists():
        importlib.import_module("wuyi.campaign.migrations.0002_catalogue_sz_2020_02").seed(apps, None)


def build_world() -> World:
    seed_catalogues()
    city = Area.objects.create(code="440300", name="深圳市", level=Level.CITY)
    w = World(city=city)
    for side, (dcode, dname, sname, cname, kname) in enumerate(
        [("440304", "福田区", "园岭", "园东社区", "百花园"), ("440306", "宝安区", "新安", "海旺社区", "海滨花园")]
    ):
        d = Area.objects.create(code=dcode, name=dname, level=Level.DISTRICT, parent=city)
        s = Area.objects.create(code=dcode + "001", name=sname + "街道", level=Level.STREET, parent=d)
        c = Area.objects.create(code=s.code + "001", name=cname, level=Level.COMMUNITY, parent=s)
        k = Area.objects.create(
            code=c.code + "001", name=kname, level=Level.COMPOUND, parent=c, kind=CompoundKind.GARDEN_ESTATE
        )
        b = Building.objects.create(code=k.code + "001", compound=k, name="1栋")
        hs = [Household.objects.create(code=b.code + f"{r:04d}", building=b, room=f"{r}") for r in (101, 102)]
        g = Gate.objects.create(code=k.code + "G1", compound=k, name=kname + "东门")
        w.districts.append(d)
        w.streets.append(s)
        w.communities.append(c)
        w.compounds.append(k)
        w.households += hs
        w.gates.append(g)
        for i, name in enumerate(["李建国", "王芳"]):
            p = Person(name=name, phone=f"1380000{side}{i:03d}", verified=True)
            p.set_id_number(make_id_number(dcode, f"19{70 + i}0101", 10 * side + i + 1))
            p.save()
            Membership.objects.create(person=p, household=hs[i], relation=Relation.OWNER)
            w.people.append(p)
        suffix = "" if side == 0 else "@1"
        w.users["district_worker" + suffix] = add_user(f"district{side}", Role.DISTRICT_WORKER, area=d)
        w.users["street_worker" + suffix] = add_user(f"street{side}", Role.STREET_WORKER, area=s)
        w.users["community_worker" + suffix] = add_user(f"community{side}", Role.COMMUNITY_WORKER, area=c)
        w.users["gate_guard" + suffix] = add_user(f"guard{side}", Role.GATE_GUARD, gate=g)
        w.users["resident" + suffix] = add_user(f"resident{side}", Role.RESIDENT, person=w.people[2 * side])
        w.users["volunteer" + suffix] = add_user(f"volunteer{side}", Role.VOLUNTEER)
        w.users["health_official" + suffix] = add_user(f"health{side}", Role.HEALTH_OFFICIAL, area=d)
        w.users["leader" + suffix] = add_user(f"leader{side}", Role.LEADER, area=d)
    w.users["city_admin"] = add_user("cityadmin", Role.CITY_ADMIN, area=city)
    return w
