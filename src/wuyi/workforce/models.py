"""People on the ground: cadres and workers sent down to communities, their groups, temporary Party organisations,
shifts at compounds, gates, traffic checkpoints and service centres, and the service centres' supplies.

Shenzhen, 2020 (POLICY.md §1d): 701 aid work groups and about 37,000 cadres sent down to communities; more than
80,000 cadres, volunteers and social workers gathered at Party-mass service centres; 1,737 temporary Party
organisations on the front line; in each community a three-person team of a cadre, a medical worker and a police
officer.

A supply's stock never goes below zero: it is moved only by a conditional UPDATE (``services.move_stock``) under
the CHECK ``quantity >= 0``. Nobody is booked twice in one period: a UNIQUE (worker, day, period).
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.fields import acting_user
from wuyi.people.models import Person
from wuyi.places.models import Area, Checkpoint, Gate, Level, ServiceCentre


class GroupKind(models.TextChoices):
    GUIDANCE = "guidance", _("Guidance service group")
    AID = "aid", _("Aid work group")
    THREE_PERSON = "three_person", _("Three-person team")
    OTHER = "other", _("Other group")


class WorkGroup(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=GroupKind.choices)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="work_groups")
    set_up_on = models.DateField(_("set up on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        ordering = ["area__code", "kind", "name"]
        verbose_name = _("work group")
        verbose_name_plural = _("work groups")
        indexes = [models.Index(fields=["kind", "area"])]

    def __str__(self) -> str:
        return self.name


class WorkerKind(models.TextChoices):
    CADRE = "cadre", pgettext_lazy("worker kind", "Cadre")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PROPERTY_STAFF = "property_staff", _("Property staff")
    VOLUNTEER = "volunteer", _("Volunteer")
    MEDICAL = "medical", _("Medical worker")
    POLICE = "police", _("Police officer")
    OTHER = "other", _("Other")


class Worker(models.Model):
    """Someone working on the ground, deployed to an area (usually a community)."""

    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=WorkerKind.choices)
    unit = models.CharField(_("sending unit"), max_length=100, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("deployed to"), on_delete=models.PROTECT, related_name="workers")
    group = models.ForeignKey(WorkGroup, verbose_name=pgettext_lazy("work group", "group"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="members")
    person = models.ForeignKey(Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="work_records")
    party_member = models.BooleanField(_("Party member"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        indexes = [
            models.Index(fields=["area", "kind"]),
            # the dashboard counts the active workers of every area by kind from this index alone
            models.Index(fields=["area", "kind"], condition=models.Q(active=True), name="worker_active_area_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class Front(models.TextChoices):
    COMPOUND = "compound", _("Compound")
    URBAN_VILLAGE = "urban_village", _("Urban village")
    CHECKPOINT = "checkpoint", _("Traffic checkpoint")
    SERVICE_CENTRE = "service_centre", _("Service centre")
    OTHER = "other", _("Other")


class PartyOrganisation(models.Model):
    """A temporary Party organisation (临时党组织) set up on a front of the campaign."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="party_organisations")
    front = models.CharField(_("front"), max_length=16, choices=Front.choices)
    set_up_on = models.DateField(_("set up on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        ordering = ["area__code", "name"]
        verbose_name = _("temporary Party organisation")
        verbose_name_plural = _("temporary Party organisations")

    def __str__(self) -> str:
        return self.name


class PartyRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY = "deputy", _("Deputy secretary")
    MEMBER = "member", pgettext_lazy("party", "Member")


class PartyMember(models.Model):
    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="members")
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.CASCADE,
                               related_name="party_memberships")
    role = models.CharField(pgettext_lazy("party", "role"), max_length=10, choices=PartyRole.choices, default=PartyRole.MEMBER)

    class Meta:
        ordering = ["organisation", "role", "pk"]
        verbose_name = _("Party organisation member")
        verbose_name_plural = _("Party organisation members")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "worker"], name="party_member_once"),
            models.UniqueConstraint(fields=["organisation"], condition=models.Q(role="secretary"),
                                    name="party_one_secretary"),
        ]


