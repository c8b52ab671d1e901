"""Figures of care for key persons for the dashboard: active key persons by reason, and contacts in the last
``RECENT_DAYS`` days, beneath an area and by child area (one grouped query per table, GROUP BY the first
characters of the community's code). No personal data: counts only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone

from wuyi.care.models import CareContact, KeyPerson, KeyReason
from wuyi.places.models import Area, code_range
from wuyi.places.stats import child_code_length

RECENT_DAYS = 7


def empty() -> dict[str, int]:
    """Every key at zero: ``key_persons`` (active), one per reason, ``contacts_7d``."""
    return {"key_persons": 0, **{r: 0 for r in KeyReason.values}, "contacts_7d": 0}


def _since(now: dt.datetime | None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=RECENT_DAYS)


def _grouped(prefix: str, length: int | None, now: dt.datetime | None):
    people = KeyPerson.objects.filter(code_range("community__code", prefix), until__isnull=True)
    contacts = CareContact.objects.filter(code_range("key_person__community__code", prefix), at__gte=_since(now))
    if length is None:
        return (people.values("reason").order_by().annotate(n=Count("pk")).values_list("reason", "n"),
                contacts.aggregate(n=Count("pk"))["n"])
    people = (people.annotate(child=Substr("community__code", 1, length)).values("child", "reason").order_by()
              .annotate(n=Count("pk")).values_list("child", "reason", "n"))
    contacts = (contacts.annotate(child=Substr("key_person__community__code", 1, length)).values("child")
                .order_by().annotate(n=Count("pk")).values_list("child", "n"))
    return people, contacts


def figures(prefix: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Active key persons of the communities beneath ``prefix`` (in all and by reason), and the contacts logged
    in the last 7 days."""
    out = empty()
    people, contacts = _grouped(prefix, None, now)
    for reason, n in people:
        out["key_persons"] += n
        out[reason] += n
    out["contacts_7d"] = contacts
    return out


def figures_by_child(area: Area, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """``figures`` for each child of ``area`` with key persons or contacts (child code → figures)."""
    people, contacts = _grouped(area.prefix, child_code_length(area), now)
    out: dict[str, dict[str, int]] = {}
    for child, reason, n in people:
        f = out.setdefault(child, empty())
        f["key_persons"] += n
        f[reason] += n
    for child, n in contacts:
        out.setdefault(child, empty())["contacts_7d"] = n
    return out
