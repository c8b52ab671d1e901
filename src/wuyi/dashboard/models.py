"""The dashboard's one cache: refusals at gates counted by day, area and reason, for every compound and every
community, street and district above it (so that a page reads only the rows of its child areas).

The access log holds every gate passage (~70 M a day for the whole city, DESIGN.md §6); counting a day's refusals
city-wide from it takes seconds, too slow for a page. ``refusals.count_day`` recounts a day, one
INSERT … SELECT … GROUP BY per level, and notes when (``RefusalDay.counted_at``); the page recounts a day whose count is
missing or older than ``refusals.STALE``, and shows when it was counted. Gate kits upload late, so a day is
recounted as long as it is read after going stale; the figures never change once every kit has uploaded.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wuyi.places.models import Level


class RefusalDay(models.Model):
    day = models.DateField(_("day"), unique=True)
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("day of refusals counted")
        verbose_name_plural = _("days of refusals counted")


class RefusalCount(models.Model):
    day = models.DateField(_("day"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    area_code = models.CharField(_("area"), max_length=15)
    reason = models.CharField(_("reason"), max_length=40)
    refusals = models.PositiveIntegerField(_("refusals"))

    class Meta:
        verbose_name = _("refusals counted")
        verbose_name_plural = _("refusals counted")
        constraints = [models.UniqueConstraint(fields=["day", "area_code", "reason"], name="refusal_count_once")]
        indexes = [models.Index(fields=["day", "level", "area_code"], name="refusal_count_level")]
