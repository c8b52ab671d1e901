"""Care for key persons (关心关爱), for the workers of an area: the key persons with the days since their last
contact (those due a contact first), suggestions from health data to confirm, a person's care history with the
form to log a visit, a delivery, a call or counselling, and the Excel export.

Key persons are people's data: every list goes through ``scope`` and every page that shows a person writes the
read to the audit log. Names are shown in full to community workers (who call and visit them) and masked to the
workers above them, as phones are (``scoping.phone_for``).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import F, Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuyi.accounts.audit import client_ip, record, record_many
from wuyi.accounts.models import Role
from wuyi.accounts.permissions import worker_required
from wuyi.accounts.scoping import phone_for, scope
from wuyi.care import rules, services
from wuyi.care.models import CareContact, ContactKind, KeyPerson, KeyReason
from wuyi.errors import DomainError
from wuyi.people.models import Person
from wuyi.places.models import Area

LIST_ROWS = 200
SUGGESTIONS_SHOWN = 50

MESSAGES = {
    "invalid_kind": gettext_lazy("Choose a kind from the list."),
    "invalid_time": gettext_lazy("Give the date and time."),
    "in_the_future": gettext_lazy("A contact is logged once it has happened."),
    "before_care": gettext_lazy("The contact cannot come before the care began."),
    "items_required": gettext_lazy("Say what was delivered."),
    "invalid_text": gettext_lazy("Write at most 300 characters."),
    "already_key_person": gettext_lazy("Already a key person for this reason."),
    "already_ended": gettext_lazy("This care has already ended."),
    "invalid_date": gettext_lazy("Give a date not in the future, on or after the day the care began."),
    "invalid_reason": gettext_lazy("Choose a reason from the list."),
    "not_found": gettext_lazy("Not found."),
}


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ContactKind.choices)
    at = forms.DateTimeField(label=gettext_lazy("When"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    items = forms.CharField(label=gettext_lazy("Items delivered"), required=False, max_length=300)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class EndForm(forms.Form):
    until = forms.DateField(label=gettext_lazy("Care ended on"),
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(MESSAGES.get(error.code, error.message)))


def name_for(user, person: Person) -> str:
    """The full name for the community worker who looks after the person; masked for the workers above."""
    return person.name if user.role == Role.COMMUNITY_WORKER else person.masked_name


def _decorate(user, rows, today: dt.date) -> list[KeyPerson]:
    rows = list(rows)
    for kp in rows:
        last = timezone.localtime(kp.last_contact).date() if kp.last_contact else None
        kp.due = rules.contact_due(last, kp.since, today)
        kp.shown_name = name_for(user, kp.person)
    return rows


def _active(user):
    return (scope(user, KeyPerson.objects.filter(until__isnull=True))
            .select_related("person", "community").annotate(last_contact=Max("contacts__at")))


@worker_required
def home(request):
    """The key persons of the worker's area, the ones not contacted for longest (or never) first; suggestions."""
    user = request.user
    today = timezone.localdate()
    found = _active(user)
    reason = request.GET.get("reason")
    if reason in KeyReason.values:
        found = found.filter(reason=reason)
    rows = _decorate(user, found.order_by(
        F("last_contact").asc(nulls_first=True), "since", "pk")[:LIST_ROWS], today)
    suggested = services.suggestions(user.area.prefix, today)[:SUGGESTIONS_SHOWN]
    people = {p.pk: p for p in Person.objects.filter(pk__in=[s.person_id for s in suggested])}
    communities = dict(Area.objects.filter(code__in={s.community_code for s in suggested}).values_list("code", "name"))
    suggestions = [{"s": s, "name": name_for(user, people[s.person_id]), "community": communities.get(s.community_code),
                    "reason": KeyReason(s.reason).label} for s in suggested]
    record_many(user, {kp.person_id for kp in rows} | set(people), "view", "care: key persons list",
                client_ip(request))
    return render(request, "care/home.html", {
        "area": user.area, "rows": rows, "total": found.count(), "limit": LIST_ROWS, "reason": reason,
        "reasons": KeyReason.choices, "suggestions": suggestions, "due_days": rules.CONTACT_DUE_DAYS,
        "due_count": sum(1 for kp in rows if kp.due.due),
    })


