"""The synthetic city: shape from the data, census shape, ID numbers only as HMACs, determinism, replace."""

import hashlib
import itertools
import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from wuyi.accounts.models import Role, User
from wuyi.people import identity
from wuyi.people.models import Membership, Person
from wuyi.places.models import Area, Building, Checkpoint, Gate, Household, ServiceCentre
from wuyi.synth import city
from wuyi.synth.generator import CITY_COMPOUNDS, CityRows, load_data, plan_city

DATA = load_data()


@pytest.fixture
def demo(db):
    return city.generate("demo", seed=7, progress=False)


def test_demo_city_has_the_real_districts_and_streets(demo):
    districts = dict(Area.objects.filter(level="district").values_list("code", "name"))
    assert districts == {d["code"]: d["name"] for d in DATA["districts"]}
    for d in DATA["districts"]:
        streets = list(Area.objects.filter(level="street", parent__code=d["code"]).values_list("name", flat=True))
        assert streets == [s + "街道" for s in d["streets"]]
    assert Area.objects.filter(level="street").count() == 74
    assert Area.objects.get(level="city").name == DATA["city"]["name"]


def test_demo_city_has_compounds_of_each_kind_gates_checkpoints_and_service_centres(demo):
    kinds = {k: Area.objects.filter(level="compound", kind=k).count() for k in ("garden_estate", "urban_village", "other")}
    assert all(n > 0 for n in kinds.values()), kinds
    assert Area.objects.filter(level="community").count() == 74 * 2
    for compound in Area.objects.filter(level="compound"):
        assert 1 <= compound.gates.count() <= 4
    assert not Area.objects.filter(level="street", checkpoints__isnull=True).exists()
    non_compounds = Area.objects.exclude(level="compound")
    assert ServiceCentre.objects.count() == non_compounds.count()
    assert set(ServiceCentre.objects.values_list("area_id", flat=True)) == set(non_compounds.values_list("id", flat=True))
    assert {n for n in Area.objects.filter(kind="urban_village").values_list("name", flat=True) if not n.endswith("村")} == set()


def test_demo_city_has_about_twenty_thousand_residents_in_households(demo):
    assert demo["residents"] == Person.objects.count() == 20_000
    assert Membership.objects.filter(moved_out__isnull=True).count() == 20_000
    assert not Household.objects.filter(memberships__isnull=True).exists()
    owners = Membership.objects.filter(relation="owner").values("household").annotate(n=__import__("django").db.models.Count("id"))
    assert max(o["n"] for o in owners) == 1
    villages = Membership.objects.filter(household__code__startswith="4403", household__building__compound__kind="urban_village")
    assert villages.filter(relation="tenant").count() > 0.8 * villages.count()
    for h in Household.objects.all()[:200]:
        assert h.code.startswith(h.building.code) and len(h.code) == 22
        assert h.building.code.startswith(h.building.compound.code) and len(h.building.code) == 18


def test_residents_follow_the_census_shape(demo):
    people = list(Person.objects.values_list("sex", "birth_year", "verified", "phone"))
    n = len(people)
    assert sum(s == "M" for s, *_ in people) / n == pytest.approx(0.5504, abs=0.015)
    children = sum(by >= 2005 for _, by, *_ in people) / n
    elderly = sum(by <= 1959 for _, by, *_ in people) / n
    assert children == pytest.approx(0.1511, abs=0.02)
    assert elderly == pytest.approx(0.0536, abs=0.015)
    assert sum(v for *_, v, _ in people) / n == pytest.approx(0.85, abs=0.02)
    assert all(re.fullmatch(r"1\d{10}", p) for *_, p in people if p)


def test_id_numbers_are_stored_only_as_hmac_and_masked_form(demo):
    full_number = re.compile(r"\d{17}[\dX]")
    for row in Person.objects.values_list():
        assert not any(full_number.fullmatch(str(v)) for v in row), row
    assert not Person.objects.exclude(id_hmac__regex=r"^[0-9a-f]{32}$").exists()
    assert not Person.objects.exclude(id_masked__regex=r"^4403\*{10}[0-9]{3}[0-9X]$").exists()
    assert Person.objects.values("id_hmac").distinct().count() == Person.objects.count()
    for p in Person.objects.all()[:500]:
        assert int(p.id_masked[-2]) % 2 == (1 if p.sex == "M" else 0)


def test_each_hmac_is_that_of_a_valid_id_number_of_the_residents_district(demo):
    """Recover the number from the masked form, the birth year and the district: exactly one birth date fits."""
    key = settings.WUYI_ID_KEY
    sample = Membership.objects.select_related("person", "household").order_by("id")[::997]
    for m in sample:
        p = m.person
        region = m.household.code[:6]
        found = []
        day = date(p.birth_year, 1, 1)
        while day.year == p.birth_year:
            number = region + day.strftime("%Y%m%d") + p.id_masked[-4:]
            if identity.id_hmac(number, key) == p.id_hmac:
                found.append(number)
            day += timedelta(days=1)
        assert len(found) == 1, (p.id_masked, p.birth_year)
        assert identity.normalise(found[0]) == found[0]  # valid format, date and check digit
        assert identity.sex(found[0]) == p.sex


