"""Health API, mounted at /api/health/: the published risk lists (分区分级名单), a person's colour, a compound's
status, and recording cases and test results (for the systems of hospitals and laboratories).

Risk lists are public, as they were in 2020: areas and their levels, no one's personal data. Everything else
goes through ``scope``: an object outside it is a 404. Reading a person's colour is audited; recording is for
health officials (and the city administrator) within their area.
"""

import datetime as dt
from typing import Annotated

from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from wuyi.accounts.audit import client_ip, record
from wuyi.accounts.models import Role, User
from wuyi.accounts.scoping import can_see_area, scope
from wuyi.errors import DomainError, Forbidden, NotFound
from wuyi.health import compound_service, services
from wuyi.health.models import CaseKind, PersonColour, RiskList, TestOutcome
from wuyi.health.services import colour_of
from wuyi.health.zoning_service import list_for, previous
from wuyi.people.models import Person
from wuyi.places.models import Area, Level
from wuyi.places.schemas import COMPOUND_CODE, MAX_ID, Error, Paging, page

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


# ---- people's colours, compounds' status, recording ---------------------------------------------------------

DENIED = {401: Error, 403: Error, 404: Error}
REFUSED = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}
PersonId = Annotated[int, Path(ge=1, le=MAX_ID)]
HOUSEHOLD_CODE = r"^\d{22}$"


def official(request: HttpRequest) -> User:
    user = request.user
    if user.role not in (Role.HEALTH_OFFICIAL, Role.CITY_ADMIN) or not user.area_id:
        raise Forbidden("only health officials record cases and results")
    return user


class ReasonOut(Schema):
    code: str
    text: str


class ColourOut(Schema):
    person_id: int
    colour: str
    rule_id: str
    reasons: list[ReasonOut]
    next_change: dt.date | None
    computed_at: dt.datetime


class CompoundStatusOut(Schema):
    compound_code: str
    on: dt.date
    rule_id: str
    status: str
    since: dt.date
    reasons: list[ReasonOut]
    can_be_free_on: dt.date | None


class CaseIn(Schema):
    kind: CaseKind
    reported_on: dt.date
    household_code: Annotated[str, Field(pattern=HOUSEHOLD_CODE)]
    person_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    onset_on: dt.date | None = None
    sampled_on: dt.date | None = None
    imported: bool = False
    quarantine_household: bool = True  # link the other members as close contacts and quarantine them at home


class CaseOut(Schema):
    id: int
    kind: str
    reported_on: dt.date
    compound_code: str
    district_code: str
    cluster_id: int | None
    contacts: list[int]  # person ids linked as close contacts


class TestResultIn(Schema):
    sampled_at: dt.datetime
    outcome: TestOutcome


class TestResultOut(Schema):
    id: int
    person_id: int
    sampled_at: dt.datetime
    outcome: str
    colour: str


def _reasons(pairs) -> list[dict]:
    return [{"code": code, "text": text} for code, text in pairs]


@router.get("/people/{person_id}/colour", response={200: ColourOut, **DENIED},
            summary="A person's colour, its reasons and when it can next change")
def person_colour(request: HttpRequest, person_id: PersonId):
    person = scope(request.user, Person.objects.filter(pk=person_id)).first()
    if person is None:
        raise NotFound("person", "person_id")
    if person.pk != request.user.person_id:
        record(request.user, person, "view", "colour (API)", client_ip(request))
    stored = colour_of(person.pk)
    return {"person_id": person.pk, "colour": stored.colour, "rule_id": stored.rule_id,
            "reasons": _reasons(stored.reasons), "next_change": stored.next_change,
            "computed_at": stored.computed_at}


@router.get("/compounds/{compound_code}/status", response={200: CompoundStatusOut, **DENIED, 422: Error},
            summary="Whether a compound is epidemic-free on a date (default today), since when and why")
def compound_status(request: HttpRequest, compound_code: Annotated[str, Path(pattern=COMPOUND_CODE)],
                    on: dt.date | None = None):
    compound = Area.objects.filter(code=compound_code, level=Level.COMPOUND).first()
    if compound is None or not can_see_area(request.user, compound.code):
        raise NotFound("compound", "compound_code")
    got = compound_service.status_of(compound, on or timezone.localdate())
    return {"compound_code": compound.code, "on": got.on, "rule_id": got.rule_id, "status": got.status.value,
            "since": got.since, "reasons": _reasons(got.reasons), "can_be_free_on": got.can_be_free_on}


@router.post("/cases", response={201: CaseOut, **REFUSED},
             summary="Record a case; by default its household is linked as close contacts and quarantined")
def record_case(request: HttpRequest, data: CaseIn):
    user = official(request)
    if not can_see_area(user, data.household_code):
        raise NotFound("household", "household_code")
    if data.person_id is not None and not scope(user, Person.objects.filter(pk=data.person_id)).exists():
        raise NotFound("person", "person_id")
    case, contacts = services.record_case_with_household(
        services.CaseInput(kind=data.kind, reported_on=data.reported_on, household_code=data.household_code,
                           person_id=data.person_id, onset_on=data.onset_on, sampled_on=data.sampled_on,
                           imported=data.imported),
        quarantine_kind="home_quarantine" if data.quarantine_household else None, by=user,
    )
    return Status(201, {"id": case.pk, "kind": case.kind, "reported_on": case.reported_on,
                        "compound_code": case.compound.code, "district_code": case.district.code,
                        "cluster_id": case.cluster_id, "contacts": [c.person_id for c in contacts]})


@router.post("/people/{person_id}/test-results", response={201: TestResultOut, **REFUSED},
             summary="Record a nucleic-acid test result; the person's colour is recomputed at once")
def record_test_result(request: HttpRequest, person_id: PersonId, data: TestResultIn):
    user = official(request)
    if not scope(user, Person.objects.filter(pk=person_id)).exists():
        raise NotFound("person", "person_id")
    if data.sampled_at.tzinfo is None:
        raise DomainError("naive_time", "give the sampling time with its offset, e.g. +08:00", "sampled_at")
    result = services.record_test_result(person_id, data.sampled_at, data.outcome, by=user)
    return Status(201, {"id": result.pk, "person_id": person_id, "sampled_at": result.sampled_at,
                        "outcome": result.outcome, "colour": PersonColour.objects.get(person_id=person_id).colour})
