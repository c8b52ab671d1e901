"""Campaign API, mounted at /api/campaign/: measures catalogues with their measures, a compound's inspections
(list, record), and the public list of approved demonstration compounds.

Catalogues and the demonstration list hold no one's personal data and are public, as the campaign's lists were.
Inspections are for the workers of the compound's area: a compound outside it is a 404.
"""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from wuyi.campaign import services
from wuyi.campaign.models import Demonstration, DemonstrationStatus, Inspection, MeasureCatalogue, ResultValue
from wuyi.places.schemas import COMPOUND_CODE, MAX_ID, Error, Paging, Text, page

router = Router(tags=["campaign"])

DENIED = {401: Error, 403: Error, 404: Error, 422: Error}
REFUSED = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
CompoundCode = Annotated[str, Path(pattern=COMPOUND_CODE)]


class MeasureOut(Schema):
    id: int
    position: int
    group: str
    number: int
    text: str
    text_en: str
    status: str
    source: str
    note: str


class CatalogueOut(Schema):
    code: str
    title: str
    issued_on: dt.date
    effective_from: dt.date
    sources: list[str]
    note: str
    measures: list[MeasureOut]


class CataloguePage(Schema):
    count: int
    items: list[CatalogueOut]


def catalogue_out(c: MeasureCatalogue) -> dict:
    return {"code": c.code, "title": c.title, "issued_on": c.issued_on, "effective_from": c.effective_from,
            "sources": c.sources.split(), "note": c.note,
            "measures": [MeasureOut.from_orm(m).dict() for m in c.measures.all()]}


@router.get("/catalogues", auth=None, response={200: CataloguePage, 422: Error},
            summary="Measures catalogues with their measures, latest first")
def catalogues(request: HttpRequest, paging: Query[Paging]):
    count, rows = page(MeasureCatalogue.objects.prefetch_related("measures").order_by("-effective_from", "code"), paging)
    return {"count": count, "items": [catalogue_out(c) for c in rows]}


class ResultIn(Schema):
    measure_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    result: ResultValue
    note: Annotated[Text, Field(max_length=2000)] = ""
    due_on: dt.date | None = None
    publish_task: bool = False


class InspectionIn(Schema):
    catalogue_code: Annotated[Text, Field(min_length=1, max_length=40)]
    inspected_on: dt.date
    results: list[ResultIn] = Field(..., max_length=200)


class ResultOut(Schema):
    measure_id: int
    result: str
    note: str
    rectification_id: int | None


class InspectionOut(Schema):
    id: int
    compound_code: str
    catalogue_code: str
    inspected_on: dt.date
    previous_id: int | None
    passed: int
    failed: int
    not_applicable: int
    score: float
    fully_compliant: bool
    results: list[ResultOut]
    closed_rectifications: list[int]


class InspectionPage(Schema):
    count: int
    items: list[InspectionOut]


def inspection_out(i: Inspection) -> dict:
    rectified = dict(i.rectifications.values_list("result_id", "pk"))
    return {
        "id": i.pk, "compound_code": i.compound.code, "catalogue_code": i.catalogue.code,
        "inspected_on": i.inspected_on, "previous_id": i.previous_id, "passed": i.passed, "failed": i.failed,
        "not_applicable": i.not_applicable, "score": i.score, "fully_compliant": i.fully_compliant,
        "results": [{"measure_id": r.measure_id, "result": r.result, "note": r.note,
                     "rectification_id": rectified.get(r.pk)} for r in i.results.order_by("measure__position")],
        "closed_rectifications": list(i.closed_rectifications.values_list("pk", flat=True)),
    }


@router.get("/compounds/{compound_code}/inspections", response={200: InspectionPage, **DENIED},
            summary="A compound's inspections, latest first")
def compound_inspections(request: HttpRequest, compound_code: CompoundCode, paging: Query[Paging]):
    compound = services.compound_for(request.user, compound_code)
    count, rows = page(Inspection.objects.filter(compound=compound).select_related("compound", "catalogue")
                       .order_by("-inspected_on", "-pk"), paging)
    return {"count": count, "items": [inspection_out(i) for i in rows]}


@router.post("/compounds/{compound_code}/inspections", response={201: InspectionOut, **REFUSED},
             summary="Record an inspection: a result for every measure of the catalogue")
def record_inspection(request: HttpRequest, compound_code: CompoundCode, data: InspectionIn):
    made = services.record_inspection(services.InspectionInput(
        compound_code=compound_code, catalogue_code=data.catalogue_code, inspected_on=data.inspected_on,
        items=[services.ItemInput(measure_id=r.measure_id, result=r.result.value, note=r.note, due_on=r.due_on,
                                  publish_task=r.publish_task) for r in data.results],
    ), request.user)
    return Status(201, inspection_out(made))


class DemonstrationOut(Schema):
    compound_code: str
    compound_name: str
    community_code: str
    community_name: str
    street_name: str
    district_name: str
    approved_at: dt.datetime | None


class DemonstrationPage(Schema):
    count: int
    items: list[DemonstrationOut]


@router.get("/demonstrations", auth=None, response={200: DemonstrationPage, 422: Error},
            summary="Approved demonstration compounds (public), by code")
def demonstrations(request: HttpRequest, paging: Query[Paging]):
    rows = (Demonstration.objects.filter(status=DemonstrationStatus.APPROVED)
            .select_related("compound", "community__parent__parent").order_by("compound__code"))
    count, items = page(rows, paging)
    return {"count": count, "items": [{
        "compound_code": d.compound.code, "compound_name": d.compound.name, "community_code": d.community.code,
        "community_name": d.community.name, "street_name": d.community.parent.name,
        "district_name": d.community.parent.parent.name, "approved_at": d.approved_at} for d in items]}
