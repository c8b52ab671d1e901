import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.people.models import Person
from wuyi.places.models import Area, Gate


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    DISTRICT_WORKER = "district_worker", _("District worker")
    STREET_WORKER = "street_worker", _("Street worker")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    GATE_GUARD = "gate_guard", _("Gate guard")
    HEALTH_OFFICIAL = "health_official", _("Health official")
    VOLUNTEER = "volunteer", _("Volunteer")
    RESIDENT = "resident", _("Resident")
    LEADER = "leader", _("Leader")


# Roles that work on an area's people and the level of node each must hold.
AREA_ROLES = {
    Role.CITY_ADMIN: {"city"},
    Role.DISTRICT_WORKER: {"district"},
    Role.STREET_WORKER: {"street"},
    Role.COMMUNITY_WORKER: {"community"},
    Role.HEALTH_OFFICIAL: {"city", "district", "street"},
}
# Leaders read the dashboard of their node and everything beneath it: figures, never a person's record.
LEADER_LEVELS = {"city", "district", "street", "community"}
WORKER_ROLES = {Role.CITY_ADMIN, Role.DISTRICT_WORKER, Role.STREET_WORKER, Role.COMMUNITY_WORKER}


class User(AbstractUser):
    """One account, one role, held on one node of the area tree (a guard's on a gate)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    gate = models.ForeignKey(
        Gate, verbose_name=_("gate"), null=True, blank=True, on_delete=models.PROTECT, related_name="guards"
    )
    person = models.OneToOneField(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="account"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_worker(self) -> bool:
        return self.role in WORKER_ROLES


class ApiToken(models.Model):
    """A per-user or per-device bearer token. Only its SHA-256 is kept; it can be revoked."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        """A new token and its key; the key is shown once and never stored."""
        key = "wy_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=cls.digest_of(key)), key


class LoginFailure(models.Model):
    """One failed login for a user name (existing or not), for the lockout."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")


class AuditEntry(models.Model):
    """Who read or changed whose personal data, when, and what."""

    actor = models.ForeignKey(
        User, verbose_name=_("who"), null=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor_label = models.CharField(_("who (as shown then)"), max_length=200)
    person = models.ForeignKey(
        Person, verbose_name=_("whose record"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="audit_entries",
    )
    action = models.CharField(_("action"), max_length=40)
    what = models.CharField(_("what"), max_length=300)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.what}"
