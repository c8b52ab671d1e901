"""The volunteer statistics page (ECharts) and its Excel export (issue 5).

Who: the workers and health officials of an area see it and everything beneath it; volunteers see the whole city,
since the page holds only counts and sums (no person, no contact). Everyone else is refused, anonymous users are
sent to log in. Query string: ``area`` (a district, street or community code beneath the user's area; default their
area), ``start`` and ``end`` (local dates; default the 30 days ending today). An area outside the user's reach is
a 404, as on the area pages. The export holds the page's tables, each sheet saying first what area and dates it
covers (DESIGN.md §7).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from wuyi.accounts.models import AREA_ROLES, Role, User
from wuyi.places.models import Area, Level
from wuyi.volunteers.stats import LONGEST_WINDOW_DAYS, Figures, Statistics, local_today, statistics

DEFAULT_DAYS = 30
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AREA_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY)


def root_area(user: User) -> Area:
    """The highest area whose statistics ``user`` may see; PermissionDenied for a role that may see none."""
    if user.role in AREA_ROLES and user.area_id and user.area.level in AREA_LEVELS:
        return user.area
    if user.role == Role.VOLUNTEER:
        city = Area.objects.filter(level=Level.CITY).first()
        if city is not None:
            return city
    raise PermissionDenied


class StatsForm(forms.Form):
    area = forms.CharField(required=False, max_length=15)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        end = data.get("end") or local_today()
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("end", _("The last day comes after the first."))
        elif (end - start).days + 1 > LONGEST_WINDOW_DAYS:
            self.add_error("start", _("Choose at most %(days)d days.") % {"days": LONGEST_WINDOW_DAYS})
        data["start"], data["end"] = start, end
        return data


def _window(request: HttpRequest) -> tuple[Area, Area, dt.date, dt.date, StatsForm]:
    """The user's root area, the area asked for, the dates (the defaults when the form has errors), the form."""
    root = root_area(request.user)
    form = StatsForm(request.GET)
    valid = form.is_valid()
    code = (form.cleaned_data.get("area") if valid else request.GET.get("area", "")) or root.code
    area = root if code == root.code else Area.objects.filter(code=code, level__in=AREA_LEVELS).first()
    if area is None or not area.code.startswith(root.prefix):
        raise Http404
    if valid:
        first, last = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        last = local_today()
        first = last - dt.timedelta(days=DEFAULT_DAYS - 1)
    return root, area, first, last, form


def _percent(f: Figures) -> str:
    return "" if f.fill_rate is None else f"{100 * f.fill_rate:.1f} %"


def _cells(f: Figures) -> dict:
    """A row of figures as shown: thousands separators in every language, hours with two decimals."""
    return {"tasks": f"{f.tasks:,}", "slots": f"{f.slots:,}", "taken": f"{f.taken:,}", "fill": _percent(f),
            "participations": f"{f.participations:,}", "hours": f"{f.hours:,.2f}", "raw": f}


def _query(area: Area, first: dt.date, last: dt.date) -> str:
    return urlencode({"area": area.code, "start": first.isoformat(), "end": last.isoformat()})


def _charts(stats: Statistics) -> dict:
    children = stats.by_child or [(place, f) for place, f in stats.by_community]
    return {
        "days": [day.strftime("%m-%d") for day, _f in stats.by_day],
        "tasks": [f.tasks for _d, f in stats.by_day],
        "participations": [f.participations for _d, f in stats.by_day],
        "hours": [float(f.hours) for _d, f in stats.by_day],
        "places": [place.name for place, _f in children],
        "place_participations": [f.participations for _p, f in children],
        "place_hours": [float(f.hours) for _p, f in children],
        "labels": {"tasks": str(_("Tasks")), "participations": str(_("Participations")),
                   "hours": str(_("Hours"))},
    }


