"""Closed management: signing keys, the signed codes minted from passes, visits, gate policy choices and the
access log.

A pass (``people.Pass``, 出入证) says who may enter which compound; a code (``Code``) is one signed "WY1:" token
minted from a person's live passes (DESIGN.md §5): a random pseudonym, the holder's colour at issue, the
compounds it opens, a masked name. Codes on a phone live hours; paper passes weeks. Revoking a code puts its
pseudonym on the revocation list that gates download.

The access log (``AccessEvent``) is keyed by the district, the moment and the client-made event UUID, so an upload
repeated by a gate kit changes nothing. On PostgreSQL the table is partitioned by day (migration 0002): its key
holds the moment because a partitioned table's key must hold the partition column, and the district so that
the table can be distributed by district with Citus (``create_distributed_table('access_accessevent',
'district_code')``), every gate's events then living on one shard.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.access.gate_policy import RULES as GATE_POLICIES
from wuyi.access.gate_policy import Direction, HolderKind, WorkerRole
from wuyi.fields import acting_user
from wuyi.people.models import Pass, Person
from wuyi.places.models import Area, Level


class SigningKey(models.Model):
    """An ES256 key pair. The private key is kept only encrypted (PKCS#8, with WUYI_KEY_PASSPHRASE); the public
    key stays on the trust list until the last code it signed has expired."""

    kid = models.CharField(
        _("key id"), max_length=16, unique=True
    )  # hex of 8 bytes: SHA-256 of the public key
    public_der = models.BinaryField(_("public key (DER)"))
    private_pem = models.BinaryField(_("private key (encrypted PEM)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)  # signs no more
    trusted_until = models.DateTimeField(_("trusted until"), null=True, blank=True)  # set when retired

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.kid


class CodeKind(models.TextChoices):
    RESIDENT = HolderKind.RESIDENT.value, _("Resident")
    WORKER = HolderKind.WORKER.value, _("Worker")
    VISITOR = HolderKind.VISITOR.value, _("Visitor")
    PAPER = HolderKind.PAPER.value, _("Paper pass")


class Role(models.TextChoices):
    CADRE = WorkerRole.CADRE.value, _("Cadre")
    SOCIAL_WORKER = WorkerRole.SOCIAL_WORKER.value, _("Social worker")
    VOLUNTEER = WorkerRole.VOLUNTEER.value, _("Volunteer")
    MEDICAL_STAFF = WorkerRole.MEDICAL_STAFF.value, _("Medical staff")
    POLICE = WorkerRole.POLICE.value, _("Police officer")
    PROPERTY_STAFF = WorkerRole.PROPERTY_STAFF.value, _("Property staff")
    COURIER = WorkerRole.COURIER.value, _("Courier")
    DELIVERY = WorkerRole.DELIVERY.value, _("Delivery worker")
    DOMESTIC_WORKER = WorkerRole.DOMESTIC_WORKER.value, _("Domestic worker")


class Code(models.Model):
    """One signed code as issued: what it claims, when it lives, and whether it was revoked."""

    pseudonym = models.CharField(_("pseudonym"), max_length=32, unique=True)
    person = models.ForeignKey(
        Person, verbose_name=_("holder"), on_delete=models.CASCADE, related_name="codes"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CodeKind.choices)
    role = models.CharField(_("worker role"), max_length=20, choices=Role.choices, blank=True)
    masked_name = models.CharField(_("masked name"), max_length=60)
    compounds = models.JSONField(_("compounds"), default=list)
    colour = models.CharField(_("colour at issue"), max_length=6)
    key = models.ForeignKey(
        SigningKey, verbose_name=_("signed with"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"))
    not_before = models.DateTimeField(_("valid from"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    text = models.TextField(_("code"))  # the "WY1:" text, to show or print again while it lives
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=40, blank=True)
    issued_by = acting_user(_("issued by"))

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("signed code")
        verbose_name_plural = _("signed codes")
        indexes = [
            models.Index(fields=["person", "revoked_at", "expires_at"]),
            models.Index(fields=["revoked_at", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pseudonym}"


class Visit(models.Model):
    """A visitor registered by a resident (or at the gate with a resident's consent) for a time window: the
    visitor's pass and code are good for one entry."""

    visitor_pass = models.OneToOneField(
        Pass, verbose_name=_("visitor pass"), on_delete=models.CASCADE, related_name="visit"
    )
    host = models.ForeignKey(
        Person, verbose_name=_("host"), on_delete=models.CASCADE, related_name="hosted_visits"
    )
    compound = models.ForeignKey(
        Area,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="visits",
        limit_choices_to={"level": Level.COMPOUND},
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    entered_at = models.DateTimeField(_("entered"), null=True, blank=True)
    code = models.OneToOneField(
        Code, verbose_name=_("code"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visit"
    )
    registered_by = acting_user(_("registered by"))
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(
                name="visit_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))
            )
        ]


class CompoundPolicy(models.Model):
    """The gate policy a compound runs from a date (until the next choice); without one, the city default."""

    compound = models.ForeignKey(
        Area,
        verbose_name=_("compound"),
        on_delete=models.CASCADE,
        related_name="gate_policies",
        limit_choices_to={"level": Level.COMPOUND},
    )
    policy = models.CharField(_("gate policy"), max_length=40, choices=[(p, p) for p in GATE_POLICIES])
    effective_from = models.DateField(_("from"))

    class Meta:
        ordering = ["compound", "-effective_from"]
        verbose_name = _("compound gate policy")
        verbose_name_plural = _("compound gate policies")
        constraints = [
            models.UniqueConstraint(fields=["compound", "effective_from"], name="compound_policy_one_per_day")
        ]


class DirectionChoice(models.TextChoices):
    IN = Direction.IN.value, pgettext_lazy("direction", "Entry")
    OUT = Direction.OUT.value, pgettext_lazy("direction", "Exit")


class Source(models.TextChoices):
    ONLINE = "online", _("Gate page")
    KIT = "kit", _("Gate kit")


class AccessEvent(models.Model):
    """One decision at a gate. Codes, not foreign keys, so that the table can be partitioned by day and
    distributed by district (Citus) without references across shards."""

    # district first: the key Citus needs to distribute the table by district (a distributed table's keys must
    # hold its distribution column); the moment: the partition column, which every key of a partitioned table holds
    pk = models.CompositePrimaryKey("district_code", "occurred_at", "event_id")
    event_id = models.UUIDField(_("event id"))
    occurred_at = models.DateTimeField(_("moment"))
    received_at = models.DateTimeField(_("received"))
    district_code = models.CharField(_("district"), max_length=6)
    compound_code = models.CharField(_("compound"), max_length=15)
    gate_code = models.CharField(_("gate"), max_length=20)
    direction = models.CharField(_("direction"), max_length=3, choices=DirectionChoice.choices)
    allowed = models.BooleanField(_("allowed"))
    reason = models.CharField(_("reason"), max_length=40)
    next_step = models.CharField(_("next step"), max_length=40, blank=True)
    policy = models.CharField(_("gate policy"), max_length=40, blank=True)
    pseudonym = models.CharField(_("pseudonym"), max_length=32, blank=True)
    holder_kind = models.CharField(_("holder"), max_length=10, blank=True)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=6, choices=Source.choices)
    device = models.CharField(_("device"), max_length=64, blank=True)  # the kit's id or the guard's user name

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes = [
            models.Index(fields=["compound_code", "occurred_at"]),
            models.Index(fields=["gate_code", "occurred_at"]),
            models.Index(fields=["pseudonym", "occurred_at"]),
        ]