def fingerprint() -> str:
    """The generated rows, primary keys left out (references go through codes and HMACs)."""
    h = hashlib.sha256()
    parts = [
        Area.objects.order_by("code").values_list("code", "name", "level", "parent__code", "kind", "address"),
        Building.objects.order_by("code").values_list("code", "compound__code", "name"),
        Household.objects.order_by("code").values_list("code", "building__code", "room"),
        Gate.objects.order_by("code").values_list("code", "compound__code", "name", "direction"),
        Checkpoint.objects.order_by("code").values_list("code", "street__code", "name"),
        ServiceCentre.objects.order_by("code").values_list("code", "area__code", "name", "address"),
        Person.objects.order_by("id_hmac").values_list(
            "name", "id_hmac", "id_masked", "phone", "birth_year", "sex", "verified", "created_at"
        ),
        Membership.objects.order_by("person__id_hmac").values_list(
            "person__id_hmac", "household__code", "relation", "moved_in", "moved_out"
        ),
    ]
    for row in itertools.chain.from_iterable(parts):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(db):
    city.generate("tiny", seed=3, progress=False)
    first = fingerprint()
    city.generate("tiny", seed=3, progress=False, replace=True)
    assert fingerprint() == first
    city.generate("tiny", seed=4, progress=False, replace=True)
    assert fingerprint() != first


def test_refuses_to_build_over_a_city_without_replace(db):
    call_command("city", "generate", "--scale", "tiny", "--no-progress")
    with pytest.raises(CommandError, match="--replace"):
        call_command("city", "generate", "--scale", "tiny", "--no-progress")
    with pytest.raises(city.CityExists):
        city.generate("tiny", progress=False)
    before = (Area.objects.count(), Person.objects.count())
    call_command("city", "generate", "--scale", "tiny", "--no-progress", "--replace")
    assert (Area.objects.count(), Person.objects.count()) == before
    assert Area.objects.filter(level="city").count() == 1


def test_replace_clears_references_and_stops_at_protected_ones(db):
    city.generate("tiny", seed=1, progress=False)
    resident = User.objects.create(username="r", role=Role.RESIDENT, person=Person.objects.first())
    city.generate("tiny", seed=1, progress=False, replace=True)
    resident.refresh_from_db()
    assert resident.person is None
    User.objects.create(username="w", role=Role.COMMUNITY_WORKER, area=Area.objects.filter(level="community").first())
    with pytest.raises(city.CityInUse, match="accounts.User.area"):
        city.generate("tiny", seed=1, progress=False, replace=True)
    assert Area.objects.filter(level="city").exists()


def test_the_background_helpers_give_the_same_rows_as_in_process():
    plan = plan_city("tiny", seed=5)
    expected = list(CityRows(plan, b"k", "t").resident_batches(1_000))
    rows = CityRows(plan, b"k", "t")
    rows.place_rows()
    got = {t: [] for t in expected[0]}
    for batch in city._in_background(rows, 1_000, "sqlite"):
        for table, packed in batch.items():
            width = len(city.COLUMNS[table])
            for chunk in packed.chunks:
                got[table] += [chunk[i : i + width] for i in range(0, len(chunk), width)]
            got[table] += packed.rest
    for table in got:
        assert sorted(got[table]) == sorted(r for b in expected for r in b[table]), table


def test_city_plan_meets_the_targets_and_the_district_populations():
    plan = plan_city("city", seed=1)
    counts = plan.counts()
    targets = DATA["targets_from_seed"]
    assert counts["communities"] >= targets["communities_min"]
    assert counts["garden_estate"] >= targets["garden_estates_min"]
    assert counts["urban_village"] >= targets["urban_villages_min"]
    assert counts["other"] > 0 and counts["districts"] == 10 and counts["streets"] == 74
    for d, data in zip(plan.districts, DATA["districts"]):
        assert sum(c.population for c in d.compounds()) == data["population"]
    assert sum(CITY_COMPOUNDS.values()) < 9000


def test_district_scale_plans_exactly_that_district_of_the_city():
    city_plan = plan_city("city", seed=2)
    district = plan_city("district", seed=2, district="440308")
    assert [d.code for d in district.districts] == ["440308"]
    yantian = next(d for d in city_plan.districts if d.code == "440308")
    assert [(c.code, c.name, c.population) for c in district.districts[0].compounds()] == [
        (c.code, c.name, c.population) for c in yantian.compounds()
    ]
