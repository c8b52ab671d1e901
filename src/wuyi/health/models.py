"""Health records (cases, clusters, contacts, quarantine orders, daily reports, tests, flags) and each person's colour.

Epidemiological dates (onset, report, exposure, order start and end) are local dates in Asia/Shanghai;
moments (a sample taken, a release, a computation) are stored in UTC (DESIGN.md §4, Time). The choices mirror
the enums of the rule modules, so a stored value is the rule's value.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wuyi.fields import acting_user
from wuyi.health.colour_rules import CaseOutcome as RuleCaseOutcome
from wuyi.health.colour_rules import Colour as RuleColour
from wuyi.health.colour_rules import ContactDegree as RuleContactDegree
from wuyi.health.colour_rules import NucleicAcidOutcome, OrderKind
from wuyi.health.zoning import CaseKind as RuleCaseKind
from wuyi.health.zoning import RiskLevel as RuleRiskLevel
from wuyi.people.models import Person
from wuyi.places.models import Area, Household, Level


class CaseKind(models.TextChoices):
    CONFIRMED = RuleCaseKind.CONFIRMED.value, _("Confirmed case")
    ASYMPTOMATIC = RuleCaseKind.ASYMPTOMATIC.value, _("Asymptomatic case")
    SUSPECTED = RuleCaseKind.SUSPECTED.value, _("Suspected case")


class CaseOutcome(models.TextChoices):
    UNDER_TREATMENT = RuleCaseOutcome.UNDER_TREATMENT.value, _("Under treatment")
    DISCHARGED = RuleCaseOutcome.DISCHARGED.value, _("Discharged")
    RULED_OUT = RuleCaseOutcome.RULED_OUT.value, _("Ruled out")


class ClusterSetting(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    COMPOUND = "compound", _("Compound")
    WORKPLACE = "workplace", _("Workplace")


class ClusterStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed by an official")
    DISMISSED = "dismissed", _("Dismissed by an official")


class Cluster(models.Model):
    """A cluster (聚集性疫情): cases linked in one household, compound or workplace; confirmed by an official.

    Suggested automatically when a second case is recorded in one household (or, with the room unknown, one
    compound) within 14 days (services.record_case); only a confirmed cluster counts in risk zoning. A
    dismissed suggestion keeps its cases, so the same cases are not suggested again.
    """

    setting = models.CharField(_("setting"), max_length=10, choices=ClusterSetting.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    compound = models.ForeignKey(
        Area, verbose_name=_("compound"), null=True, blank=True, on_delete=models.PROTECT, related_name="clusters",
        limit_choices_to={"level": Level.COMPOUND},
    )
    status = models.CharField(_("status"), max_length=10, choices=ClusterStatus.choices, default=ClusterStatus.SUGGESTED)
    confirmed_by = acting_user(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    dismissed_by = acting_user(_("dismissed by"))
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        constraints = [
            models.CheckConstraint(
                name="cluster_decision_has_moment",
                condition=models.Q(status="suggested", confirmed_at__isnull=True, dismissed_at__isnull=True)
                | models.Q(status="confirmed", confirmed_at__isnull=False, dismissed_at__isnull=True)
                | models.Q(status="dismissed", confirmed_at__isnull=True, dismissed_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_setting_display()} {self.place or self.pk}"


class Case(models.Model):
    """A case record. Its residence is a household or, when the room is unknown, a compound."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    onset_on = models.DateField(_("onset date"), null=True, blank=True)
    sampled_on = models.DateField(_("sampling date"), null=True, blank=True)
    reported_on = models.DateField(_("report date"))
    household = models.ForeignKey(
        Household, verbose_name=_("household of residence"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    compound = models.ForeignKey(
        Area, verbose_name=_("compound of residence"), on_delete=models.PROTECT, related_name="cases",
        limit_choices_to={"level": Level.COMPOUND},
    )
    district = models.ForeignKey(
        Area, verbose_name=_("district of report"), on_delete=models.PROTECT, related_name="reported_cases",
        limit_choices_to={"level": Level.DISTRICT},
    )
    imported = models.BooleanField(_("imported case"), default=False)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CaseOutcome.choices, default=CaseOutcome.UNDER_TREATMENT)
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    recorded_by = acting_user(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                name="case_outcome_dated_unless_under_treatment",
                condition=models.Q(outcome="under_treatment", outcome_on__isnull=True)
                | (~models.Q(outcome="under_treatment") & models.Q(outcome_on__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["district", "reported_on"]), models.Index(fields=["compound", "reported_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reported_on}"


class ContactDegree(models.TextChoices):
    CLOSE = RuleContactDegree.CLOSE.value, _("Close contact")
    SECONDARY = RuleContactDegree.SECONDARY.value, _("Contact of a close contact")
    POTENTIAL = RuleContactDegree.POTENTIAL.value, _("Potential close contact")


class CloseContact(models.Model):
    """A person found to have been exposed to a case, from identification until release."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="contacts")
    degree = models.CharField(_("degree"), max_length=10, choices=ContactDegree.choices, default=ContactDegree.CLOSE)
    last_exposure_on = models.DateField(_("last exposure"))
    identified_on = models.DateField(_("identified"))
    released_on = models.DateField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["-identified_on", "-pk"]
        verbose_name = _("close contact")
        verbose_name_plural = _("close contacts")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="contact_one_per_case_and_person"),
            models.CheckConstraint(
                name="contact_exposure_not_after_identification",
                condition=models.Q(last_exposure_on__lte=models.F("identified_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ~ {self.case}"


class QuarantineKind(models.TextChoices):
    CENTRALIZED = OrderKind.CENTRALIZED_QUARANTINE.value, _("Centralized quarantine")
    HOME = OrderKind.HOME_QUARANTINE.value, _("Home quarantine")
    HOME_HEALTH_OBSERVATION = OrderKind.HOME_HEALTH_MONITORING.value, _("Home health observation")


class QuarantineOrder(models.Model):
    """An order from ``start`` to ``planned_end`` (local dates), open until an official releases it."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="quarantine_orders"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=QuarantineKind.choices)
    start = models.DateField(_("start"))
    planned_end = models.DateField(_("planned end"))
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    issued_by = acting_user(_("issued by"))
    released_by = acting_user(_("released by"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("quarantine order")
        verbose_name_plural = _("quarantine orders")
        constraints = [
            models.CheckConstraint(
                name="quarantine_end_not_before_start", condition=models.Q(planned_end__gte=models.F("start"))
            )
        ]
        indexes = [models.Index(fields=["released_at", "start"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}–{self.planned_end}"


class DailyReport(models.Model):
    """A person's daily health report during quarantine: morning and afternoon temperature, symptoms."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="daily_reports")
    date = models.DateField(_("date"))
    temperature_morning = models.DecimalField(
        _("morning temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    temperature_afternoon = models.DecimalField(
        _("afternoon temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    reported_at = models.DateTimeField(_("reported"), auto_now=True)

    class Meta:
        ordering = ["-date", "person"]
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        constraints = [models.UniqueConstraint(fields=["person", "date"], name="daily_report_one_per_person_and_day")]

    def __str__(self) -> str:
        return f"{self.person} {self.date}"


class TestOutcome(models.TextChoices):
    NEGATIVE = NucleicAcidOutcome.NEGATIVE.value, _("Negative")
    POSITIVE = NucleicAcidOutcome.POSITIVE.value, _("Positive")


class TestResult(models.Model):
    """A nucleic-acid test result."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="test_results")
    sampled_at = models.DateTimeField(_("sampled"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=TestOutcome.choices)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-sampled_at"]
        verbose_name = _("nucleic-acid test result")
        verbose_name_plural = _("nucleic-acid test results")
        indexes = [models.Index(fields=["person", "sampled_at"])]

    def __str__(self) -> str:
        return f"{self.person} {self.get_outcome_display()}"


class FlagKind(models.TextChoices):
    """The declared or observed inputs of the colour rules that are not case records."""

    HIGH_RISK_ARRIVAL = "high_risk_arrival", _("Arrival from a high-risk area")
    GATE_FEVER = "gate_fever", _("Fever found at a gate")
    RED_ELSEWHERE = "red_elsewhere", _("Red code from another province")
    YELLOW_ELSEWHERE = "yellow_elsewhere", _("Yellow code from another province")
    KEY_PERSON_UNTESTED = "key_person_untested", _("Key person of a control area without a test")


class Flag(models.Model):
    """A dated input of the colour rules: from ``since`` (a local date) until ``cleared_on`` if cleared."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="health_flags")
    kind = models.CharField(_("kind"), max_length=20, choices=FlagKind.choices)
    since = models.DateField(_("since"))
    cleared_on = models.DateField(_("cleared"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = acting_user(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-since", "-pk"]
        verbose_name = _("health flag")
        verbose_name_plural = _("health flags")
        constraints = [
            models.CheckConstraint(
                name="flag_cleared_not_before_since",
                condition=models.Q(cleared_on__isnull=True) | models.Q(cleared_on__gte=models.F("since")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.since}"


class Colour(models.TextChoices):
    RED = RuleColour.RED.value, _("Red")
    YELLOW = RuleColour.YELLOW.value, _("Yellow")
    GREEN = RuleColour.GREEN.value, _("Green")
    BLUE = RuleColour.BLUE.value, _("Blue")


class PersonColour(models.Model):
    """The stored result of the colour rules for one person: colour, reasons (code, text) and next change."""

    # No foreign-key constraint in the database: the rows are derived (written from people_person itself, and
    # removed with their person by Django's cascade), and a city-wide fill would check 17.5 M references at its
    # commit for nothing.
    person = models.OneToOneField(
        Person, verbose_name=_("person"), primary_key=True, on_delete=models.CASCADE, related_name="colour",
        db_constraint=False,
    )
    rule_id = models.CharField(_("rule"), max_length=20)
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    next_change = models.DateField(_("can next change on"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("person's colour")
        verbose_name_plural = _("people's colours")
        # No index on colour: nothing looks a colour up, and at 17.5 M rows it was a third of every city-wide
        # write. On PostgreSQL the table keeps half of each page free (migration 0005), so that recomputing
        # the city updates each row in its own page (HOT) instead of writing it anew in the key index.

    def __str__(self) -> str:
        return f"{self.person_id}: {self.colour}"


class RiskLevel(models.TextChoices):
    LOW = RuleRiskLevel.LOW.value, _("Low risk")
    MEDIUM = RuleRiskLevel.MEDIUM.value, _("Medium risk")
    HIGH = RuleRiskLevel.HIGH.value, _("High risk")


class RiskList(models.Model):
    """A published risk list (分区分级名单) for one date under one zoning rule set; kept for history."""

    date = models.DateField(_("date"))
    rule_id = models.CharField(_("rule"), max_length=20)
    published_at = models.DateTimeField(_("published"))

    class Meta:
        ordering = ["-date", "rule_id"]
        verbose_name = _("risk list")
        verbose_name_plural = _("risk lists")
        constraints = [models.UniqueConstraint(fields=["date", "rule_id"], name="risk_list_one_per_date_and_rule")]

    def __str__(self) -> str:
        return f"{self.date} {self.rule_id}"


class RiskListEntry(models.Model):
    """One unit of a risk list: its level and the facts behind it, with the reasons as (code, text) pairs."""

    risk_list = models.ForeignKey(RiskList, verbose_name=_("risk list"), on_delete=models.CASCADE,
                                  related_name="entries")
    unit_code = models.CharField(_("unit code"), max_length=15)
    unit_name = models.CharField(_("unit name"), max_length=100)
    level = models.CharField(_("level"), max_length=6, choices=RiskLevel.choices)
    cases_in_all = models.PositiveIntegerField(_("cases in all"))
    cases_within_14_days = models.PositiveIntegerField(_("cases within 14 days"))
    clusters_within_14_days = models.PositiveIntegerField(_("clusters within 14 days"))
    days_since_last_case = models.PositiveIntegerField(_("days since the last case"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        ordering = ["risk_list", "unit_code"]
        verbose_name = _("risk list entry")
        verbose_name_plural = _("risk list entries")
        constraints = [
            models.UniqueConstraint(fields=["risk_list", "unit_code"], name="risk_entry_one_per_list_and_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} {self.level}"
