"""Forms of the volunteer pages. They parse what was typed; the services decide what is valid, and a DomainError
they raise is shown on the field it names (``add_domain_error``), or above the form when it names none here."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuyi.errors import DomainError
from wuyi.volunteers.models import Skill, TaskKind
from wuyi.volunteers.services import LANGUAGES, MAX_SLOTS

MESSAGES = {
    "full": _("Every slot of this task is taken."),
    "closed": _("This task takes no more claims."),
    "already_claimed": _("You already hold a slot of this task."),
    "not_a_volunteer": _("Sign up as a volunteer first."),
    "invalid_slots": _("Claim one slot for yourself, or up to as many as your team has members."),
    "not_the_leader": _("Only the team's leader can do this."),
    "too_many_slots": _("A team claims at most as many slots as it has members."),
    "not_active": _("This claim is no longer active."),
    "too_late": _("It is too late to cancel online: call the publisher."),
    "unknown_task": _("This QR code is not a task's."),
    "no_claim": _("You hold no slot of this task: claim it first."),
    "not_now": _("Check in from an hour before the start until the end of the task."),
    "not_checked_in": _("Check in first."),
    "not_started": _("Confirm once the task has started."),
    "not_done": _("Thank a volunteer for a completed task."),
    "already_reviewed": _("This wish has already been reviewed."),
    "reason_required": _("Say why the wish is rejected."),
    "not_verified": _("Only a verified resident can volunteer: send a self-declaration first."),
    "unknown_community": _("Choose a community."),
    "invalid_skill": _("Choose skills from the list."),
    "invalid_language": _("Choose languages from the list."),
    "invalid_availability": _("Choose times from the grid."),
    "invalid_text": _("Write 1 to 300 characters."),
    "invalid_kind": _("Choose a kind from the list."),
    "invalid_time": _("Give a date and time to come."),
    "invalid_phone": _("A mobile number has 11 digits and starts with 1."),
    "no_household": _("Only a resident with a household can post a wish."),
    "invalid_title": _("A title has 1 to 100 characters."),
    "dates_out_of_order": _("A task ends after it starts."),
    "task_too_long": _("A task lasts at most a day: repeat it daily instead."),
    "task_past": _("The task is already over."),
    "invalid_capacity": _("A task has 1 to %(max)d slots."),
    "unknown_compound": _("Choose a place of this community."),
    "unknown_gate": _("Choose a place of this community."),
    "unknown_service_centre": _("Choose a place of this community."),
    "invalid_days": _("A series runs 1 to 60 days."),
    "outside_area": _("This community is outside your area."),
    "invalid_name": _("A team's name has 1 to 60 characters."),
    "name_taken": _("A team of this community already has this name."),
    "team_inactive": _("This team has no active members left."),
    "already_member": _("This volunteer is already in the team."),
    "already_invited": _("This volunteer is already invited."),
    "not_invited": _("There is no pending invitation to accept."),
    "other_community": _("Join a team of your own community, or ask its leader to invite you."),
    "not_a_member": _("You are not in this team."),
    "leader_cannot_leave": _("The leader leaves last: other members remain."),
    "unknown_volunteer": _("No volunteer has this mobile number or ID number."),
    "ambiguous_phone": _("Several volunteers share this mobile number: give the ID number."),
    "not_found": _("Not found."),
}

# A DomainError's field as the services name it → the field of the form it belongs on.
FIELDS = {
    "community_code": "community",
    "compound_code": "place",
    "gate_code": "place",
    "service_centre_code": "place",
}

LANGUAGE_LABELS = {
    "zh": _("Mandarin"),
    "yue": _("Cantonese"),
    "en": _("English"),
    "hak": _("Hakka"),
    "teo": _("Teochew"),
    "ja": _("Japanese"),
    "ko": _("Korean"),
    "fr": _("French"),
    "de": _("German"),
    "es": _("Spanish"),
    "ru": _("Russian"),
    "ar": _("Arabic"),
}
WEEKDAY_LABELS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
                  _("Sunday"))
# The parts of a day a volunteer ticks, as hour ranges [start, end).
DAY_PARTS = {
    "morning": (8, 12, _("Morning")),
    "afternoon": (12, 18, _("Afternoon")),
    "evening": (18, 22, _("Evening")),
}


# Why a task is recommended or a volunteer suggested (matching's reason codes).
REASON_LABELS = {
    "same_community": _("In your community"),
    "same_street": _("In your street"),
    "same_district": _("In your district"),
    "elsewhere": _("In another district"),
    "available": _("At a time you are available"),
    "availability_unknown": _("No weekly availability given"),
    "outside_availability": _("Outside your weekly availability"),
    "no_recent_service": _("Has not served in the last %(days)d days"),
    "little_recent_service": _("Served little in the last %(days)d days"),
    "some_recent_service": _("Served some in the last %(days)d days"),
    "much_recent_service": _("Served much in the last %(days)d days"),
}
SUGGESTION_LABELS = {  # the same reasons, said of a volunteer to the publisher
    "same_community": _("Lives in the task's community"),
    "same_street": _("Lives in the task's street"),
    "same_district": _("Lives in the task's district"),
    "elsewhere": _("Lives in another district"),
    "available": _("Available at that time"),
    "outside_availability": _("Outside their weekly availability"),
}


def reason_labels(reasons, *, of_volunteer: bool = False, days: int = 14) -> list[tuple[str, str]]:
    """matching's (code, English text) reasons in the reader's language; unknown codes keep their text."""
    skills = dict(Skill.choices)
    out = []
    for code, text in reasons:
        label = (SUGGESTION_LABELS.get(code) if of_volunteer else None) or REASON_LABELS.get(code)
        if label is not None:
            label = str(label) % {"days": days} if "%(days)d" in str(label) else str(label)
        elif code.startswith("skill_") and code[6:] in skills:
            label = _("Has the skill: %(skill)s") % {"skill": skills[code[6:]]}
        out.append((code, str(label or text)))
    return out


def message_for(error: DomainError) -> str:
    message = MESSAGES.get(error.code)
    if message is None:
        return error.message
    return str(message) % {"max": MAX_SLOTS} if "%(max)d" in str(message) else str(message)


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    field = FIELDS.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, message_for(error))


def _local_input(label, **kwargs):
    return forms.DateTimeField(label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                        format="%Y-%m-%dT%H:%M"), **kwargs)


def availability_to_slots(availability: dict) -> list[str]:
    """The ticks of the grid ("0-morning") that the stored hour ranges cover."""
    ticks = []
    for day, ranges in (availability or {}).items():
        for part, (start, end, _label) in DAY_PARTS.items():
            if any(a <= start and end <= b for a, b in ranges):
                ticks.append(f"{day}-{part}")
    return ticks


def slots_to_availability(ticks: list[str]) -> dict:
    """The ticks of the grid as {weekday: [[start, end), …]}, touching ranges merged."""
    by_day: dict[str, list[list[int]]] = {}
    for tick in ticks:
        day, part = tick.split("-", 1)
        start, end, _label = DAY_PARTS[part]
        by_day.setdefault(day, []).append([start, end])
    merged: dict[str, list[list[int]]] = {}
    for day, ranges in sorted(by_day.items()):
        for start, end in sorted(ranges):
            if merged.get(day) and merged[day][-1][1] == start:
                merged[day][-1][1] = end
            else:
                merged.setdefault(day, []).append([start, end])
    return merged


class ProfileForm(forms.Form):
    community = forms.ChoiceField(label=_("Home community"))
    skills = forms.MultipleChoiceField(label=_("Skills"), required=False, choices=Skill.choices,
                                       widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=[(c, LANGUAGE_LABELS[c]) for c in LANGUAGES],
                                          widget=forms.CheckboxSelectMultiple, initial=["zh"])
    availability = forms.MultipleChoiceField(
        label=_("When I can help"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(f"{day}-{part}", f"{WEEKDAY_LABELS[day]} {label}")
                 for day in range(7) for part, (_s, _e, label) in DAY_PARTS.items()])
    party_member = forms.BooleanField(label=_("Party member"), required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "—"), *communities]

    def availability_rows(self) -> list[tuple]:
        """The grid: one row per weekday with its three checkboxes."""
        boxes = list(self["availability"])
        per_day = len(DAY_PARTS)
        return [(WEEKDAY_LABELS[day], boxes[day * per_day:(day + 1) * per_day]) for day in range(7)]

    def day_parts(self) -> list:
        return [label for _s, _e, label in DAY_PARTS.values()]


class WishForm(forms.Form):
    text = forms.CharField(label=_("What do you need?"), max_length=300,
                           widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices, initial=TaskKind.DELIVERY)
    needed_by = _local_input(_("Needed by"))
    contact_phone = forms.CharField(label=_("Mobile number for the volunteer"), max_length=11,
                                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        soon = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=5)
        self.fields["needed_by"].initial = soon


class TaskForm(forms.Form):
    """A task, or the same shift every day for ``days`` days (a series)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices, initial=TaskKind.GATE_DUTY)
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.ChoiceField(label=_("Place"), required=False)
    starts_at = _local_input(_("Starts"))
    ends_at = _local_input(_("Ends"))
    days = forms.IntegerField(label=_("Repeat every day for (days)"), min_value=1, max_value=60, initial=1,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    capacity = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=MAX_SLOTS, initial=1,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    skills = forms.MultipleChoiceField(label=_("Skills required"), required=False, choices=Skill.choices,
                                       widget=forms.CheckboxSelectMultiple)
    contact_name = forms.CharField(label=_("Contact"), required=False, max_length=60)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=20,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))
    cancel_hours = forms.IntegerField(label=_("Volunteers may cancel until (hours before the start)"), min_value=0,
                                      max_value=168, initial=2)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", pgettext_lazy("place", "The community")), *places]
        start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        start = start.replace(hour=8)
        self.fields["starts_at"].initial = start
        self.fields["ends_at"].initial = start + dt.timedelta(hours=4)

    def place_codes(self) -> dict:
        """The place as the service takes it: "compound:<code>", "gate:<code>" or "centre:<code>"."""
        kind, _sep, code = (self.cleaned_data.get("place") or "").partition(":")
        return {"compound": {"compound_code": code}, "gate": {"gate_code": code},
                "centre": {"service_centre_code": code}}.get(kind, {})


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ThanksForm(forms.Form):
    text = forms.CharField(label=_("Thanks"), max_length=200)


class TeamForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("team", "Name"), max_length=60)


class InviteForm(forms.Form):
    who = forms.CharField(label=_("Mobile number or ID number of the volunteer"), max_length=30)


class TeamClaimForm(forms.Form):
    slots = forms.IntegerField(label=_("Slots for the team"), min_value=1, max_value=MAX_SLOTS, initial=1,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class FilterForm(forms.Form):
    """The filters of the task list; every one optional."""

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *TaskKind.choices])
    area = forms.ChoiceField(label=_("Where"), required=False)
    date = forms.DateField(label=_("Date"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    skills = forms.MultipleChoiceField(label=_("Needs my skills"), required=False, choices=Skill.choices,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("The whole city")), *areas]
