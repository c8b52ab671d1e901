"""Labels, in the reader's language, for the reason codes of the rule modules.

The rule modules (colour_rules, zoning, compound_status) give each reason as (code, text): the code is stable
and the text, in English, carries the dates. Pages show the label of the code, then the dates the page has in
its own fields; the English text is kept as the detail for an official who wants the rule's own words.
"""

from django.utils.translation import gettext_lazy as _

LABELS = {
    # colour rules
    "confirmed_case": _("Confirmed case"),
    "asymptomatic_case": _("Asymptomatic case"),
    "suspected_case": _("Suspected case"),
    "close_contact": _("Close contact"),
    "secondary_contact": _("Contact of a close contact"),
    "potential_contact": _("Potential close contact"),
    "centralized_quarantine": _("Centralized quarantine"),
    "home_quarantine": _("Home quarantine"),
    "home_health_monitoring": _("Home health observation"),
    "high_risk_arrival": _("Arrival from a high-risk area within 14 days"),
    "gate_fever": _("Fever found at a gate"),
    "red_elsewhere": _("Red code from another province"),
    "yellow_elsewhere": _("Yellow code from another province"),
    "key_person_untested": _("Key person of a control area without a test"),
    "nothing_abnormal": _("Nothing abnormal on record"),
    # risk zoning
    "no_confirmed_case": _("No confirmed case ever reported"),
    "no_case_within_14_days": _("No confirmed case within 14 days"),
    "at_most_50_cases": _("50 confirmed cases or fewer in all"),
    "over_50_cases": _("More than 50 confirmed cases in all"),
    "no_cluster_within_14_days": _("No cluster within 14 days"),
    "cluster_within_14_days": _("A cluster within 14 days"),
    "case_within_14_days": _("A confirmed case within 14 days"),
    "no_infection": _("No infection linked to the area"),
    "drawn_high": _("Drawn as a high-risk area"),
    "drawn_medium": _("Drawn as a medium-risk area"),
    "infection_within_7_days": _("An infection within 7 days"),
    "infection_within_5_days": _("An infection within 5 days"),
    "lowered_to_low": _("Lowered to low risk"),
    # compound status
    "no_confirmed_14_days": _("14 days without a confirmed case"),
    "confirmed_within_14_days": _("A confirmed case within 14 days"),
    "cancelled": _("Cancelled by a confirmed case"),
    "suspended": _("Suspended: a suspected case, fever case or close contact is not yet released"),
    "pending": _("Waiting on a suspected case, fever case or close contact"),
}


def labelled(reasons) -> list[dict]:
    """[(code, text), …] as stored or returned → [{"code", "label", "detail"}, …] for a template."""
    return [{"code": code, "label": LABELS.get(code, text), "detail": text} for code, text in reasons]
