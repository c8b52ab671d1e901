"""Health pages.

- The public risk list (分区分级名单): anyone may read it, logged in or not, as in 2020.
- The health official's workbench: find a person, record a case (and quarantine the household), link
  contacts, issue and release quarantine orders, enter test results, raise and clear flags, confirm the
  clusters the system suggests, publish a risk list. Every list of people goes through ``scope``; every view
  of a person's health record is audited; each change is one service call (one transaction).
- A compound's status (epidemic-free or not, since when, why), for the people working on its area.
- The resident's own status: colour, reasons, when it can change, orders, and the daily report.
"""

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuyi.accounts.audit import client_ip, record, record_many
from wuyi.accounts.models import Role
from wuyi.accounts.scoping import can_see_area, phone_for, scope
from wuyi.errors import DomainError
from wuyi.health import compound_service, services
from wuyi.health.forms import (
    CaseForm,
    ClearFlagForm,
    ContactForm,
    DailyReportForm,
    FlagForm,
    OrderForm,
    OutcomeForm,
    PersonSearchForm,
    PublishForm,
    TestForm,
    add_domain_error,
    message_for,
)
from wuyi.health.models import (
    Case,
    CaseOutcome,
    CloseContact,
    Cluster,
    ClusterStatus,
    Colour,
    DailyReport,
    Flag,
    PersonColour,
    QuarantineOrder,
    RiskLevel,
    RiskList,
    TestResult,
)
from wuyi.health.reasons import labelled
from wuyi.health.zoning_service import changes, list_for, previous, publish
from wuyi.people import identity
from wuyi.people.models import Membership, Person
from wuyi.places.models import CODE_LENGTH, Area, Level

# Earlier lists linked from the page.
HISTORY_LENGTH = 30
RECENT_CASES = 30
SEARCH_RESULTS = 20
HEALTH_ROLES = (Role.HEALTH_OFFICIAL, Role.CITY_ADMIN)


def health_required(view):
    """Health officials (and the city administrator) holding an area."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.role not in HEALTH_ROLES or not request.user.area_id:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def can_publish(user) -> bool:
    """Risk lists cover the whole city: published by the city's health officials or its administrator."""
    return user.role in HEALTH_ROLES and user.area_id is not None and user.area.level == Level.CITY


# ---- the public risk list ---------------------------------------------------------------------------------


def risk(request: HttpRequest) -> HttpResponse:
    """The list for ``?date=`` (or the latest published on or before it), else the latest list of all."""
    asked = request.GET.get("date")
    if asked:
        try:
            day = dt.date.fromisoformat(asked)
        except ValueError:
            raise Http404("not a date") from None
        risk_list = list_for(day)
    else:
        risk_list = RiskList.objects.order_by("-date", "-published_at").first()
    labels = dict(RiskLevel.choices)
    districts = []
    changed = []
    before = None
    if risk_list is not None:
        before = previous(risk_list)
        entries = list(risk_list.entries.order_by("pk"))
        for e in entries:
            e.level_label = labels.get(e.level, e.level)
            e.reason_list = labelled(e.reasons)
        district_length = CODE_LENGTH[Level.DISTRICT]
        streets: dict[str, list] = {}
        for e in entries:
            if len(e.unit_code) > district_length:
                streets.setdefault(e.unit_code[:district_length], []).append(e)
        districts = [
            {"entry": e, "streets": streets.get(e.unit_code, [])}
            for e in entries
            if len(e.unit_code) == district_length
        ]
        changed = [
            {"change": c, "before": labels.get(c.before, c.before) if c.before else None,
             "after": labels.get(c.after, c.after)}
            for c in changes(risk_list)
        ]
    history = list(
        RiskList.objects.order_by("-date", "rule_id").values_list("date", "rule_id")[:HISTORY_LENGTH]
    )
    return render(request, "health/risk.html", {
        "risk_list": risk_list, "previous_list": before, "districts": districts, "changed": changed,
        "history": history, "asked": asked,
    })


@health_required
@require_POST
def publish_list(request):
    if not can_publish(request.user):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["date"]
        if day > timezone.localdate() + dt.timedelta(days=1):
            form.add_error("date", _("A list can be published for today or tomorrow at the latest."))
        else:
            try:
                risk_list = publish(day, form.cleaned_data["rules"] or None)
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, _("Risk list for %(date)s published.") % {"date": risk_list.date})
                return redirect(f"{reverse('health:risk')}?date={risk_list.date.isoformat()}")
    return _workbench(request, publish_form=form, status=400)


# ---- the workbench ----------------------------------------------------------------------------------------


