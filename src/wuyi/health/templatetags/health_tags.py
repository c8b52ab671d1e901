"""`{% compound_status compound %}`: a compound's status today, for pages of apps below health (places), which
show it without importing health (DESIGN.md §3: imports point down)."""

from django import template
from django.utils import timezone

from wuyi.health import compound_service
from wuyi.health.reasons import labelled

register = template.Library()


@register.inclusion_tag("health/_compound_status.html")
def compound_status(compound):
    status = compound_service.status_of(compound, timezone.localdate())
    return {"compound": compound, "status": status, "reasons": labelled(status.reasons)}
