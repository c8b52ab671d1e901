"""Figures of small venues for the dashboard: counts by kind and by status beneath an area, and the same by child
area from one grouped query (GROUP BY the first characters of the community's code). No personal data."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import Substr

from wuyi.places.models import Area, code_range
from wuyi.places.stats import child_code_length
from wuyi.venues.models import Venue, VenueKind, VenueStatus


def empty() -> dict[str, int]:
    """Every key, at zero: ``venues``, one per kind (``small_shop``…) and one per status (``open``…)."""
    return {"venues": 0, **{k: 0 for k in VenueKind.values}, **{s: 0 for s in VenueStatus.values}}


def _add(figures: dict[str, int], kind: str, status: str, n: int) -> None:
    figures["venues"] += n
    figures[kind] += n
    figures[status] += n


def figures(prefix: str) -> dict[str, int]:
    """Venues of the communities whose code starts with ``prefix``: in all, by kind and by status."""
    out = empty()
    rows = (Venue.objects.filter(code_range("community__code", prefix)).values("kind", "status").order_by()
            .annotate(n=Count("pk")).values_list("kind", "status", "n"))
    for kind, status, n in rows:
        _add(out, kind, status, n)
    return out


def figures_by_child(area: Area) -> dict[str, dict[str, int]]:
    """``figures`` for each child of ``area`` that has venues (child code → figures), from one query; beneath a
    community, the community itself."""
    length = child_code_length(area)
    rows = (Venue.objects.filter(code_range("community__code", area.prefix))
            .annotate(child=Substr("community__code", 1, length)).values("child", "kind", "status").order_by()
            .annotate(n=Count("pk")).values_list("child", "kind", "status", "n"))
    out: dict[str, dict[str, int]] = {}
    for child, kind, status, n in rows:
        _add(out.setdefault(child, empty()), kind, status, n)
    return out
