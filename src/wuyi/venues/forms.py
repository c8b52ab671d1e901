"""Forms of the small-venue pages. They parse what was typed; the services decide what is valid, and a DomainError
is shown on the field it names (``add_domain_error``), or above the form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.errors import DomainError
from wuyi.venues.models import InspectionOutcome, Trade, VenueStatus

MESSAGES = {
    "not_small_venue": _("This is not a small venue of its kind: check the building area, storeys and height."),
    "unknown_community": _("Choose a community."),
    "forbidden": _("This community is outside your area."),
    "invalid_trade": _("Choose a trade from the list."),
    "invalid_number": _("Give a number above 0."),
    "invalid_storeys": _("A building has 1 to 100 storeys."),
    "invalid_phone": _("A mobile number has 11 digits and starts with 1."),
    "invalid_text": _("Fill this in, keeping it short."),
    "pledge_not_signed": _("The operator signs the pledge first: type their name and tick the box."),
    "already_open": _("The venue is already open."),
    "already_applied": _("An application is waiting for its inspection."),
    "already_inspected": _("This application has been inspected."),
    "checklist_not_met": _("Not every condition is met: suspend the venue instead."),
    "reason_required": _("Say why the venue is suspended."),
    "before_application": _("The inspection cannot come before the application."),
    "in_the_future": _("Record the inspection once it has happened."),
    "invalid_outcome": _("Approve or suspend."),
    "not_found": _("Not found."),
}

# The checklist's items as the pages show them (POLICY.md §7a).
CHECKLIST_LABELS = {
    "temperature_and_registration": _("Temperature and registration point at the door"),
    "regular_disinfection": _("Regular disinfection"),
    "staff_protection": _("Staff protection"),
    "no_dining_in": _("No eating inside: takeaway and contactless service only"),
    "contactless_pickup": _("Contactless pick-up"),
}
ADVICE = {
    "close_contact_named": _("Beauty salons and internet cafés were persuaded to stay closed: advise the operator to "
                             "stay closed for now."),
    "close_contact_like": _("A close-contact venue like those persuaded to stay closed (local choice): advise the "
                            "operator to stay closed for now."),
}


def message_for(error: DomainError) -> str:
    return str(MESSAGES.get(error.code, error.message))


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, message_for(error))


class VenueForm(forms.Form):
    community = forms.ChoiceField(label=_("Community"))
    name = forms.CharField(label=_("Name of the venue"), max_length=100)
    trade = forms.ChoiceField(label=_("Trade"), choices=Trade.choices)
    floor_area_m2 = forms.DecimalField(label=_("Building area (m²)"), min_value=0, max_digits=8, decimal_places=1)
    storeys = forms.IntegerField(label=_("Storeys"), min_value=1, max_value=100, initial=1)
    height_m = forms.DecimalField(label=_("Building height (m), for a workshop"), required=False, min_value=0,
                                  max_digits=5, decimal_places=1)
    address = forms.CharField(label=_("Address"), max_length=200)
    operator_name = forms.CharField(label=_("Operator"), max_length=60)
    operator_phone = forms.CharField(label=_("Operator's phone"), max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = list(communities)
        if len(self.fields["community"].choices) == 1:
            self.fields["community"].initial = self.fields["community"].choices[0][0]


class ApplicationForm(forms.Form):
    pledge_signer = forms.CharField(label=_("Operator's name, typed as the signature"), max_length=60)
    pledge_signed = forms.BooleanField(label=_("The operator has read and signs the pledge"), required=False)
    temperature_and_registration = forms.BooleanField(label=CHECKLIST_LABELS["temperature_and_registration"],
                                                      required=False)
    regular_disinfection = forms.BooleanField(label=CHECKLIST_LABELS["regular_disinfection"], required=False)
    staff_protection = forms.BooleanField(label=CHECKLIST_LABELS["staff_protection"], required=False)
    no_dining_in = forms.BooleanField(label=CHECKLIST_LABELS["no_dining_in"], required=False)
    contactless_pickup = forms.BooleanField(label=CHECKLIST_LABELS["contactless_pickup"], required=False)


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    temperature_and_registration = forms.BooleanField(label=CHECKLIST_LABELS["temperature_and_registration"],
                                                      required=False)
    regular_disinfection = forms.BooleanField(label=CHECKLIST_LABELS["regular_disinfection"], required=False)
    staff_protection = forms.BooleanField(label=CHECKLIST_LABELS["staff_protection"], required=False)
    no_dining_in = forms.BooleanField(label=CHECKLIST_LABELS["no_dining_in"], required=False)
    contactless_pickup = forms.BooleanField(label=CHECKLIST_LABELS["contactless_pickup"], required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label=pgettext_lazy("inspection", "Outcome"), choices=InspectionOutcome.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspected_on"].initial = timezone.localdate()


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *VenueStatus.choices])
    community = forms.CharField(required=False, max_length=15)