@health_required
def workbench(request):
    return _workbench(request)


def _workbench(request, *, search_form=None, publish_form=None, found=None, status=200):
    user = request.user
    today = timezone.localdate()
    cases = scope(user, Case.objects.select_related("compound", "district", "person", "cluster"))[:RECENT_CASES]
    suggested = (
        Cluster.objects.filter(status=ClusterStatus.SUGGESTED)
        .filter(pk__in=scope(user, Case.objects.filter(cluster__isnull=False)).values("cluster_id"))
        .prefetch_related("cases__compound")
    )
    ending = (
        scope(user, QuarantineOrder.objects.filter(released_at__isnull=True, planned_end__lte=today))
        .select_related("person").order_by("planned_end", "pk")[:50]
    )
    area = user.area
    counts = compound_service.status_counts(area, today)
    if found:
        record_many(user, [p.pk for p in found], "view", "health search results", client_ip(request))
    return render(request, "health/workbench.html", {
        "cases": cases, "suggested": suggested, "ending": ending, "today": today,
        "search_form": search_form or PersonSearchForm(), "found": found,
        "publish_form": (publish_form or PublishForm()) if can_publish(user) else None,
        "area": area, "counts": counts,
    }, status=status)


@health_required
def search(request):
    form = PersonSearchForm(request.GET)
    if not form.is_valid():
        return _workbench(request, search_form=form, status=400)
    q = form.cleaned_data["q"].strip()
    people = scope(request.user, Person.objects.all())
    try:
        number = identity.normalise(q)
    except identity.InvalidIdNumber:
        found = list(people.filter(name__startswith=q).order_by("name", "pk")[:SEARCH_RESULTS]) if len(q) >= 2 else []
    else:
        found = list(people.filter(id_hmac=identity.id_hmac(number, settings.WUYI_ID_KEY)))
    if len(found) == 1:
        return redirect("health:person", pk=found[0].pk)
    return _workbench(request, search_form=form, found=found)


# ---- a person's health record -----------------------------------------------------------------------------


def _colour(person_id: int) -> dict:
    stored = services.colour_of(person_id)
    return {"colour": stored.colour, "label": dict(Colour.choices).get(stored.colour, stored.colour),
            "reasons": labelled(stored.reasons), "next_change": stored.next_change, "rule_id": stored.rule_id,
            "computed_at": stored.computed_at}


@health_required
def person(request, pk: int, *, forms=None, status=200):
    user = request.user
    p = get_object_or_404(scope(user, Person.objects.all()), pk=pk)
    record(user, p, "view", "health record", client_ip(request))
    membership = (Membership.objects.filter(person=p, moved_out__isnull=True)
                  .select_related("household__building__compound").first())
    forms = forms or {}
    household = membership.household if membership else None
    return render(request, "health/person.html", {
        "p": p, "household": household, "colour": _colour(p.pk),
        "cases": Case.objects.filter(person=p).select_related("compound", "cluster"),
        "contacts": CloseContact.objects.filter(person=p).select_related("case__compound"),
        "orders": QuarantineOrder.objects.filter(person=p),
        "tests": TestResult.objects.filter(person=p)[:20],
        "flags": Flag.objects.filter(person=p),
        "reports": DailyReport.objects.filter(person=p)[:14],
        "case_form": forms.get("case") or CaseForm(initial={"household_code": household.code if household else ""}),
        "order_form": forms.get("order") or OrderForm(),
        "test_form": forms.get("test") or TestForm(initial={"sampled_on": timezone.localdate()}),
        "flag_form": forms.get("flag") or FlagForm(initial={"since": timezone.localdate()}),
        "clear_form": ClearFlagForm(initial={"on": timezone.localdate()}),
    }, status=status)


def _scoped_person(request, pk: int) -> Person:
    return get_object_or_404(scope(request.user, Person.objects.all()), pk=pk)


def _post_form(request, pk: int, key: str, form, act) -> HttpResponse:
    """Validate ``form``, run ``act(cleaned_data)`` (one service call); back to the person page, or the form
    with its errors (400)."""
    _scoped_person(request, pk)
    if form.is_valid():
        try:
            done = act(form.cleaned_data)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, done)
            return redirect("health:person", pk=pk)
    return person(request, pk, forms={key: form}, status=400)


