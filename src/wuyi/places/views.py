"""Area pages: from the city down to a household, with counts at each level, and the options of the
address selects.

Counts come from `stats.counts_by_child` (a few aggregate queries per page, whatever the size of the
area); the members of a household come through `scope` and every view of them is audited. A user sees
only nodes inside their own area: any other code is a 404, so a page never tells what exists elsewhere.
"""

import re
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.accounts import audit
from wuyi.accounts.models import Role, User
from wuyi.accounts.scoping import area_prefix, can_see_area, scope
from wuyi.people.models import Membership
from wuyi.places.models import Area, Building, Checkpoint, Gate, Household, Level, ServiceCentre
from wuyi.places.stats import Counts, counts_by_child, residents_by_household

COLUMN_LABELS = {
    "communities": pgettext_lazy("count", "Communities"),
    "compounds": pgettext_lazy("count", "Compounds"),
    "garden_estates": pgettext_lazy("count", "Garden estates"),
    "urban_villages": pgettext_lazy("count", "Urban villages"),
    "other_compounds": pgettext_lazy("count", "Other compounds"),
    "buildings": pgettext_lazy("count", "Buildings"),
    "households": pgettext_lazy("count", "Households"),
    "residents": pgettext_lazy("count", "Residents"),
}
ALL_COLUMNS = tuple(COLUMN_LABELS)
COMPOUND_COLUMNS = ALL_COLUMNS[1:]  # a community and below count no communities

# The count columns of each page's children table and summary, by the level of the page.
CHILD_COLUMNS = {
    Level.CITY: ALL_COLUMNS,
    Level.DISTRICT: ALL_COLUMNS,
    Level.STREET: COMPOUND_COLUMNS,
    Level.COMMUNITY: ("buildings", "households", "residents"),
}
SUMMARY_COLUMNS = {
    Level.CITY: ALL_COLUMNS,
    Level.DISTRICT: ALL_COLUMNS,
    Level.STREET: ALL_COLUMNS,
    Level.COMMUNITY: COMPOUND_COLUMNS,
    Level.COMPOUND: ("buildings", "households", "residents"),
}
CHILD_TITLE = {
    Level.CITY: _("Districts"),
    Level.DISTRICT: _("Streets"),
    Level.STREET: _("Communities"),
    Level.COMMUNITY: _("Compounds"),
}

# Codes whose children the address selects ask for: district or city (6), street, community,
# compound and building codes (DESIGN.md §4).
PARENT_CODE = re.compile(r"\d{6}(\d{3}){0,4}")


def number(n: int) -> str:
    """Thousands separators in every language (Chinese formats would group by ten thousand, or not at all)."""
    return f"{n:,}"