@worker_required
@require_POST
def confirm(request):
    """Confirm a suggestion: the person becomes a key person of their community."""
    try:
        person_id = int(request.POST.get("person_id", ""))
        since = dt.date.fromisoformat(request.POST.get("since", ""))
    except ValueError:
        messages.error(request, _("Choose a suggestion from the list."))
        return redirect("care:home")
    try:
        kp = services.add_key_person(person_id, request.POST.get("reason", ""), since, by=request.user,
                                     source=request.POST.get("source", ""))
    except DomainError as e:
        messages.error(request, str(MESSAGES.get(e.code, e.message)))
        return redirect("care:home")
    messages.success(request, _("Confirmed as a key person."))
    return redirect("care:person", pk=kp.pk)


def _key_person_or_404(request, pk: int) -> KeyPerson:
    try:
        return services.key_person_for(request.user, pk)
    except DomainError:
        raise Http404 from None


def _person_page(request, kp: KeyPerson, contact_form=None, end_form=None, status=200):
    user = request.user
    record(user, kp.person, "view", f"care: history of key person {kp.pk}", client_ip(request))
    contacts = scope(user, CareContact.objects.filter(key_person=kp)).select_related("by")
    last = contacts.aggregate(last=Max("at"))["last"]
    due = rules.contact_due(timezone.localtime(last).date() if last else None, kp.since, timezone.localdate())
    return render(request, "care/person.html", {
        "kp": kp, "name": name_for(user, kp.person), "phone": phone_for(user, kp.person.phone), "due": due,
        "contacts": contacts, "contact_form": contact_form or (ContactForm() if kp.until is None else None),
        "end_form": end_form or (EndForm(initial={"until": timezone.localdate()}) if kp.until is None else None),
        "others": scope(user, KeyPerson.objects.filter(person=kp.person).exclude(pk=kp.pk)),
    }, status=status)


@worker_required
def person(request, pk: int):
    """A key person's care history, with the forms to log a contact and to end the care."""
    return _person_page(request, _key_person_or_404(request, pk))


@worker_required
@require_POST
def contact(request, pk: int):
    kp = _key_person_or_404(request, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.log_contact(kp.pk, services.ContactInput(d["kind"], d["at"], d["note"], d["items"]),
                                 by=request.user)
        except DomainError as e:
            _error(form, e)
        else:
            messages.success(request, _("Contact logged."))
            return redirect("care:person", pk=kp.pk)
    return _person_page(request, kp, contact_form=form, status=400)


@worker_required
@require_POST
def end(request, pk: int):
    kp = _key_person_or_404(request, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.end_care(kp.pk, form.cleaned_data["until"], by=request.user)
        except DomainError as e:
            _error(form, e)
        else:
            messages.success(request, _("Care ended."))
            return redirect("care:home")
    return _person_page(request, kp, end_form=form, status=400)


@worker_required
@transaction.atomic  # the export and its audit entries stand or fall together
def export(request):
    """The active key persons of the area as an .xlsx, saying the area and the moment it covers; audited."""
    from wuyi.care.export import workbook

    user = request.user
    now = timezone.now()
    rows = _decorate(user, _active(user).order_by("community__code", "since", "pk"), timezone.localdate(now))
    record_many(user, {kp.person_id for kp in rows}, "export", "care: key persons export", client_ip(request))
    body = workbook(user, rows, now)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (f'attachment; filename="care-{user.area.code}-'
                                       f'{timezone.localtime(now):%Y%m%d}.xlsx"')
    return response