@health_required
@require_POST
def record_case(request, pk: int):
    form = CaseForm(request.POST)

    def act(data):
        code = data["household_code"].strip() or data["compound_code"].strip()
        if code and not can_see_area(request.user, code):
            raise DomainError("outside_area", "this household is outside your area", "household_code")
        case, contacts = services.record_case_with_household(
            services.CaseInput(
                kind=data["kind"], reported_on=data["reported_on"], household_code=data["household_code"].strip(),
                compound_code=data["compound_code"].strip(), onset_on=data["onset_on"],
                sampled_on=data["sampled_on"], imported=data["imported"], person_id=pk,
            ),
            quarantine_kind=data["quarantine_kind"] if data["link_household"] else None,
            by=request.user,
        )
        return _("Case recorded; %(n)d household member(s) linked as close contacts.") % {"n": len(contacts)}

    return _post_form(request, pk, "case", form, act)


@health_required
@require_POST
def issue_order(request, pk: int):
    form = OrderForm(request.POST)

    def act(data):
        services.issue_quarantine(pk, data["kind"], data["start"], data["planned_end"], by=request.user)
        return _("Quarantine order issued.")

    return _post_form(request, pk, "order", form, act)


@health_required
@require_POST
def record_test(request, pk: int):
    form = TestForm(request.POST)

    def act(data):
        services.record_test_result(pk, form.sampled_at(), data["outcome"], by=request.user)
        return _("Test result recorded.")

    return _post_form(request, pk, "test", form, act)


@health_required
@require_POST
def raise_flag(request, pk: int):
    form = FlagForm(request.POST)

    def act(data):
        services.raise_flag(pk, data["kind"], data["since"], data["note"], by=request.user)
        return _("Flag recorded.")

    return _post_form(request, pk, "flag", form, act)


@health_required
@require_POST
def clear_flag(request, pk: int):
    flag = get_object_or_404(scope(request.user, Flag.objects.all()), pk=pk)
    form = ClearFlagForm(request.POST)

    def act(data):
        services.clear_flag(flag.pk, data["on"], by=request.user)
        return _("Flag cleared.")

    return _post_form(request, flag.person_id, "clear", form, act)


@health_required
@require_POST
def release_order(request, pk: int):
    order = get_object_or_404(scope(request.user, QuarantineOrder.objects.all()), pk=pk)
    try:
        services.release_quarantine(order.pk, by=request.user)
    except DomainError as e:
        messages.error(request, message_for(e))
    else:
        messages.success(request, _("Order released."))
    return redirect("health:person", pk=order.person_id)


# ---- cases and clusters -----------------------------------------------------------------------------------


@health_required
def case(request, pk: int, *, contact_form=None, outcome_form=None, status=200):
    user = request.user
    c = get_object_or_404(scope(user, Case.objects.select_related("compound", "district", "person", "cluster",
                                                                  "household")), pk=pk)
    if c.person_id:
        record(user, c.person, "view", f"case {c.pk}", client_ip(request))
    contacts = list(c.contacts.select_related("person").order_by("pk"))
    colours = dict(PersonColour.objects.filter(person_id__in=[x.person_id for x in contacts])
                   .values_list("person_id", "colour"))
    for x in contacts:
        x.colour = colours.get(x.person_id)
        x.visible = scope(user, Person.objects.filter(pk=x.person_id)).exists()
    return render(request, "health/case.html", {
        "c": c, "contacts": contacts, "colour_labels": dict(Colour.choices),
        "contact_form": contact_form or ContactForm(initial={"last_exposure_on": min(c.reported_on,
                                                                                   timezone.localdate())}),
        "outcome_form": outcome_form or OutcomeForm(initial={"on": timezone.localdate()}),
        "under_treatment": c.outcome == CaseOutcome.UNDER_TREATMENT,
    }, status=status)


