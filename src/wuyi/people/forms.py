"""Forms of the people pages. They parse what was typed; the services decide what is valid.

A DomainError raised by a service names a field ("id_number", "household_code", "travel[1].to");
`add_domain_error` puts its message, in the reader's language, on that field of the form.
"""

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuyi.errors import DomainError
from wuyi.people.models import Relation
from wuyi.people.services import SYMPTOMS, TRAVEL_WINDOW_DAYS, DeclarationInput

TRAVEL_ROWS = 3  # places in the last 14 days asked on the form; more is for the worker to note on the phone

SYMPTOM_LABELS = {
    "fever": _("Fever"),
    "cough": _("Cough"),
    "fatigue": _("Fatigue"),
    "sore_throat": _("Sore throat"),
    "shortness_of_breath": _("Shortness of breath"),
    "diarrhoea": _("Diarrhoea"),
    "loss_of_smell": _("Loss of smell"),
}

MESSAGES = {
    "invalid_name": _("Enter a name of 1 to 60 characters."),
    "invalid_id_number": _(
        "Enter a valid 18-digit resident ID number (17 digits and a final digit or X, with a real birth date)."
    ),
    "invalid_phone": _("A mobile number has 11 digits and starts with 1."),
    "invalid_relation": _("Choose how the person is related to the household."),
    "unknown_household": _("Choose the household, down to the room."),
    "invalid_symptom": _("Choose symptoms from the list."),
    "already_pending": _("A declaration with this ID number is already waiting for verification."),
    "reason_required": _("Say why the declaration is rejected."),
    "roster_conflict": _("The roster has this ID number under another name: correct the roster first."),
    "lives_elsewhere": _("The roster has this person living in another household: record the move in the roster first."),
    "invalid_reason": _("The reason holds characters that cannot be stored."),
    "already_reviewed": _("This declaration has already been reviewed."),
    "not_found": _("Not found."),
}
TRAVEL_MESSAGES = {
    "place": _("Enter the place."),
    "from": _("Enter the dates."),
    "to": _("The dates must lie within the last %(days)d days, the first not after the last."),
}
_TRAVEL_FIELD = re.compile(r"^travel\[(\d+)\]\.(place|from|to)$")


def message_for(error: DomainError) -> str:
    return str(MESSAGES.get(error.code, error.message))


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error on the form field it names (or above the form when it names none here)."""
    field, message = error.field, message_for(error)
    travel = _TRAVEL_FIELD.match(field or "")
    if travel:
        row, part = travel.groups()
        field = f"travel_{row}_{part}"
        message = str(TRAVEL_MESSAGES[part]) % {"days": TRAVEL_WINDOW_DAYS}
    elif field == "household_code":
        field = "household"
    form.add_error(field if field in form.fields else None, message)


class DeclarationForm(forms.Form):
    """The self-declaration (自主申报): identity, phone, household, relation, 14-day travel, symptoms.

    The household comes from the last of the cascading selects ("household") or, without
    JavaScript, from a typed household code ("household_code").
    """

    phone_required = True

    name = forms.CharField(label=_("Name"), max_length=60, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(
        label=_("Resident ID number"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("Mobile number"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    household = forms.CharField(label=_("Household"), max_length=22, required=False)
    household_code = forms.CharField(label=_("Household code"), max_length=22, required=False)
    relation = forms.ChoiceField(
        label=_("Relation to the household"), choices=Relation.choices, initial=Relation.FAMILY,
        widget=forms.RadioSelect,
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms now"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(s, SYMPTOM_LABELS.get(s, s)) for s in SYMPTOMS],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = self.phone_required
        today = timezone.localdate()
        bounds = {"type": "date", "min": (today - dt.timedelta(days=TRAVEL_WINDOW_DAYS)).isoformat(),
                  "max": today.isoformat()}
        for i in range(TRAVEL_ROWS):
            self.fields[f"travel_{i}_place"] = forms.CharField(label=_("Place"), max_length=100, required=False)
            for part, label in (("from", _("From")), ("to", _("To"))):
                self.fields[f"travel_{i}_{part}"] = forms.DateField(
                    label=label, required=False, widget=forms.DateInput(attrs=bounds, format="%Y-%m-%d")
                )

    def travel_rows(self) -> list[tuple]:
        """The bound fields of each travel row, for the template."""
        return [tuple(self[f"travel_{i}_{part}"] for part in ("place", "from", "to")) for i in range(TRAVEL_ROWS)]

    def clean(self):
        data = super().clean()
        code = (data.get("household") or data.get("household_code") or "").strip()
        if not code and "household" not in self.errors:
            self.add_error("household", MESSAGES["unknown_household"])
        data["household"] = code
        return data

    def travel(self) -> list[dict]:
        """The rows with anything typed in them; the service says what is missing."""
        rows = []
        for i in range(TRAVEL_ROWS):
            place, start, end = (self.cleaned_data.get(f"travel_{i}_{p}") for p in ("place", "from", "to"))
            if place or start or end:
                rows.append({"place": place or "", "from": start.isoformat() if start else "",
                             "to": end.isoformat() if end else ""})
        return rows

    def to_input(self) -> DeclarationInput:
        d = self.cleaned_data
        return DeclarationInput(
            name=d["name"], id_number=d["id_number"], phone=d.get("phone") or "", household_code=d["household"],
            relation=d["relation"], travel=self.travel(), symptoms=list(d.get("symptoms") or []),
        )


class RegisterForm(DeclarationForm):
    """A worker registers someone without a phone (the elderly, children): the phone is optional and the
    household must lie in the worker's area."""

    phone_required = False

    def __init__(self, *args, area_prefix: str, **kwargs):
        self.area_prefix = area_prefix
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        code = data.get("household")
        if code and not code.startswith(self.area_prefix):
            self.add_error("household", _("This household is not in your area."))
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"), max_length=200,
        error_messages={"required": MESSAGES["reason_required"]},
    )

