"""The area tree: city → district → street → community → compound → building → household.

Codes follow GB/T 2260 (city 440300, district 6 digits, street +3, community +3, compound +3,
building +3) and a household adds a 4-digit room index, so every code starts with its parent's
code (the city is the exception: its children share only "4403"). Scoping and counting therefore
work on code ranges, which both SQLite and PostgreSQL answer from the unique index.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CODE_END = "~"  # sorts after every digit: [prefix, prefix + CODE_END) is "starts with prefix"


def code_range(field: str, prefix: str) -> models.Q:
    """A filter meaning `field` starts with `prefix`, written as a range so indexes serve it."""
    return models.Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + CODE_END})


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    COMPOUND = "compound", _("Compound")


CODE_LENGTH = {Level.CITY: 6, Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12, Level.COMPOUND: 15}
BUILDING_CODE_LENGTH = 18
HOUSEHOLD_CODE_LENGTH = 22
CHILD_LEVEL = {
    Level.CITY: Level.DISTRICT,
    Level.DISTRICT: Level.STREET,
    Level.STREET: Level.COMMUNITY,
    Level.COMMUNITY: Level.COMPOUND,
}


class CompoundKind(models.TextChoices):
    GARDEN_ESTATE = "garden_estate", _("Garden estate")
    URBAN_VILLAGE = "urban_village", _("Urban village")
    OTHER = "other", _("Other")


class Area(models.Model):
    """A node of the tree down to the compound. Buildings and households have their own tables."""

    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(_("compound kind"), max_length=16, choices=CompoundKind.choices, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                name="area_kind_only_on_compounds",
                condition=(models.Q(level="compound") & ~models.Q(kind=""))
                | (~models.Q(level="compound") & models.Q(kind="")),
            )
        ]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """What every code beneath this node starts with."""
        return self.code[:4] if self.level == Level.CITY else self.code

    def contains_code(self, code: str) -> bool:
        return code.startswith(self.prefix)

    def ancestors(self) -> list["Area"]:
        """From the city down to this node's parent, in one query."""
        if self.level == Level.CITY:
            return []
        codes = [self.code[:n] for n in (6, 9, 12) if n < len(self.code)]
        found = {a.code: a for a in Area.objects.filter(models.Q(code__in=codes) | models.Q(level=Level.CITY))}
        city = next((a for a in found.values() if a.level == Level.CITY), None)
        chain = [found[c] for c in codes if c in found]
        return ([city] if city else []) + chain


class Building(models.Model):
    code = models.CharField(_("code"), max_length=BUILDING_CODE_LENGTH, unique=True)
    compound = models.ForeignKey(
        Area, verbose_name=_("compound"), on_delete=models.PROTECT, related_name="buildings",
        limit_choices_to={"level": Level.COMPOUND},
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    code = models.CharField(_("code"), max_length=HOUSEHOLD_CODE_LENGTH, unique=True)
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="households"
    )
    room = models.CharField(_("room"), max_length=20)

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.room

    @property
    def compound_code(self) -> str:
        return self.code[: CODE_LENGTH[Level.COMPOUND]]


class GateDirection(models.TextChoices):
    ENTRY = "entry", _("Entry")
    EXIT = "exit", _("Exit")
    BOTH = "both", _("Entry and exit")


class Gate(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    compound = models.ForeignKey(
        Area, verbose_name=_("compound"), on_delete=models.PROTECT, related_name="gates",
        limit_choices_to={"level": Level.COMPOUND},
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    direction = models.CharField(_("direction"), max_length=5, choices=GateDirection.choices, default=GateDirection.BOTH)

    class Meta:
        ordering = ["code"]
        verbose_name = _("gate")
        verbose_name_plural = _("gates")

    def __str__(self) -> str:
        return self.name


class Checkpoint(models.Model):
    """A traffic checkpoint (交通卡口) on a street."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    street = models.ForeignKey(
        Area, verbose_name=_("street"), on_delete=models.PROTECT, related_name="checkpoints",
        limit_choices_to={"level": Level.STREET},
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("traffic checkpoint")
        verbose_name_plural = _("traffic checkpoints")

    def __str__(self) -> str:
        return self.name


class ServiceCentre(models.Model):
    """A Party-mass service centre (党群服务中心) at the level of the area it serves."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="service_centres")
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        return self.area.level
