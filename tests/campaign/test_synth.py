"""The campaign's synthetic history on the test world: every compound inspected, failures with rectifications,
re-inspections closing them, demonstration cases, ten-action records; deterministic for a seed; no per-row query."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wuyi.campaign.models import (
    ActivityRecord,
    Demonstration,
    DemonstrationStatus,
    Inspection,
    Rectification,
    RectificationStatus,
)
from wuyi.places.models import Area, Level
from wuyi.synth.campaign import build_campaign

TODAY = dt.date(2020, 3, 20)


def snapshot():
    return (
        sorted(Inspection.objects.values_list("compound__code", "inspected_on", "failed", "not_applicable",
                                              "fully_compliant")),
        sorted(Rectification.objects.values_list("compound__code", "measure__position", "status")),
        sorted(Demonstration.objects.values_list("compound__code", "status")),
        sorted(ActivityRecord.objects.values_list("community__code", "action", "held_on", "participants")),
    )


def test_every_compound_is_inspected_and_the_figures_hold_together(world, catalogue):
    got = build_campaign(today=TODAY)
    compounds = Area.objects.filter(level=Level.COMPOUND).count()
    assert Inspection.objects.filter(previous__isnull=True).values("compound").distinct().count() == compounds
    assert got["inspections"] == Inspection.objects.count() == compounds + got["reinspections"]
    assert got["rectifications"] == Rectification.objects.count()
    assert got["open_rectifications"] == Rectification.objects.filter(status=RectificationStatus.OPEN).count()
    for r in Rectification.objects.filter(status=RectificationStatus.DONE):
        assert r.closed_by.previous == r.inspection
    for i in Inspection.objects.all():
        assert i.passed + i.failed + i.not_applicable == catalogue.measures.count() == i.results.count()
    assert got["activity_records"] == ActivityRecord.objects.count() > 0
    for case in Demonstration.objects.filter(status=DemonstrationStatus.APPROVED):
        assert case.approvals.count() == 3 and case.approved_at is not None


def test_many_seeds_give_every_kind_of_row(world, catalogue):
    """On the two-compound world a seed decides much; across seeds every branch shows up."""
    seen = set()
    for seed in range(12):
        got = build_campaign(seed, today=TODAY)
        seen |= {k for k, v in got.items() if v}
        seen |= set(Demonstration.objects.values_list("status", flat=True))
    assert {"rectifications", "reinspections", "open_rectifications", "approved"} <= seen


def test_the_same_seed_gives_the_same_rows_and_replace_replaces(world, catalogue):
    build_campaign(7, today=TODAY)
    first = snapshot()
    build_campaign(7, today=TODAY)
    assert snapshot() == first
    build_campaign(8, today=TODAY)
    assert snapshot() != first


def _more_compounds(world, first: int, last: int) -> None:
    for side in range(2):
        for n in range(first, last):
            Area.objects.create(code=f"{world.communities[side].code}{n:03d}", name=f"新小区{n}", level=Level.COMPOUND,
                                parent=world.communities[side], kind="garden_estate")


def test_the_number_of_queries_does_not_grow_with_the_compounds(world, catalogue):
    _more_compounds(world, 2, 12)
    with CaptureQueriesContext(connection) as twenty_two:
        build_campaign(3, today=TODAY)
    _more_compounds(world, 12, 32)
    with CaptureQueriesContext(connection) as sixty_two:
        build_campaign(3, today=TODAY)
    assert Inspection.objects.filter(previous__isnull=True).count() == 62
    # forty more compounds write ~500 more rows; batches (SQLite caps a statement's parameters) add a few queries
    assert len(sixty_two) <= len(twenty_two) + 6
