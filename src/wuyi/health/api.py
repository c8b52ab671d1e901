"""Health API, mounted at /api/health/: the published risk lists (分区分级名单).

Risk lists are public, as they were in 2020: areas and their levels, no one's personal data.
"""

import datetime as dt

from django.db.models import Max
from django.http import HttpRequest
from ninja import Query, Router, Schema

from wuyi.errors import NotFound
from wuyi.health.models import RiskList
from wuyi.health.zoning_service import list_for, previous
from wuyi.places.schemas import Error, Paging, page

router = Router(tags=["health"])


class RiskEntryOut(Schema):
    unit_code: str
    unit_name: str
    level: str
    previous_level: str | None  # on the previous list of the same rule set; None when not on one
    cases_in_all: int
    cases_within_14_days: int
    clusters_within_14_days: int
    days_since_last_case: int | None
    reasons: list[list[str]]


class RiskListOut(Schema):
    date: dt.date
    rule_id: str
    published_at: dt.datetime
    previous_date: dt.date | None
    entries: list[RiskEntryOut]


class PublishedDate(Schema):
    date: dt.date
    rule_ids: list[str]


class PublishedDatePage(Schema):
    count: int
    items: list[PublishedDate]


def risk_list_out(risk_list: RiskList) -> dict:
    before = previous(risk_list)
    old = dict(before.entries.values_list("unit_code", "level")) if before else {}
    return {
        "date": risk_list.date,
        "rule_id": risk_list.rule_id,
        "published_at": risk_list.published_at,
        "previous_date": before.date if before else None,
        "entries": [
            {
                "unit_code": e.unit_code, "unit_name": e.unit_name, "level": e.level,
                "previous_level": old.get(e.unit_code),
                "cases_in_all": e.cases_in_all, "cases_within_14_days": e.cases_within_14_days,
                "clusters_within_14_days": e.clusters_within_14_days,
                "days_since_last_case": e.days_since_last_case, "reasons": e.reasons,
            }
            for e in risk_list.entries.order_by("pk")
        ],
    }


@router.get("/risk-lists", auth=None, response={200: PublishedDatePage, 422: Error},
            summary="The dates with a published risk list, latest first")
def risk_list_dates(request: HttpRequest, paging: Query[Paging]):
    dates = RiskList.objects.values("date").annotate(last=Max("published_at")).order_by("-date")
    count, rows = page(dates, paging)
    rules: dict[dt.date, list[str]] = {}
    for day, rule_id in RiskList.objects.filter(date__in=[r["date"] for r in rows]).order_by("rule_id").values_list(
        "date", "rule_id"
    ):
        rules.setdefault(day, []).append(rule_id)
    return {"count": count, "items": [{"date": r["date"], "rule_ids": rules.get(r["date"], [])} for r in rows]}


@router.get("/risk-lists/{date}", auth=None, response={200: RiskListOut, 404: Error, 422: Error},
            summary="The risk list published for a date, or the latest published before it")
def risk_list(request: HttpRequest, date: dt.date):
    found = list_for(date)
    if found is None:
        raise NotFound("risk list published on or before this date", "date")
    return risk_list_out(found)
