"""The campaign's forms: the inspection sheet (one row per measure), nomination, decision, activity record,
catalogue copy. A DomainError from a service becomes a form error on the field it names."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wuyi.campaign.models import Decision, Measure, ResultValue, TenAction
from wuyi.campaign.services import MAX_PHOTO_BYTES, MAX_PHOTOS
from wuyi.errors import DomainError

MESSAGES = {
    "note_required": _("A failed item needs a note saying what is wrong."),
    "unanswered": _("Answer every measure: passed, failed or not applicable."),
    "invalid_photo": _("The photo is not an image."),
    "photo_too_large": _("A photo is at most 5 MB."),
    "invalid_date": _("The date is before the campaign or in the future."),
    "invalid_due_date": _("A rectification is due within 90 days of the inspection."),
    "not_eligible": _("Not eligible"),
    "already_nominated": _("This compound is already nominated or approved."),
    "out_of_order": _("This case is not waiting for your level."),
    "forbidden": _("You may not do this here."),
    "not_found": _("Not found in your area."),
    "code_taken": _("A catalogue with this code exists."),
    "invalid_participants": _("Participants is a number from 0 to 100,000."),
    "too_many_photos": _("At most 9 photos."),
}


REASONS = {
    "not_epidemic_free": _("not epidemic-free on %(on)s (status: %(status)s)"),
    "never_inspected": _("never inspected"),
    "inspected_after": _("the latest inspection is after the day asked about"),
    "not_fully_compliant": _("the latest inspection (%(inspected)s) is not fully compliant"),
    "criterion_not_met": _("further criterion not met: %(criterion)s"),
}
STATUSES = {
    "epidemic_free": _("epidemic-free"), "suspended": _("suspended"), "cancelled": _("cancelled"),
    "not_yet": _("not yet epidemic-free"),
}


def reason_labels(verdict, facts) -> list[str]:
    """The rule's reasons in the reader's language (the unmet criteria in the order the rule gave them)."""
    unmet = iter(facts.unmet_criteria)
    out = []
    for code, text in verdict.reasons:
        label = REASONS.get(code)
        if label is None:
            out.append(text)
            continue
        out.append(str(label) % {
            "on": facts.on.isoformat(), "status": STATUSES.get(facts.compound_status, facts.compound_status),
            "inspected": facts.latest_inspected_on.isoformat() if facts.latest_inspected_on else "",
            "criterion": next(unmet, "") if code == "criterion_not_met" else "",
        })
    return out


def message_for(error: DomainError) -> str:
    message = MESSAGES.get(error.code)
    if message is None:
        return error.message
    if error.code == "not_eligible" and hasattr(error, "verdict"):
        return f"{message}: {'；'.join(reason_labels(error.verdict, error.facts))}"
    return str(message)


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, message_for(error))


def _date_input(**kwargs):
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


class PhotoField(forms.ImageField):
    """A real image (Django asks Pillow) of at most MAX_PHOTO_BYTES."""

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and getattr(value, "size", 0) > MAX_PHOTO_BYTES:
            raise forms.ValidationError(MESSAGES["photo_too_large"], code="photo_too_large")
        return value


class InspectionForm(forms.Form):
    """Every measure of the catalogue: a result, a note, an optional photo; for a failure, a due date and whether
    to publish a volunteer task for it."""

    inspected_on = _date_input(label=_("Inspected on"))

    def __init__(self, *args, measures: list[Measure], **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = measures
        for m in measures:
            self.fields[f"measure_{m.pk}"] = forms.ChoiceField(
                label=m.text, choices=ResultValue.choices, widget=forms.RadioSelect, required=False)
            self.fields[f"note_{m.pk}"] = forms.CharField(label=_("Note"), required=False, max_length=2000,
                                                          widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"photo_{m.pk}"] = PhotoField(label=_("Photo"), required=False)
            self.fields[f"due_{m.pk}"] = _date_input(label=_("Rectify by"), required=False)
            self.fields[f"task_{m.pk}"] = forms.BooleanField(
                label=_("Also publish a volunteer task for it"), required=False)

    def rows(self):
        """(measure, result, note, photo, due, task) bound fields, in the catalogue's order."""
        for m in self.measures:
            yield (m, self[f"measure_{m.pk}"], self[f"note_{m.pk}"], self[f"photo_{m.pk}"], self[f"due_{m.pk}"],
                   self[f"task_{m.pk}"])


class NominationForm(forms.Form):
    criteria_met = forms.MultipleChoiceField(label=_("Further criteria met"), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria_met"].choices = [(c.code, c.text) for c in criteria]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(PhotoField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(MESSAGES["too_many_photos"], code="too_many_photos")
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class ActivityForm(forms.Form):
    community = forms.ChoiceField(label=_("Community"))
    action = forms.ChoiceField(label=_("Action"), choices=TenAction.choices)
    held_on = _date_input(label=_("Held on"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=100_000)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultiplePhotoField(label=_("Photos"), required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.code, c.name) for c in communities]


class CopyCatalogueForm(forms.Form):
    code = forms.CharField(label=_("New code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    effective_from = _date_input(label=_("Effective from"))
