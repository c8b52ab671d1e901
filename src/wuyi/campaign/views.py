"""The campaign's pages (健康家园·无疫小区).

- The workbench (campaign:home): the compounds of the worker's area with their latest score and open
  rectifications, the nominations waiting for them, links to the rest.
- Measures catalogues: what each holds and, for Shenzhen's, what is missing and why; a copy as a new version.
- A compound: latest inspection, history, open rectifications, its demonstration case; the inspection sheet
  (open rectifications first when it is a re-inspection); an inspection's results; an Excel export for an area.
- Demonstration compounds: nominate, decide level by level, the communities still without one; the public list
  (no login).
- The ten actions: activity records, counts per action and community, Excel export.

A worker reaches only the compounds and communities beneath their node; anything else is a 404. Each change is
one service call; a DomainError is a form error or a message.
"""

import datetime as dt
import io
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from wuyi.accounts.models import Role
from wuyi.accounts.permissions import worker_required
from wuyi.accounts.scoping import can_see_area
from wuyi.campaign import demonstration as rules
from wuyi.campaign import services
from wuyi.campaign.forms import (
    ActivityForm,
    CopyCatalogueForm,
    DecisionForm,
    InspectionForm,
    NominationForm,
    add_domain_error,
    message_for,
    reason_labels,
)
from wuyi.campaign.models import (
    ActivityRecord,
    Demonstration,
    DemonstrationCriterion,
    DemonstrationStatus,
    Inspection,
    MeasureCatalogue,
    MeasureGroup,
    Rectification,
    RectificationStatus,
    TenAction,
)
from wuyi.errors import DomainError
from wuyi.places.models import Area, Level, code_range

COMPOUNDS_PER_PAGE = 50
HISTORY_ROWS = 50
EXPORT_ROWS = 100_000
# The structure of Shenzhen's 19 measures (POLICY.md §1): five 100%, ten rules, four key points.
SZ_19_GROUPS = {MeasureGroup.FIVE_100: 5, MeasureGroup.TEN_RULES: 10, MeasureGroup.FOUR_KEY: 4}


def _area(request) -> Area:
    """The area asked for (``?area=``) if beneath the worker's node, else the worker's own."""
    code = request.GET.get("area") or ""
    if code and code != request.user.area.code:
        area = Area.objects.filter(code=code).first()
        if area is None or not can_see_area(request.user, area.code):
            raise Http404
        return area
    return request.user.area


def _compound(request, code: str) -> Area:
    compound = Area.objects.filter(code=code, level=Level.COMPOUND).select_related("parent").first()
    if compound is None or not can_see_area(request.user, compound.code):
        raise Http404
    return compound


def _latest(field: str):
    return Subquery(Inspection.objects.filter(compound=OuterRef("pk")).order_by("-inspected_on", "-pk")
                    .values(field)[:1])


def _compounds_with_figures(area: Area):
    open_count = (Rectification.objects.filter(compound=OuterRef("pk"), status=RectificationStatus.OPEN)
                  .order_by().values("compound").annotate(n=Count("pk")).values("n")[:1])
    return (Area.objects.filter(code_range("code", area.prefix), level=Level.COMPOUND)
            .annotate(latest_on=_latest("inspected_on"), latest_score=_latest("score"),
                      latest_full=_latest("fully_compliant"), latest_pk=_latest("pk"), open_count=Subquery(open_count),
                      demo_status=Subquery(Demonstration.objects.filter(compound=OuterRef("pk")).values("status")[:1]))
            .order_by("code"))


# ---- workbench ------------------------------------------------------------------------------------------


@worker_required
def home(request):
    area = _area(request)
    compounds = _compounds_with_figures(area)
    page = Paginator(compounds, COMPOUNDS_PER_PAGE).get_page(request.GET.get("page"))
    labels = dict(DemonstrationStatus.choices)
    for c in page:
        c.demo_label = labels.get(c.demo_status, "")
    in_area = code_range("compound__code", area.prefix)
    inspected = Inspection.objects.filter(in_area).values("compound").distinct().count()
    context = {
        "area": area,
        "page": page,
        "pending": services.pending_for(request.user).filter(in_area)[:100],
        "figures": {
            "compounds": compounds.count(),
            "inspected": inspected,
            "open": Rectification.objects.filter(in_area, status=RectificationStatus.OPEN).count(),
            "overdue": Rectification.objects.filter(in_area, status=RectificationStatus.OPEN,
                                                    due_on__lt=timezone.localdate()).count(),
            "approved": Demonstration.objects.filter(in_area, status=DemonstrationStatus.APPROVED).count(),
        },
        "decision_form": DecisionForm(),
    }
    return render(request, "campaign/home.html", context)


# ---- catalogues -----------------------------------------------------------------------------------------


