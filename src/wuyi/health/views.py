"""Health pages. The public risk list (分区分级名单): anyone may read it, logged in or not, as in 2020."""

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wuyi.health.models import RiskLevel, RiskList
from wuyi.health.zoning_service import changes, list_for, previous
from wuyi.places.models import CODE_LENGTH, Level

# Earlier lists linked from the page.
HISTORY_LENGTH = 30


def risk(request: HttpRequest) -> HttpResponse:
    """The list for ``?date=`` (or the latest published on or before it), else the latest list of all."""
    asked = request.GET.get("date")
    if asked:
        try:
            day = dt.date.fromisoformat(asked)
        except ValueError:
            raise Http404("not a date") from None
        risk_list = list_for(day)
    else:
        risk_list = RiskList.objects.order_by("-date", "-published_at").first()
    labels = dict(RiskLevel.choices)
    districts = []
    changed = []
    before = None
    if risk_list is not None:
        before = previous(risk_list)
        entries = list(risk_list.entries.order_by("pk"))
        for e in entries:
            e.level_label = labels.get(e.level, e.level)
        district_length = CODE_LENGTH[Level.DISTRICT]
        streets: dict[str, list] = {}
        for e in entries:
            if len(e.unit_code) > district_length:
                streets.setdefault(e.unit_code[:district_length], []).append(e)
        districts = [
            {"entry": e, "streets": streets.get(e.unit_code, [])}
            for e in entries
            if len(e.unit_code) == district_length
        ]
        changed = [
            {"change": c, "before": labels.get(c.before, c.before) if c.before else None,
             "after": labels.get(c.after, c.after)}
            for c in changes(risk_list)
        ]
    history = list(
        RiskList.objects.order_by("-date", "rule_id").values_list("date", "rule_id")[:HISTORY_LENGTH]
    )
    return render(request, "health/risk.html", {
        "risk_list": risk_list, "previous_list": before, "districts": districts, "changed": changed,
        "history": history, "asked": asked,
    })
