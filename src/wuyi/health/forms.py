"""Forms of the health pages. They parse what was typed; the services decide what is valid, and a DomainError
they raise is shown on the field it names (``add_domain_error``)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuyi.errors import DomainError
from wuyi.health import colour_rules, zoning
from wuyi.health.models import CaseKind, CaseOutcome, ContactDegree, FlagKind, QuarantineKind, TestOutcome
from wuyi.people.forms import SYMPTOM_LABELS
from wuyi.people.services import SYMPTOMS

QUARANTINE_DAYS = 14  # from the last exposure (POLICY.md §8a)

MESSAGES = {
    "future_date": _("This date is after today."),
    "dates_out_of_order": _("The dates are in the wrong order."),
    "unknown_household": _("No household has this code."),
    "unknown_compound": _("No compound has this code."),
    "unknown_district": _("No district has this code."),
    "residence_needed": _("Give the household (or, if the room is unknown, the compound) of residence."),
    "own_contact": _("A case is not its own contact."),
    "already_linked": _("This person is already a contact of this case."),
    "already_released": _("This order is already released."),
    "already_cleared": _("This flag is already cleared."),
    "already_decided": _("This cluster has already been confirmed or dismissed."),
    "case_closed": _("This case already has an outcome."),
    "invalid_temperature": _("Enter a temperature between 34.0 and 43.0 °C."),
    "temperature_needed": _("Enter at least one temperature."),
    "unknown_person": _("Nobody in your area has this ID number."),
    "no_rules_in_force": _("No rule set was in force on this date: choose one."),
    "not_found": _("Not found."),
    "outside_area": _("This household is outside your area."),
}


def message_for(error: DomainError) -> str:
    return str(MESSAGES.get(error.code, error.message))


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, message_for(error))


def _date(label, required=True, **attrs):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d"))


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("ID number or name"), max_length=30)


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    reported_on = _date(_("Report date"))
    onset_on = _date(_("Onset date"), required=False)
    sampled_on = _date(_("Sampling date"), required=False)
    household_code = forms.CharField(label=_("Household code"), max_length=22, required=False)
    compound_code = forms.CharField(label=_("Compound code (when the room is unknown)"), max_length=15,
                                    required=False)
    imported = forms.BooleanField(label=_("Imported (infected outside the city)"), required=False)
    link_household = forms.BooleanField(
        label=_("Link the other members of the household as close contacts and put them under quarantine"),
        required=False, initial=True,
    )
    quarantine_kind = forms.ChoiceField(label=_("Quarantine for the household"), choices=QuarantineKind.choices,
                                        initial=QuarantineKind.HOME)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_on"].initial = timezone.localdate()


class ContactForm(forms.Form):
    id_number = forms.CharField(label=_("Resident ID number of the contact"), max_length=30)
    degree = forms.ChoiceField(label=_("Degree"), choices=ContactDegree.choices, initial=ContactDegree.CLOSE)
    last_exposure_on = _date(_("Last exposure"))
    quarantine_kind = forms.ChoiceField(
        label=_("Quarantine"), required=False,
        choices=[("", _("No order now")), *QuarantineKind.choices], initial=QuarantineKind.HOME,
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"),
                                choices=[(c, label) for c, label in CaseOutcome.choices if c != "under_treatment"])
    on = _date(_("Date"))


class OrderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuarantineKind.choices, initial=QuarantineKind.HOME)
    start = _date(_("Start"))
    planned_end = _date(_("Planned end"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start"].initial = today
        self.fields["planned_end"].initial = today + dt.timedelta(days=QUARANTINE_DAYS)


class TestForm(forms.Form):
    sampled_on = _date(_("Sampling date"))
    sampled_time = forms.TimeField(label=_("Sampling time"), widget=forms.TimeInput(attrs={"type": "time"}))
    outcome = forms.ChoiceField(label=_("Result"), choices=TestOutcome.choices)

    def sampled_at(self) -> dt.datetime:
        naive = dt.datetime.combine(self.cleaned_data["sampled_on"], self.cleaned_data["sampled_time"])
        return naive.replace(tzinfo=colour_rules.CHINA_STANDARD_TIME)


class FlagForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FlagKind.choices)
    since = _date(_("Since"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ClearFlagForm(forms.Form):
    on = _date(_("Cleared on"))


class DailyReportForm(forms.Form):
    temperature_morning = forms.DecimalField(label=_("Morning temperature (°C)"), max_digits=3, decimal_places=1,
                                             required=False, widget=forms.NumberInput(attrs={"step": "0.1",
                                                                                             "inputmode": "decimal"}))
    temperature_afternoon = forms.DecimalField(label=_("Afternoon temperature (°C)"), max_digits=3,
                                               decimal_places=1, required=False,
                                               widget=forms.NumberInput(attrs={"step": "0.1",
                                                                               "inputmode": "decimal"}))
    symptoms = forms.MultipleChoiceField(label=_("Symptoms now"), required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         choices=[(s, SYMPTOM_LABELS.get(s, s)) for s in SYMPTOMS])


class PublishForm(forms.Form):
    date = _date(_("List date"))
    rules = forms.ChoiceField(label=_("Zoning rules"), required=False,
                              choices=[("", _("The rules in force on that date"))]
                              + [(r.id, f"{r.id} · {r.title}") for r in zoning.RULES.values()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate() + dt.timedelta(days=1)
