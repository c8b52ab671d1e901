"""The volunteer platform (战疫先锋): volunteers and their teams, tasks and residents' wishes, claims with check-in
and check-out, the ledger of hours and participations, thanks, and an outbox of notifications.

A task never has more claimed slots than it has (DESIGN.md §4, "Claims never exceed capacity"): ``taken`` is
moved only by a conditional UPDATE (``services.claim``) under the CHECK ``0 <= taken <= capacity``, and one
volunteer holds at most one live claim per task (a partial unique constraint).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.fields import acting_user
from wuyi.people.models import Person
from wuyi.places.models import Area, Gate, Household, Level, ServiceCentre


class Skill(models.TextChoices):
    DRIVING = "driving", _("Driving")
    MEDICAL = "medical", _("Medical")
    INTERPRETING = "interpreting", _("Interpreting")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    IT = "it", _("IT")
    SOCIAL_WORK = "social_work", _("Social work")
    LOGISTICS = "logistics", _("Logistics")


class Volunteer(models.Model):
    """A volunteer: a verified person with skills, languages, a weekly availability and a home community."""

    person = models.OneToOneField(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="volunteer")
    community = models.ForeignKey(Area, verbose_name=_("home community"), on_delete=models.PROTECT,
                                  related_name="volunteers", limit_choices_to={"level": Level.COMMUNITY})
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # weekday (0 = Monday) → list of [start hour, end hour) ranges, e.g. {"0": [[8, 12]], "5": [[8, 18]]}
    availability = models.JSONField(_("weekly availability"), default=dict, blank=True)
    party_member = models.BooleanField(_("Party member"), default=False)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.person.masked_name


class Team(models.Model):
    """A self-organised team (志愿服务队): a leader creates it, others join or are invited; it claims together."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    leader = models.ForeignKey(Volunteer, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="led_teams")
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="teams",
                                  limit_choices_to={"level": Level.COMMUNITY})
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class MemberStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACTIVE = "active", _("Member")
    LEFT = "left", _("Left")


class TeamMember(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE,
                                  related_name="memberships")
    status = models.CharField(_("status"), max_length=8, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    since = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "volunteer"], name="team_member_once")]


class TaskKind(models.TextChoices):
    GATE_DUTY = "gate_duty", _("Gate duty")
    TEMPERATURE = "temperature", _("Temperature checks")
    DISINFECTION = "disinfection", _("Disinfection")
    DELIVERY = "delivery", _("Delivery")
    CARE_VISIT = "care_visit", _("Care visit")
    PUBLICITY = "publicity", _("Publicity")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed to claims")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


def _token() -> str:
    return secrets.token_urlsafe(12)


class Task(models.Model):
    """A need with a place, a time window and a number of slots."""

    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="tasks",
                                  limit_choices_to={"level": Level.COMMUNITY})
    compound = models.ForeignKey(Area, verbose_name=_("compound"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="compound_tasks", limit_choices_to={"level": Level.COMPOUND})
    gate = models.ForeignKey(Gate, verbose_name=_("gate"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tasks")
    service_centre = models.ForeignKey(ServiceCentre, verbose_name=_("service centre"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="tasks")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("slots"))
    taken = models.PositiveIntegerField(_("slots taken"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    skills = models.JSONField(_("skills required"), default=list, blank=True)
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    cancel_hours = models.PositiveIntegerField(_("cancellable until (hours before the start)"), default=2)
    checkin_token = models.CharField(_("check-in token"), max_length=24, default=_token, unique=True)
    published_by = acting_user(_("published by"))
    team = models.ForeignKey(Team, verbose_name=_("published by the team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="published_tasks")
    series = models.CharField(_("series"), max_length=24, blank=True)  # tasks generated from one template
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(name="task_taken_within_capacity",
                                   condition=models.Q(taken__lte=models.F("capacity"))),
            models.CheckConstraint(name="task_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="task_has_a_slot", condition=models.Q(capacity__gte=1)),
        ]
        indexes = [models.Index(fields=["status", "starts_at"]), models.Index(fields=["community", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class WishStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved: a task is published")
    REJECTED = "rejected", _("Rejected")


class Wish(models.Model):
    """A resident's wish (微心愿), e.g. a quarantined household asking for medicine; reviewed by the community
    before it becomes a task."""

    person = models.ForeignKey(Person, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="wishes")
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="wishes")
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="wishes",
                                  limit_choices_to={"level": Level.COMMUNITY})
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices, default=TaskKind.DELIVERY)
    text = models.CharField(_("what is needed"), max_length=300)
    needed_by = models.DateTimeField(_("needed by"))
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=WishStatus.choices, default=WishStatus.PENDING)
    reviewed_by = acting_user(_("reviewed by"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    task = models.OneToOneField(Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="wish")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("wish")
        verbose_name_plural = _("wishes")


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("Claimed")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")
    NO_SHOW = "no_show", _("Did not come")


LIVE_CLAIM = models.Q(status__in=["active", "done"])


class Claim(models.Model):
    """A volunteer's (or a team's, for ``slots`` people) claim on a task; checked in and out at the place."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="claims")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE,
                                  related_name="claims")
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="claims")
    slots = models.PositiveIntegerField(_("slots"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE)
    claimed_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("completion confirmed"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, default=0)
    participations = models.PositiveIntegerField(_("participations (人次)"), default=0)

    class Meta:
        ordering = ["-claimed_at"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(fields=["task", "volunteer"], condition=LIVE_CLAIM, name="claim_one_live_per_task"),
            models.CheckConstraint(name="claim_has_a_slot", condition=models.Q(slots__gte=1)),
        ]
        indexes = [models.Index(fields=["status", "confirmed_at"])]


class Thanks(models.Model):
    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="thanks")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from"), null=True, on_delete=models.SET_NULL,
                           related_name="+")
    text = models.CharField(_("message"), max_length=200)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("thanks")
        verbose_name_plural = _("thanks")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class Notification(models.Model):
    """The outbox: a message to a user on a channel; sent by ``wuyi volunteers notify`` (in-app ones are read
    on the page)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.CASCADE,
                             related_name="notifications")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.IN_APP)
    kind = models.CharField(_("kind"), max_length=20)
    subject = models.CharField(_("subject"), max_length=120)
    body = models.TextField(_("message"), blank=True)
    task = models.ForeignKey(Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["sent_at", "channel"]), models.Index(fields=["user", "read_at"])]


class DailyFigures(models.Model):
    """A settled day's volunteer figures for one community (and, in the city's row, for the whole city), kept by
    ``stats`` so that the statistics page sums a few thousand rows instead of grouping every claim of its window.

    A day settles two days after it starts: a task lasts at most a day, and a completion is recorded on the day it
    is confirmed, so no operation changes a settled day's figures. The city's row of a day says the day is rolled
    up. Rows are made on the first read of a day and deleted with the synthetic history they count."""

    day = models.DateField(_("day"))
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="+")
    tasks = models.PositiveIntegerField(_("tasks"), default=0)
    slots = models.PositiveIntegerField(_("slots"), default=0)
    taken = models.PositiveIntegerField(_("slots taken"), default=0)
    participations = models.PositiveIntegerField(_("participations (人次)"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=14, decimal_places=2, default=0)
    computed_at = models.DateTimeField(_("computed"), auto_now_add=True)

    class Meta:
        verbose_name = _("day's volunteer figures")
        verbose_name_plural = _("daily volunteer figures")
        constraints = [models.UniqueConstraint(fields=["day", "area"], name="daily_figures_once_a_day")]
