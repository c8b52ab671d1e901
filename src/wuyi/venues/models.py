"""Small venues (三小场所: 小档口, 小作坊, 小娱乐场所) of a community and their reopening in February 2020.

The reopening (POLICY.md §7a, 龙华区福城街道茜坑社区, 2020-02-26): the operator signs the epidemic-prevention
pledge (疫情防控承诺书) with a checklist of five conditions, the community checks the venue one by one, and it
either opens or gets a suspension notice (暂停营业通告). The rules deciding what is a small venue and whether
the checklist is met live in ``venues.rules``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.fields import acting_user
from wuyi.places.models import Area, Level


class VenueKind(models.TextChoices):
    SMALL_SHOP = "small_shop", _("Small shop")
    SMALL_WORKSHOP = "small_workshop", _("Small workshop")
    SMALL_ENTERTAINMENT = "small_entertainment", _("Small entertainment venue")


class Trade(models.TextChoices):
    """The trades POLICY.md §7a names for each kind; ``rules.TRADE_KIND`` says which kind each belongs to."""

    GROCERY = "grocery", _("Grocery")
    EATERY = "eatery", _("Eatery")
    VEHICLE_REPAIR = "vehicle_repair", _("Car or motorbike repair")
    LAUNDRY = "laundry", _("Laundry")
    APPLIANCE_REPAIR = "appliance_repair", _("Appliance repair")
    HAIR_BEAUTY = "hair_beauty", _("Hair and beauty salon")
    PROCESSING = "processing", _("Processing")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    BAR = "bar", _("Bar")
    INTERNET_CAFE = "internet_cafe", _("Internet café")
    VIDEO_HALL = "video_hall", _("Video hall")
    GAME_HALL = "game_hall", _("Game hall")
    GYM = "gym", _("Gym")
    TEA_HOUSE = "tea_house", _("Tea house")
    FOOT_BATH = "foot_bath", _("Foot bath")
    CARDS_MAHJONG = "cards_mahjong", _("Card and mahjong room")
    BILLIARDS = "billiards", _("Billiards")


class VenueStatus(models.TextChoices):
    CLOSED = "closed", pgettext_lazy("venue status", "Closed")
    APPLIED = "applied", pgettext_lazy("venue status", "Applied to reopen")
    OPEN = "open", pgettext_lazy("venue status", "Open")
    SUSPENDED = "suspended", pgettext_lazy("venue status", "Suspended")


class Venue(models.Model):
    """A small venue registered by its community's workers."""

    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="venues",
                                  limit_choices_to={"level": Level.COMMUNITY})
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=VenueKind.choices)
    trade = models.CharField(_("trade"), max_length=20, choices=Trade.choices)
    floor_area_m2 = models.DecimalField(_("building area (m²)"), max_digits=8, decimal_places=1)
    storeys = models.PositiveSmallIntegerField(_("storeys"), default=1)
    height_m = models.DecimalField(_("building height (m)"), max_digits=5, decimal_places=1, null=True, blank=True)
    address = models.CharField(_("address"), max_length=200)
    operator_name = models.CharField(_("operator"), max_length=60)
    operator_phone = models.CharField(_("operator's phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=VenueStatus.choices, default=VenueStatus.CLOSED)
    registered_by = acting_user(_("registered by"))
    created_at = models.DateTimeField(pgettext_lazy("venue", "registered"), auto_now_add=True)

    class Meta:
        ordering = ["community", "name", "pk"]
        verbose_name = _("small venue")
        verbose_name_plural = _("small venues")
        indexes = [models.Index(fields=["community", "status"])]
        constraints = [
            models.CheckConstraint(name="venue_has_storeys", condition=models.Q(storeys__gte=1)),
            models.CheckConstraint(name="venue_area_positive", condition=models.Q(floor_area_m2__gt=0)),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    SUSPENDED = "suspended", _("Suspended")


class ReopeningApplication(models.Model):
    """An application to reopen, filed on the operator's behalf: the signed pledge and its checklist."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="applications")
    pledge_signer = models.CharField(_("pledge signed by"), max_length=60)
    pledge_signed_at = models.DateTimeField(_("pledge signed at"))
    pledge_version = models.CharField(_("pledge version"), max_length=20)
    temperature_and_registration = models.BooleanField(_("temperature and registration point at the door"))
    regular_disinfection = models.BooleanField(_("regular disinfection"))
    staff_protection = models.BooleanField(_("staff protection"))
    no_dining_in = models.BooleanField(_("no eating inside"))
    contactless_pickup = models.BooleanField(_("contactless pick-up"))
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    submitted_by = acting_user(_("submitted by"))
    at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("reopening application")
        verbose_name_plural = _("reopening applications")
        constraints = [
            # one application waiting for its inspection per venue
            models.UniqueConstraint(fields=["venue"], condition=models.Q(status="submitted"),
                                    name="venue_one_pending_application"),
        ]

    def __str__(self) -> str:
        return f"{self.venue} ({self.get_status_display()})"


class InspectionOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve reopening")
    SUSPEND = "suspend", _("Suspend")


class VenueInspection(models.Model):
    """The one-by-one check of a venue: each checklist item as observed, and the outcome."""

    application = models.OneToOneField(ReopeningApplication, verbose_name=_("application"),
                                       on_delete=models.CASCADE, related_name="inspection")
    inspector = acting_user(_("inspector"))
    inspected_on = models.DateField(_("inspected on"))
    temperature_and_registration = models.BooleanField(_("temperature and registration point at the door"))
    regular_disinfection = models.BooleanField(_("regular disinfection"))
    staff_protection = models.BooleanField(_("staff protection"))
    no_dining_in = models.BooleanField(_("no eating inside"))
    contactless_pickup = models.BooleanField(_("contactless pick-up"))
    note = models.TextField(_("note"), blank=True)
    outcome = models.CharField(pgettext_lazy("inspection", "outcome"), max_length=8, choices=InspectionOutcome.choices)
    notice_number = models.CharField(_("suspension notice number"), max_length=30, blank=True)

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("venue inspection")
        verbose_name_plural = _("venue inspections")
        constraints = [
            models.UniqueConstraint(fields=["notice_number"], condition=~models.Q(notice_number=""),
                                    name="venue_notice_number_unique"),
            models.CheckConstraint(
                name="venue_notice_only_on_suspension",
                condition=(models.Q(outcome="suspend") & ~models.Q(notice_number=""))
                | (models.Q(outcome="approve") & models.Q(notice_number="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.venue} {self.inspected_on} {self.get_outcome_display()}"