@worker_required
def catalogues(request):
    rows = MeasureCatalogue.objects.annotate(n=Count("measures")).order_by("-effective_from", "code")
    return render(request, "campaign/catalogues.html", {"catalogues": rows})


def _missing(catalogue: MeasureCatalogue) -> list[tuple[str, int, int]]:
    """For a catalogue of Shenzhen's 19 measures: (group, found, expected) of each group not complete."""
    if not catalogue.code.startswith("sz-2020"):
        return []
    found = dict(catalogue.measures.values_list("group").annotate(n=Count("pk")).order_by())
    labels = dict(MeasureGroup.choices)
    return [(labels[g], found.get(g, 0), n) for g, n in SZ_19_GROUPS.items() if found.get(g, 0) < n]


@worker_required
def catalogue(request, code: str, copy_form=None, status=200):
    found = get_object_or_404(MeasureCatalogue, code=code)
    groups = defaultdict(list)
    for m in found.measures.order_by("position"):
        groups[m.get_group_display()].append(m)
    return render(request, "campaign/catalogue.html", {
        "catalogue": found, "groups": dict(groups), "missing": _missing(found),
        "copy_form": copy_form or (CopyCatalogueForm() if request.user.role == Role.CITY_ADMIN else None),
    }, status=status)


@worker_required
@require_POST
def copy_catalogue(request, code: str):
    if request.user.role != Role.CITY_ADMIN:
        raise PermissionDenied
    form = CopyCatalogueForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            made = services.copy_catalogue(code, d["code"], d["title"], d["effective_from"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Catalogue copied: edit the new version in the admin."))
            return redirect("campaign:catalogue", made.code)
    return catalogue(request, code, copy_form=form, status=400)


# ---- compounds and inspections --------------------------------------------------------------------------


@worker_required
def compound(request, code: str, nomination_form=None, status=200):
    found = _compound(request, code)
    today = timezone.localdate()
    history = list(Inspection.objects.filter(compound=found).select_related("catalogue", "inspected_by")
                   .order_by("-inspected_on", "-pk")[:HISTORY_ROWS])
    case = Demonstration.objects.filter(compound=found).prefetch_related("approvals__by").first()
    criteria = DemonstrationCriterion.objects.filter(active=True).order_by("code")
    facts = (services.facts_for(found, today, demonstration=case)
             if case and case.status not in (DemonstrationStatus.REJECTED, DemonstrationStatus.WITHDRAWN)
             else services.facts_for(found, today, ticked=[c.code for c in criteria]))
    verdict = rules.evaluate(facts)
    may_nominate = request.user.role == Role.COMMUNITY_WORKER and (
        case is None or case.status in (DemonstrationStatus.REJECTED, DemonstrationStatus.WITHDRAWN))
    return render(request, "campaign/compound.html", {
        "compound": found,
        "latest": history[0] if history else None,
        "history": history,
        "open": services.open_rectifications(found),
        "case": case,
        "verdict": verdict,
        "reasons": reason_labels(verdict, facts),
        "may_nominate": may_nominate,
        "may_decide": case is not None and services.may_decide(request.user, case),
        "may_withdraw": case is not None and request.user.role == Role.COMMUNITY_WORKER and case.status in (
            DemonstrationStatus.NOMINATED, DemonstrationStatus.COMMUNITY_APPROVED, DemonstrationStatus.STREET_APPROVED),
        "nomination_form": nomination_form or NominationForm(criteria=criteria),
        "decision_form": DecisionForm(),
    }, status=status)


def _inspection_items(form: InspectionForm) -> list[services.ItemInput]:
    d = form.cleaned_data
    return [services.ItemInput(measure_id=m.pk, result=d.get(f"measure_{m.pk}") or "", note=d.get(f"note_{m.pk}", ""),
                               photo=d.get(f"photo_{m.pk}") or None, due_on=d.get(f"due_{m.pk}"),
                               publish_task=bool(d.get(f"task_{m.pk}")))
            for m in form.measures]


@worker_required
def inspect(request, code: str):
    found = _compound(request, code)
    today = timezone.localdate()
    chosen = request.POST.get("catalogue") or request.GET.get("catalogue")
    cat = (MeasureCatalogue.objects.filter(code=chosen).first() if chosen else None) or \
        services.catalogue_in_force(today)
    if cat is None:
        raise Http404
    measures = list(cat.measures.order_by("position"))
    if request.method == "POST":
        form = InspectionForm(request.POST, request.FILES, measures=measures)
        if form.is_valid():
            try:
                made = services.record_inspection(services.InspectionInput(
                    compound_code=found.code, catalogue_code=cat.code, inspected_on=form.cleaned_data["inspected_on"],
                    items=_inspection_items(form)), request.user)
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, _("Inspection recorded."))
                return redirect("campaign:inspection", made.pk)
        status = 400
    else:
        form = InspectionForm(initial={"inspected_on": today}, measures=measures)
        status = 200
    return render(request, "campaign/inspect.html", {
        "compound": found, "catalogue": cat, "form": form, "open": services.open_rectifications(found),
        "catalogues": MeasureCatalogue.objects.order_by("-effective_from", "code"),
    }, status=status)


@worker_required
def inspection(request, pk: int):
    found = get_object_or_404(Inspection.objects.select_related("compound", "catalogue", "inspected_by", "previous"),
                              pk=pk)
    if not can_see_area(request.user, found.compound.code):
        raise Http404
    return render(request, "campaign/inspection.html", {
        "inspection": found,
        "results": found.results.select_related("measure", "rectification__volunteer_task").order_by("measure__position"),
        "closed": found.closed_rectifications.select_related("measure", "inspection"),
    })


def _xlsx(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _dates(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        first = dt.date.fromisoformat(request.GET.get("from") or "2020-01-01")
        last = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError as exc:
        raise Http404 from exc
    return first, last


@worker_required
def inspections_export(request):
    """The inspections of an area between two dates, one row each, with a first sheet saying what it covers."""
    area = _area(request)
    first, last = _dates(request)
    rows = (Inspection.objects.filter(code_range("compound__code", area.prefix), inspected_on__range=(first, last))
            .select_related("compound__parent", "catalogue", "inspected_by").order_by("compound__code", "inspected_on",
                                                                                    "pk")[:EXPORT_ROWS])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("检查记录")
    ws.append(["区域", f"{area.name} ({area.code})"])
    ws.append(["日期", f"{first.isoformat()} — {last.isoformat()}"])
    ws.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws.append([])
    ws.append(["小区编码", "小区", "社区", "检查日期", "措施目录", "通过", "未通过", "不适用", "得分", "全部达标",
               "复查", "检查人"])
    for i in rows:
        ws.append([i.compound.code, i.compound.name, i.compound.parent.name if i.compound.parent else "",
                   i.inspected_on, i.catalogue.code, i.passed, i.failed, i.not_applicable, round(i.score, 4),
                   "是" if i.fully_compliant else "否", "是" if i.previous_id else "否",
                   i.inspected_by.username if i.inspected_by else ""])
    out = io.BytesIO()
    wb.save(out)
    response = _xlsx(f"wuyi-inspections-{area.code}-{first.isoformat()}-{last.isoformat()}.xlsx")
    response.write(out.getvalue())
    return response


# ---- demonstration compounds ----------------------------------------------------------------------------


@worker_required
@require_POST
def nominate(request, code: str):
    found = _compound(request, code)
    criteria = DemonstrationCriterion.objects.filter(active=True).order_by("code")
    form = NominationForm(request.POST, criteria=criteria)
    if form.is_valid():
        try:
            services.nominate(found.code, request.user, form.cleaned_data["criteria_met"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Nominated as a demonstration compound."))
            return redirect("campaign:compound", found.code)
    return compound(request, code, nomination_form=form, status=400)


@worker_required
@require_POST
def decide(request, pk: int):
    form = DecisionForm(request.POST)
    case = Demonstration.objects.filter(pk=pk).select_related("compound").first()
    if case is None or not can_see_area(request.user, case.compound.code):
        raise Http404
    if form.is_valid():
        try:
            services.decide(pk, request.user, form.cleaned_data["decision"], form.cleaned_data["note"])
        except DomainError as e:
            messages.error(request, message_for(e))
        else:
            messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Choose approve or reject."))
    if request.POST.get("next") == "home":
        return redirect("campaign:home")
    return redirect("campaign:compound", case.compound.code)


@worker_required
@require_POST
def withdraw(request, pk: int):
    case = Demonstration.objects.filter(pk=pk).select_related("compound").first()
    if case is None or not can_see_area(request.user, case.compound.code):
        raise Http404
    try:
        services.withdraw(pk, request.user)
    except DomainError as e:
        messages.error(request, message_for(e))
    else:
        messages.success(request, _("Nomination withdrawn."))
    return redirect("campaign:compound", case.compound.code)


@worker_required
def demonstrations(request):
    """The cases of the worker's area, and the communities still without an approved demonstration compound."""
    area = _area(request)
    cases = (Demonstration.objects.filter(code_range("compound__code", area.prefix))
             .select_related("compound", "community").order_by("compound__code"))
    with_one = Demonstration.objects.filter(status=DemonstrationStatus.APPROVED).values("community")
    without = (Area.objects.filter(code_range("code", area.prefix), level=Level.COMMUNITY)
               .exclude(pk__in=with_one).select_related("parent").order_by("code"))
    return render(request, "campaign/demonstrations.html", {
        "area": area, "cases": Paginator(cases, 100).get_page(request.GET.get("page")),
        "without": Paginator(without, 200).get_page(request.GET.get("wpage")), "without_count": without.count(),
        "communities": Area.objects.filter(code_range("code", area.prefix), level=Level.COMMUNITY).count(),
    })


def public_list(request):
    """The approved demonstration compounds by district, street and community, with since when (no login)."""
    approved = (Demonstration.objects.filter(status=DemonstrationStatus.APPROVED)
                .select_related("compound", "community__parent__parent").order_by("compound__code"))
    district = request.GET.get("district") or ""
    if district:
        approved = approved.filter(code_range("compound__code", district))
    tree: dict = {}
    for case in approved[:10_000]:
        street = case.community.parent
        tree.setdefault(street.parent, {}).setdefault(street, {}).setdefault(case.community, []).append(case)
    districts = Area.objects.filter(level=Level.DISTRICT).order_by("code")
    return render(request, "campaign/public.html", {"tree": tree, "count": approved.count(), "districts": districts,
                                                    "district": district})


# ---- ten actions ----------------------------------------------------------------------------------------


def _communities(area: Area):
    if area.level == Level.COMMUNITY:
        return [area]
    return list(Area.objects.filter(code_range("code", area.prefix), level=Level.COMMUNITY).order_by("code"))


def _activity_counts(area: Area, first: dt.date, last: dt.date):
    rows = (ActivityRecord.objects.filter(code_range("community__code", area.prefix), held_on__range=(first, last))
            .values("community__code", "community__name", "action").annotate(n=Count("pk"), people=Sum("participants"))
            .order_by("community__code"))
    table: dict = {}
    totals = {a: 0 for a in TenAction.values}
    for r in rows:
        line = table.setdefault(r["community__code"], {"name": r["community__name"], "counts": dict.fromkeys(
            TenAction.values, 0), "people": 0})
        line["counts"][r["action"]] = r["n"]
        line["people"] += r["people"] or 0
        totals[r["action"]] += r["n"]
    return table, totals


@worker_required
def activities(request, form=None, status=200):
    area = _area(request)
    first, last = _dates(request)
    table, totals = _activity_counts(area, first, last)
    lines = [(code, line["name"], [line["counts"][a] for a in TenAction.values], line["people"])
             for code, line in sorted(table.items())]
    return render(request, "campaign/activities.html", {
        "area": area, "first": first, "last": last, "actions": TenAction.choices, "lines": lines,
        "totals": [totals[a] for a in TenAction.values],
        "recent": ActivityRecord.objects.filter(code_range("community__code", area.prefix))
        .select_related("community").prefetch_related("photos").order_by("-held_on", "-pk")[:30],
        "form": form or ActivityForm(initial={"held_on": timezone.localdate()}, communities=_communities(area)),
    }, status=status)


@worker_required
@require_POST
def activity_new(request):
    area = request.user.area
    form = ActivityForm(request.POST, request.FILES, communities=_communities(area))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.record_activity(services.ActivityInput(
                community_code=d["community"], action=d["action"], held_on=d["held_on"], place=d["place"],
                participants=d["participants"], description=d["description"], photos=d["photos"]), request.user)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Activity recorded."))
            return redirect("campaign:activities")
    return activities(request, form=form, status=400)


@worker_required
def activities_export(request):
    area = _area(request)
    first, last = _dates(request)
    table, totals = _activity_counts(area, first, last)
    labels = [str(label) for _v, label in TenAction.choices]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("十大行动")
    ws.append(["区域", f"{area.name} ({area.code})"])
    ws.append(["日期", f"{first.isoformat()} — {last.isoformat()}"])
    ws.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws.append([])
    ws.append(["社区编码", "社区", *labels, "参与人次"])
    for code, line in sorted(table.items()):
        ws.append([code, line["name"], *[line["counts"][a] for a in TenAction.values], line["people"]])
    ws.append(["合计", "", *[totals[a] for a in TenAction.values],
               sum(line["people"] for line in table.values())])
    records = wb.create_sheet("活动记录")
    records.append(["社区编码", "社区", "行动", "日期", "地点", "参与人数", "说明"])
    for r in (ActivityRecord.objects.filter(code_range("community__code", area.prefix), held_on__range=(first, last))
              .select_related("community").order_by("community__code", "held_on", "pk")[:EXPORT_ROWS]):
        records.append([r.community.code, r.community.name, r.get_action_display(), r.held_on, r.place,
                        r.participants, r.description])
    out = io.BytesIO()
    wb.save(out)
    response = _xlsx(f"wuyi-ten-actions-{area.code}-{first.isoformat()}-{last.isoformat()}.xlsx")
    response.write(out.getvalue())
    return response

