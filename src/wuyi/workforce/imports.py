"""Workers (and, optionally, their shifts) from Excel: the template to download and the import.

The workbook follows the roster template's layout (people/rosters.py, whose helpers are reused): a 说明 sheet the
importer ignores, then 工作人员 (workers) and 排班 (shifts); row 1 the Chinese column labels, row 2 (hidden) the
machine keys, data from row 3. A shift names its worker by mobile number: a worker of this file, or an active
worker already in the user's area. Every bad row is reported with its sheet, row and column; if any row is bad,
nothing is written. A good file is written in one transaction, in bulk.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from wuyi.accounts.models import User
from wuyi.accounts.scoping import scope
from wuyi.errors import DomainError
from wuyi.people.rosters import (
    BATCH_SIZE,
    INSTRUCTIONS_TITLE,
    MAX_UPLOAD_BYTES,
    Column,
    RosterRejected,
    RowError,
    SheetLayout,
    SourceRow,
    _add_layout_sheet,
    _chunks,
    _match_columns,
    _rows_of,
    _save,
    _text,
    _wrong_headers,
)
from wuyi.places.models import Area, Checkpoint, Gate, Level, ServiceCentre, code_range
from wuyi.text import is_mobile_phone
from wuyi.workforce.models import Period, Shift, Worker, WorkerKind, WorkGroup
from wuyi.workforce.services import require_worker

TEMPLATE_FILENAME = "wuyi-workforce-template.xlsx"
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")

# The workbook is a Chinese document: its choice labels are Chinese whatever the interface language.
KIND_LABELS = {
    WorkerKind.CADRE: "干部",
    WorkerKind.SOCIAL_WORKER: "社工",
    WorkerKind.PROPERTY_STAFF: "物业人员",
    WorkerKind.VOLUNTEER: "志愿者",
    WorkerKind.MEDICAL: "医务人员",
    WorkerKind.POLICE: "民警",
    WorkerKind.OTHER: "其他",
}
YES_NO = {"yes": "是", "no": "否"}
PERIOD_LABELS = {Period.MORNING: "早班", Period.AFTERNOON: "中班", Period.NIGHT: "夜班"}
TARGET_LABELS = {"compound": "小区", "gate": "出入口", "checkpoint": "交通卡口", "service_centre": "党群服务中心"}

WORKERS = SheetLayout(
    "workers",
    "工作人员",
    (
        Column("name", "姓名", True),
        Column("phone", "手机号", False, "11位手机号；排班表用它找到这位工作人员", width=16, text=True),
        Column("kind", "类别", True, "、".join(KIND_LABELS.values()), KIND_LABELS),
        Column("unit", "派出单位", False, "如 市卫生健康委、区城管局", width=20),
        Column("area_code", "派驻区域代码", True, "社区12位（或街道9位、小区15位）代码，须在本人管辖范围内",
               width=18, text=True),
        Column("group", "工作组", False, "已建的工作组名称，须覆盖派驻区域；可留空", width=20),
        Column("party_member", "党员", False, "是 / 否，留空为否", YES_NO, width=8),
    ),
)
SHIFTS = SheetLayout(
    "shifts",
    "排班",
    (
        Column("phone", "手机号", True, "工作人员的手机号：本文件“工作人员”表中的，或系统中已有的", width=16, text=True),
        Column("on", "日期", True, "YYYY-MM-DD"),
        Column("period", "班次", True, "早班 07:00–15:00 / 中班 15:00–23:00 / 夜班 23:00–07:00", PERIOD_LABELS),
        Column("target_kind", "岗位类型", True, "、".join(TARGET_LABELS.values()), TARGET_LABELS),
        Column("target_code", "岗位代码", True, "小区、出入口、交通卡口或党群服务中心的代码", width=22, text=True),
    ),
)
LAYOUTS = (WORKERS, SHIFTS)
LAYOUT_BY_TITLE = {layout.title: layout for layout in LAYOUTS}
EXAMPLES = {
    "workers": ["张三", "13800000000", "干部", "市卫生健康委", "440304001001", "园东社区援助工作组", "是"],
    "shifts": ["13800000000", "2020-02-10", "早班", "出入口", "440304001001001G1"],
}
_INSTRUCTIONS = [
    ["无疫 · 工作人员与排班导入模板"],
    [],
    ["1. 填写“工作人员”表，每行一人，从第3行起；“排班”表可以留空。第1行列名请勿修改，第2行已隐藏，请勿删除。黄色列名为必填列。"],
    ["2. 派驻区域代码须是本人管辖范围内已有的区域；代码列为文本格式，请勿改为数字。"],
    ["3. 手机号在本人管辖范围内不能重复：系统中已有这个手机号的工作人员时，这一行会报错（避免重复导入）。"],
    ["4. 排班：每人每天每个班次只能排一个岗位；岗位须在本人管辖范围内。"],
    ["5. 任何一行有错误时整个文件都不导入，错误会列出表名、行号和列名。"],
    [],
    ["示例（本表内容不会被导入）"],
]


def template_workbook() -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(INSTRUCTIONS_TITLE)
    ws.column_dimensions["A"].width = 12
    for row in _INSTRUCTIONS:
        ws.append(row)
    for layout in LAYOUTS:
        ws.append([])
        ws.append([layout.title] + [c.label for c in layout.columns])
        ws.append([""] + EXAMPLES[layout.key])
    for layout in LAYOUTS:
        _add_layout_sheet(wb, layout, [])
    wb.properties.title = "无疫 工作人员导入模板"
    return _save(wb)


def read_file(content: bytes) -> dict[str, list[SourceRow]]:
    if not content:
        raise DomainError("empty_file", _("the file is empty"), "file")
    if len(content) > MAX_UPLOAD_BYTES:
        raise DomainError("file_too_large", _("a file may be at most %(mb)d MB") % {"mb": MAX_UPLOAD_BYTES // 2**20},
                          "file", 413)
    if not content.startswith(b"PK\x03\x04"):
        raise DomainError("unreadable_file", _("upload an .xlsx workbook"), "file")
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file; all mean "unreadable"
        raise DomainError("unreadable_file", _("the file is not an .xlsx workbook that can be read"), "file") from None
    found: dict[str, list[SourceRow]] = {}
    try:
        for ws in wb.worksheets:
            layout = LAYOUT_BY_TITLE.get(ws.title.strip())
            if layout is None:
                continue
            ws.reset_dimensions()
            raw_rows = ws.iter_rows(min_row=1, values_only=True)
            header = [_text(v) for v in next(raw_rows, ())]
            columns = _match_columns(layout, header)
            if columns is None:
                raise _wrong_headers(layout.title, layout, header)
            found[layout.key] = _rows_of(columns, raw_rows)
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet fails while it is read, with any kind of error
        raise DomainError("unreadable_file", _("the file is not an .xlsx workbook that can be read"), "file") from None
    finally:
        wb.close()
    if not found:
        raise DomainError("wrong_headers", _("the workbook has none of the sheets %(sheets)s")
                          % {"sheets": "、".join(lt.title for lt in LAYOUTS)}, "file")
    return found


@dataclass
class ImportSummary:
    workers: int = 0
    shifts: int = 0

    def as_dict(self) -> dict:
        return {"workers": self.workers, "shifts": self.shifts}


Problems = dict[str, tuple[str, str]]  # column key → (error code, message)


@dataclass
class _Known:
    areas: dict[str, tuple[int, str]] = field(default_factory=dict)  # code → (pk, code) within the user's area
    groups: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # name → [(pk, area prefix)]
    phones: dict[str, list[int]] = field(default_factory=dict)  # phone → active workers in the user's area
    all_phones: set[str] = field(default_factory=set)  # phones of any worker in the user's area
    targets: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, code) → pk, within the area
    booked: set[tuple[int, dt.date, str]] = field(default_factory=set)  # (worker pk, day, period) already booked


def _load(user: User, prefix: str, sheets: dict[str, list[SourceRow]]) -> _Known:
    known = _Known()
    workers, shifts = sheets.get("workers", []), sheets.get("shifts", [])
    codes = sorted({r["area_code"] for r in workers if r["area_code"].startswith(prefix)})
    for chunk in _chunks(codes):
        known.areas.update((c, (pk, c)) for pk, c in Area.objects.filter(code__in=chunk).values_list("pk", "code"))
    names = sorted({r["group"] for r in workers if r["group"]})
    for chunk in _chunks(names):
        for pk, name, code, level in WorkGroup.objects.filter(name__in=chunk, dissolved_on__isnull=True).values_list(
                "pk", "name", "area__code", "area__level"):
            known.groups.setdefault(name, []).append((pk, code[:4] if level == Level.CITY else code))
    phones = sorted({r["phone"] for r in workers + shifts if r["phone"]})
    in_area = scope(user, Worker.objects.all())
    for chunk in _chunks(phones):
        for pk, phone, active in in_area.filter(phone__in=chunk).values_list("pk", "phone", "active"):
            known.all_phones.add(phone)
            if active:
                known.phones.setdefault(phone, []).append(pk)
    by_kind: dict[str, set[str]] = defaultdict(set)
    for r in shifts:
        kind = _choice_value(r["target_kind"], TARGET_LABELS)
        if kind and r["target_code"]:
            by_kind[kind].add(r["target_code"])
    lookups = {
        "compound": (Area.objects.filter(level=Level.COMPOUND), "code", "code"),
        "gate": (Gate.objects.all(), "code", "compound__code"),
        "checkpoint": (Checkpoint.objects.all(), "code", "street__code"),
        "service_centre": (ServiceCentre.objects.all(), "code", "area__code"),
    }
    for kind, wanted in by_kind.items():
        rows, key, where = lookups[kind]
        for chunk in _chunks(sorted(wanted)):
            for pk, code in rows.filter(**{f"{key}__in": chunk}).filter(code_range(where, prefix)).values_list(
                    "pk", key):
                known.targets[(kind, code)] = pk
    existing = sorted({pk for pks in known.phones.values() for pk in pks})
    for chunk in _chunks(existing):
        known.booked.update(Shift.objects.filter(worker_id__in=chunk).values_list("worker_id", "on", "period"))
    return known


def _choice_value(value: str, choices: dict[str, str]) -> str | None:
    for choice, label in choices.items():
        if value == label or value.lower() == choice.lower():
            return choice
    return None


class _Validator:
    def __init__(self, prefix: str, known: _Known):
        self.prefix = prefix
        self.known = known
        self.errors: list[RowError] = []
        self.workers: list[dict] = []
        self.shifts: list[dict] = []
        self.file_phones: dict[str, int] = {}  # phone → row of the worker sheet holding it

    def _report(self, layout: SheetLayout, row: SourceRow, problems: Problems) -> None:
        for key, (code, message) in problems.items():
            self.errors.append(RowError(layout.title, row.number, layout.column(key).label, code, message))

    def _required(self, row: SourceRow, key: str, problems: Problems, longest: int) -> str:
        value = row[key]
        if not value:
            problems[key] = ("required", _("required"))
        elif len(value) > longest:
            problems[key] = ("too_long", _("at most %(n)d characters") % {"n": longest})
        return value

    def _choice(self, row: SourceRow, key: str, problems: Problems, choices: dict[str, str],
                required: bool = True) -> str | None:
        value = row[key]
        if not value:
            if required:
                problems[key] = ("required", _("required"))
            return None
        chosen = _choice_value(value, choices)
        if chosen is None:
            problems[key] = ("invalid_choice", _("choose one of: %(choices)s") % {"choices": "、".join(choices.values())})
        return chosen

    def worker(self, row: SourceRow) -> None:
        problems: Problems = {}
        name = self._required(row, "name", problems, 60)
        phone = row["phone"]
        if phone:
            if not is_mobile_phone(phone):
                problems["phone"] = ("invalid_phone", _("a mobile number has 11 digits and starts with 1"))
            elif phone in self.file_phones:
                problems["phone"] = ("duplicate_phone", _("the same mobile number is in row %(row)d")
                                     % {"row": self.file_phones[phone]})
            elif phone in self.known.all_phones:
                problems["phone"] = ("phone_exists", _("a worker of your area already has this mobile number"))
            self.file_phones.setdefault(phone, row.number)
        kind = self._choice(row, "kind", problems, KIND_LABELS)
        unit = row["unit"]
        if len(unit) > 100:
            problems["unit"] = ("too_long", _("at most %(n)d characters") % {"n": 100})
        code = row["area_code"]
        area = None
        if not code:
            problems["area_code"] = ("required", _("required"))
        elif not code.startswith(self.prefix):
            problems["area_code"] = ("outside_area", _("this area is outside your area of work"))
        elif code not in self.known.areas:
            problems["area_code"] = ("unknown_area", _("no area has this code"))
        else:
            area = self.known.areas[code]
        group = None
        if row["group"] and area is not None:
            covering = [pk for pk, prefix in self.known.groups.get(row["group"], []) if code.startswith(prefix)]
            if not covering:
                problems["group"] = ("unknown_group", _("no standing group of this name covers the area"))
            elif len(covering) > 1:
                problems["group"] = ("ambiguous_group", _("several groups covering the area have this name"))
            else:
                group = covering[0]
        party = self._choice(row, "party_member", problems, YES_NO, required=False)
        if problems:
            self._report(WORKERS, row, problems)
            return
        self.workers.append({"name": name, "phone": phone, "kind": kind, "unit": unit, "area_id": area[0],
                             "group_id": group, "party_member": party == "yes"})

    def shift(self, row: SourceRow, seen: dict) -> None:
        problems: Problems = {}
        phone = row["phone"]
        worker = None  # ("file", phone) or ("db", pk)
        if not phone:
            problems["phone"] = ("required", _("required"))
        elif phone in self.file_phones:
            worker = ("file", phone)
        elif len(self.known.phones.get(phone, [])) == 1:
            worker = ("db", self.known.phones[phone][0])
        elif self.known.phones.get(phone):
            problems["phone"] = ("ambiguous_phone", _("several workers of your area have this mobile number"))
        else:
            problems["phone"] = ("unknown_worker", _("no active worker of your area or of this file has this number"))
        day = None
        if not row["on"]:
            problems["on"] = ("required", _("required"))
        else:
            for fmt in _DATE_FORMATS:
                try:
                    day = dt.datetime.strptime(row["on"], fmt).date()
                    break
                except ValueError:
                    continue
            if day is None:
                problems["on"] = ("invalid_date", _("a date is written YYYY-MM-DD"))
        period = self._choice(row, "period", problems, PERIOD_LABELS)
        kind = self._choice(row, "target_kind", problems, TARGET_LABELS)
        target = None
        if not row["target_code"]:
            problems["target_code"] = ("required", _("required"))
        elif kind is not None:
            target = self.known.targets.get((kind, row["target_code"]))
            if target is None:
                problems["target_code"] = ("unknown_target",
                                           _("no place of this kind in your area has this code"))
        if worker is not None and day is not None and period is not None:
            booking = (worker, day, period)
            if booking in seen:
                problems["period"] = ("double_booked", _("the same worker is booked in this period in row %(row)d")
                                      % {"row": seen[booking]})
            elif worker[0] == "db" and (worker[1], day, period) in self.known.booked:
                problems["period"] = ("double_booked", _("this worker already has a shift in this period"))
            seen.setdefault(booking, row.number)
        if problems:
            self._report(SHIFTS, row, problems)
            return
        self.shifts.append({"worker": worker, "on": day, "period": period, f"{kind}_id": target})

    def run(self, sheets: dict[str, list[SourceRow]]) -> None:
        for row in sheets.get("workers", []):
            self.worker(row)
        seen: dict = {}
        for row in sheets.get("shifts", []):
            self.shift(row, seen)


def import_workers(content: bytes, *, user: User) -> ImportSummary:
    """Validate every row and write them all in one transaction; RosterRejected (nothing written) if any is bad."""
    prefix = require_worker(user)
    sheets = read_file(content)
    if not any(sheets.values()):
        raise DomainError("empty_roster", _("the file has no rows to import"), "file")
    try:
        with transaction.atomic():
            check = _Validator(prefix, _load(user, prefix, sheets))
            check.run(sheets)
            if check.errors:
                raise RosterRejected(check.errors)
            return _write(check, user)
    except IntegrityError:  # someone booked the same worker meanwhile
        raise DomainError("conflict", _("the data changed while this file was imported; nothing was written, "
                                        "try again"), "file", 409) from None


def _write(check: _Validator, user: User) -> ImportSummary:
    workers = Worker.objects.bulk_create([Worker(**d) for d in check.workers], batch_size=BATCH_SIZE)
    by_phone = {w.phone: w.pk for w in workers if w.phone}
    shifts = []
    for d in check.shifts:
        source, key = d.pop("worker")
        shifts.append(Shift(worker_id=by_phone[key] if source == "file" else key, assigned_by=user, **d))
    Shift.objects.bulk_create(shifts, batch_size=BATCH_SIZE)
    return ImportSummary(workers=len(workers), shifts=len(shifts))

