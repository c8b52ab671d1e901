"""The small venues' synthetic registry on the world: every venue a small one of its kind, statuses consistent with
applications and inspections, notices on suspensions, deterministic, replaced on a second run."""

import datetime as dt

from wuyi.synth.venues import build_venues
from wuyi.venues import rules
from wuyi.venues.models import ReopeningApplication, Venue, VenueInspection, VenueStatus

TODAY = dt.date(2020, 3, 1)


def snapshot():
    return sorted(Venue.objects.values_list("community__code", "name", "trade", "floor_area_m2", "status"))


def test_build_venues_on_the_world(world):
    counts = build_venues(seed=7, today=TODAY)
    venues = list(Venue.objects.all())
    assert counts["venues"] == len(venues) >= 2 * 6
    assert sum(counts[s] for s in VenueStatus.values) == len(venues)
    for v in venues:
        assert rules.small_venue(v.kind, v.floor_area_m2, v.storeys, v.height_m, trade=v.trade).is_small
        applications = list(v.applications.all())
        if v.status == VenueStatus.CLOSED:
            assert applications == []
        else:
            (a,) = applications
            assert a.at == a.pledge_signed_at and a.pledge_signed_at.date() < TODAY
            inspection = VenueInspection.objects.filter(application=a).first()
            if v.status == VenueStatus.APPLIED:
                assert inspection is None
            elif v.status == VenueStatus.SUSPENDED:
                assert inspection.notice_number.startswith(f"ZT{v.community.code}-")
                assert not rules.checklist(v.trade, **{c: getattr(inspection, c) for c in rules.CHECKLIST}).met
            else:
                assert inspection.notice_number == "" and inspection.inspected_on <= TODAY
    first = snapshot()
    again = build_venues(seed=7, today=TODAY)
    assert snapshot() == first and again == counts
    assert ReopeningApplication.objects.count() == counts["applications"]
    assert build_venues(seed=8, today=TODAY) != counts or snapshot() != first
