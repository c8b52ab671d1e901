"""Roster API, mounted at /api/people/roster/: the template, import, and export of an area."""

from django.http import JsonResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from wuyi.accounts.audit import client_ip
from wuyi.people import rosters
from wuyi.people.roster_views import xlsx_response

router = Router(tags=["rosters"])


class Error(Schema):
    code: str
    message: str
    field: str | None = None


class RowError(Schema):
    sheet: str
    row: int
    column: str
    code: str
    message: str


class Rejected(Error):
    errors: list[RowError]


class Summary(Schema):
    compounds: int
    buildings: int
    households: int
    people_created: int
    residents: int
    skipped_rows: int
    errors: list[RowError]


XLSX_BODY = {
    "responses": {
        200: {
            "description": "an .xlsx workbook",
            "content": {rosters.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/template", response={403: Error}, openapi_extra=XLSX_BODY, summary="The roster template (.xlsx)"
)
def template(request):
    rosters.require_roster_worker(request.user)
    return xlsx_response(rosters.template_workbook(), rosters.TEMPLATE_FILENAME)


@router.post(
    "/import",
    response={200: Summary, 400: Error, 403: Error, 409: Error, 413: Error, 422: Rejected},
    summary="Import a roster (.xlsx or .csv)",
)
def import_roster(request, file: File[UploadedFile], skip_bad_rows: Form[bool] = False):
    """Every row is validated; any bad row rejects the file (422 with the list) unless skip_bad_rows."""
    try:
        summary = rosters.import_roster(
            file.name or "",
            file.read(rosters.MAX_UPLOAD_BYTES + 1),
            user=request.user,
            skip_bad_rows=skip_bad_rows,
            ip=client_ip(request),
        )
    except rosters.RosterRejected as e:
        return JsonResponse({**e.as_dict(), "errors": [err.as_dict() for err in e.errors]}, status=e.status)
    return summary.as_dict()


@router.get(
    "/export",
    response={400: Error, 403: Error, 404: Error},
    openapi_extra=XLSX_BODY,
    summary="Export an area's roster",
)
def export(request, area: str):
    """The roster of an area in the user's scope as .xlsx, ID numbers masked; audited."""
    result = rosters.export_roster(area, user=request.user, ip=client_ip(request))
    return xlsx_response(result.content, result.filename)
