"""Figures of the people on the ground for an area, in a few set-based queries (no loop over rows).

``figures(prefix)`` counts beneath one code prefix; ``figures_by_child(area)`` the same for each direct child of an
area, grouped by the leading part of the code (a SUBSTR in SQL, one GROUP BY per family of figures).

Keys: ``workers`` and ``workers_<kind>`` (active workers by WorkerKind), ``groups`` and ``groups_<kind>`` (groups
not dissolved by today, by GroupKind), ``party_organisations`` (not dissolved), ``party_members``,
``shifts_today`` (counted in the area the worker is deployed to) and ``anti_epidemic_centres``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from wuyi.places.models import CHILD_LEVEL, CODE_LENGTH, Area, code_range
from wuyi.workforce.models import (
    CentreActivation,
    GroupKind,
    PartyMember,
    PartyOrganisation,
    Shift,
    Worker,
    WorkerKind,
    WorkGroup,
)


def empty() -> dict[str, int]:
    keys = ["workers", *(f"workers_{k}" for k in WorkerKind.values), "groups",
            *(f"groups_{k}" for k in GroupKind.values), "party_organisations", "party_members", "shifts_today",
            "anti_epidemic_centres"]
    return dict.fromkeys(keys, 0)


def _standing(on: dt.date) -> Q:
    return Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)


def _families(on: dt.date) -> list[tuple[QuerySet, str, str | None, str]]:
    """(rows, the field holding the area code, the field split into kinds or None, the figure's key)."""
    return [
        (Worker.objects.filter(active=True), "area__code", "kind", "workers"),
        (WorkGroup.objects.filter(_standing(on)), "area__code", "kind", "groups"),
        (PartyOrganisation.objects.filter(_standing(on)), "area__code", None, "party_organisations"),
        (PartyMember.objects.filter(Q(organisation__dissolved_on__isnull=True)
                                    | Q(organisation__dissolved_on__gt=on)),
         "organisation__area__code", None, "party_members"),
        (Shift.objects.filter(on=on), "worker__area__code", None, "shifts_today"),
        (CentreActivation.objects.filter(anti_epidemic_since__lte=on), "service_centre__area__code", None,
         "anti_epidemic_centres"),
    ]


def _add(out: dict[str, int], key: str, kind: str | None, n: int) -> None:
    out[key] += n
    if kind is not None:
        out[f"{key}_{kind}"] = out.get(f"{key}_{kind}", 0) + n


def figures(prefix: str, *, today: dt.date | None = None) -> dict[str, int]:
    """The figures beneath the code prefix (an area's ``prefix``): one COUNT … GROUP BY kind per family."""
    on = today or timezone.localdate()
    out = empty()
    for rows, field, kind, key in _families(on):
        rows = rows.filter(code_range(field, prefix))
        if kind is None:
            _add(out, key, None, rows.count())
        else:
            for value, n in rows.order_by().values(kind).annotate(n=Count("pk")).values_list(kind, "n"):
                _add(out, key, value, n)
    return out


def child_code_length(area: Area) -> int | None:
    child = CHILD_LEVEL.get(area.level)
    return CODE_LENGTH[child] if child else None


def figures_by_child(area: Area, *, today: dt.date | None = None) -> dict[str, dict[str, int]]:
    """Child area code → its figures, for every direct child of `area` (zeros for a child with nothing).
    Rows on the area's own node (a street's guidance group) belong to no child and are not counted here."""
    length = child_code_length(area)
    if length is None:
        return {}
    on = today or timezone.localdate()
    children = list(Area.objects.filter(parent=area).order_by("code").values_list("code", flat=True))
    out = {code: empty() for code in children}
    for rows, field, kind, key in _families(on):
        grouped = (rows.filter(code_range(field, area.prefix)).order_by()
                   .annotate(child=Substr(field, 1, length)).values("child"))
        if kind is None:
            for child, n in grouped.annotate(n=Count("pk")).values_list("child", "n"):
                if child in out:
                    _add(out[child], key, None, n)
        else:
            for child, value, n in grouped.values("child", kind).annotate(n=Count("pk")).values_list(
                    "child", kind, "n"):
                if child in out:
                    _add(out[child], key, value, n)
    return out