@health_required
@require_POST
def link_contact(request, pk: int):
    c = get_object_or_404(scope(request.user, Case.objects.all()), pk=pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            number = identity.normalise(data["id_number"])
        except identity.InvalidIdNumber:
            form.add_error("id_number", _("Enter a valid 18-digit resident ID number."))
        else:
            contact_person = scope(request.user, Person.objects.filter(
                id_hmac=identity.id_hmac(number, settings.WUYI_ID_KEY))).first()
            if contact_person is None:
                form.add_error("id_number", message_for(DomainError("unknown_person", "", "id_number")))
            else:
                try:
                    with transaction.atomic():
                        services.link_contact(c.pk, contact_person.pk, data["last_exposure_on"], data["degree"],
                                              by=request.user)
                        if data["quarantine_kind"]:
                            today = timezone.localdate()
                            services.issue_quarantine(
                                contact_person.pk, data["quarantine_kind"], today,
                                max(today, data["last_exposure_on"] + dt.timedelta(days=14)), by=request.user)
                except DomainError as e:
                    add_domain_error(form, e)
                else:
                    messages.success(request, _("Contact linked."))
                    return redirect("health:case", pk=c.pk)
    return case(request, pk, contact_form=form, status=400)


@health_required
@require_POST
def case_outcome(request, pk: int):
    c = get_object_or_404(scope(request.user, Case.objects.all()), pk=pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.set_case_outcome(c.pk, form.cleaned_data["outcome"], form.cleaned_data["on"], by=request.user)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("health:case", pk=c.pk)
    return case(request, pk, outcome_form=form, status=400)


@health_required
@require_POST
def decide_cluster(request, pk: int, decision: str):
    in_scope = scope(request.user, Case.objects.filter(cluster_id=pk)).exists()
    cluster = Cluster.objects.filter(pk=pk).first()
    if cluster is None or not in_scope:
        raise Http404
    act = services.confirm_cluster if decision == "confirm" else services.dismiss_cluster
    try:
        act(cluster.pk, by=request.user)
    except DomainError as e:
        messages.error(request, message_for(e))
    else:
        messages.success(request, _("Cluster confirmed.") if decision == "confirm" else _("Cluster dismissed."))
    return redirect("health:workbench")


# ---- compounds --------------------------------------------------------------------------------------------


@login_required
def compound(request, code: str):
    """A compound's status for the people who work on its area (and its guards)."""
    area = get_object_or_404(Area, code=code, level=Level.COMPOUND)
    if not can_see_area(request.user, area.code):
        raise Http404
    on = timezone.localdate()
    asked = request.GET.get("on")
    if asked:
        try:
            on = dt.date.fromisoformat(asked)
        except ValueError:
            raise Http404("not a date") from None
    status = compound_service.status_of(area, on)
    cases = Case.objects.filter(compound=area, reported_on__lte=on).select_related("cluster")[:50]
    return render(request, "health/compound.html", {
        "compound": area, "status": status, "reasons": labelled(status.reasons), "on": on, "cases": cases,
        "is_health": request.user.role in HEALTH_ROLES,
    })


# ---- the three-person team ------------------------------------------------------------------------------


@login_required
def missed(request):
    """People under home quarantine or observation in a community with no daily report for the day: the list
    the community's three-person team (三人小组) follows up. For its community workers and for health officials
    and workers above it (who pick the community)."""
    user = request.user
    if not (user.is_worker or user.role in HEALTH_ROLES) or not user.area_id:
        raise PermissionDenied
    communities = Area.objects.filter(level=Level.COMMUNITY, code__startswith=user.area.prefix).order_by("code")
    if user.area.level == Level.COMMUNITY:
        community = user.area
    else:
        community = communities.filter(code=request.GET.get("community", "")).first()
    day = timezone.localdate()
    if request.GET.get("day"):
        try:
            day = dt.date.fromisoformat(request.GET["day"])
        except ValueError:
            raise Http404("not a date") from None
    people = []
    if community is not None:
        people = list(scope(user, services.missed_reports(community, day)).prefetch_related(
            "memberships__household__building__compound"))
        for p in people:
            p.phone_shown = phone_for(user, p.phone)
            p.home = next((m.household for m in p.memberships.all() if m.moved_out is None), None)
        record_many(user, [p.pk for p in people], "view", f"missed daily reports {day}", client_ip(request))
    return render(request, "health/missed.html", {
        "community": community, "day": day, "people": people,
        "communities": communities[:1000] if user.area.level != Level.COMMUNITY else None,
    })


# ---- the resident -----------------------------------------------------------------------------------------


@login_required
def me(request, *, report_form=None, status=200):
    """My colour, why, and when it can change; my orders; the daily report while I am quarantined at home."""
    user = request.user
    if user.person_id is None:
        return render(request, "health/me.html", {"no_person": True}, status=status)
    today = timezone.localdate()
    orders = list(QuarantineOrder.objects.filter(person_id=user.person_id).order_by("-start"))
    at_home = Person.objects.filter(services.under_home_quarantine(today), pk=user.person_id).exists()
    return render(request, "health/me.html", {
        "colour": _colour(user.person_id), "orders": orders, "at_home": at_home, "today": today,
        "reported_today": DailyReport.objects.filter(person_id=user.person_id, date=today).first(),
        "report_form": report_form or DailyReportForm(),
    }, status=status)


@login_required
@require_POST
def daily_report(request):
    user = request.user
    if user.person_id is None:
        raise PermissionDenied
    form = DailyReportForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_daily_report(user.person_id, timezone.localdate(), data["temperature_morning"],
                                         data["temperature_afternoon"], data["symptoms"], by=user)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Today's report is sent."))
            return redirect("health:me")
    return me(request, report_form=form, status=400)