def area_viewer(view):
    """Roles held on an area or a gate may use the page; residents and volunteers may not."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if area_prefix(request.user) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _require_visible(user: User, code: str) -> None:
    if not can_see_area(user, code):
        raise Http404


def node_url(code: str, level: str) -> str:
    if level == Level.CITY:
        return reverse("places:city")
    if level == Level.COMPOUND:
        return reverse("places:compound", args=[code])
    if level == "building":
        return reverse("places:building", args=[code])
    return reverse("places:area", args=[code])


def crumbs(user: User, nodes: list[tuple[str, str, str]]) -> list[dict]:
    """Breadcrumbs from the city down, (code, level, name) each; a link only where the user may go."""
    return [
        {"name": name, "url": node_url(code, level) if can_see_area(user, code) else None}
        for code, level, name in nodes
    ]


def _area_chain(area: Area) -> list[tuple[str, str, str]]:
    return [(a.code, a.level, a.name) for a in area.ancestors()] + [(area.code, area.level, area.name)]


def _summary(total: Counts, keys: tuple[str, ...]) -> list[dict]:
    values = total.as_dict()
    return [{"key": k, "label": COLUMN_LABELS[k], "value": number(values[k])} for k in keys]


def _cells(counts: Counts, keys: tuple[str, ...]) -> list[dict]:
    values = counts.as_dict()
    return [{"key": k, "value": number(values[k])} for k in keys]


def _area_page(request: HttpRequest, area: Area) -> HttpResponse:
    counts = counts_by_child(area)
    keys = CHILD_COLUMNS[area.level]
    rows = [
        {
            "code": child.code, "name": child.name, "url": node_url(child.code, child.level),
            "kind": child.get_kind_display() if child.kind else "",
            "cells": _cells(counts.get(child.code, Counts()), keys),
        }
        for child in Area.objects.filter(parent=area).order_by("code")
    ]
    checkpoints = list(Checkpoint.objects.filter(street=area)) if area.level == Level.STREET else []
    return render(request, "places/area.html", {
        "area": area,
        "crumbs": crumbs(request.user, _area_chain(area)[:-1]),
        "summary": _summary(counts[""], SUMMARY_COLUMNS[area.level]),
        "child_title": CHILD_TITLE[area.level],
        "columns": [COLUMN_LABELS[k] for k in keys],
        "show_kind": area.level == Level.COMMUNITY,
        "rows": rows,
        "service_centres": list(ServiceCentre.objects.filter(area=area)),
        "checkpoints": checkpoints,
    })


def _own_node(user: User) -> str:
    if user.role == Role.GATE_GUARD:
        return reverse("places:compound", args=[user.gate.compound.code])
    return node_url(user.area.code, user.area.level)


@area_viewer
def city(request: HttpRequest) -> HttpResponse:
    """The whole city for those who hold it; anyone else goes to their own area."""
    user = request.user
    if user.role == Role.GATE_GUARD or user.area.level != Level.CITY:
        return redirect(_own_node(user))
    return _area_page(request, user.area)


@area_viewer
def area(request: HttpRequest, code: str) -> HttpResponse:
    """A district, street or community: its children with their counts."""
    _require_visible(request.user, code)
    node = get_object_or_404(Area, code=code)
    if node.level in (Level.CITY, Level.COMPOUND):
        return redirect(node_url(node.code, node.level))
    return _area_page(request, node)


@area_viewer
def compound(request: HttpRequest, code: str) -> HttpResponse:
    """A compound: its buildings with household and resident counts, and its gates."""
    _require_visible(request.user, code)
    node = get_object_or_404(Area, code=code, level=Level.COMPOUND)
    counts = counts_by_child(node)
    keys = ("households", "residents")
    rows = [
        {"code": b.code, "name": b.name, "url": node_url(b.code, "building"),
         "cells": _cells(counts.get(b.code, Counts()), keys)}
        for b in Building.objects.filter(compound=node).order_by("code")
    ]
    return render(request, "places/compound.html", {
        "area": node,
        "crumbs": crumbs(request.user, _area_chain(node)[:-1]),
        "summary": _summary(counts[""], SUMMARY_COLUMNS[Level.COMPOUND]),
        "columns": [COLUMN_LABELS[k] for k in keys],
        "rows": rows,
        "gates": list(Gate.objects.filter(compound=node)),
    })


@area_viewer
def building(request: HttpRequest, code: str) -> HttpResponse:
    """A building: its households with their resident counts."""
    _require_visible(request.user, code)
    node = get_object_or_404(Building.objects.select_related("compound"), code=code)
    residents = residents_by_household(node)
    households = list(Household.objects.filter(building=node).order_by("code").values_list("code", "room"))
    rows = [
        {"code": c, "room": room, "url": reverse("places:household", args=[c]),
         "residents": number(residents.get(c, 0))}
        for c, room in households
    ]
    summary = [
        {"key": "households", "label": COLUMN_LABELS["households"], "value": number(len(households))},
        {"key": "residents", "label": COLUMN_LABELS["residents"], "value": number(sum(residents.values()))},
    ]
    return render(request, "places/building.html", {
        "building": node,
        "crumbs": crumbs(request.user, _area_chain(node.compound)),
        "summary": summary,
        "rows": rows,
    })


@area_viewer
def household(request: HttpRequest, code: str) -> HttpResponse:
    """A household and the people living in it. Showing them is written to the audit log."""
    user = request.user
    _require_visible(user, code)
    node = get_object_or_404(Household.objects.select_related("building__compound"), code=code)
    members = list(
        scope(user, Membership.objects.filter(household=node, moved_out__isnull=True))
        .select_related("person").order_by("moved_in", "pk")
    )
    if members:
        audit.record_many(user, [m.person_id for m in members], "view", f"household {node.code}",
                          audit.client_ip(request))
    b = node.building
    chain = _area_chain(b.compound) + [(b.code, "building", b.name)]
    return render(request, "places/household.html", {
        "household": node, "crumbs": crumbs(user, chain), "members": members,
    })


def options(request: HttpRequest) -> HttpResponse:
    """`<option>`s for the children of `?parent=CODE`, for the cascading address selects. Public: no people."""
    parent = request.GET.get("parent", "").strip()
    choices: list[tuple[str, str]] = []
    if PARENT_CODE.fullmatch(parent):
        if len(parent) <= 12:
            choices = list(Area.objects.filter(parent__code=parent).order_by("code").values_list("code", "name"))
        elif len(parent) == 15:
            choices = list(
                Building.objects.filter(compound__code=parent).order_by("code").values_list("code", "name")
            )
        else:
            choices = list(
                Household.objects.filter(building__code=parent).order_by("code").values_list("code", "room")
            )
    return render(request, "places/options.html", {"choices": choices})
