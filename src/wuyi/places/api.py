"""Places API, mounted at /api/places/: the area tree with its counts, gates, checkpoints, service centres.

Area data is for roles held on an area or a gate (a resident or a volunteer gets 403) and only inside
that area: a code elsewhere is a 404, so the API never says what exists outside. Every node is looked
up through `scope`. The one public route is `options`, the address picker of the self-declaration:
names and codes of one node's children, no counts of people.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router

from wuyi.accounts.models import User
from wuyi.accounts.scoping import area_prefix, scope
from wuyi.errors import Forbidden, NotFound
from wuyi.places.models import Area, Building, Checkpoint, Gate, Household, Level, ServiceCentre, code_range
from wuyi.places.schemas import (
    AREA_CODE,
    BUILDING_CODE,
    COMPOUND_CODE,
    PARENT_CODE,
    AreaDetail,
    BuildingPage,
    CheckpointPage,
    ChildPage,
    Error,
    GatePage,
    HouseholdPage,
    OptionPage,
    Paging,
    ServiceCentrePage,
    page,
)
from wuyi.places.stats import Counts, counts_by_child, residents_by_household

router = Router(tags=["places"])

DENIED = {401: Error, 403: Error, 404: Error}


def area_user(request: HttpRequest) -> User:
    """The caller, if their role holds an area or a gate; Forbidden for residents and volunteers."""
    user = request.user
    if area_prefix(user) is None:
        raise Forbidden("area data is for roles held on an area or a gate")
    return user


def visible_area(user: User, code: str, *levels: str) -> Area:
    """The node with this code inside the user's area (of one of `levels`, when given), else NotFound."""
    found = scope(user, Area.objects.filter(code=code))
    if levels:
        found = found.filter(level__in=levels)
    node = found.first()
    if node is None:
        raise NotFound("area", "code")
    return node


def area_out(area: Area) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level, "kind": area.kind}


def children_with_counts(user: User, node: Area) -> tuple[Counts, list[dict]]:
    """The node's total counts and its children (buildings under a compound), each with its counts."""
    counts = counts_by_child(node)
    if node.level == Level.COMPOUND:
        rows = [
            {"code": code, "name": name, "level": "building", "kind": ""}
            for code, name in scope(user, Building.objects.filter(compound=node)).values_list("code", "name")
        ]
    else:
        rows = [area_out(a) for a in scope(user, Area.objects.filter(parent=node))]
    for row in rows:
        row["counts"] = counts.get(row["code"], Counts()).as_dict()
    return counts[""], rows


@router.get("/areas/{code}", response={200: AreaDetail, **DENIED}, summary="A node of the area tree")
def area_detail(request: HttpRequest, code: str = Path(..., pattern=AREA_CODE, examples=["440304"])):
    """The node, its ancestors from the city down, its counts, and its children with their counts."""
    user = area_user(request)
    node = visible_area(user, code)
    total, children = children_with_counts(user, node)
    return {
        "node": area_out(node),
        "ancestors": [area_out(a) for a in node.ancestors()],
        "counts": total.as_dict(),
        "children": children,
    }


@router.get("/areas/{code}/children", response={200: ChildPage, **DENIED}, summary="The children of a node")
def area_children(
    request: HttpRequest,
    code: str = Path(..., pattern=AREA_CODE, examples=["440304"]),
    paging: Query[Paging] = None,
):
    user = area_user(request)
    _total, children = children_with_counts(user, visible_area(user, code))
    count, items = page(children, paging)
    return {"count": count, "items": items}


@router.get(
    "/compounds/{compound_code}/buildings",
    response={200: BuildingPage, **DENIED},
    summary="The buildings of a compound",
)
def compound_buildings(
    request: HttpRequest,
    compound_code: str = Path(..., pattern=COMPOUND_CODE, examples=["440304001001001"]),
    paging: Query[Paging] = None,
):
    """Each building with its households and residents."""
    user = area_user(request)
    compound = visible_area(user, compound_code, Level.COMPOUND)
    counts = counts_by_child(compound)
    count, buildings = page(scope(user, Building.objects.filter(compound=compound)), paging)
    items = [
        {
            "code": b.code,
            "name": b.name,
            "households": counts.get(b.code, Counts()).households,
            "residents": counts.get(b.code, Counts()).residents,
        }
        for b in buildings
    ]
    return {"count": count, "items": items}


