"""Closed-management pages.

- "My code" (我的通行码): the resident's signed code as a QR, colour, masked name, a running clock (a
  screenshot shows as stale), the compounds it opens; registering a visitor.
- The gate page, for a tablet and a handheld scanner that types the code and Enter: temperature, direction,
  a large coloured answer with the masked name, the reason and the guard's next step; registering a visitor at
  the gate with a resident's consent. Only the guards of that gate (and nobody else) use it.
- A paper pass as a printable A6 PDF, for workers of its area.
- The access log of a gate or a compound: entries, exits and refusals by reason, per hour.
"""

import datetime as dt
import io
import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuyi.access import codec, events, services
from wuyi.access.models import Code, Visit
from wuyi.accounts.audit import client_ip, record
from wuyi.accounts.models import Role
from wuyi.accounts.scoping import can_see_area, scope
from wuyi.errors import DomainError
from wuyi.health.models import Colour
from wuyi.people.models import Pass, PassKind
from wuyi.places.models import Area, Gate, Household, Level
from wuyi.printing import cjk_font

COLOURS = dict(Colour.choices)
# A reading must fit the access log's column (3 digits, 1 decimal), as in the API; the policy judges whether it
# is a body temperature.
MAX_TYPED_CELSIUS = Decimal("99.9")

REASON_LABELS = {
    "admitted": gettext_lazy("Admitted"),
    "may_leave": gettext_lazy("May leave"),
    "vehicle_not_admitted": gettext_lazy("Outside vehicles are not admitted"),
    "implausible_temperature": gettext_lazy("The temperature cannot be right"),
    "fever": gettext_lazy("Fever: 37.3 °C or more"),
    "red_code": gettext_lazy("Red code"),
    "yellow_code": gettext_lazy("Yellow code"),
    "outsider_not_admitted": gettext_lazy("Outsiders are not admitted"),
    "service_worker_not_admitted": gettext_lazy("Couriers and delivery workers are not admitted"),
    "not_for_this_compound": gettext_lazy("The code is not for this compound"),
    "visitor_code_used": gettext_lazy("This visitor code has already been used"),
    "no_temperature": gettext_lazy("No temperature taken"),
    "exit_quota_used": gettext_lazy("The household has used its exit for these two days"),
    "expired": gettext_lazy("The code has expired"),
    "not_yet_valid": gettext_lazy("The code is not valid yet"),
    "malformed": gettext_lazy("The code cannot be read"),
    "unknown_prefix": gettext_lazy("Not a wuyi code"),
    "revoked": gettext_lazy("The code has been revoked"),
    "bad_signature": gettext_lazy("Forged code: the signature is not valid"),
    "unknown_key": gettext_lazy("The code was signed by an unknown key"),
}
NEXT_STEP_LABELS = {
    "let_in": gettext_lazy("Let them in."),
    "let_out": gettext_lazy("Let them out."),
    "take_temperature": gettext_lazy("Take the temperature, type it and scan again."),
    "check_thermometer": gettext_lazy("Check the thermometer, measure again and type the reading."),
    "report_to_community": gettext_lazy(
        "Do not let them pass: keep them apart, note their name and phone and report to the community at once."),
    "call_the_community": gettext_lazy("Do not let them pass; call the community work station, which decides."),
    "ask_for_paper_pass": gettext_lazy(
        "Ask for a fresh code, or a paper pass from the property office or the community work station."),
    "register_as_visitor": gettext_lazy(
        "Register them as a visitor if a resident they visit agrees; otherwise they may not come in."),
    "hand_over_at_gate": gettext_lazy("Take the parcel or meal at the gate for the resident; the worker stays outside."),
    "turn_away": gettext_lazy("Turn the vehicle away."),
    "come_back_later": gettext_lazy("The household may go out again later."),
}


# ---- my code ----------------------------------------------------------------------------------------------


class VisitForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Visitor's name"), max_length=60)
    phone = forms.CharField(label=gettext_lazy("Visitor's mobile number"), max_length=11,
                            widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    compound = forms.ChoiceField(label=gettext_lazy("Compound"))
    starts_at = forms.DateTimeField(label=gettext_lazy("From"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=gettext_lazy("Until"),
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=100, required=False)

    def __init__(self, *args, compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = list(compounds)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["starts_at"].initial = now
        self.fields["ends_at"].initial = now + dt.timedelta(hours=4)


def _add_error(form, error: DomainError) -> None:
    field = {"compound_code": "compound"}.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


@login_required
def my_code(request, *, visit_form=None, status=200):
    user = request.user
    if user.person_id is None:
        return render(request, "access/my_code.html", {"no_person": True}, status=status)
    code = services.my_code(user.person)
    passes = services.live_passes(user.person).select_related("compound")
    compounds = [(p.compound.code, p.compound.name) for p in passes]
    visits = Visit.objects.filter(host_id=user.person_id, ends_at__gt=timezone.now()).select_related(
        "compound", "visitor_pass__person")
    return render(request, "access/my_code.html", {
        "code": code, "qr": codec.qr_svg(code.text, scale=5) if code else None,
        "colour_label": COLOURS.get(code.colour, code.colour) if code else "", "compounds": compounds,
        "visit_form": visit_form or VisitForm(compounds=compounds), "visits": visits,
    }, status=status)


@login_required
@require_POST
def register_visit(request):
    user = request.user
    if user.person_id is None:
        raise PermissionDenied
    compounds = [(p.compound.code, p.compound.name)
                 for p in services.live_passes(user.person).select_related("compound")]
    form = VisitForm(request.POST, compounds=compounds)
    if form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.register_visit(user.person, services.VisitInput(
                name=data["name"], phone=data["phone"], compound_code=data["compound"],
                starts_at=data["starts_at"], ends_at=data["ends_at"], purpose=data["purpose"]), by=user)
        except DomainError as e:
            _add_error(form, e)
        else:
            messages.success(request, _("Visitor registered: send them the code below."))
            return redirect("access:visit", pk=visit.pk)
    return my_code(request, visit_form=form, status=400)


@login_required
def visit(request, pk: int):
    """A visitor's code, for the host who registered it (to send on) and the guards of its compound, and for no
    one else: the QR lets its bearer in once."""
    v = get_object_or_404(Visit.objects.select_related("code", "compound", "visitor_pass__person"), pk=pk)
    user = request.user
    guard_here = user.role == Role.GATE_GUARD and user.gate_id and user.gate.compound_id == v.compound_id
    if not guard_here and (user.person_id is None or v.host_id != user.person_id):
        raise Http404
    return render(request, "access/visit.html", {"v": v, "qr": codec.qr_svg(v.code.text, scale=5) if v.code else None})


# ---- the gate ---------------------------------------------------------------------------------------------


def _guarded_gate(request, code: str) -> Gate:
    gate = get_object_or_404(Gate.objects.select_related("compound"), code=code)
    user = request.user
    if user.role != Role.GATE_GUARD or user.gate_id != gate.pk:
        raise PermissionDenied
    return gate


@login_required
def my_gate(request):
    if request.user.role != Role.GATE_GUARD or not request.user.gate_id:
        raise PermissionDenied
    return redirect("access:gate", code=request.user.gate.code)


@login_required
def gate(request, code: str):
    g = _guarded_gate(request, code)
    result = None
    problem = None
    direction = request.POST.get("direction", request.GET.get("direction", "in"))
    if direction not in ("in", "out"):
        direction = "in"
    if request.method == "POST":
        text = request.POST.get("code", "").strip()
        raw_temperature = request.POST.get("temperature", "").strip()
        temperature = None
        if raw_temperature:
            try:
                reading = Decimal(raw_temperature).quantize(Decimal("0.1"))
            except InvalidOperation:
                reading = None
            if reading is None or not reading.is_finite() or not 0 <= reading <= MAX_TYPED_CELSIUS:
                problem = _("Type the temperature as a number, e.g. 36.5.")
            else:
                temperature = float(reading)
        if not text:
            problem = problem or _("Scan or type a code.")
        if problem is None:
            result = services.check_at_gate(g, text, direction, temperature, by=request.user,
                                            event_id=_check_id(request.POST.get("check_id", "")))
    today = timezone.localdate()
    counts = events.hourly(day=today, gate_code=g.code)
    totals = {"entries": sum(r.entries for r in counts), "exits": sum(r.exits for r in counts),
              "refusals": sum(r.refusals for r in counts)}
    context = {"gate": g, "direction": direction, "problem": problem, "totals": totals,
               "policy": services.policy_for(g.compound.code, today), "visit_form": GateVisitForm(),
               "check_id": uuid.uuid4()}  # the next check's id: the same form sent twice is one check
    if result is not None:
        d = result.decision
        context["result"] = {
            "allow": d.allow, "reason": d.reason, "next_step": d.next_step.value,
            "reason_label": REASON_LABELS.get(d.reason, d.texts[0]),
            "next_label": NEXT_STEP_LABELS.get(d.next_step.value, d.texts[1]),
            "report": d.report_to_community, "name": result.masked_name, "colour": result.colour,
            "colour_label": COLOURS.get(result.colour, "") if result.colour else "", "kind": result.holder_kind,
        }
    return render(request, "access/gate.html", context, status=400 if problem else 200)


def _check_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None  # none, or not one of ours: the server makes the event's id


class GateVisitForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Visitor's name"), max_length=60)
    phone = forms.CharField(label=gettext_lazy("Visitor's mobile number"), max_length=11)
    household_code = forms.CharField(label=gettext_lazy("Household visited (code on the door plate)"),
                                     max_length=22)
    hours = forms.IntegerField(label=gettext_lazy("Hours of the visit"), min_value=1, max_value=24, initial=2)
    consent = forms.BooleanField(label=gettext_lazy("A resident of the household agreed (by phone or in person)"))


@login_required
@require_POST
def gate_visit(request, code: str):
    """A guard registers a visitor at the gate, with the consent of a resident of the household visited."""
    g = _guarded_gate(request, code)
    form = GateVisitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        household = Household.objects.filter(code=data["household_code"].strip(),
                                             code__startswith=g.compound.code).first()
        host = household.memberships.filter(moved_out__isnull=True).select_related("person").first() \
            if household else None
        if host is None:
            form.add_error("household_code", _("No household of this compound has this code."))
        else:
            now = timezone.now()
            try:
                v = services.register_visit(host.person, services.VisitInput(
                    name=data["name"], phone=data["phone"], compound_code=g.compound.code, starts_at=now,
                    ends_at=now + dt.timedelta(hours=data["hours"]), purpose=_("registered at the gate")),
                    by=request.user, now=now)
            except DomainError as e:
                _add_error(form, e)
            else:
                return redirect("access:visit", pk=v.pk)
    today = timezone.localdate()
    return render(request, "access/gate.html", {
        "gate": g, "direction": "in", "visit_form": form, "policy": services.policy_for(g.compound.code, today),
        "totals": None}, status=400)


# ---- paper passes ------------------------------------------------------------------------------------------


A6_PX = (1240, 1748)  # 105 × 148 mm at 300 dpi


def paper_pdf(code: Code, compound: Area, number: str) -> bytes:
    """An A6 page, as a one-page PDF at 300 dpi (see ``paper_page``)."""
    out = io.BytesIO()
    paper_page(code, compound, number).save(out, "PDF", resolution=300.0)
    return out.getvalue()


def paper_page(code: Code, compound: Area, number: str):
    """The A6 page of a paper pass: the QR, the masked name, the compound, the pass number and the validity."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", A6_PX, "white")
    draw = ImageDraw.Draw(page)
    draw.text((A6_PX[0] // 2, 90), "出入证 · 无疫小区", fill="black", font=cjk_font(72), anchor="mm")
    qr = Image.open(io.BytesIO(codec.qr_png(code.text, scale=8))).convert("RGB")
    side = 1000
    qr = qr.resize((side, side), Image.NEAREST)
    page.paste(qr, ((A6_PX[0] - side) // 2, 170))
    lines = [
        (code.masked_name, 80), (compound.name, 56), (number, 44),
        (f"有效至 {timezone.localtime(code.expires_at):%Y-%m-%d}", 44),
    ]
    y = 1220
    for text, size in lines:
        draw.text((A6_PX[0] // 2, y), text, fill="black", font=cjk_font(size), anchor="mm")
        y += size + 40
    return page


@login_required
def paper_pass(request, pk: int):
    """The printable paper pass (纸质出入证) for people without a phone; issued by the workers of its area."""
    if not request.user.is_worker:
        raise PermissionDenied
    p = get_object_or_404(scope(request.user, Pass.objects.select_related("person", "compound")), pk=pk)
    if p.kind not in (PassKind.PAPER, PassKind.RESIDENT):
        raise Http404
    try:
        code = services.paper_code(p.pk, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("people:person", pk=p.person_id)
    record(request.user, p.person, "print", f"paper pass {p.number}", client_ip(request))
    response = HttpResponse(paper_pdf(code, p.compound, p.number), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pass-{p.number}.pdf"'
    return response


# ---- worker codes -----------------------------------------------------------------------------------------


class WorkerCodeForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("Resident ID number of the worker"), max_length=30)
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    compounds = forms.MultipleChoiceField(label=gettext_lazy("Compounds"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, compounds=(), **kwargs):
        from wuyi.access.models import Role as WorkerRole

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = WorkerRole.choices
        self.fields["compounds"].choices = list(compounds)


@login_required
def worker_code(request):
    """A community worker issues a worker's code (cadre, property staff, courier…) for compounds of their area;
    the worker shows it on a phone, or it is printed."""
    from django.conf import settings as django_settings

    from wuyi.people import identity
    from wuyi.people.models import Person

    user = request.user
    if not user.is_worker or not user.area_id:
        raise PermissionDenied
    compounds = list(Area.objects.filter(level=Level.COMPOUND, code__startswith=user.area.prefix)
                     .order_by("code").values_list("code", "name")[:500])
    form = WorkerCodeForm(request.POST or None, compounds=compounds)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            number = identity.normalise(data["id_number"])
        except identity.InvalidIdNumber:
            form.add_error("id_number", _("Enter a valid 18-digit resident ID number."))
        else:
            person = Person.objects.filter(id_hmac=identity.id_hmac(number, django_settings.WUYI_ID_KEY)).first()
            if person is None:
                form.add_error("id_number", _("Nobody is registered with this ID number: register the worker first."))
            else:
                issued = services.worker_code(person, data["role"], data["compounds"], by=user)
                record(user, person, "issue", f"worker code ({data['role']})", client_ip(request))
    if form.is_bound:  # the ID number typed is not shown back (DESIGN.md §4: no ID number in clear on a page)
        form.data = form.data.copy()
        form.data["id_number"] = ""
    return render(request, "access/worker_code.html", {
        "form": form, "issued": issued, "qr": codec.qr_svg(issued.text, scale=5) if issued else None,
    }, status=400 if request.method == "POST" and issued is None else 200)


# ---- the access log ----------------------------------------------------------------------------------------


def _day(request) -> dt.date:
    """The day asked for, or today: a day of the log (the retention period's, or one to come) is a date from 2000
    to 2099; any other, or no date at all, is a page that does not exist."""
    raw = request.GET.get("day")
    if not raw:
        return timezone.localdate()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise Http404("not a date") from None
    if not dt.date(2000, 1, 1) <= day <= dt.date(2099, 12, 31):
        raise Http404("no access log for this day")
    return day


@login_required
def log(request, level: str, code: str):
    user = request.user
    if level == "gate":
        g = get_object_or_404(Gate.objects.select_related("compound"), code=code)
        compound = g.compound
        if not ((user.role == Role.GATE_GUARD and user.gate_id == g.pk) or can_see_area(user, compound.code)):
            raise Http404
        rows = events.hourly(day=_day(request), gate_code=g.code)
        title = g.name
    else:
        compound = get_object_or_404(Area, code=code, level=Level.COMPOUND)
        if not can_see_area(user, compound.code):
            raise Http404
        rows = events.hourly(day=_day(request), compound_code=compound.code)
        title = compound.name
    reasons = sorted({reason for r in rows for reason in r.refusals_by_reason})
    table = [{"hour": r.hour, "entries": r.entries, "exits": r.exits, "refusals": r.refusals,
              "by_reason": [r.refusals_by_reason.get(reason, 0) for reason in reasons]} for r in rows]
    totals = {"entries": sum(r.entries for r in rows), "exits": sum(r.exits for r in rows),
              "refusals": sum(r.refusals for r in rows)}
    return render(request, "access/log.html", {
        "title": title, "compound": compound, "day": _day(request), "rows": table, "totals": totals,
        "reasons": [(reason, REASON_LABELS.get(reason, reason)) for reason in reasons], "level": level,
        "gates": Gate.objects.filter(compound=compound).order_by("code") if level == "compound" else None,
    })
