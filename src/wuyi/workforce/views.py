"""The workforce pages (people on the ground), for the workers of an area: the overview, workers, groups, the
three-person teams, temporary Party organisations, the shift planner, the coverage report, the Excel import, and the
service centres with their supplies. Leaders see the overview's figures, never a person's record.

Every page works on an area: ``?area=<code>`` beneath the user's node (403 outside it), the user's own node by
default. Workers' names and phones are personal data: lists go through ``scope``, phones through ``phone_for``.
Each change is one service call; a DomainError becomes a form error or a message, never a 500.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuyi.accounts.audit import client_ip, record_many
from wuyi.accounts.models import Role
from wuyi.accounts.permissions import worker_required
from wuyi.accounts.scoping import can_see_area, phone_for, scope
from wuyi.errors import DomainError
from wuyi.people.rosters import XLSX_CONTENT_TYPE, RosterRejected
from wuyi.places.models import CHILD_LEVEL, Area, Checkpoint, Gate, Level, ServiceCentre, code_range
from wuyi.text import row_id
from wuyi.workforce import imports, reports, services, stats, three_person
from wuyi.workforce.forms import (
    ActivateForm,
    DissolveForm,
    GroupForm,
    ImportForm,
    PartyMemberForm,
    PartyOrganisationForm,
    ShiftForm,
    StockForm,
    SupplyForm,
    WorkerForm,
    add_domain_error,
    message_for,
)
from wuyi.workforce.models import (
    PERIOD_HOURS,
    CentreActivation,
    GroupKind,
    PartyMember,
    PartyOrganisation,
    Period,
    Shift,
    Supply,
    Worker,
    WorkerKind,
    WorkGroup,
    period_at,
)

WORKERS_PER_PAGE = 50
LIST_ROWS = 200
MOVEMENTS_SHOWN = 20
DEEPEST_CHOICE = Level.COMMUNITY  # areas offered in selects above a community: down to the communities


# ---- the area a page works on ---------------------------------------------------------------------------


def page_area(request: HttpRequest) -> Area:
    """The area of ``?area=`` (or the user's own node); 403 when the user's node does not reach it."""
    user = request.user
    code = (request.GET.get("area") or request.POST.get("area_of_page") or "").strip()
    if not code:
        return user.area
    reach = user.area.prefix if user.role == Role.LEADER else None
    if not (can_see_area(user, code) or (reach is not None and code.startswith(reach))):
        raise PermissionDenied
    return get_object_or_404(Area, code=code)


def leader_or_worker(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not ((user.is_worker or user.role == Role.LEADER) and user.area_id):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def area_choices(area: Area) -> list[tuple[str, str]]:
    """The area and the areas beneath it down to the communities (to the compounds from a community), for a
    select."""
    deepest = Level.COMPOUND if area.level in (Level.COMMUNITY, Level.COMPOUND) else DEEPEST_CHOICE
    levels = [area.level]
    while levels[-1] in CHILD_LEVEL and levels[-1] != deepest:
        levels.append(CHILD_LEVEL[levels[-1]])
    rows = Area.objects.filter(code_range("code", area.prefix), level__in=levels).order_by("code")
    return [(a.code, f"{'· ' * levels.index(a.level)}{a.name}") for a in rows]


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _period(value: str | None) -> str:
    return value if value in Period.values else period_at(timezone.localtime().time())


def _with_area(url: str, area: Area, **more) -> str:
    return f"{url}?{urlencode({'area': area.code, **more})}"


def _crumbs(user, area: Area) -> list[Area]:
    chain = area.ancestors() + [area]
    return [a for a in chain if a.code.startswith(user.area.prefix) or a.pk == user.area_id]


def _audit_workers(request: HttpRequest, workers, what: str) -> None:
    people = sorted({w.person_id for w in workers if w.person_id})
    if people:
        record_many(request.user, people, "view", what, client_ip(request))


# ---- overview -------------------------------------------------------------------------------------------


@leader_or_worker
def home(request: HttpRequest):
    area = page_area(request)
    today = timezone.localdate()
    figures = stats.figures(area.prefix, today=today)
    children = stats.figures_by_child(area, today=today)
    names = dict(Area.objects.filter(code__in=list(children)).values_list("code", "name"))
    teams = reports.three_person_teams(area, today) if request.user.is_worker else []
    return render(request, "workforce/home.html", {
        "area": area, "crumbs": _crumbs(request.user, area), "figures": figures, "today": today,
        "children": [(code, names.get(code, code), f) for code, f in children.items()],
        "kinds": [(k, label, figures[f"workers_{k}"]) for k, label in WorkerKind.choices],
        "group_kinds": [(k, label, figures[f"groups_{k}"]) for k, label in GroupKind.choices],
        "teams_complete": sum(1 for t in teams if t.verdict.complete), "teams": len(teams),
        "is_worker": request.user.is_worker,
    })


# ---- workers --------------------------------------------------------------------------------------------


def _group_choices(area: Area) -> list[tuple[int, str]]:
    """Standing groups of the area, of its ancestors (a street's guidance group covers its communities) and beneath."""
    codes = [a.code for a in area.ancestors()] + [area.code]
    rows = WorkGroup.objects.filter(Q(area__code__in=codes) | code_range("area__code", area.prefix),
                                    dissolved_on__isnull=True).select_related("area").order_by("area__code", "name")
    return [(g.pk, f"{g.name}（{g.get_kind_display()}）") for g in rows[:LIST_ROWS * 5]]


def _worker_input(form: WorkerForm) -> services.WorkerInput:
    d = form.cleaned_data
    return services.WorkerInput(name=d["name"], kind=d["kind"], area_code=d["area"], phone=d["phone"],
                                unit=d["unit"], group_id=d["group"], party_member=d["party_member"],
                                active=d["active"])


@worker_required
def workers(request: HttpRequest):
    area = page_area(request)
    rows = scope(request.user, Worker.objects.filter(code_range("area__code", area.prefix))).select_related(
        "area", "group")
    kind, group, state, query = (request.GET.get(k, "") for k in ("kind", "group", "state", "q"))
    if kind in WorkerKind.values:
        rows = rows.filter(kind=kind)
    if (group_id := row_id(group)) is not None:
        rows = rows.filter(group_id=group_id)
    if state == "inactive":
        rows = rows.filter(active=False)
    elif state != "all":
        rows = rows.filter(active=True)
    if request.GET.get("party") == "1":
        rows = rows.filter(party_member=True)
    if query.strip():
        rows = rows.filter(Q(name__contains=query.strip()) | Q(unit__contains=query.strip()))
    counts = dict(rows.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    page = Paginator(rows.order_by("area__code", "kind", "name", "pk"), WORKERS_PER_PAGE).get_page(
        request.GET.get("page"))
    for w in page:
        w.phone_shown = phone_for(request.user, w.phone)
    _audit_workers(request, page, f"workforce: workers of {area.code}")
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "workforce/workers.html", {
        "area": area, "crumbs": _crumbs(request.user, area), "page": page, "params": params.urlencode(),
        "kinds": WorkerKind.choices, "groups": _group_choices(area), "counts":
            [(label, counts.get(k, 0)) for k, label in WorkerKind.choices],
        "filters": {"kind": kind, "group": group, "state": state, "q": query, "party": request.GET.get("party")},
    })


@worker_required
def worker_new(request: HttpRequest):
    area = page_area(request)
    form = WorkerForm(request.POST or None, areas=area_choices(area), groups=_group_choices(area),
                      initial={"area": area.code, "active": True})
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.create_worker(request.user, _worker_input(form))
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Worker added: %(name)s.") % {"name": worker.name})
            return redirect(_with_area(reverse("workforce:workers"), worker.area))
    status = 400 if request.method == "POST" else 200
    return render(request, "workforce/worker_form.html", {"area": area, "form": form, "worker": None}, status=status)


@worker_required
def worker_edit(request: HttpRequest, pk: int):
    try:
        worker = services.worker_of(request.user, pk)
    except DomainError:
        raise Http404 from None
    area = request.user.area
    initial = {"name": worker.name, "phone": worker.phone, "kind": worker.kind, "unit": worker.unit,
               "area": worker.area.code, "group": worker.group_id, "party_member": worker.party_member,
               "active": worker.active}
    form = WorkerForm(request.POST or None, areas=area_choices(area), groups=_group_choices(worker.area),
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.update_worker(request.user, pk, _worker_input(form))
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect(_with_area(reverse("workforce:workers"), worker.area))
    _audit_workers(request, [worker], f"workforce: worker {worker.pk}")
    shifts = worker.shifts.select_related("compound", "gate", "checkpoint", "service_centre").order_by("-on")[:30]
    status = 400 if request.method == "POST" else 200
    return render(request, "workforce/worker_form.html", {
        "area": worker.area, "form": form, "worker": worker, "shifts": shifts,
        "phone_shown": phone_for(request.user, worker.phone),
        "memberships": worker.party_memberships.select_related("organisation")}, status=status)


# ---- groups and three-person teams ----------------------------------------------------------------------


@worker_required
def groups(request: HttpRequest):
    area = page_area(request)
    form = GroupForm(request.POST or None, areas=area_choices(area), initial={
        "area": area.code, "set_up_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            group = services.create_group(request.user, d["kind"], d["name"], d["area"], d["set_up_on"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Group set up: %(name)s.") % {"name": group.name})
            return redirect("workforce:group", pk=group.pk)
    kind = request.GET.get("kind", "")
    rows = WorkGroup.objects.filter(code_range("area__code", area.prefix)).select_related("area")
    if kind in GroupKind.values:
        rows = rows.filter(kind=kind)
    if request.GET.get("state") != "all":
        rows = rows.filter(dissolved_on__isnull=True)
    rows = rows.annotate(size=Count("members", filter=Q(members__active=True)))
    return render(request, "workforce/groups.html", {
        "area": area, "crumbs": _crumbs(request.user, area), "form": form, "kinds": GroupKind.choices,
        "kind": kind, "groups": rows[:LIST_ROWS], "total": rows.count(),
    }, status=400 if request.method == "POST" else 200)


@worker_required
def group(request: HttpRequest, pk: int):
    try:
        g = services.group_of(request.user, pk)
    except DomainError:
        raise Http404 from None
    form = DissolveForm(request.POST or None, initial={"dissolved_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.dissolve_group(request.user, pk, form.cleaned_data["dissolved_on"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Group dissolved."))
            return redirect("workforce:group", pk=pk)
    members = list(scope(request.user, g.members.select_related("area")).order_by("kind", "name"))
    for w in members:
        w.phone_shown = phone_for(request.user, w.phone)
    _audit_workers(request, members, f"workforce: group {g.pk}")
    verdict = None
    if g.kind == GroupKind.THREE_PERSON:
        verdict = three_person.assess([(w.kind, w.active) for w in members])
    return render(request, "workforce/group.html", {"group": g, "area": g.area, "members": members, "form": form,
                                                    "verdict": verdict},
                  status=400 if request.method == "POST" else 200)


@worker_required
def teams(request: HttpRequest):
    area = page_area(request)
    rows = reports.three_person_teams(area)
    for t in rows:
        for w in t.members:
            w.phone_shown = phone_for(request.user, w.phone)
    _audit_workers(request, [w for t in rows for w in t.members], f"workforce: three-person teams of {area.code}")
    return render(request, "workforce/teams.html", {
        "area": area, "crumbs": _crumbs(request.user, area), "teams": rows,
        "complete": sum(1 for t in rows if t.verdict.complete),
    })


# ---- temporary Party organisations ----------------------------------------------------------------------


@worker_required
def party(request: HttpRequest):
    area = page_area(request)
    form = PartyOrganisationForm(request.POST or None, areas=area_choices(area), initial={
        "area": area.code, "set_up_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            org = services.create_party_organisation(request.user, d["name"], d["area"], d["front"], d["set_up_on"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Temporary Party organisation set up: %(name)s.") % {"name": org.name})
            return redirect("workforce:organisation", pk=org.pk)
    rows = (PartyOrganisation.objects.filter(code_range("area__code", area.prefix)).select_related("area")
            .annotate(size=Count("members")))
    return render(request, "workforce/party.html", {
        "area": area, "crumbs": _crumbs(request.user, area), "form": form, "organisations": rows[:LIST_ROWS],
        "total": rows.count()}, status=400 if request.method == "POST" else 200)


@worker_required
def organisation(request: HttpRequest, pk: int):
    try:
        org = services.organisation_of(request.user, pk)
    except DomainError:
        raise Http404 from None
    above = [a.code for a in org.area.ancestors()]
    candidates = scope(request.user, Worker.objects.filter(
        code_range("area__code", org.area.prefix) | Q(area__code__in=above), party_member=True, active=True)).exclude(
        party_memberships__organisation=org).order_by("name")[:LIST_ROWS * 5]
    form = PartyMemberForm(request.POST or None, workers=[(w.pk, f"{w.name}（{w.get_kind_display()}）")
                                                          for w in candidates])
    if request.method == "POST" and form.is_valid():
        try:
            services.add_party_member(request.user, pk, form.cleaned_data["worker"], form.cleaned_data["role"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Member added."))
            return redirect("workforce:organisation", pk=pk)
    members = list(PartyMember.objects.filter(organisation=org).select_related("worker__area"))
    _audit_workers(request, [m.worker for m in members], f"workforce: Party organisation {org.pk}")
    return render(request, "workforce/organisation.html", {"org": org, "area": org.area, "members": members,
                                                           "form": form},
                  status=400 if request.method == "POST" else 200)


@worker_required
@require_POST
def remove_member(request: HttpRequest, pk: int, member: int):
    try:
        services.remove_party_member(request.user, member)
    except DomainError as e:
        messages.error(request, message_for(e))
    return redirect("workforce:organisation", pk=pk)


# ---- shifts and coverage --------------------------------------------------------------------------------


def places_of(area: Area) -> list[tuple[str, list[tuple[str, str]]]]:
    """Where a shift beneath the area can be, grouped for a select: compounds, gates, checkpoints, centres."""
    prefix = area.prefix
    compounds = [(f"compound:{c}", n) for c, n in Area.objects.filter(
        code_range("code", prefix), level=Level.COMPOUND).order_by("code").values_list("code", "name")[:LIST_ROWS * 5]]
    gates = [(f"gate:{c}", f"{k} · {n}") for c, n, k in Gate.objects.filter(
        code_range("compound__code", prefix)).order_by("code").values_list("code", "name", "compound__name")[
        :LIST_ROWS * 5]]
    checkpoints = [(f"checkpoint:{c}", n) for c, n in Checkpoint.objects.filter(
        code_range("street__code", prefix)).order_by("code").values_list("code", "name")]
    centres = [(f"service_centre:{c}", n) for c, n in ServiceCentre.objects.filter(
        code_range("area__code", prefix)).order_by("code").values_list("code", "name")]
    return [(str(_("Compounds and urban villages")), compounds), (str(_("Gates")), gates),
            (str(_("Traffic checkpoints")), checkpoints), (str(_("Service centres")), centres)]


@worker_required
def shifts(request: HttpRequest):
    area = page_area(request)
    day = _day(request.GET.get("on") or request.POST.get("on"))
    workers_here = scope(request.user, Worker.objects.filter(code_range("area__code", area.prefix), active=True))
    form = ShiftForm(request.POST or None, places=places_of(area), workers=[
        (w.pk, f"{w.name}（{w.get_kind_display()}）") for w in workers_here.order_by("name")[:LIST_ROWS * 5]])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kind, _sep, code = d["place"].partition(":")
        try:
            services.assign_shift(request.user, services.ShiftInput(d["worker"], day, d["period"], kind, code))
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Shift assigned."))
            return redirect(_with_area(reverse("workforce:shifts"), area, on=day.isoformat()))
    booked = (scope(request.user, Shift.objects.filter(on=day, worker__area__code__startswith=area.prefix))
              .select_related("worker", "compound", "gate__compound", "checkpoint", "service_centre")
              .order_by("period", "pk"))
    by_period = {p: [] for p in Period.values}
    for s in booked[:LIST_ROWS * 5]:
        by_period[s.period].append(s)
    return render(request, "workforce/shifts.html", {
        "area": area, "crumbs": _crumbs(request.user, area), "day": day, "form": form,
        "periods": [(value, label, PERIOD_HOURS[value], by_period[value]) for value, label in Period.choices],
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
    }, status=400 if request.method == "POST" else 200)


@worker_required
@require_POST
def remove_shift(request: HttpRequest, pk: int):
    try:
        services.remove_shift(request.user, pk)
    except DomainError as e:
        messages.error(request, message_for(e))
    else:
        messages.success(request, _("Shift removed."))
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/workforce/") else reverse("workforce:shifts"))


@worker_required
def coverage(request: HttpRequest):
    area = page_area(request)
    day = _day(request.GET.get("on"))
    period = _period(request.GET.get("period"))
    gaps = reports.uncovered(area, day, period)
    if request.GET.get("format") == "xlsx":
        content = reports.coverage_workbook(area, day, period, gaps, request.user)
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (f'attachment; filename="coverage-{area.code}-{day.isoformat()}-'
                                           f'{period}.xlsx"')
        return response
    return render(request, "workforce/coverage.html", {
        "area": area, "crumbs": _crumbs(request.user, area), "day": day, "period": period, "gaps": gaps,
        "periods": Period.choices, "counted": reports.places_counted(area), "hours": PERIOD_HOURS[period],
        "export": _with_area(reverse("workforce:coverage"), area, on=day.isoformat(), period=period, format="xlsx"),
    })


# ---- Excel import ---------------------------------------------------------------------------------------


@worker_required
def import_template(request: HttpRequest):
    response = HttpResponse(imports.template_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{imports.TEMPLATE_FILENAME}"'
    return response


@worker_required
def import_workers(request: HttpRequest):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, summary, status = [], None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                summary = imports.import_workers(form.cleaned_data["file"].read(), user=request.user)
                status = 200
            except RosterRejected as e:
                errors = e.errors
                form.add_error("file", e.message)
            except DomainError as e:
                add_domain_error(form, e)
    return render(request, "workforce/import.html", {"form": form, "errors": errors, "summary": summary,
                                                     "area": request.user.area}, status=status)


# ---- service centres ------------------------------------------------------------------------------------


@worker_required
def centres(request: HttpRequest):
    area = page_area(request)
    rows = (ServiceCentre.objects.filter(code_range("area__code", area.prefix)).select_related("area", "activation")
            .annotate(items=Count("supplies")).order_by("code"))
    return render(request, "workforce/centres.html", {
        "area": area, "crumbs": _crumbs(request.user, area), "centres": rows[:LIST_ROWS], "total": rows.count(),
        "active": CentreActivation.objects.filter(code_range("service_centre__area__code", area.prefix)).count(),
    })


def _centre_page(request: HttpRequest, centre: ServiceCentre, *, activate=None, supply=None, stock=None,
                 status: int = 200):
    today = timezone.localdate()
    on_shift, deployed_count, deployed = reports.gathered(centre, today, LIST_ROWS // 2)
    on_shift = [s for s in on_shift if can_see_area(request.user, s.worker.area.code)]
    for w in deployed:
        w.phone_shown = phone_for(request.user, w.phone)
    _audit_workers(request, [s.worker for s in on_shift] + deployed, f"workforce: service centre {centre.code}")
    activation = CentreActivation.objects.filter(service_centre=centre).first()
    supplies = list(Supply.objects.filter(service_centre=centre).order_by("item"))
    for s in supplies:
        s.form = stock if stock is not None and stock.supply_id == s.pk else StockForm(prefix=f"s{s.pk}")
        s.recent = list(s.movements.select_related("by")[:MOVEMENTS_SHOWN // 4])
    return render(request, "workforce/centre.html", {
        "centre": centre, "area": centre.area, "activation": activation, "today": today,
        "activate_form": activate or ActivateForm(initial={"since": activation.anti_epidemic_since
                                                           if activation else today}),
        "supply_form": supply or SupplyForm(), "supplies": supplies, "on_shift": on_shift, "deployed": deployed,
        "deployed_count": deployed_count,
    }, status=status)


def _centre(request: HttpRequest, code: str) -> ServiceCentre:
    try:
        return services.centre_of(request.user, code)
    except DomainError:
        raise Http404 from None


@worker_required
def centre(request: HttpRequest, code: str):
    return _centre_page(request, _centre(request, code))


@worker_required
@require_POST
def centre_activate(request: HttpRequest, code: str):
    c = _centre(request, code)
    form = ActivateForm(request.POST)
    if form.is_valid():
        try:
            services.activate_centre(request.user, code, form.cleaned_data["since"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("This service centre is an anti-epidemic centre."))
            return redirect("workforce:centre", code=code)
    return _centre_page(request, c, activate=form, status=400)


@worker_required
@require_POST
def supply_add(request: HttpRequest, code: str):
    c = _centre(request, code)
    form = SupplyForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_supply(request.user, code, d["item"], d["unit"], d["quantity"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Item added."))
            return redirect("workforce:centre", code=code)
    return _centre_page(request, c, supply=form, status=400)


@worker_required
@require_POST
def stock_move(request: HttpRequest, code: str, pk: int):
    c = _centre(request, code)
    if not Supply.objects.filter(pk=pk, service_centre=c).exists():
        raise Http404
    form = StockForm(request.POST, prefix=f"s{pk}")
    form.supply_id = pk
    if form.is_valid():
        d = form.cleaned_data
        delta = d["amount"] if d["direction"] == "in" else -d["amount"]
        try:
            supply = services.move_stock(request.user, pk, delta, d["reason"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Stock of %(item)s: %(quantity)d %(unit)s.") % {
                "item": supply.item, "quantity": supply.quantity, "unit": supply.unit})
            return redirect("workforce:centre", code=code)
    return _centre_page(request, c, stock=form, status=400)
