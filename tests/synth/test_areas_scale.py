"""The "areas" scale: the city scale's whole area tree (the same codes, names and kinds) with 20,000 residents, for
the city-wide pages and their benchmarks."""

from wuyi.people.models import Person
from wuyi.places.models import Area, Level
from wuyi.synth import city
from wuyi.synth.generator import SCALES, plan_city


def test_the_areas_scale_plans_the_city_scales_tree_with_few_people():
    areas, full = plan_city("areas", seed=3), plan_city("city", seed=3)
    assert [(k.code, k.name, k.kind) for d in areas.districts for k in d.compounds()] == [
        (k.code, k.name, k.kind) for d in full.districts for k in d.compounds()]
    counts = areas.counts()
    assert counts["communities"] >= 700 and counts["garden_estate"] >= 4800 and counts["urban_village"] >= 1800
    assert counts["residents"] == 20_000 and all(k.population >= 1 for d in areas.districts for k in d.compounds())
    assert not SCALES["areas"].census and SCALES["city"].census and not SCALES["demo"].census


def test_the_areas_scale_builds(db):
    summary = city.generate("areas", seed=3, progress=False)
    assert summary["residents"] == 20_000
    assert Area.objects.filter(level=Level.COMMUNITY).count() == summary["plan"]["communities"]
    assert Area.objects.filter(level=Level.COMPOUND).count() == 4951 + 1900 + 419
    assert Person.objects.count() == 20_000
