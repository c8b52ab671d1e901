"""The volunteer platform's pages (战疫先锋), phone first.

- Volunteers: sign up (a verified resident), browse and filter tasks with the ones recommended for them, a task's
  page, claim, check in and out by scanning the task's QR at the place, my shifts (cancel until the deadline,
  hours and participations, thanks, notifications), my team.
- Residents: post a wish (微心愿) and follow it.
- The community's workbench, for the workers of an area: publish a task or a daily series, review wishes, fill
  rates, tasks needing people; on a task's page, its claims, confirmation and the check-in QR.

A worker reaches only the tasks and wishes of the communities beneath their area (by code prefix). A task's
contact is shown only to the volunteers holding a live claim on it, until it is done (DESIGN.md §4); a wish's
text and contact, and the volunteers' names and phones, are personal data: reading them on the workbench is
audited. Each change is one service call (one transaction); a DomainError is a form error or a message.
"""

import datetime as dt
from decimal import Decimal
from functools import wraps
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast, TruncDate
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuyi.accounts.audit import client_ip, record_many
from wuyi.accounts.permissions import worker_required
from wuyi.accounts.scoping import phone_for
from wuyi.errors import DomainError
from wuyi.people import identity
from wuyi.people.models import Membership
from wuyi.places.models import Area, Gate, Level, ServiceCentre, code_range
from wuyi.text import row_id
from wuyi.volunteers import ical, matching, notify, services, teams
from wuyi.volunteers.forms import (
    FilterForm,
    InviteForm,
    ProfileForm,
    RejectForm,
    TaskForm,
    TeamClaimForm,
    TeamForm,
    ThanksForm,
    WishForm,
    add_domain_error,
    availability_to_slots,
    message_for,
    reason_labels,
    slots_to_availability,
)
from wuyi.volunteers.match_rules import FAIRNESS_DAYS
from wuyi.volunteers.models import (
    Channel,
    Claim,
    ClaimStatus,
    MemberStatus,
    Notification,
    Skill,
    Task,
    TaskStatus,
    Team,
    TeamMember,
    Thanks,
    Volunteer,
    Wish,
    WishStatus,
)
from wuyi.volunteers.services import HOURS_PLACES

TASKS_PER_PAGE = 30
FILL_DAYS = 14  # the workbench looks two weeks ahead, the length of a quarantine
WORKBENCH_ROWS = 100
PAST_SHIFTS = 50
NOTIFICATIONS_SHOWN = 30
RECOMMENDED = 5
SUGGESTED = 10
TASK_RELATED = ("community__parent", "compound", "gate", "service_centre")


# ---- who may do what -----------------------------------------------------------------------------------


def volunteer_of(user) -> Volunteer | None:
    if not user.is_authenticated or user.person_id is None:
        return None
    return Volunteer.objects.filter(person_id=user.person_id).select_related("person", "community").first()


def volunteer_required(view):
    """The volunteer's pages need a volunteer profile: without one, a worker goes to the workbench and anyone
    else to the sign-up page (and back here afterwards)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.volunteer = volunteer_of(request.user)
        if request.volunteer is None:
            if request.user.is_worker and request.user.area_id:
                return redirect("volunteers:workbench")
            messages.info(request, _("Sign up as a volunteer first."))
            return redirect(f"{reverse('volunteers:profile')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapped


def _worker_prefix(user) -> str | None:
    return user.area.prefix if user.is_authenticated and user.is_worker and user.area_id else None


def managed(user, queryset: QuerySet, field: str = "community__code") -> QuerySet:
    """The rows of tasks, wishes (or anything with a community) beneath the worker's area; none for others."""
    prefix = _worker_prefix(user)
    return queryset.filter(code_range(field, prefix)) if prefix else queryset.none()


def manages(user, task: Task) -> bool:
    prefix = _worker_prefix(user)
    return prefix is not None and task.community.code.startswith(prefix)


def decorate(tasks) -> list[Task]:
    """Slots left and the skills' labels, for the task cards."""
    labels = dict(Skill.choices)
    tasks = list(tasks)
    for t in tasks:
        t.slots_left = t.capacity - t.taken
        t.skill_labels = [labels.get(s, s) for s in t.skills]
    return tasks


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _error(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, message_for(error))


