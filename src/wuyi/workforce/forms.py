"""Forms of the workforce pages. They parse what was typed; the services decide what is valid, and a DomainError
they raise is shown on the field it names (``add_domain_error``), or above the form when it names none here."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.errors import DomainError
from wuyi.workforce.models import Front, GroupKind, PartyRole, Period, WorkerKind

MESSAGES = {
    "outside_area": _("This is outside your area."),
    "unknown_area": _("No area has this code."),
    "invalid_kind": _("Choose a kind from the list."),
    "invalid_phone": _("A mobile number has 11 digits and starts with 1."),
    "group_elsewhere": _("The group does not cover the area the worker is deployed to."),
    "still_in_party_organisation": _("Remove the worker from their temporary Party organisations first."),
    "not_a_community": _("This kind of group belongs to one community: choose a community."),
    "team_exists": _("This community already has a three-person team."),
    "dates_out_of_order": _("A group is dissolved after it is set up."),
    "invalid_front": _("Choose a front from the list."),
    "not_a_party_member": _("Only a worker who is a Party member can join."),
    "inactive_worker": _("This worker is no longer active."),
    "other_area": _("The worker is deployed outside the organisation's area."),
    "secretary_taken": _("The organisation already has a secretary."),
    "already_member": _("This worker is already a member."),
    "invalid_target": _("Choose a place from the list."),
    "unknown_target": _("Choose a place from the list."),
    "invalid_period": _("Choose a period from the list."),
    "double_booked": _("This worker already has a shift in this period."),
    "item_exists": _("This centre already keeps this item."),
    "invalid_quantity": _("Give a quantity of 0 or more."),
    "invalid_delta": _("Give a number of units to move in or out."),
    "not_enough": _("There is not that much in stock."),
    "required": _("This field is required."),
    "too_long": _("This is too long."),
    "not_found": _("Not found."),
}

# A DomainError's field as the services name it → the field of the form it belongs on.
FIELDS = {
    "area_code": "area",
    "group_id": "group",
    "worker_id": "worker",
    "target_kind": "place",
    "target_code": "place",
    "delta": "amount",
    "anti_epidemic_since": "since",
}


def message_for(error: DomainError) -> str:
    message = MESSAGES.get(error.code)
    return str(message) if message is not None else error.message


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    field = FIELDS.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, message_for(error))


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


class WorkerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Mobile number"), max_length=11, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkerKind.choices)
    unit = forms.CharField(label=_("Sending unit"), max_length=100, required=False)
    area = forms.ChoiceField(label=_("Deployed to"))
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    party_member = forms.BooleanField(label=_("Party member"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, areas=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = list(areas)
        self.fields["group"].choices = [("", "—"), *groups]


class GroupForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    area = forms.ChoiceField(label=_("Area"))
    set_up_on = _date(_("Set up on"))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = list(areas)


class DissolveForm(forms.Form):
    dissolved_on = _date(_("Dissolved on"))


class PartyOrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    area = forms.ChoiceField(label=_("Area"))
    front = forms.ChoiceField(label=_("Front"), choices=Front.choices)
    set_up_on = _date(_("Set up on"))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = list(areas)


class PartyMemberForm(forms.Form):
    worker = forms.TypedChoiceField(label=_("Worker"), coerce=int)
    role = forms.ChoiceField(label=pgettext_lazy("party", "Role"), choices=PartyRole.choices, initial=PartyRole.MEMBER)

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "—"), *workers]


class ShiftForm(forms.Form):
    worker = forms.TypedChoiceField(label=_("Worker"), coerce=int)
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    place = forms.ChoiceField(label=_("Place"))

    def __init__(self, *args, workers=(), places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "—"), *workers]
        self.fields["place"].choices = [("", "—"), *places]


class ActivateForm(forms.Form):
    since = _date(_("Anti-epidemic centre since"))


class SupplyForm(forms.Form):
    item = forms.CharField(label=_("Item"), max_length=60)
    unit = forms.CharField(label=_("Unit"), max_length=20)
    quantity = forms.IntegerField(label=_("Opening stock"), min_value=0, initial=0)


class StockForm(forms.Form):
    direction = forms.ChoiceField(label=_("In or out"), choices=[("in", _("Stock in")), ("out", _("Stock out"))])
    amount = forms.IntegerField(label=_("Quantity"), min_value=1)
    reason = forms.CharField(label=pgettext_lazy("stock", "Reason"), max_length=100, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))
