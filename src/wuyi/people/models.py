from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuyi.people import identity
from wuyi.places.models import Area, Household, Level


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(models.Model):
    """A resident. The ID number lives only as an HMAC (lookup) and a masked form (display)."""

    name = models.CharField(_("name"), max_length=60)
    id_hmac = models.CharField(_("ID number HMAC"), max_length=32, null=True, blank=True, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["id_hmac"], condition=models.Q(id_hmac__isnull=False), name="person_unique_id_hmac"
            )
        ]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return identity.mask_name(self.name)

    def set_id_number(self, number: str) -> None:
        number = identity.normalise(number)
        self.id_hmac = identity.id_hmac(number, settings.WUYI_ID_KEY)
        self.id_masked = identity.mask(number)
        self.birth_year = identity.birth_year(number)
        self.sex = identity.sex(number)


class Relation(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    FAMILY = "family", _("Family member")
    OTHER = "other", _("Other")


class Membership(models.Model):
    """A person living in a household, from moved_in to moved_out (open while they live there)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="memberships"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    moved_in = models.DateField(_("moved in"), null=True, blank=True)
    moved_out = models.DateField(_("moved out"), null=True, blank=True)

    class Meta:
        verbose_name = _("household membership")
        verbose_name_plural = _("household memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "household"], condition=models.Q(moved_out__isnull=True),
                name="membership_one_open_per_household",
            )
        ]
        indexes = [models.Index(fields=["household", "moved_out"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.household.code}"


class DeclarationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Declaration(models.Model):
    """A self-declaration (自主申报), or one a worker filed for someone without a phone."""

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="declarations",
    )
    on_behalf = models.BooleanField(_("filed by a worker on the person's behalf"), default=False)
    name = models.CharField(_("name"), max_length=60)
    id_hmac = models.CharField(max_length=32, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    travel = models.JSONField(_("14-day travel history"), default=list, blank=True)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeclarationStatus.choices, default=DeclarationStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="declarations"
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("self-declaration")
        verbose_name_plural = _("self-declarations")
        indexes = [models.Index(fields=["status", "household"])]

    def __str__(self) -> str:
        return f"{identity.mask_name(self.name)} ({self.get_status_display()})"

    @property
    def masked_name(self) -> str:
        return identity.mask_name(self.name)


class PassKind(models.TextChoices):
    RESIDENT = "resident", _("Resident pass")
    WORKER = "worker", _("Worker pass")
    VISITOR = "visitor", _("Visitor pass")
    PAPER = "paper", _("Paper pass")


class Pass(models.Model):
    """An entry pass (出入证) for one compound. Signed codes for it come from the access app."""

    number = models.CharField(_("pass number"), max_length=20, unique=True)
    person = models.ForeignKey(Person, verbose_name=_("holder"), on_delete=models.CASCADE, related_name="passes")
    compound = models.ForeignKey(
        Area, verbose_name=_("compound"), on_delete=models.PROTECT, related_name="passes",
        limit_choices_to={"level": Level.COMPOUND},
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PassKind.choices, default=PassKind.RESIDENT)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "compound", "kind"], condition=models.Q(revoked_at__isnull=True),
                name="pass_one_live_per_kind_and_compound",
            )
        ]

    def __str__(self) -> str:
        return self.number