# ---- small reads the services do not offer ----------------------------------------------------------------


def live_claim(task: Task, volunteer: Volunteer | None) -> Claim | None:
    """The volunteer's claim on the task that is not cancelled (active, done or a no-show)."""
    if volunteer is None:
        return None
    return (Claim.objects.filter(task=task, volunteer=volunteer).exclude(status=ClaimStatus.CANCELLED)
            .order_by("-claimed_at").first())


def contact_visible(task: Task, claim: Claim | None) -> bool:
    """A task's contact is for the volunteers holding a live claim on it, until it is done (DESIGN.md §4)."""
    return claim is not None and claim.status == ClaimStatus.ACTIVE and task.status != TaskStatus.DONE


def cancel_deadline(task: Task) -> dt.datetime:
    return task.starts_at - dt.timedelta(hours=task.cancel_hours)


def ledger(volunteer: Volunteer) -> dict:
    """Hours and participations (人次) of the volunteer's confirmed claims."""
    done = Claim.objects.filter(volunteer=volunteer, status=ClaimStatus.DONE)
    totals = done.aggregate(hours=Sum("hours"), participations=Sum("participations"), tasks=Count("pk"))
    return {"hours": Decimal(totals["hours"] or 0).quantize(HOURS_PLACES),
            "participations": totals["participations"] or 0, "tasks": totals["tasks"]}


def _community_choices(queryset: QuerySet) -> list:
    """Communities grouped by their street, for a select."""
    groups: dict[str, list] = {}
    for c in queryset.select_related("parent__parent").order_by("code"):
        street = c.parent
        label = f"{street.parent.name} {street.name}" if street and street.parent else (street.name if street else "")
        groups.setdefault(label, []).append((c.code, c.name))
    return list(groups.items())


def _home_community(person) -> str:
    home = Membership.objects.filter(person=person, moved_out__isnull=True).select_related("household").first()
    return home.household.code[:12] if home else ""


def places_of(community: Area) -> list:
    """Where a task of the community can be: its compounds, their gates, and the service centres of the
    community, its street and its district."""
    compounds = [(f"compound:{a.code}", a.name) for a in
                 Area.objects.filter(code_range("code", community.code), level=Level.COMPOUND).order_by("code")]
    gates = [(f"gate:{g.code}", f"{g.compound.name} · {g.name}") for g in
             Gate.objects.filter(code_range("compound__code", community.code)).select_related("compound")]
    ancestors = [community.code, community.code[:9], community.code[:6]]
    centres = [(f"centre:{s.code}", s.name) for s in ServiceCentre.objects.filter(area__code__in=ancestors)]
    groups = [(_("Compounds"), compounds), (_("Gates"), gates), (_("Service centres"), centres)]
    return [(label, options) for label, options in groups if options]


def _qr(request: HttpRequest, task: Task) -> tuple[str, str]:
    url = request.build_absolute_uri(reverse("volunteers:checkin", args=[task.checkin_token]))
    return url, segno.make(url).svg_inline(scale=5)


# ---- sign-up ---------------------------------------------------------------------------------------------


@login_required
def profile(request):
    """Sign up as a volunteer, or change the profile: a verified resident only."""
    user = request.user
    person = user.person if user.person_id else None
    if person is None or not person.verified:
        return render(request, "volunteers/profile.html", {"no_person": person is None, "unverified": True},
                      status=403)
    volunteer = volunteer_of(user)
    communities = _community_choices(Area.objects.filter(level=Level.COMMUNITY))
    if request.method == "POST":
        form = ProfileForm(request.POST, communities=communities)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.register_volunteer(
                    person, data["community"], skills=data["skills"], languages=data["languages"],
                    availability=slots_to_availability(data["availability"]), party_member=data["party_member"])
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, _("Your volunteer profile is saved.") if volunteer else
                                 _("Welcome: you are a volunteer now. Claim a task below."))
                return redirect(_next(request, reverse("volunteers:tasks")))
        status = 400
    else:
        initial = {"community": _home_community(person)}
        if volunteer is not None:
            initial = {"community": volunteer.community.code, "skills": volunteer.skills,
                       "languages": volunteer.languages, "party_member": volunteer.party_member,
                       "availability": availability_to_slots(volunteer.availability)}
        form = ProfileForm(initial=initial, communities=communities)
        status = 200
    return render(request, "volunteers/profile.html", {
        "form": form, "volunteer": volunteer, "next": _next(request, ""),
    }, status=status)


