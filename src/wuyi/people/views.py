"""The people pages: self-declaration, "my" page, the verification queue, registering on someone's
behalf, a person's details and a pass. Every list goes through `scope`; every view of a person's
details is written to the audit log.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuyi.accounts.audit import client_ip, record
from wuyi.accounts.models import Role
from wuyi.accounts.permissions import worker_required
from wuyi.accounts.scoping import phone_for, scope
from wuyi.errors import DomainError
from wuyi.people import services
from wuyi.people.forms import (
    SYMPTOM_LABELS,
    DeclarationForm,
    RegisterForm,
    RejectForm,
    add_domain_error,
    message_for,
)
from wuyi.people.models import Declaration, DeclarationStatus, Membership, Pass, Person
from wuyi.people.services import RosterMatch
from wuyi.places.models import Area, Building, Household, Level

QUEUE_PAGE_SIZE = 50

# The cascade of the address, by the length of the code at each level (DESIGN.md §4).
ADDRESS_LEVELS = (
    (6, gettext_lazy("District")),
    (9, gettext_lazy("Street")),
    (12, gettext_lazy("Community")),
    (15, gettext_lazy("Compound")),
    (18, gettext_lazy("Building")),
    (22, gettext_lazy("Room")),
)
HOUSEHOLD_CODE_LENGTH = ADDRESS_LEVELS[-1][0]


def url_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _children(length: int, parent_code: str) -> list[tuple[str, str]]:
    if length == HOUSEHOLD_CODE_LENGTH:
        return list(Household.objects.filter(building__code=parent_code).values_list("code", "room"))
    if length == 18:
        return list(Building.objects.filter(compound__code=parent_code).values_list("code", "name"))
    return list(Area.objects.filter(parent__code=parent_code).values_list("code", "name"))


def address_levels(start: Area | None, chosen: str) -> list[dict]:
    """The cascading selects below `start`, down to the room, with the levels of the `chosen` code selected
    (a household's code, or a node's on the way when the form came back before a room was chosen)."""
    if start is None:
        return []
    lengths = [(n, label) for n, label in ADDRESS_LEVELS if start.level == Level.CITY or n > len(start.code)]
    if len(chosen) not in {n for n, _ in lengths} or not start.contains_code(chosen):
        chosen = ""
    levels, parent = [], start.code
    for n, label in lengths:
        selected = chosen[:n] if len(chosen) >= n else ""
        levels.append(
            {
                "label": label,
                "name": "household" if n == HOUSEHOLD_CODE_LENGTH else "parent",
                "options": _children(n, parent) if parent else [],
                "selected": selected,
            }
        )
        parent = selected
    return levels


def _address_context(form, start: Area | None) -> dict:
    """The address selects as they were sent: from the household, else from the deepest level chosen."""
    chosen = ""
    if form.is_bound:
        picked = [c.strip() for c in form.data.getlist("parent") if c.strip()]
        chosen = (form.data.get("household") or form.data.get("household_code") or "").strip() or (
            picked[-1] if picked else ""
        )
    return {"address": address_levels(start, chosen), "options_url": url_or_none("places:options")}


def roster_matches(declarations) -> dict[int, RosterMatch]:
    """`services.roster_match` for a page of declarations, in two queries."""
    hmacs = {d.id_hmac for d in declarations}
    people = {p.id_hmac: p for p in Person.objects.filter(id_hmac__in=hmacs)} if hmacs else {}
    living = (
        set(
            Membership.objects.filter(person__in=list(people.values()), moved_out__isnull=True).values_list(
                "person_id", "household_id"
            )
        )
        if people
        else set()
    )
    found = {}
    for d in declarations:
        p = people.get(d.id_hmac)
        found[d.pk] = RosterMatch(
            p, p is not None and (p.pk, d.household_id) in living, p is not None and p.name == d.name
        )
    return found


def _symptoms(declaration: Declaration) -> list[tuple[str, str]]:
    return [(s, str(SYMPTOM_LABELS.get(s, s))) for s in declaration.symptoms]


# ---- residents ----------------------------------------------------------------------------------------


@login_required
def declare(request):
    """The self-declaration (自主申报) of the logged-in user, for a community worker to verify."""
    username = request.user.username
    initial = {"phone": username} if username.isdigit() and len(username) == 11 else {}
    form = DeclarationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_declaration(form.to_input(), by=request.user)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Your declaration has been sent. A community worker will verify it."))
            return redirect("people:me")
    city = Area.objects.filter(level=Level.CITY).first()
    return render(request, "people/declare.html", {"form": form, **_address_context(form, city)})


@login_required
def me(request):
    """The user's own declarations and live passes."""
    user = request.user
    own = Q(submitted_by=user, on_behalf=False)
    if user.person_id:
        own |= Q(person_id=user.person_id)
    declarations = list(
        scope(user, Declaration.objects.filter(own)).select_related("household__building__compound")[:5]
    )
    passes = []
    if user.person_id:
        today = timezone.localdate()
        passes = list(
            scope(user, Pass.objects.filter(person_id=user.person_id, revoked_at__isnull=True))
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .select_related("compound", "person")
        )
    return render(
        request,
        "people/me.html",
        {
            "declarations": declarations,
            "latest": declarations[0] if declarations else None,
            "passes": passes,
            "audit_url": url_or_none("accounts:my_audit"),
            "is_volunteer": user.role == Role.VOLUNTEER,
        },
    )


