"""The leaders' dashboard pages (issue 6 point 8) and their Excel exports.

Who: leaders, city administrators and the district, street and community workers, on their own node and the
districts, streets and communities beneath it (``panels.node_for``); another role gets 403, a node outside the
user's area 403, an unknown code 404. Query string: ``day`` (a local date, default today in Asia/Shanghai; a bad
or future date is a form error and today is shown). Every export starts with a title row naming the area and
the day (DESIGN.md §7).
"""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from wuyi.dashboard import panels
from wuyi.dashboard.panels import PANELS, Area, Column, Panel
from wuyi.errors import DomainError, NotFound
from wuyi.health.models import RiskLevel
from wuyi.places.models import Level

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day is not None:
            try:
                panels.check_day(day)
            except DomainError as e:
                raise forms.ValidationError(e.message) from None
        return day


def _node(request: HttpRequest, code: str | None) -> Area:
    try:
        return panels.node_for(request.user, code)
    except NotFound:
        raise Http404 from None
    except DomainError:
        raise PermissionDenied from None


def _day(request: HttpRequest) -> tuple[dt.date, DayForm]:
    form = DayForm(request.GET)
    day = form.cleaned_data["day"] if form.is_valid() else None
    return day or panels.local_today(), form


def _path(area: Area) -> str:
    return " / ".join([a.name for a in area.ancestors()] + [area.name])


def display(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "share":
        return f"{100 * value:.1f} %"
    if kind == "score":
        return f"{value:.2f}"
    if kind == "level":
        return str(RiskLevel(value).label)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cells(columns: list[Column], values: dict) -> list[dict]:
    return [{"key": c.key, "raw": "" if values.get(c.key) is None else values.get(c.key), "kind": c.kind,
             "text": display(values.get(c.key), c.kind)} for c in columns]


def _chart(panel: Panel) -> dict:
    if panel.key == "risk":
        return {"kind": "pie", "data": [{"name": str(label), "value": n, "level": level}
                                        for level, label, n in panel.extra["levels"]]}
    kinds = {c.key: c for c in panel.columns}
    series = []
    for key in panel.chart:
        column = kinds[key]
        scale = 100 if column.kind in ("share", "score") else 1
        series.append({"name": str(column.label) + (" (%)" if scale == 100 else ""),
                       "data": [None if row.values.get(key) is None else round(row.values[key] * scale, 2)
                                for row in panel.rows]})
    return {"kind": "bar", "categories": [row.name for row in panel.rows], "series": series}


@require_GET
@login_required
def home(request: HttpRequest, code: str | None = None) -> HttpResponse:
    area = _node(request, code)
    day, form = _day(request)
    board = panels.dashboard(area, day)
    root = panels.viewer_root(request.user)
    crumbs = [a for a in area.ancestors() if root.contains_code(a.code)]
    sections = []
    for panel in board.panels.values():
        sections.append({
            "panel": panel,
            "rows": [{"row": row, "cells": _cells(panel.columns, row.values)} for row in panel.rows],
            "total": _cells(panel.columns, panel.total),
            "chart": _chart(panel),
        })
    figures = board.panels["figures"]
    reported = panel_reported(figures)
    context = {
        "area": area, "day": day, "form": form, "crumbs": crumbs, "sections": sections,
        "child_level": Level(board.child_level).label, "reported": reported,
        "charts": {s["panel"].key: s["chart"] for s in sections},
        "tiles": [{"label": c.label, **cell} for c, cell in zip(figures.columns, _cells(figures.columns, figures.total))],
    }
    return render(request, "dashboard/home.html", context)


def panel_reported(panel: Panel | None) -> list[dict]:
    """The city's reported figures beside the counted ones (only on the city's dashboard)."""
    if panel is None or "reported" not in panel.extra:
        return []
    return [{"key": key, "label": r.label, "value": r.value, "confirmed": r.confirmed,
             "counted": f"{panel.total.get(key, 0):,}", "shown": f"{r.value:,}"} for key, r in panel.extra["reported"].items()]


# ---- the export -----------------------------------------------------------------------------------------------

def workbook(panel: Panel, area: Area, day: dt.date) -> bytes:
    """One panel as an .xlsx: a title row naming the panel, the area and the day; the columns; a row per child
    area; the total (and, for the city's figures, the reported ones)."""
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("Dashboard")[:31]
    bold = Font(bold=True)
    ws.append([f"{panel.title} · {_path(area)}（{area.code}）· {day.isoformat()}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([gettext("Area"), f"{_path(area)}（{area.code}）"])
    beijing = gettext("Beijing time")
    ws.append([gettext("Day"), f"{day.isoformat()} ({beijing})"])
    if panel.note:
        ws.append([gettext("Note"), str(panel.note)])
    ws.append([])
    ws.append([gettext("Code"), pgettext("area", "Name"), *[str(c.label) for c in panel.columns]])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in panel.rows:
        _append(ws, [row.code, row.name], panel.columns, row.values)
    _append(ws, ["", gettext("Total")], panel.columns, panel.total)
    if "reported" in panel.extra:
        values = {key: r.value for key, r in panel.extra["reported"].items()}
        _append(ws, ["", gettext("Reported in 2020")], panel.columns, values)
        unconfirmed = [str(r.label) for r in panel.extra["reported"].values() if not r.confirmed]
        ws.append(["", gettext("Source not confirmed") + ": " + "; ".join(unconfirmed)])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 22
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _append(ws, head: list, columns: list[Column], values: dict) -> None:
    ws.append([*head, *[_excel(values.get(c.key), c.kind) for c in columns]])
    for cell, column in zip(ws[ws.max_row][len(head):], columns):
        if column.kind == "share":
            cell.number_format = "0.0%"
        elif column.kind == "score":
            cell.number_format = "0.00"


def _excel(value, kind: str):
    if value is None:
        return None
    if kind == "level":
        return str(RiskLevel(value).label)
    return value


@require_GET
@login_required
def export(request: HttpRequest, code: str, panel: str) -> HttpResponse:
    if panel not in PANELS:
        raise Http404
    area = _node(request, code)
    day, form = _day(request)
    if form.errors:
        return HttpResponse(form.errors["day"][0], status=400, content_type="text/plain; charset=utf-8")
    board = panels.dashboard(area, day, only=(panel,))
    response = HttpResponse(workbook(board.panels[panel], area, day), content_type=XLSX_CONTENT_TYPE)
    filename = f"wuyi-dashboard-{panel}-{area.code}-{day.isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