# ---- tasks -----------------------------------------------------------------------------------------------


def _open_tasks(now: dt.datetime) -> QuerySet:
    return Task.objects.filter(status=TaskStatus.OPEN, ends_at__gt=now)


def _area_choices(now: dt.datetime) -> list:
    """Streets and communities that have open tasks, for the filter."""
    communities = (Area.objects.filter(pk__in=_open_tasks(now).values("community_id"))
                   .select_related("parent").order_by("code"))
    groups: dict[str, list] = {}
    for c in communities:
        street = c.parent
        options = groups.setdefault(street.name if street else "", [])
        if street and not options:
            options.append((street.code, _("%(street)s (all communities)") % {"street": street.name}))
        options.append((c.code, c.name))
    return list(groups.items())


def _filtered(queryset: QuerySet, data: dict) -> QuerySet:
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("area"):
        queryset = queryset.filter(code_range("community__code", data["area"]))
    if data.get("date"):
        start = dt.datetime.combine(data["date"], dt.time(), tzinfo=timezone.get_current_timezone())
        queryset = queryset.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
    if data.get("skills"):
        # skills is a JSON list of plain identifiers: its text holds '"driving"' when driving is required
        needs = Q()
        for skill in data["skills"]:
            needs |= Q(skills_text__contains=f'"{skill}"')
        queryset = queryset.annotate(skills_text=Cast("skills", TextField())).filter(needs)
    return queryset


@volunteer_required
def tasks(request):
    """Open tasks from now on, filtered; the ones recommended for this volunteer above."""
    volunteer = request.volunteer
    now = timezone.now()
    form = FilterForm(request.GET or None, areas=_area_choices(now))
    data = form.cleaned_data if form.is_bound and form.is_valid() else (
        {k: v for k, v in form.cleaned_data.items() if k not in form.errors} if form.is_bound else {})
    mine = Claim.objects.filter(volunteer=volunteer, status=ClaimStatus.ACTIVE)
    found = (_filtered(_open_tasks(now), data)
             .filter(Q(taken__lt=F("capacity")) | Q(pk__in=mine.values("task_id")))
             .select_related(*TASK_RELATED).order_by("starts_at", "pk"))
    page = Paginator(found, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = decorate(page.object_list)
    claimed = set(mine.filter(task__in=[t.pk for t in page]).values_list("task_id", flat=True))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "volunteers/tasks.html", {
        "form": form, "page": page, "claimed": claimed, "query": query.urlencode(),
        "recommended": _recommended(volunteer, now) if page.number == 1 and not any(data.values()) else [],
        "volunteer": volunteer,
    }, status=400 if form.is_bound and form.errors else 200)


def _recommended(volunteer: Volunteer, now: dt.datetime) -> list[dict]:
    matches = matching.recommend_tasks(volunteer, now=now, limit=RECOMMENDED)
    decorate([m.task for m in matches])
    return [{"task": m.task, "reasons": reason_labels(m.reasons, days=FAIRNESS_DAYS)} for m in matches]


def _suggested(task: Task) -> list[dict]:
    try:
        matches = matching.suggest_volunteers(task, limit=SUGGESTED)
    except DomainError:  # closed or full meanwhile: nobody to suggest
        return []
    return [{"volunteer": m.volunteer, "reasons": reason_labels(m.reasons, of_volunteer=True, days=FAIRNESS_DAYS)}
            for m in matches]