@router.get(
    "/buildings/{building_code}/households",
    response={200: HouseholdPage, **DENIED},
    summary="The households of a building",
)
def building_households(
    request: HttpRequest,
    building_code: str = Path(..., pattern=BUILDING_CODE, examples=["440304001001001001"]),
    paging: Query[Paging] = None,
):
    """Each household with the number of people living in it (who they are is the people API's)."""
    user = area_user(request)
    building = scope(user, Building.objects.filter(code=building_code)).first()
    if building is None:
        raise NotFound("building", "building_code")
    residents = residents_by_household(building)
    count, households = page(scope(user, Household.objects.filter(building=building)), paging)
    items = [{"code": h.code, "room": h.room, "residents": residents.get(h.code, 0)} for h in households]
    return {"count": count, "items": items}


@router.get(
    "/compounds/{compound_code}/gates", response={200: GatePage, **DENIED}, summary="The gates of a compound"
)
def compound_gates(
    request: HttpRequest,
    compound_code: str = Path(..., pattern=COMPOUND_CODE, examples=["440304001001001"]),
    paging: Query[Paging] = None,
):
    user = area_user(request)
    compound = visible_area(user, compound_code, Level.COMPOUND)
    count, gates = page(Gate.objects.filter(compound=compound), paging)
    return {
        "count": count,
        "items": [{"code": g.code, "name": g.name, "direction": g.direction} for g in gates],
    }


def _within(user: User, area: str | None) -> QuerySet:
    """Nodes of the user's area, narrowed to the subtree of `area` when given (a 404 if not theirs)."""
    nodes = scope(user, Area.objects.all())
    if area:
        nodes = nodes.filter(code_range("code", visible_area(user, area).prefix))
    return nodes


@router.get("/checkpoints", response={200: CheckpointPage, **DENIED}, summary="Traffic checkpoints")
def checkpoints(
    request: HttpRequest,
    area: str | None = Query(None, pattern=AREA_CODE, examples=["440304001"]),
    paging: Query[Paging] = None,
):
    """The traffic checkpoints (交通卡口) on the streets of the user's area, or of `area` within it."""
    user = area_user(request)
    found = Checkpoint.objects.filter(street__in=_within(user, area)).select_related("street")
    count, rows = page(found.order_by("code"), paging)
    return {
        "count": count,
        "items": [{"code": c.code, "name": c.name, "street": area_out(c.street)} for c in rows],
    }


@router.get(
    "/service-centres", response={200: ServiceCentrePage, **DENIED}, summary="Party-mass service centres"
)
def service_centres(
    request: HttpRequest,
    area: str | None = Query(None, pattern=AREA_CODE, examples=["440304001"]),
    paging: Query[Paging] = None,
):
    """The service centres (党群服务中心) of the user's area, or of `area`'s subtree within it."""
    user = area_user(request)
    found = ServiceCentre.objects.filter(area__in=_within(user, area)).select_related("area")
    count, rows = page(found.order_by("code"), paging)
    return {
        "count": count,
        "items": [
            {"code": s.code, "name": s.name, "address": s.address, "area": area_out(s.area)} for s in rows
        ],
    }


@router.get("/options", auth=None, response={200: OptionPage}, summary="Address picker options (public)")
def options(
    request: HttpRequest,
    parent: str = Query(..., pattern=PARENT_CODE, examples=["440300"]),
    paging: Query[Paging] = None,
):
    """Names and codes of the children of `parent` (city, district, ..., building → rooms), for the address
    picker of the self-declaration. Public: it shows places, never people or their numbers."""
    if len(parent) <= 12:
        rows = Area.objects.filter(parent__code=parent).order_by("code").values_list("code", "name")
    elif len(parent) == 15:
        rows = Building.objects.filter(compound__code=parent).order_by("code").values_list("code", "name")
    else:
        rows = Household.objects.filter(building__code=parent).order_by("code").values_list("code", "room")
    count, items = page(rows, paging)
    return {"count": count, "items": [{"code": code, "name": name} for code, name in items]}
