"""The volunteer's calendar feed at a secret URL (``/volunteers/calendar/<token>.ics``), for calendar apps
that subscribe without a session. The token is checked in constant time; a wrong one is a plain 404."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from wuyi.volunteers import ical
from wuyi.volunteers.models import Volunteer


@require_GET
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    volunteer_id = ical.volunteer_id_of(token)
    volunteer = Volunteer.objects.filter(pk=volunteer_id).first() if volunteer_id is not None else None
    if volunteer is None:
        raise Http404("no such calendar")
    response = HttpResponse(ical.feed(volunteer), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="wuyi-volunteer.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
