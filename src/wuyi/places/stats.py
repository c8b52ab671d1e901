"""Counts beneath a node of the area tree, by child, from a handful of aggregate queries.

Each count groups rows by the first N characters of their code, N being the length of the child
level's codes, so one query per table answers for all children at once.
"""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from wuyi.people.models import Membership
from wuyi.places.models import (
    BUILDING_CODE_LENGTH,
    CODE_LENGTH,
    HOUSEHOLD_CODE_LENGTH,
    Area,
    Building,
    CompoundKind,
    Household,
    Level,
    code_range,
)


@dataclass
class Counts:
    communities: int = 0
    compounds: dict[str, int] = field(default_factory=lambda: {k: 0 for k in CompoundKind.values})
    buildings: int = 0
    households: int = 0
    residents: int = 0

    @property
    def compounds_total(self) -> int:
        return sum(self.compounds.values())

    def as_dict(self) -> dict:
        return {
            "communities": self.communities,
            "compounds": self.compounds_total,
            "garden_estates": self.compounds[CompoundKind.GARDEN_ESTATE],
            "urban_villages": self.compounds[CompoundKind.URBAN_VILLAGE],
            "other_compounds": self.compounds[CompoundKind.OTHER],
            "buildings": self.buildings,
            "households": self.households,
            "residents": self.residents,
        }


def child_code_length(area: Area) -> int:
    """Length of the codes one level down: districts under the city, ..., buildings under a compound."""
    return {
        Level.CITY: CODE_LENGTH[Level.DISTRICT],
        Level.DISTRICT: CODE_LENGTH[Level.STREET],
        Level.STREET: CODE_LENGTH[Level.COMMUNITY],
        Level.COMMUNITY: CODE_LENGTH[Level.COMPOUND],
        Level.COMPOUND: BUILDING_CODE_LENGTH,
    }[area.level]


def _grouped(qs: QuerySet, code_field: str, length: int, *extra: str) -> QuerySet:
    return qs.annotate(child=Substr(code_field, 1, length)).values("child", *extra).annotate(n=Count("pk")).order_by()


def counts_by_child(area: Area, length: int | None = None) -> dict[str, Counts]:
    """Counts for each child code of `area` (or groups of `length` characters), plus "" for the total."""
    length = length or child_code_length(area)
    prefix = area.prefix
    out: dict[str, Counts] = {}

    def at(code: str) -> Counts:
        return out.setdefault(code, Counts())

    areas = Area.objects.filter(code_range("code", prefix), level__in=[Level.COMMUNITY, Level.COMPOUND])
    for row in _grouped(areas, "code", length, "level", "kind"):
        if row["level"] == Level.COMMUNITY:
            at(row["child"]).communities += row["n"]
        else:
            at(row["child"]).compounds[row["kind"]] += row["n"]
    for row in _grouped(Building.objects.filter(code_range("code", prefix)), "code", length):
        at(row["child"]).buildings += row["n"]
    for row in _grouped(Household.objects.filter(code_range("code", prefix)), "code", length):
        at(row["child"]).households += row["n"]
    residents = Membership.objects.filter(code_range("household__code", prefix), moved_out__isnull=True)
    for row in _grouped(residents, "household__code", length):
        at(row["child"]).residents += row["n"]
    total = Counts()
    for c in out.values():
        total.communities += c.communities
        for k, n in c.compounds.items():
            total.compounds[k] += n
        total.buildings += c.buildings
        total.households += c.households
        total.residents += c.residents
    out[""] = total
    return out


def residents_by_household(building: Building) -> dict[str, int]:
    rows = _grouped(
        Membership.objects.filter(code_range("household__code", building.code), moved_out__isnull=True),
        "household__code", HOUSEHOLD_CODE_LENGTH,
    )
    return {r["child"]: r["n"] for r in rows}