@login_required
def task(request, pk: int):
    """A task: its details for volunteers (the contact for its claimants until it is done); for the workers of
    its community, the claims with check-in and check-out, confirmation and the check-in QR."""
    user = request.user
    t = get_object_or_404(Task.objects.select_related(*TASK_RELATED), pk=pk)
    manager = manages(user, t)
    volunteer = volunteer_of(user)
    if not manager and volunteer is None:
        if user.is_worker:
            raise Http404
        messages.info(request, _("Sign up as a volunteer first."))
        return redirect(f"{reverse('volunteers:profile')}?{urlencode({'next': request.get_full_path()})}")
    mine = live_claim(t, volunteer)
    decorate([t])
    context = {
        "t": t, "manager": manager, "volunteer": volunteer, "mine": mine,
        "show_contact": contact_visible(t, mine),
        "cancel_deadline": cancel_deadline(t), "now": timezone.now(),
    }
    if context["show_contact"]:  # a wish's own words go with the contact: to the claimant, until it is done
        context["wish"] = Wish.objects.filter(task=t).first()
    if volunteer is not None:
        context["led_teams"] = list(Team.objects.filter(leader=volunteer))
    if manager:
        claims = list(t.claims.select_related("volunteer__person", "team").order_by("status", "claimed_at"))
        for c in claims:
            c.phone_shown = phone_for(user, c.volunteer.person.phone)
        record_many(user, [c.volunteer.person_id for c in claims], "view", f"volunteers of task {t.pk}",
                    client_ip(request))
        url, qr = _qr(request, t)
        context.update({
            "claims": claims, "checkin_url": url, "qr": qr, "thanks_form": ThanksForm(),
            "wish": Wish.objects.filter(task=t).first(),
            "suggested": _suggested(t) if t.status == TaskStatus.OPEN and t.taken < t.capacity else [],
        })
    return render(request, "volunteers/task.html", context)


@volunteer_required
@require_POST
def claim(request, pk: int):
    try:
        services.claim(pk, request.volunteer)
    except DomainError as e:
        _error(request, e)
        return redirect(_next(request, reverse("volunteers:tasks")))
    messages.success(request, _("Claimed. It is in My shifts; check in at the place by scanning the task's QR."))
    return redirect("volunteers:task", pk=pk)


@volunteer_required
@require_POST
def cancel(request, pk: int):
    c = get_object_or_404(Claim.objects.select_related("task"), pk=pk, volunteer=request.volunteer)
    try:
        services.cancel(c.pk, request.volunteer)
    except DomainError as e:
        if e.code == "too_late" and c.task.contact_phone:
            messages.error(request, _("It is too late to cancel online: call the publisher at %(phone)s.")
                           % {"phone": c.task.contact_phone})
        else:
            _error(request, e)
    else:
        messages.success(request, _("Your claim is cancelled; the slot is free for someone else."))
    return redirect(_next(request, reverse("volunteers:me")))


@login_required
@require_POST
def confirm(request, pk: int):
    """The publisher confirms a volunteer came (hours and participations to the ledger), or marks a no-show."""
    c = get_object_or_404(Claim.objects.select_related("task__community"), pk=pk)
    if not manages(request.user, c.task):
        raise Http404
    present = request.POST.get("present") != "no"
    try:
        services.confirm(c.pk, request.user, present=present)
    except DomainError as e:
        _error(request, e)
    else:
        messages.success(request, _("Completion confirmed.") if present else _("Marked as not come."))
    return redirect("volunteers:task", pk=c.task_id)


@login_required
@require_POST
def thank(request, pk: int):
    """Thanks to a volunteer from the task's workers or from the resident whose wish it was."""
    c = get_object_or_404(Claim.objects.select_related("task__community"), pk=pk)
    wisher = Wish.objects.filter(task_id=c.task_id, person_id=request.user.person_id).exists() \
        if request.user.person_id else False
    if not (manages(request.user, c.task) or wisher):
        raise Http404
    form = ThanksForm(request.POST)
    if form.is_valid():
        try:
            services.thank(c.pk, request.user, form.cleaned_data["text"])
        except DomainError as e:
            _error(request, e)
        else:
            messages.success(request, _("Your thanks are sent."))
    else:
        messages.error(request, _("Say thanks in 1 to 200 characters."))
    default = reverse("volunteers:my_wishes") if wisher else reverse("volunteers:task", args=[c.task_id])
    return redirect(_next(request, default))


