"""The workforce synthesizer on the small world and on the demo city: the record's figures scaled by communities /
701, deterministic for a seed, bulk-written, with a few deliberate gaps in today's shifts."""

import datetime as dt

from wuyi.synth.workforce import build_workforce
from wuyi.workforce import reports, stats, three_person
from wuyi.workforce.models import (
    CentreActivation,
    PartyMember,
    PartyOrganisation,
    Shift,
    Supply,
    Worker,
    WorkGroup,
)

TODAY = dt.date(2020, 2, 20)


def snapshot() -> dict:
    return {
        "workers": list(Worker.objects.order_by("pk").values_list("name", "phone", "kind", "area__code", "party_member")),
        "groups": list(WorkGroup.objects.order_by("pk").values_list("kind", "name", "area__code", "set_up_on")),
        "orgs": list(PartyOrganisation.objects.order_by("pk").values_list("name", "front", "area__code")),
        "members": sorted(PartyMember.objects.values_list("organisation__name", "worker__phone", "role")),
        "shifts": sorted(Shift.objects.values_list("worker__phone", "period", "gate__code", "checkpoint__code")),
        "supplies": sorted(Supply.objects.values_list("service_centre__code", "item", "quantity")),
    }


def test_on_the_world_the_figures_scale_by_two_communities_of_701(ww):
    summary = build_workforce(2020, today=TODAY)
    scale = 2 / 701
    assert summary["built"] == 1
    assert WorkGroup.objects.filter(kind="aid").count() == 2  # one aid work group per community
    assert WorkGroup.objects.filter(kind="guidance").count() == 1  # 75 × scale rounds to 0; at least one
    assert Worker.objects.filter(kind="cadre", group__kind="aid").count() == round(37_000 * scale)
    assert Worker.objects.filter(group__isnull=True).count() == round(80_000 * scale)
    assert PartyOrganisation.objects.count() == round(1_737 * scale)
    # a complete three-person team in each community
    assert all(t.verdict.complete for t in reports.three_person_teams(ww.city, TODAY))
    # every centre anti-epidemic, with supplies whose movements account for the stock
    assert CentreActivation.objects.count() == 2 and Supply.objects.filter(quantity__gt=0).count() == 10
    # members are Party members of the organisation's branch of the tree
    for m in PartyMember.objects.select_related("worker__area", "organisation__area"):
        assert m.worker.party_member
        assert m.worker.area.code.startswith(m.organisation.area.prefix) or m.organisation.area.code.startswith(
            m.worker.area.code)
    assert PartyMember.objects.filter(role="secretary").count() == PartyOrganisation.objects.filter(
        members__isnull=False).distinct().count()
    # nobody twice in a period, all shifts today
    assert set(Shift.objects.values_list("on", flat=True)) == {TODAY}
    figures = stats.figures(ww.city.prefix, today=TODAY)
    assert figures["workers"] == Worker.objects.count() == summary["workers"]
    assert figures["shifts_today"] == summary["shifts"] > 0


def test_it_is_deterministic_and_replaces_or_keeps_what_is_there(ww):
    build_workforce(7, today=TODAY)
    first = snapshot()
    kept = build_workforce(7, today=TODAY, replace=False)
    assert kept["built"] == 0 and kept["workers"] == len(first["workers"])
    build_workforce(7, today=TODAY)
    assert snapshot() == first
    build_workforce(8, today=TODAY)
    assert snapshot() != first


def test_on_the_world_without_places_it_creates_missing_service_centres(world):
    build_workforce(2020, today=TODAY)
    from wuyi.places.models import ServiceCentre

    assert sorted(ServiceCentre.objects.values_list("area__code", flat=True)) == sorted(
        c.code for c in world.communities)


def test_on_the_demo_city_it_leaves_a_few_gaps_and_builds_fast(db):
    import time

    from wuyi.places.models import Area, Checkpoint, Gate
    from wuyi.synth import city

    city.generate("demo", seed=7, progress=False)
    started = time.perf_counter()
    summary = build_workforce(2020, today=TODAY)
    seconds = time.perf_counter() - started
    communities = Area.objects.filter(level="community").count()
    scale = communities / 701
    assert abs(summary["workers"] - (37_000 + 80_000) * scale) < 0.02 * 117_000 * scale + 3 * communities + 1000
    gates, checkpoints = Gate.objects.count(), Checkpoint.objects.count()
    for period in ("morning", "afternoon", "night"):
        gaps = reports.uncovered(Area.objects.get(level="city"), TODAY, period)
        assert 0 < len(gaps) < 0.1 * (gates + checkpoints)
    assert seconds < 60, seconds
    assert three_person.assess([("cadre", True), ("medical", True), ("police", True)]).complete
