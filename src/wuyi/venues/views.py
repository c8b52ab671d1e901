"""The small-venue pages (三小场所), for the workers of an area: the registry (by status, by community), register a
venue, a venue's page with its reopening (the pledge signed and the checklist, filed on the operator's behalf),
the one-by-one inspection (approve: open; suspend: a printable notice), and the Excel export.

A worker reaches the venues of the communities beneath their area (by code prefix); anything else is a 404.
Each change is one service call; a DomainError is a form error (status 400).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuyi.accounts.permissions import worker_required
from wuyi.errors import DomainError
from wuyi.places.models import Area, Level, code_range
from wuyi.venues import rules, services
from wuyi.venues.forms import (
    ADVICE,
    CHECKLIST_LABELS,
    ApplicationForm,
    FilterForm,
    InspectionForm,
    VenueForm,
    add_domain_error,
)
from wuyi.venues.models import (
    ApplicationStatus,
    InspectionOutcome,
    Venue,
    VenueInspection,
    VenueStatus,
)
from wuyi.venues.notice import notice_pdf

LIST_ROWS = 200


def _communities(user) -> list[tuple[str, str]]:
    return list(Area.objects.filter(code_range("code", user.area.prefix), level=Level.COMMUNITY)
                .order_by("code").values_list("code", "name"))


def _venues(user, params) -> tuple[FilterForm, object]:
    form = FilterForm(params)
    form.is_valid()
    found = Venue.objects.filter(code_range("community__code", user.area.prefix)).select_related("community")
    status = form.cleaned_data.get("status")
    community = form.cleaned_data.get("community")
    if status:
        found = found.filter(status=status)
    if community:
        found = found.filter(community__code=community)
    return form, found


@worker_required
def home(request):
    """The registry of the worker's area: counts by status, the venues (filtered by status and community)."""
    user = request.user
    form, found = _venues(user, request.GET)
    counts = dict(Venue.objects.filter(code_range("community__code", user.area.prefix)).values("status")
                  .order_by().annotate(n=Count("pk")).values_list("status", "n"))
    return render(request, "venues/home.html", {
        "area": user.area, "form": form, "venues": found.order_by("community__code", "name", "pk")[:LIST_ROWS],
        "total": found.count(), "rows": LIST_ROWS, "communities": _communities(user),
        "counts": [(value, label, counts.get(value, 0)) for value, label in VenueStatus.choices],
        "query": request.GET.urlencode(),
    })


@worker_required
def new(request):
    """Register a small venue; refused with a form error when it is not one (rules.small_venue)."""
    form = VenueForm(request.POST or None, communities=_communities(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                venue = services.register_venue(services.VenueInput(
                    community_code=d["community"], name=d["name"], trade=d["trade"],
                    floor_area_m2=d["floor_area_m2"], storeys=d["storeys"], height_m=d["height_m"],
                    address=d["address"], operator_name=d["operator_name"], operator_phone=d["operator_phone"],
                ), by=request.user)
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, _("Venue registered."))
                return redirect("venues:venue", pk=venue.pk)
        status = 400
    return render(request, "venues/new.html", {"form": form}, status=status)


def _venue_page(request, venue: Venue, apply_form=None, inspect_form=None, status=200):
    applications = list(venue.applications.select_related("submitted_by").order_by("-at", "-pk"))
    inspections = {i.application_id: i for i in VenueInspection.objects.filter(application__venue=venue)
                   .select_related("inspector")}
    for a in applications:
        a.inspection_row = inspections.get(a.pk)
        a.items = [(CHECKLIST_LABELS[c], getattr(a, c)) for c in rules.CHECKLIST]
        if a.inspection_row:
            a.inspection_row.items = [(CHECKLIST_LABELS[c], getattr(a.inspection_row, c)) for c in rules.CHECKLIST]
    pending = next((a for a in applications if a.status == ApplicationStatus.SUBMITTED), None)
    advice = rules.reopening_advice(venue.trade)
    can_apply = venue.status in (VenueStatus.CLOSED, VenueStatus.SUSPENDED)
    return render(request, "venues/venue.html", {
        "venue": venue, "applications": applications, "pending": pending,
        "advice": [ADVICE[code] for code, _text in advice.reasons],
        "not_applicable": [CHECKLIST_LABELS[c] for c in rules.checklist(venue.trade).not_applicable],
        "pledge": services.PLEDGE_TEXT, "pledge_version": services.PLEDGE_VERSION,
        "apply_form": apply_form or (ApplicationForm() if can_apply else None),
        "inspect_form": inspect_form or (InspectionForm() if pending else None),
    }, status=status)


def _venue_or_404(request, pk: int) -> Venue:
    try:
        return services.venue_for(request.user, pk)
    except DomainError:
        raise Http404 from None


@worker_required
def venue(request, pk: int):
    return _venue_page(request, _venue_or_404(request, pk))


@worker_required
@require_POST
def apply(request, pk: int):
    """File the operator's reopening application: the pledge signed (name typed, box ticked) and the checklist."""
    v = _venue_or_404(request, pk)
    form = ApplicationForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.apply(v.pk, services.ApplicationInput(**d), by=request.user)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Application filed: inspect the venue next."))
            return redirect("venues:venue", pk=v.pk)
    return _venue_page(request, v, apply_form=form, status=400)


@worker_required
@require_POST
def inspect(request, pk: int):
    """Record the one-by-one inspection of an application: approve (the venue opens) or suspend (a notice)."""
    try:
        application = services.application_for(request.user, pk)
    except DomainError:
        raise Http404 from None
    form = InspectionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            inspection = services.inspect(application.pk, services.InspectionInput(**d), by=request.user)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            if inspection.outcome == InspectionOutcome.APPROVE:
                messages.success(request, _("Reopening approved: the venue is open."))
            else:
                messages.warning(request, _("Venue suspended: print the suspension notice %(number)s.")
                                 % {"number": inspection.notice_number})
            return redirect("venues:venue", pk=application.venue_id)
    return _venue_page(request, application.venue, inspect_form=form, status=400)


@worker_required
def notice(request, pk: int):
    """The suspension notice (暂停营业通告) of a suspending inspection, as a PDF to print."""
    inspection = (VenueInspection.objects.select_related("application__venue__community")
                  .filter(pk=pk, outcome=InspectionOutcome.SUSPEND,
                          application__venue__community__code__startswith=request.user.area.prefix).first())
    if inspection is None:
        raise Http404
    response = HttpResponse(notice_pdf(inspection, services.suspension_reasons(inspection)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{inspection.notice_number}.pdf"'
    return response


@worker_required
def export(request):
    """The registry as an .xlsx, filtered as the list is; it says the area and the moment it covers."""
    from wuyi.venues.export import workbook

    form, found = _venues(request.user, request.GET)
    now = timezone.now()
    body = workbook(request.user.area, found.order_by("community__code", "name", "pk"), now,
                    status=form.cleaned_data.get("status") or "")
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"venues-{request.user.area.code}-{timezone.localtime(now):%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