@volunteer_required
def checkin(request, token: str):
    """What scanning the task's QR at the place opens: check in, and later check out."""
    t = get_object_or_404(Task.objects.select_related(*TASK_RELATED), checkin_token=token)
    if request.method == "POST":
        act = services.check_out if request.POST.get("action") == "out" else services.check_in
        try:
            act(token, request.volunteer)
        except DomainError as e:
            _error(request, e)
        else:
            messages.success(request, _("Checked out. Thank you!") if act is services.check_out
                             else _("Checked in."))
        return redirect("volunteers:checkin", token=token)
    mine = live_claim(t, request.volunteer)
    return render(request, "volunteers/checkin.html", {"t": t, "mine": mine, "show_contact": contact_visible(t, mine)})


# ---- my shifts -------------------------------------------------------------------------------------------


@volunteer_required
def me(request):
    volunteer = request.volunteer
    now = timezone.now()
    claims = Claim.objects.filter(volunteer=volunteer).select_related(*(f"task__{r}" for r in TASK_RELATED), "team")
    upcoming = list(claims.filter(status=ClaimStatus.ACTIVE, task__ends_at__gt=now).order_by("task__starts_at"))
    for c in upcoming:
        c.deadline = cancel_deadline(c.task)
        c.can_cancel = now <= c.deadline
        c.show_contact = contact_visible(c.task, c)
    past = list(claims.exclude(pk__in=[c.pk for c in upcoming]).order_by("-task__starts_at")[:PAST_SHIFTS])
    notes = Notification.objects.filter(user=request.user, channel=Channel.IN_APP)
    return render(request, "volunteers/me.html", {
        "volunteer": volunteer, "upcoming": upcoming, "past": past, "ledger": ledger(volunteer),
        "thanks": Thanks.objects.filter(claim__volunteer=volunteer).select_related("claim__task")
        .order_by("-created_at")[:20],
        "notifications": notes.order_by(F("read_at").asc(nulls_first=True), "-created_at")[:NOTIFICATIONS_SHOWN],
        "unread": notes.filter(read_at__isnull=True).count(), "now": now,
        "calendar_url": request.build_absolute_uri(reverse("volunteers:calendar", args=[ical.token_for(volunteer)])),
    })


@login_required
@require_POST
def read_notifications(request):
    raw = request.POST.get("id", "")
    notify.mark_read(request.user, row_id(raw))
    return redirect(_next(request, reverse("volunteers:me")))


# ---- residents' wishes -----------------------------------------------------------------------------------


def _resident_home(user):
    if user.person_id is None:
        return None
    return Membership.objects.filter(person_id=user.person_id, moved_out__isnull=True).first()


@login_required
def my_wishes(request):
    user = request.user
    if _resident_home(user) is None:
        return render(request, "volunteers/wishes.html", {"no_household": True}, status=403)
    wishes = list(Wish.objects.filter(person_id=user.person_id).select_related("task").order_by("-created_at"))
    claims = Claim.objects.filter(task_id__in=[w.task_id for w in wishes if w.task_id]).exclude(
        status=ClaimStatus.CANCELLED).select_related("volunteer__person")
    by_task: dict[int, list] = {}
    for c in claims:
        by_task.setdefault(c.task_id, []).append(c)
    for w in wishes:
        w.claims = by_task.get(w.task_id, [])
    return render(request, "volunteers/wishes.html", {"wishes": wishes, "is_volunteer": volunteer_of(user) is not None})


@login_required
def new_wish(request):
    user = request.user
    home = _resident_home(user)
    if home is None:
        return render(request, "volunteers/wishes.html", {"no_household": True}, status=403)
    if request.method == "POST":
        form = WishForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_wish(user.person, data["text"], data["needed_by"], data["contact_phone"],
                                     kind=data["kind"])
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, _("Your wish is sent: the community reviews it and publishes it for "
                                            "volunteers."))
                return redirect("volunteers:my_wishes")
        status = 400
    else:
        form = WishForm(initial={"contact_phone": user.person.phone})
        status = 200
    return render(request, "volunteers/wish_new.html", {"form": form}, status=status)