@require_GET
@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    root, area, first, last, form = _window(request)
    stats = statistics(area, first, last)
    crumbs = [a for a in area.ancestors() if a.code.startswith(root.prefix)]
    context = {
        "stats": stats, "area": area, "form": form, "crumbs": crumbs, "first": first, "last": last,
        "total": _cells(stats.total),
        "by_day": [(day, _cells(f)) for day, f in stats.by_day],
        "by_child": [(place, _cells(f)) for place, f in stats.by_child],
        "by_community": [(place, _cells(f)) for place, f in stats.by_community],
        "child_title": {Level.DISTRICT: _("By district"), Level.STREET: _("By street")}.get(stats.child_level),
        "charts": _charts(stats),
        "query": _query(area, first, last),
        "dates": {"start": first.isoformat(), "end": last.isoformat()},
    }
    return render(request, "volunteers/stats.html", context)


# ---- the export -----------------------------------------------------------------------------------------------

HEADERS = ["任务数", "岗位数", "已认领岗位", "认领率", "参与人次", "服务时长（小时）"]


def _numbers(f: Figures) -> list:
    return [f.tasks, f.slots, f.taken, f.fill_rate, f.participations, f.hours]


def workbook(stats: Statistics, path: str, made_at: dt.datetime) -> bytes:
    """The page's tables as an .xlsx: a summary, by day, by child area (when the area has districts or streets
    beneath), by community. Every sheet starts with the area and the dates it covers."""
    wb = Workbook(write_only=True)
    covers = [
        ["区域", f"{path}（{stats.area.code}）"],
        ["日期", f"{stats.first.isoformat()} 至 {stats.last.isoformat()}（北京时间，含首尾两日）"],
    ]
    bold = Font(bold=True)

    def sheet(title: str, head: list[str], rows: list[list], widths: list[int]):
        ws = wb.create_sheet(title)
        for i, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = width
        for line in covers:
            ws.append(line)
        ws.append([])
        ws.append([_bold(ws, h, bold) for h in head + HEADERS])
        for row in rows:
            ws.append([_typed(ws, v, i - len(head)) for i, v in enumerate(row)])
        return ws

    ws = wb.create_sheet("说明")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 60
    for line in [["无疫 · 志愿服务统计"], *covers,
                 ["导出时间", timezone.localtime(made_at).strftime("%Y-%m-%d %H:%M")],
                 ["口径", "任务：开始于所选日期内、未取消的任务，按开始日期计；岗位数与已认领岗位之比为认领率"],
                 ["", "参与人次与服务时长：已确认完成的认领，按确认完成的日期计；社区为任务发布所在社区"],
                 [], ["", *HEADERS]]:
        ws.append(line)
    ws.append(["合计", *[_typed(ws, v, i) for i, v in enumerate(_numbers(stats.total))]])
    total = ["合计", *_numbers(stats.total)]
    sheet("按日", ["日期"], [[day, *_numbers(f)] for day, f in stats.by_day] + [total], [12] + [14] * 6)
    if stats.by_child:
        title = "按区" if stats.child_level == Level.DISTRICT else "按街道"
        sheet(title, ["代码", "名称"], [[p.code, p.name, *_numbers(f)] for p, f in stats.by_child]
              + [["", *total]], [12, 20] + [14] * 6)
    sheet("按社区", ["代码", "街道", "社区"],
          [[p.code, p.parent_name, p.name, *_numbers(f)] for p, f in stats.by_community] + [["", "", *total]],
          [14, 16, 20] + [14] * 6)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bold(ws, value, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    return cell


def _typed(ws, value, column: int):
    """Dates as dates, the fill rate as a percentage, hours with two decimals."""
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if column == 3 and value is not None and not isinstance(value, str):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "0.0%"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "#,##0.00"
        return cell
    return value


@require_GET
@login_required
def stats_export(request: HttpRequest) -> HttpResponse:
    _root, area, first, last, _form = _window(request)
    stats = statistics(area, first, last)
    path = " / ".join([a.name for a in area.ancestors()] + [area.name])
    content = workbook(stats, path, timezone.now())
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"wuyi-volunteer-stats-{area.code}-{first.isoformat()}-{last.isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
