"""Publishing risk lists (分区分级名单): the stored, dated output of the zoning rules (``zoning``).

A list for date D under a rule set is computed from the case rows reported up to and including D, read in
one set-based query, for every district and street of the area tree; it replaces any list already
published for the same date and rule set, so publishing is repeatable. Lists are kept for history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wuyi.errors import DomainError
from wuyi.health import zoning
from wuyi.health.models import Case, ClusterStatus, RiskList, RiskListEntry
from wuyi.places.models import Area, Level

# The units of a published list: every district and every street, districts first.
UNIT_LEVELS = (Level.DISTRICT, Level.STREET)


def _rule(day: dt.date, rule_id: str | None) -> zoning.ZoningRuleSet:
    if rule_id is not None:
        if rule_id not in zoning.RULES:
            raise DomainError("unknown_rules", f"no zoning rule set {rule_id!r}; choose one of "
                              f"{', '.join(zoning.RULES)}", "rules")
        return zoning.RULES[rule_id]
    try:
        return zoning.rules_on(day)
    except zoning.NoRuleInForce as e:
        raise DomainError("no_rules_in_force", str(e), "date") from None


def case_records(day: dt.date) -> list[zoning.CaseRecord]:
    """The cases reported up to and including ``day`` as the rule module sees them, in one query.

    A case is placed at its household when known (so building units can count it), else at its compound. Only
    clusters an official confirmed count; a suggested or dismissed one does not.
    """
    rows = Case.objects.filter(reported_on__lte=day).values_list(
        "household__code", "compound__code", "reported_on", "kind", "cluster_id", "cluster__status"
    ).order_by()
    return [
        zoning.CaseRecord(
            area_code=household or compound,
            reported_on=reported_on,
            kind=zoning.CaseKind(kind),
            cluster_id=str(cluster_id) if status == ClusterStatus.CONFIRMED else None,
        )
        for household, compound, reported_on, kind, cluster_id, status in rows
    ]


def publish(day: dt.date, rule_id: str | None = None) -> RiskList:
    """Zone every district and street on ``day`` and store the list, replacing one of the same date and rule."""
    rule = _rule(day, rule_id)
    with transaction.atomic():
        units = list(
            Area.objects.filter(level__in=UNIT_LEVELS).order_by("code").values_list("code", "name", "level")
        )
        units.sort(key=lambda u: (UNIT_LEVELS.index(u[2]), u[0]))
        names = {code: name for code, name, _level in units}
        result = zoning.zone(case_records(day), day, [code for code, _n, _l in units], rule.id)
        RiskList.objects.filter(date=day, rule_id=rule.id).delete()
        risk_list = RiskList.objects.create(date=day, rule_id=rule.id, published_at=timezone.now())
        RiskListEntry.objects.bulk_create(
            RiskListEntry(
                risk_list=risk_list,
                unit_code=entry.unit,
                unit_name=names[entry.unit],
                level=entry.level.value,
                cases_in_all=entry.cases_in_all,
                cases_within_14_days=entry.cases_within_14_days,
                clusters_within_14_days=entry.clusters_within_14_days,
                days_since_last_case=entry.days_since_last_case,
                reasons=[list(reason) for reason in entry.reasons],
            )
            for entry in result.units
        )
    return risk_list


def previous(risk_list: RiskList) -> RiskList | None:
    """The list of the same rule set published for the latest date before this one's."""
    return (
        RiskList.objects.filter(rule_id=risk_list.rule_id, date__lt=risk_list.date).order_by("-date").first()
    )


@dataclass(frozen=True)
class Change:
    unit_code: str
    unit_name: str
    before: str | None  # None: the unit was not on the previous list
    after: str


def changes(risk_list: RiskList) -> list[Change]:
    """The units whose level differs from the previous published list of the same rule set (none if first)."""
    before = previous(risk_list)
    if before is None:
        return []
    old = dict(before.entries.values_list("unit_code", "level"))
    return [
        Change(code, name, old.get(code), level)
        for code, name, level in risk_list.entries.order_by("pk").values_list("unit_code", "unit_name", "level")
        if old.get(code) != level
    ]


def list_for(day: dt.date, rule_id: str | None = None) -> RiskList | None:
    """The list published for ``day``, or the latest published before it (of ``rule_id`` if given)."""
    lists = RiskList.objects.filter(date__lte=day)
    if rule_id is not None:
        lists = lists.filter(rule_id=rule_id)
    return lists.order_by("-date", "-published_at").first()
