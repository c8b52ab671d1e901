"""Reads the pages, the API and the exports share: the coverage report (gates and traffic checkpoints nobody is on),
the three-person team of each community, and the people gathered at a service centre.

The coverage report is one SQL statement: the gates beneath the area UNION ALL its checkpoints, each kept when
NOT EXISTS a shift of an active worker there on that day and period.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.utils import timezone
from openpyxl import Workbook

from wuyi.accounts import audit
from wuyi.accounts.models import User
from wuyi.places.models import Area, Checkpoint, Gate, Level, ServiceCentre, code_range
from wuyi.workforce import three_person
from wuyi.workforce.models import GroupKind, Period, Shift, Worker, WorkGroup

PERIOD_LABELS_ZH = {Period.MORNING: "早班", Period.AFTERNOON: "中班", Period.NIGHT: "夜班"}
PLACE_LABELS_ZH = {"gate": "出入口", "checkpoint": "交通卡口"}


@dataclass(frozen=True)
class Gap:
    kind: str  # "gate" or "checkpoint"
    code: str
    name: str
    where: str  # the compound of a gate, the street of a checkpoint
    where_code: str


def uncovered(area: Area, on: dt.date, period: str) -> list[Gap]:
    """Every gate and traffic checkpoint beneath `area` with nobody on a shift there on `on` in `period`."""
    prefix = area.prefix
    on_duty = Shift.objects.filter(on=on, period=period, worker__active=True)
    text = CharField()
    gates = (Gate.objects.filter(code_range("compound__code", prefix))
             .filter(~Exists(on_duty.filter(gate=OuterRef("pk"))))
             .annotate(kind=Value("gate", output_field=text))
             .values_list("kind", "code", "name", "compound__name", "compound__code"))
    checkpoints = (Checkpoint.objects.filter(code_range("street__code", prefix))
                   .filter(~Exists(on_duty.filter(checkpoint=OuterRef("pk"))))
                   .annotate(kind=Value("checkpoint", output_field=text))
                   .values_list("kind", "code", "name", "street__name", "street__code"))
    rows = gates.order_by().union(checkpoints.order_by(), all=True).order_by("kind", "code")
    return [Gap(*row) for row in rows]


def places_counted(area: Area) -> dict[str, int]:
    return {"gates": Gate.objects.filter(code_range("compound__code", area.prefix)).count(),
            "checkpoints": Checkpoint.objects.filter(code_range("street__code", area.prefix)).count()}


def area_path(area: Area) -> str:
    return " / ".join([a.name for a in area.ancestors()] + [area.name])


def coverage_workbook(area: Area, on: dt.date, period: str, gaps: list[Gap], user: User) -> bytes:
    """The coverage report as .xlsx: a first sheet saying which area, date and period it covers."""
    wb = Workbook(write_only=True)
    about = wb.create_sheet("说明")
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 50
    counted = places_counted(area)
    for row in (
        ["无疫 · 值守缺岗报告"],
        ["区域", f"{area_path(area)}（{area.code}）"],
        ["日期", on.isoformat()],
        ["班次", PERIOD_LABELS_ZH.get(period, period)],
        ["出入口", counted["gates"]],
        ["交通卡口", counted["checkpoints"]],
        ["无人值守", len(gaps)],
        ["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        ["导出人", audit.actor_label(user)],
    ):
        about.append(row)
    ws = wb.create_sheet("缺岗")
    for letter, width in zip("ABCDE", (10, 22, 28, 22, 28), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append(["类型", "代码", "名称", "所属小区/街道代码", "所属小区/街道"])
    for gap in gaps:
        ws.append([PLACE_LABELS_ZH[gap.kind], gap.code, gap.name, gap.where_code, gap.where])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- three-person teams ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityTeam:
    community: Area
    group: WorkGroup | None
    members: list[Worker]
    verdict: three_person.TeamVerdict


def three_person_teams(area: Area, on: dt.date | None = None) -> list[CommunityTeam]:
    """The standing three-person team of each community beneath `area` (or the area itself), with its verdict:
    three queries whatever the number of communities."""
    on = on or timezone.localdate()
    communities = list(Area.objects.filter(code_range("code", area.prefix), level=Level.COMMUNITY).order_by("code"))
    groups = {g.area_id: g for g in WorkGroup.objects.filter(
        code_range("area__code", area.prefix), kind=GroupKind.THREE_PERSON).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)).order_by("set_up_on", "pk")}
    members: dict[int, list[Worker]] = {}
    for w in Worker.objects.filter(group__in=list(groups.values())).order_by("kind", "pk"):
        members.setdefault(w.group_id, []).append(w)
    out = []
    for c in communities:
        group = groups.get(c.pk)
        team = members.get(group.pk, []) if group else []
        verdict = three_person.assess([(w.kind, w.active) for w in team] if group else None)
        out.append(CommunityTeam(c, group, team, verdict))
    return out


# ---- a service centre -----------------------------------------------------------------------------------


def gathered(centre: ServiceCentre, on: dt.date, limit: int = 100) -> tuple[list[Shift], int, list[Worker]]:
    """The shifts at the centre on `on`; how many active workers are deployed to its area (its node, not beneath),
    and the first `limit` of them by kind and name."""
    shifts = list(Shift.objects.filter(service_centre=centre, on=on).select_related("worker").order_by("period", "pk"))
    deployed = Worker.objects.filter(area_id=centre.area_id, active=True)
    return shifts, deployed.count(), list(deployed.order_by("kind", "name", "pk")[:limit])
