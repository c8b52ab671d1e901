"""The "健康家园·无疫小区" campaign: measures catalogues, inspections of compounds against them, rectifications,
demonstration compounds with their approvals, and the records of the ten actions (十大行动).

A catalogue is versioned data (DESIGN.md §4, "Rules are versioned data"): ``sz-2020-02`` holds only what
POLICY.md §1 documents; what is not recovered is said on its page, never invented.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.fields import acting_user
from wuyi.places.models import Area, Level


class MeasureGroup(models.TextChoices):
    FIVE_100 = "five_100", _("Five 100%")
    TEN_RULES = "ten_rules", _("Ten rules without exception")
    FOUR_KEY = "four_key", _("Four key points")


class MeasureStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    PARTIAL = "partial", _("Partial")


class MeasureCatalogue(models.Model):
    """One version of a list of measures checked in every compound (e.g. Shenzhen's 19 measures of 2020-02-07)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    effective_from = models.DateField(_("effective from"))
    sources = models.TextField(_("sources"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-effective_from", "code"]
        verbose_name = _("measures catalogue")
        verbose_name_plural = _("measures catalogues")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Measure(models.Model):
    catalogue = models.ForeignKey(MeasureCatalogue, verbose_name=_("catalogue"), on_delete=models.CASCADE,
                                  related_name="measures")
    position = models.PositiveSmallIntegerField(_("position"))
    group = models.CharField(_("group"), max_length=10, choices=MeasureGroup.choices)
    number = models.PositiveSmallIntegerField(_("number in its group"))
    text = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    status = models.CharField(_("source status"), max_length=10, choices=MeasureStatus.choices)
    source = models.TextField(_("source"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["catalogue", "position"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "position"], name="measure_position_once"),
            models.UniqueConstraint(fields=["catalogue", "group", "number"], name="measure_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.number}"


class Inspection(models.Model):
    """One visit to a compound, checking every measure of a catalogue; the counts and score are kept on the row."""

    compound = models.ForeignKey(Area, verbose_name=_("compound"), on_delete=models.PROTECT,
                                 related_name="inspections", limit_choices_to={"level": Level.COMPOUND})
    catalogue = models.ForeignKey(MeasureCatalogue, verbose_name=_("catalogue"), on_delete=models.PROTECT,
                                  related_name="inspections")
    inspected_on = models.DateField(_("inspected on"))
    inspected_by = acting_user(_("inspected by"), "inspections")
    previous = models.ForeignKey("self", verbose_name=_("re-inspection of"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reinspections")
    passed = models.PositiveIntegerField(_("passed"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    not_applicable = models.PositiveIntegerField(_("not applicable"), default=0)
    score = models.FloatField(_("score"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)], default=0.0)
    fully_compliant = models.BooleanField(_("fully compliant"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["compound", "-inspected_on"], name="inspection_compound_day")]
        constraints = [
            models.CheckConstraint(name="inspection_score_0_1", condition=models.Q(score__gte=0, score__lte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.inspected_on}"


class ResultValue(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="results")
    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="results")
    result = models.CharField(_("result"), max_length=16, choices=ResultValue.choices)
    note = models.TextField(_("note"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="campaign/inspections/%Y/%m/", blank=True)

    class Meta:
        ordering = ["inspection", "measure__position"]
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        constraints = [models.UniqueConstraint(fields=["inspection", "measure"], name="result_once_per_measure")]


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class Rectification(models.Model):
    """What a failed item asks the compound to put right, by when; closed by the inspection that finds it passing."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="rectifications")
    result = models.OneToOneField(InspectionResult, verbose_name=_("failed item"), on_delete=models.CASCADE,
                                  related_name="rectification")
    compound = models.ForeignKey(Area, verbose_name=_("compound"), on_delete=models.PROTECT,
                                 related_name="rectifications", limit_choices_to={"level": Level.COMPOUND})
    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.PROTECT,
                                related_name="rectifications")
    description = models.TextField(_("description"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=6, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN)
    closed_by = models.ForeignKey(Inspection, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="closed_rectifications")
    volunteer_task = models.ForeignKey("volunteers.Task", verbose_name=_("volunteer task"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="rectifications")

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [models.Index(fields=["compound", "status"], name="rectification_compound_status")]

    def __str__(self) -> str:
        return f"{self.compound} {self.measure}"


class DemonstrationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    COMMUNITY_APPROVED = "community_approved", _("Approved by the community")
    STREET_APPROVED = "street_approved", _("Approved by the street")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Demonstration(models.Model):
    """A compound nominated as a demonstration compound (示范无疫小区): one case per compound, re-opened by a new
    nomination after a rejection or withdrawal."""

    compound = models.OneToOneField(Area, verbose_name=_("compound"), on_delete=models.PROTECT,
                                    related_name="demonstration", limit_choices_to={"level": Level.COMPOUND})
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="demonstrations", limit_choices_to={"level": Level.COMMUNITY})
    status = models.CharField(_("status"), max_length=20, choices=DemonstrationStatus.choices,
                              default=DemonstrationStatus.NOMINATED)
    nominated_by = acting_user(_("nominated by"))
    nominated_at = models.DateTimeField(_("nominated at"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["compound__code"]
        verbose_name = _("demonstration compound")
        verbose_name_plural = _("demonstration compounds")
        indexes = [models.Index(fields=["status", "community"], name="demonstration_status")]

    def __str__(self) -> str:
        return str(self.compound)


class ApprovalLevel(models.TextChoices):
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class DemonstrationApproval(models.Model):
    demonstration = models.ForeignKey(Demonstration, verbose_name=_("demonstration compound"),
                                      on_delete=models.CASCADE, related_name="approvals")
    level = models.CharField(_("level"), max_length=10, choices=ApprovalLevel.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    by = acting_user(_("by"))
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["demonstration", "at", "pk"]
        verbose_name = _("demonstration approval")
        verbose_name_plural = _("demonstration approvals")


class DemonstrationCriterion(models.Model):
    """A further item a demonstration compound must meet, set by the campaign's administrators (not a rule of
    Shenzhen's: no Shenzhen criteria were found, POLICY.md §5)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    text = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("demonstration criterion")
        verbose_name_plural = _("demonstration criteria")

    def __str__(self) -> str:
        return self.code


class DemonstrationCheck(models.Model):
    demonstration = models.ForeignKey(Demonstration, verbose_name=_("demonstration compound"),
                                      on_delete=models.CASCADE, related_name="checks")
    criterion = models.ForeignKey(DemonstrationCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT,
                                  related_name="checks")
    met = models.BooleanField(_("met"), default=False)

    class Meta:
        verbose_name = _("demonstration check")
        verbose_name_plural = _("demonstration checks")
        constraints = [models.UniqueConstraint(fields=["demonstration", "criterion"], name="check_once")]


class TenAction(models.TextChoices):
    CLEAN_HOMES = "clean_homes", _("Clean homes")
    HEALTHY_LIVING = "healthy_living", _("Healthy living")
    NO_WILD_GAME = "no_wild_game", _("No wild game")
    FAMILIES = "families", _("Families against the epidemic")
    MINDS = "minds", _("Caring for minds")
    MUTUAL_HELP = "mutual_help", _("Mutual help")
    VOLUNTEER_SERVICE = "volunteer_service", _("Volunteer service")
    SERVICE_CENTRES = "service_centres", _("Service centres as anti-epidemic centres")
    SMALL_VENUES = "small_venues", _("Safe reopening of small venues")
    KEY_AREA_CARE = "key_area_care", _("Care for people from key epidemic areas")


class ActivityRecord(models.Model):
    """One activity of the ten actions held in a community."""

    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="activity_records", limit_choices_to={"level": Level.COMMUNITY})
    action = models.CharField(_("action"), max_length=20, choices=TenAction.choices)
    held_on = models.DateField(_("held on"))
    place = models.CharField(pgettext_lazy("location", "place"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    description = models.TextField(_("description"), blank=True)
    created_by = acting_user(_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        indexes = [models.Index(fields=["community", "action"], name="activity_community_action")]
        constraints = [models.CheckConstraint(name="activity_participants_not_negative",
                                              condition=models.Q(participants__gte=0))]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.held_on}"


class ActivityPhoto(models.Model):
    record = models.ForeignKey(ActivityRecord, verbose_name=_("activity record"), on_delete=models.CASCADE,
                               related_name="photos")
    image = models.ImageField(_("image"), upload_to="campaign/activities/%Y/%m/")

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

