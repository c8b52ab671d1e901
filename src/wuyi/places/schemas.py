"""Schemas of the places API, and the pieces every router shares: the error body, paging, safe text.

The shared pieces live here because places is the bottom of the import chain (places ← people ←
accounts), so every app's API can import them.
"""

from typing import Annotated

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import AfterValidator

from wuyi.text import printable

# Paging of every list: `limit` rows from `offset`. The bounds keep LIMIT/OFFSET inside a 32-bit integer,
# which every database accepts.
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
MAX_ID = 2**63 - 1  # a BigAutoField

# Codes of the area tree (DESIGN.md §4): district or city 6 digits, then +3 per level down to a building,
# a household +4.
AREA_CODE = r"^\d{6}(\d{3}){0,3}$"
COMPOUND_CODE = r"^\d{15}$"
BUILDING_CODE = r"^\d{18}$"
PARENT_CODE = r"^\d{6}(\d{3}){0,4}$"  # any node with children in the address picker: city to building


def _printable(value: str) -> str:
    """Refuse what :func:`wuyi.text.printable` refuses; a tab may stay."""
    if not printable(value, tab=True):
        raise ValueError("control characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_printable)]


class Error(Schema):
    code: str
    message: str
    field: str | None = None


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def page(queryset: QuerySet | list, paging: Paging) -> tuple[int, list]:
    """(count, the rows of the page) of a queryset or a list."""
    count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    return count, list(queryset[paging.offset : paging.offset + paging.limit])


class Counts(Schema):
    communities: int
    compounds: int
    garden_estates: int
    urban_villages: int
    other_compounds: int
    buildings: int
    households: int
    residents: int


class AreaOut(Schema):
    code: str
    name: str
    level: str
    kind: str = Field("", description="garden_estate, urban_village or other for a compound; empty above")


class Child(AreaOut):
    """A child of a node: an area, or a building under a compound (level "building")."""

    counts: Counts


class AreaDetail(Schema):
    node: AreaOut
    ancestors: list[AreaOut]
    counts: Counts
    children: list[Child]


class ChildPage(Schema):
    count: int
    items: list[Child]


class BuildingOut(Schema):
    code: str
    name: str
    households: int
    residents: int


class BuildingPage(Schema):
    count: int
    items: list[BuildingOut]


class HouseholdOut(Schema):
    code: str
    room: str
    residents: int


class HouseholdPage(Schema):
    count: int
    items: list[HouseholdOut]


class GateOut(Schema):
    code: str
    name: str
    direction: str


class GatePage(Schema):
    count: int
    items: list[GateOut]


class CheckpointOut(Schema):
    code: str
    name: str
    street: AreaOut


class CheckpointPage(Schema):
    count: int
    items: list[CheckpointOut]


class ServiceCentreOut(Schema):
    code: str
    name: str
    address: str
    area: AreaOut


class ServiceCentrePage(Schema):
    count: int
    items: list[ServiceCentreOut]


class Option(Schema):
    code: str
    name: str


class OptionPage(Schema):
    count: int
    items: list[Option]