# ---- the community's workbench ---------------------------------------------------------------------------


def _communities(user) -> QuerySet:
    return managed(user, Area.objects.filter(level=Level.COMMUNITY), "code")


def _chosen_community(request, code: str | None) -> Area | None:
    user = request.user
    if user.area.level == Level.COMMUNITY:
        return user.area
    if not code:
        return None
    community = _communities(user).filter(code=code).first()
    if community is None:
        raise Http404
    return community


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def fill_rates(community: Area, first: dt.date, days: int = FILL_DAYS) -> list[dict]:
    """Per local day: tasks, slots taken and slots, of the community's tasks that are not cancelled."""
    tz = timezone.get_current_timezone()
    rows = (Task.objects.filter(community=community, starts_at__gte=_day_start(first),
                                starts_at__lt=_day_start(first + dt.timedelta(days=days)))
            .exclude(status=TaskStatus.CANCELLED)
            .annotate(day=TruncDate("starts_at", tzinfo=tz)).order_by().values("day")
            .annotate(tasks=Count("pk"), capacity=Sum("capacity"), taken=Sum("taken")))
    by_day = {r["day"]: r for r in rows}
    out = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        r = by_day.get(day, {"tasks": 0, "capacity": 0, "taken": 0})
        rate = round(100 * r["taken"] / r["capacity"]) if r["capacity"] else None
        out.append({"day": day, "tasks": r["tasks"], "capacity": r["capacity"], "taken": r["taken"], "rate": rate})
    return out


def _overview(user, now: dt.datetime) -> list[dict]:
    """Above a community: for each community beneath with pending wishes or open tasks in the next two weeks,
    how many of each and the slots still free."""
    communities = _communities(user)
    wishes = dict(Wish.objects.filter(status=WishStatus.PENDING, community__in=communities).order_by()
                  .values("community_id").annotate(n=Count("pk")).values_list("community_id", "n"))
    open_tasks = {r["community_id"]: r for r in (
        _open_tasks(now).filter(community__in=communities, starts_at__lt=now + dt.timedelta(days=FILL_DAYS))
        .order_by().values("community_id")
        .annotate(tasks=Count("pk"), capacity=Sum("capacity"), taken=Sum("taken")))}
    shown = communities.filter(pk__in=set(wishes) | set(open_tasks)).order_by("code")[:WORKBENCH_ROWS * 10]
    return [{"community": c, "wishes": wishes.get(c.pk, 0),
             "tasks": open_tasks.get(c.pk, {}).get("tasks", 0),
             "free": open_tasks.get(c.pk, {}).get("capacity", 0) - open_tasks.get(c.pk, {}).get("taken", 0)}
            for c in shown]


@worker_required
def workbench(request, *, community=None, task_form=None, reject_form=None, reject_wish=None, status=200):
    user = request.user
    now = timezone.now()
    community = community or _chosen_community(request, request.GET.get("community"))
    context = {"community": community, "area": user.area, "now": now}
    if user.area.level != Level.COMMUNITY:
        context["communities"] = _community_choices(_communities(user))
    if community is None:
        context["overview"] = _overview(user, now)
        return render(request, "volunteers/workbench.html", context, status=status)
    pending = list(Wish.objects.filter(community=community, status=WishStatus.PENDING)
                   .select_related("person", "household__building__compound").order_by("needed_by", "pk")
                   [:WORKBENCH_ROWS])
    for w in pending:
        w.phone_shown = phone_for(user, w.contact_phone)
        w.reject_form = reject_form if reject_wish == w.pk else RejectForm(prefix=f"w{w.pk}")
    record_many(user, [w.person_id for w in pending], "view", f"wishes to review, {community.code}",
                client_ip(request))
    tasks = Task.objects.filter(community=community).select_related(*TASK_RELATED)
    context.update({
        "task_form": task_form or TaskForm(places=places_of(community)),
        "pending": pending,
        "reviewed": Wish.objects.filter(community=community).exclude(status=WishStatus.PENDING)
        .select_related("person", "task").order_by("-created_at")[:20],
        "fill": fill_rates(community, timezone.localdate()),
        "needing": tasks.filter(status=TaskStatus.OPEN, ends_at__gt=now, taken__lt=F("capacity"),
                                starts_at__lt=now + dt.timedelta(days=FILL_DAYS)).order_by("starts_at", "pk")
        [:WORKBENCH_ROWS],
        "to_confirm": tasks.filter(starts_at__lte=now, claims__status=ClaimStatus.ACTIVE).distinct()
        .order_by("starts_at", "pk")[:WORKBENCH_ROWS],
    })
    return render(request, "volunteers/workbench.html", context, status=status)