@login_required
def pass_page(request, pk: int):
    """A pass (出入证), printable: for its holder and for workers in its area."""
    p = get_object_or_404(scope(request.user, Pass.objects.select_related("person", "compound")), pk=pk)
    if p.person_id != request.user.person_id:
        record(request.user, p.person, "view", f"pass {p.number}", client_ip(request))
    return render(request, "people/pass.html", {"pass": p})


# ---- workers ------------------------------------------------------------------------------------------


@worker_required
def queue(request):
    """The verification queue of the worker's area: pending declarations first, or the reviewed ones."""
    status = request.GET.get("status", DeclarationStatus.PENDING)
    if status not in DeclarationStatus.values:
        status = DeclarationStatus.PENDING
    in_area = scope(request.user, Declaration.objects.all())
    counts = dict(in_area.values_list("status").annotate(n=Count("id")).order_by())
    listed = in_area.filter(status=status).select_related("household__building__compound", "person")
    if status == DeclarationStatus.PENDING:
        listed = listed.order_by("created_at")  # first come, first verified
    page = Paginator(listed, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    matches = roster_matches(page.object_list) if status == DeclarationStatus.PENDING else {}
    rows = [
        {
            "d": d,
            "match": matches.get(d.pk),
            "fever": "fever" in d.symptoms,
            "other_symptoms": [str(SYMPTOM_LABELS.get(s, s)) for s in d.symptoms if s != "fever"],
            "travel": bool(d.travel),
        }
        for d in page.object_list
    ]
    filters = [(value, label, counts.get(value, 0)) for value, label in DeclarationStatus.choices]
    return render(
        request,
        "people/queue.html",
        {
            "rows": rows,
            "page": page,
            "status": status,
            "filters": filters,
            "reject_form": RejectForm(),
        },
    )


def _declaration_page(request, d: Declaration, reject_form: RejectForm, status: int = 200):
    match = services.roster_match(d)
    whose = d.person or match.person
    record(request.user, whose, "view", f"declaration {d.pk}", client_ip(request))
    person_in_scope = whose is not None and scope(request.user, Person.objects.filter(pk=whose.pk)).exists()
    return render(
        request,
        "people/declaration.html",
        {
            "d": d,
            "match": match,
            "symptoms": _symptoms(d),
            "reject_form": reject_form,
            "person_in_scope": person_in_scope,
            "whose": whose,
            "phone": phone_for(request.user, d.phone),
        },
        status=status,
    )


def _scoped_declaration(request, pk: int) -> Declaration:
    qs = Declaration.objects.select_related("household__building__compound", "person", "reviewed_by")
    return get_object_or_404(scope(request.user, qs), pk=pk)


@worker_required
def declaration(request, pk: int):
    """One declaration in full, against the roster; audited."""
    return _declaration_page(request, _scoped_declaration(request, pk), RejectForm())


@worker_required
@require_POST
@transaction.atomic  # the change and its audit entry stand or fall together
def approve(request, pk: int):
    d = _scoped_declaration(request, pk)
    try:
        issued = services.approve(d.pk, by=request.user)
    except DomainError as e:
        messages.error(request, message_for(e))
        return redirect("people:declaration", pk=d.pk)
    record(
        request.user,
        issued.person,
        "approve",
        f"declaration {d.pk}, pass {issued.number}",
        client_ip(request),
    )
    messages.success(
        request,
        _("Approved: pass %(number)s issued to %(name)s.")
        % {"number": issued.number, "name": issued.person.masked_name},
    )
    return redirect("people:queue")


@worker_required
@require_POST
@transaction.atomic  # the change and its audit entry stand or fall together
def reject(request, pk: int):
    d = _scoped_declaration(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.reject(d.pk, form.cleaned_data["reason"], by=request.user)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            record(request.user, d.person, "reject", f"declaration {d.pk}", client_ip(request))
            messages.success(request, _("Rejected the declaration of %(name)s.") % {"name": d.masked_name})
            return redirect("people:queue")
    return _declaration_page(request, d, form, status=400)


@worker_required
@transaction.atomic  # the registration and its audit entry stand or fall together
def register(request):
    """Register someone without a phone (the elderly, children) on their behalf: verified at once, pass issued."""
    area = request.user.area
    if area is None:
        raise PermissionDenied
    form = RegisterForm(request.POST or None, area_prefix=area.prefix)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.register_on_behalf(form.to_input(), by=request.user)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            record(
                request.user,
                issued.person,
                "register",
                f"registered on behalf, pass {issued.number}",
                client_ip(request),
            )
            messages.success(request, _("Registered: pass %(number)s issued.") % {"number": issued.number})
            return redirect("people:pass", pk=issued.pk)
    return render(
        request, "people/register.html", {"form": form, "area": area, **_address_context(form, area)}
    )


@worker_required
def person(request, pk: int):
    """A person's details for workers whose area they live in; every view is audited."""
    user = request.user
    p = get_object_or_404(scope(user, Person.objects.all()), pk=pk)
    record(user, p, "view", "person page", client_ip(request))
    declared = Q(person=p) | Q(id_hmac=p.id_hmac) if p.id_hmac else Q(person=p)
    return render(
        request,
        "people/person.html",
        {
            "p": p,
            "phone": phone_for(user, p.phone),
            "memberships": scope(user, Membership.objects.filter(person=p))
            .select_related("household__building__compound")
            .order_by("moved_out", "-moved_in"),
            "passes": scope(user, Pass.objects.filter(person=p)).select_related("compound", "issued_by"),
            "declarations": scope(user, Declaration.objects.filter(declared)).select_related(
                "household__building__compound", "reviewed_by"
            ),
        },
    )


@worker_required
@require_POST
@transaction.atomic  # the change and its audit entry stand or fall together
def revoke(request, pk: int):
    p = get_object_or_404(scope(request.user, Pass.objects.select_related("person")), pk=pk)
    services.revoke_pass(p.pk, by=request.user)
    record(request.user, p.person, "revoke", f"pass {p.number}", client_ip(request))
    messages.success(request, _("Pass %(number)s revoked.") % {"number": p.number})
    return redirect("people:person", pk=p.person_id)


urlpatterns = [
    path("declare/", declare, name="declare"),
    path("me/", me, name="me"),
    path("queue/", queue, name="queue"),
    path("queue/<int:pk>/", declaration, name="declaration"),
    path("queue/<int:pk>/approve/", approve, name="approve"),
    path("queue/<int:pk>/reject/", reject, name="reject"),
    path("register/", register, name="register"),
    path("pass/<int:pk>/", pass_page, name="pass"),
    path("pass/<int:pk>/revoke/", revoke, name="revoke"),
    path("p/<int:pk>/", person, name="person"),
]
