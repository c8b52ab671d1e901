"""The roster page for workers: download the template, upload a roster, export an area."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from wuyi.accounts.audit import client_ip
from wuyi.accounts.permissions import worker_required
from wuyi.errors import DomainError
from wuyi.people import rosters
from wuyi.places.models import Area, code_range


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    skip_bad_rows = forms.BooleanField(label=_("Skip bad rows and import the good ones"), required=False)


class RosterExportForm(forms.Form):
    area = forms.CharField(label=_("Area code"), max_length=15)


def _areas_for(user) -> list[Area]:
    """The user's own area and the areas one level below it, to pick from for an export."""
    own = user.area
    return [own, *Area.objects.filter(code_range("code", own.prefix), parent=own)]


def _page(request, status: int = 200, **context) -> HttpResponse:
    context.setdefault("upload_form", RosterUploadForm())
    context.setdefault("export_form", RosterExportForm(initial={"area": request.user.area.code}))
    context["areas"] = _areas_for(request.user)
    return render(request, "people/roster.html", context, status=status)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=rosters.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_GET
@worker_required
def roster(request):
    return _page(request)


@require_GET
@worker_required
def roster_template(request):
    return xlsx_response(rosters.template_workbook(), rosters.TEMPLATE_FILENAME)


@require_POST
@worker_required
def roster_import(request):
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, 400, upload_form=form)
    upload = form.cleaned_data["file"]
    try:
        summary = rosters.import_roster(
            upload.name,
            upload.read(rosters.MAX_UPLOAD_BYTES + 1),
            user=request.user,
            skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            ip=client_ip(request),
        )
    except rosters.RosterRejected as e:
        return _page(request, e.status, upload_form=form, upload_error=e, row_errors=e.errors)
    except DomainError as e:
        return _page(request, e.status, upload_form=form, upload_error=e)
    return _page(request, summary=summary, row_errors=summary.errors)


@require_GET
@worker_required
def roster_export(request):
    form = RosterExportForm(request.GET)
    if not form.is_valid():
        return _page(request, 400, export_form=form)
    try:
        result = rosters.export_roster(form.cleaned_data["area"], user=request.user, ip=client_ip(request))
    except DomainError as e:
        return _page(request, e.status, export_form=form, export_error=e)
    return xlsx_response(result.content, result.filename)


urlpatterns = [
    path("roster/", roster, name="roster"),
    path("roster/template/", roster_template, name="roster_template"),
    path("roster/import/", roster_import, name="roster_import"),
    path("roster/export/", roster_export, name="roster_export"),
]