def _workbench_url(community: Area) -> str:
    return f"{reverse('volunteers:workbench')}?{urlencode({'community': community.code})}"


@worker_required
@require_POST
def publish(request):
    """Publish a task, or the same shift every day for a number of days."""
    community = _chosen_community(request, request.POST.get("community"))
    if community is None:
        raise Http404
    form = TaskForm(request.POST, places=places_of(community))
    if form.is_valid():
        data = form.cleaned_data
        task_input = services.TaskInput(
            kind=data["kind"], title=data["title"], community_code=community.code, starts_at=data["starts_at"],
            ends_at=data["ends_at"], capacity=data["capacity"], description=data["description"],
            skills=data["skills"], contact_name=data["contact_name"], contact_phone=data["contact_phone"],
            cancel_hours=data["cancel_hours"], **form.place_codes())
        try:
            if data["days"] > 1:
                made = services.publish_series(task_input, data["days"], request.user)
            else:
                made = [services.publish(task_input, request.user)]
        except DomainError as e:
            add_domain_error(form, e)
        else:
            if len(made) == 1:
                messages.success(request, _("Task published."))
                return redirect("volunteers:task", pk=made[0].pk)
            messages.success(request, _("%(n)d tasks published, one a day.") % {"n": len(made)})
            return redirect(_workbench_url(community))
    return workbench(request, community=community, task_form=form, status=400)


@worker_required
@require_POST
def review(request, pk: int, decision: str):
    """Approve a wish (it becomes a one-slot task) or reject it with a reason."""
    wish = get_object_or_404(managed(request.user, Wish.objects.select_related("community")), pk=pk)
    community = wish.community
    form = RejectForm(request.POST, prefix=f"w{wish.pk}")
    reason = form.data.get(form.add_prefix("reason"), "") if decision == "reject" else ""
    try:
        done = services.review_wish(wish.pk, decision == "approve", request.user, reason=reason)
    except DomainError as e:
        if decision == "reject" and e.field == "reason":
            form.is_valid()
            add_domain_error(form, e)
            return workbench(request, community=community, reject_form=form, reject_wish=wish.pk, status=400)
        _error(request, e)
    else:
        if done.status == WishStatus.APPROVED:
            messages.success(request, _("Wish approved: a task is published for volunteers."))
        else:
            messages.success(request, _("Wish rejected; the resident sees the reason."))
    return redirect(_workbench_url(community))


# ---- my team ---------------------------------------------------------------------------------------------


def find_volunteer(who: str) -> Volunteer:
    """The volunteer with this mobile number or ID number (the ID number is looked up by its HMAC)."""
    who = "".join(who.split())
    try:
        number = identity.normalise(who)
    except identity.InvalidIdNumber:
        found = list(Volunteer.objects.filter(person__phone=who)[:2]) if who else []
        if len(found) > 1:
            raise DomainError("ambiguous_phone", "several volunteers share this number", "who") from None
    else:
        found = list(Volunteer.objects.filter(person__id_hmac=identity.id_hmac(number, settings.WUYI_ID_KEY)))
    if not found:
        raise DomainError("unknown_volunteer", "no volunteer has this number", "who")
    return found[0]


