"""Care for key persons (关心关爱): people back from key epidemic areas and households under home quarantine,
and the visits, deliveries, calls and counselling the community gives them (POLICY.md §8a, §1d: the community
shopped and delivered for home-quarantined households).

A key person is people's data: ``scope`` filters both models by the community's code prefix (CareConfig.ready).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wuyi.fields import acting_user
from wuyi.people.models import Person
from wuyi.places.models import Area, Level


class KeyReason(models.TextChoices):
    FROM_KEY_AREA = "from_key_area", _("Arrived from a key epidemic area")
    QUARANTINED_HOUSEHOLD = "quarantined_household", _("Household under home quarantine")


class KeyPerson(models.Model):
    """A person the community looks after, for one reason, from ``since`` until ``until`` (open while null)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="key_persons")
    reason = models.CharField(_("reason"), max_length=24, choices=KeyReason.choices)
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="key_persons", limit_choices_to={"level": Level.COMMUNITY})
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    responsible = acting_user(_("responsible worker"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["community", "since", "pk"]
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        indexes = [models.Index(fields=["community", "until"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "reason"], condition=models.Q(until__isnull=True),
                                    name="key_person_active_once"),
            models.CheckConstraint(name="key_person_until_not_before_since",
                                   condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since"))),
        ]

    def __str__(self) -> str:
        return f"{self.person.masked_name} ({self.get_reason_display()})"


class ContactKind(models.TextChoices):
    VISIT = "visit", _("Home visit")
    DELIVERY = "delivery", _("Shopping and delivery")
    CALL = "call", _("Phone call")
    COUNSELLING = "counselling", _("Counselling")


class CareContact(models.Model):
    """One visit, delivery, call or counselling session given to a key person."""

    key_person = models.ForeignKey(KeyPerson, verbose_name=_("key person"), on_delete=models.CASCADE,
                                   related_name="contacts")
    kind = models.CharField(_("kind"), max_length=12, choices=ContactKind.choices)
    at = models.DateTimeField(_("when"))
    by = acting_user(_("by"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    items = models.CharField(_("items delivered"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("care contact")
        verbose_name_plural = _("care contacts")
        indexes = [models.Index(fields=["key_person", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