class Period(models.TextChoices):
    MORNING = "morning", pgettext_lazy("shift", "Morning")
    AFTERNOON = "afternoon", pgettext_lazy("shift", "Afternoon")
    NIGHT = "night", pgettext_lazy("shift", "Night")


# Three eight-hour shifts covering the day (local time); ours, not a published rule. Night runs into the next day.
PERIOD_HOURS: dict[str, tuple[datetime.time, datetime.time]] = {
    Period.MORNING: (datetime.time(7), datetime.time(15)),
    Period.AFTERNOON: (datetime.time(15), datetime.time(23)),
    Period.NIGHT: (datetime.time(23), datetime.time(7)),
}



def period_at(moment: datetime.time) -> str:
    """The period a local time of day falls in."""
    for period, (start, end) in PERIOD_HOURS.items():
        if (start <= moment < end) if start < end else (moment >= start or moment < end):
            return period
    raise ValueError(moment)


SHIFT_TARGETS = ("compound", "gate", "checkpoint", "service_centre")


def _exactly_one(fields: tuple[str, ...]) -> models.Q:
    """A condition meaning exactly one of `fields` is set."""
    ones = [models.Q(**{f"{name}__isnull": name != chosen for name in fields}) for chosen in fields]
    either = ones[0]
    for one in ones[1:]:
        either |= one
    return either


class Shift(models.Model):
    """A worker on duty at one place for one period of one day."""

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="shifts")
    on = models.DateField(_("date"))
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    compound = models.ForeignKey(Area, verbose_name=_("compound"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="shifts", limit_choices_to={"level": Level.COMPOUND})
    gate = models.ForeignKey(Gate, verbose_name=_("gate"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="shifts")
    checkpoint = models.ForeignKey(Checkpoint, verbose_name=_("traffic checkpoint"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="shifts")
    service_centre = models.ForeignKey(ServiceCentre, verbose_name=_("service centre"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="shifts")
    assigned_by = acting_user(_("assigned by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["on", "period", "pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.UniqueConstraint(fields=["worker", "on", "period"], name="shift_worker_once_per_period"),
            models.CheckConstraint(name="shift_exactly_one_target", condition=_exactly_one(SHIFT_TARGETS)),
        ]
        indexes = [
            models.Index(fields=["gate", "on", "period"]),
            models.Index(fields=["checkpoint", "on", "period"]),
            models.Index(fields=["on", "period"]),
        ]

    @property
    def target(self):
        return self.compound or self.gate or self.checkpoint or self.service_centre


class CentreActivation(models.Model):
    """A Party-mass service centre turned into an anti-epidemic centre."""

    service_centre = models.OneToOneField(ServiceCentre, verbose_name=_("service centre"), on_delete=models.CASCADE,
                                          related_name="activation")
    anti_epidemic_since = models.DateField(_("anti-epidemic centre since"))
    activated_by = acting_user(_("activated by"))

    class Meta:
        verbose_name = _("anti-epidemic centre")
        verbose_name_plural = _("anti-epidemic centres")


class Supply(models.Model):
    service_centre = models.ForeignKey(ServiceCentre, verbose_name=_("service centre"), on_delete=models.CASCADE,
                                       related_name="supplies")
    item = models.CharField(_("item"), max_length=60)
    unit = models.CharField(_("unit"), max_length=20)
    quantity = models.IntegerField(_("quantity"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["service_centre", "item"]
        verbose_name = _("supply")
        verbose_name_plural = _("supplies")
        constraints = [
            models.CheckConstraint(name="supply_never_negative", condition=models.Q(quantity__gte=0)),
            models.UniqueConstraint(fields=["service_centre", "item"], name="supply_item_once_per_centre"),
        ]

    def __str__(self) -> str:
        return self.item


class SupplyMovement(models.Model):
    """Stock in (delta > 0) or out (delta < 0) of a supply."""

    supply = models.ForeignKey(Supply, verbose_name=_("supply"), on_delete=models.CASCADE, related_name="movements")
    delta = models.IntegerField(_("change"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    by = acting_user(_("recorded by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("supply movement")
        verbose_name_plural = _("supply movements")
        constraints = [models.CheckConstraint(name="supply_movement_not_zero", condition=~models.Q(delta=0))]