@volunteer_required
def team(request, *, forms=None, status=200):
    """My teams: members and invitations, the team's claims; create, invite, join, accept, leave."""
    volunteer = request.volunteer
    forms = forms or {}
    memberships = list(TeamMember.objects.filter(volunteer=volunteer).exclude(status=MemberStatus.LEFT)
                       .select_related("team__community", "team__leader__person").order_by("team__name"))
    team_ids = [m.team_id for m in memberships]
    members: dict[int, list] = {}
    for m in (TeamMember.objects.filter(team_id__in=team_ids).exclude(status=MemberStatus.LEFT)
              .select_related("volunteer__person").order_by("status", "since")):
        members.setdefault(m.team_id, []).append(m)
    claims: dict[int, list] = {}
    for c in (Claim.objects.filter(team_id__in=team_ids, status=ClaimStatus.ACTIVE, task__ends_at__gt=timezone.now())
              .select_related(*(f"task__{r}" for r in TASK_RELATED)).order_by("task__starts_at")):
        claims.setdefault(c.team_id, []).append(c)
    for m in memberships:
        m.leads = m.team.leader_id == volunteer.pk
        m.members = members.get(m.team_id, [])
        m.claims = claims.get(m.team_id, [])
        m.invite_form = forms.get(("invite", m.team_id)) or InviteForm()
    nearby = (Team.objects.filter(community_id=volunteer.community_id).exclude(pk__in=team_ids)
              .filter(members__status=MemberStatus.ACTIVE).annotate(size=Count("members")).order_by("name"))
    return render(request, "volunteers/team.html", {
        "volunteer": volunteer, "memberships": memberships, "nearby": nearby,
        "create_form": forms.get("create") or TeamForm(),
    }, status=status)


def _my_team(request, pk: int) -> Team:
    return get_object_or_404(Team, pk=pk)


@volunteer_required
@require_POST
def create_team(request):
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            made = teams.create_team(request.volunteer, form.cleaned_data["name"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Team %(name)s created: invite your members.") % {"name": made.name})
            return redirect("volunteers:team")
    return team(request, forms={"create": form}, status=400)


@volunteer_required
@require_POST
def invite(request, pk: int):
    the_team = _my_team(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            member = teams.invite(the_team, find_volunteer(form.cleaned_data["who"]), by=request.volunteer)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("%(name)s is invited.") % {"name": member.volunteer.person.masked_name})
            return redirect("volunteers:team")
    return team(request, forms={("invite", the_team.pk): form}, status=400)


def _team_step(request, pk: int, act, done: str):
    the_team = _my_team(request, pk)
    try:
        act(the_team)
    except DomainError as e:
        _error(request, e)
    else:
        messages.success(request, done % {"name": the_team.name})
    return redirect("volunteers:team")


@volunteer_required
@require_POST
def join_team(request, pk: int):
    return _team_step(request, pk, lambda t: teams.join(t, request.volunteer), _("You joined %(name)s."))


@volunteer_required
@require_POST
def accept_invitation(request, pk: int):
    def act(t):
        member = TeamMember.objects.filter(team=t, volunteer=request.volunteer).first()
        if member is None:
            raise DomainError("not_invited", "no invitation", "member", 409)
        teams.accept(member)

    return _team_step(request, pk, act, _("You joined %(name)s."))


@volunteer_required
@require_POST
def leave_team(request, pk: int):
    return _team_step(request, pk, lambda t: teams.leave(t, request.volunteer), _("You left %(name)s."))


@volunteer_required
@require_POST
def claim_for_team(request, pk: int):
    """The leader claims N slots of a task for the team."""
    the_team = get_object_or_404(Team, pk=request.POST.get("team") or 0, leader=request.volunteer)
    form = TeamClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, message_for(DomainError("invalid_slots", "", "slots")))
        return redirect("volunteers:task", pk=pk)
    try:
        services.claim(pk, request.volunteer, team=the_team, slots=form.cleaned_data["slots"])
    except DomainError as e:
        _error(request, e)
    else:
        messages.success(request, _("%(n)d slots claimed for %(name)s.") % {"n": form.cleaned_data["slots"],
                                                                             "name": the_team.name})
    return redirect("volunteers:task", pk=pk)
