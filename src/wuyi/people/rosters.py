"""Rosters: the Excel template, import from .xlsx or .csv, and export of an area to .xlsx.

The layout is one sheet per level of the tree, filled in this order: 小区 (compounds, under an existing
community), 楼栋 (buildings), 户 (households), 居民 (residents), plus a 说明 sheet the importer ignores.
Row 1 holds the Chinese column labels, row 2 (hidden) the machine keys, data starts on row 3. The
importer finds columns by row 1 (a label or a key), skips row 2 when it holds the keys, and ignores
empty rows, so a CSV saved from any sheet (one sheet per file) imports too.

Every row carries full codes (compound = community code + 3 digits, building + 3, household + 4) and
its parent's code; the parent must exist in the database or in a good row of the same file. Import only
adds: a code already in the database is an error, and a resident already living in the household is
one. A resident whose ID number is already in the roster is the same person and gains a membership.
An import is one transaction; any bad row rejects the whole file unless the user asks to skip bad rows.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from wuyi.accounts import audit
from wuyi.accounts.models import WORKER_ROLES, User
from wuyi.accounts.scoping import area_prefix, can_see_area, phone_for, scope
from wuyi.errors import DomainError, Forbidden
from wuyi.people import identity
from wuyi.people.models import Membership, Person, Relation, Sex
from wuyi.places.models import (
    BUILDING_CODE_LENGTH,
    CODE_LENGTH,
    HOUSEHOLD_CODE_LENGTH,
    Area,
    Building,
    CompoundKind,
    Household,
    Level,
    code_range,
)
from wuyi.text import ascii_digits, is_mobile_phone

BATCH_SIZE = 500  # rows per INSERT and codes per IN (...) lookup
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_DATA_ROWS = 200_000  # a large street; bigger rosters are imported street by street
EXCEL_MAX_ROWS = 1_048_576  # rows in one Excel sheet: an export that does not fit is refused
FIRST_DATA_ROW = 3  # row 1 labels, row 2 the hidden keys
INSTRUCTIONS_TITLE = "说明"
TEMPLATE_FILENAME = "wuyi-roster-template.xlsx"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")

# The workbook is a Chinese document: its choice labels are Chinese whatever the interface language.
KIND_LABELS = {
    CompoundKind.GARDEN_ESTATE: "花园小区",
    CompoundKind.URBAN_VILLAGE: "城中村",
    CompoundKind.OTHER: "其他",
}
RELATION_LABELS = {
    Relation.OWNER: "业主",
    Relation.TENANT: "租户",
    Relation.FAMILY: "家庭成员",
    Relation.OTHER: "其他",
}
SEX_LABELS = {Sex.MALE: "男", Sex.FEMALE: "女"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    hint: str = ""
    choices: dict[str, str] | None = None  # value → label shown in the workbook
    width: int = 14
    text: bool = False  # formatted as text in Excel so long codes keep their digits


@dataclass(frozen=True)
class SheetLayout:
    key: str
    title: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


COMPOUNDS = SheetLayout(
    "compounds",
    "小区",
    (
        Column("community_code", "所属社区代码", True, "12位社区代码，须已在系统中", width=18, text=True),
        Column("code", "小区代码", True, "15位 = 所属社区代码 + 3位编号", width=20, text=True),
        Column("name", "小区名称", True, width=20),
        Column("kind", "小区类型", True, "花园小区 / 城中村 / 其他", KIND_LABELS),
        Column("address", "地址", width=30),
    ),
)
BUILDINGS = SheetLayout(
    "buildings",
    "楼栋",
    (
        Column(
            "compound_code",
            "所属小区代码",
            True,
            "15位小区代码：系统中已有或本文件“小区”表中填写",
            width=20,
            text=True,
        ),
        Column("code", "楼栋代码", True, "18位 = 所属小区代码 + 3位编号", width=22, text=True),
        Column("name", "楼栋名称", True, "如 1栋、A座"),
    ),
)
HOUSEHOLDS = SheetLayout(
    "households",
    "户",
    (
        Column(
            "building_code",
            "所属楼栋代码",
            True,
            "18位楼栋代码：系统中已有或本文件“楼栋”表中填写",
            width=22,
            text=True,
        ),
        Column("code", "户代码", True, "22位 = 所属楼栋代码 + 4位编号", width=26, text=True),
        Column("room", "房号", True, "如 101、2单元301"),
    ),
)
RESIDENTS = SheetLayout(
    "residents",
    "居民",
    (
        Column(
            "household_code",
            "户代码",
            True,
            "22位户代码：系统中已有或本文件“户”表中填写",
            width=26,
            text=True,
        ),
        Column("name", "姓名", True),
        Column(
            "id_number",
            "身份证号",
            True,
            "18位居民身份证号码，末位可为X；系统只保存摘要和掩码",
            width=22,
            text=True,
        ),
        Column("sex", "性别", False, "可留空；填写时须与身份证号一致", SEX_LABELS, width=8),
        Column("phone", "手机号", False, "11位手机号，可留空", width=16, text=True),
        Column("relation", "与本户关系", True, "业主 / 租户 / 家庭成员 / 其他", RELATION_LABELS),
        Column("moved_in", "入住日期", False, "YYYY-MM-DD，可留空"),
    ),
)
LAYOUTS = (COMPOUNDS, BUILDINGS, HOUSEHOLDS, RESIDENTS)
LAYOUT_BY_TITLE = {layout.title: layout for layout in LAYOUTS}

EXAMPLES = {
    "compounds": ["440304001001", "440304001001002", "百花二村", "花园小区", "园岭街道百花二路"],
    "buildings": ["440304001001002", "440304001001002001", "1栋"],
    "households": ["440304001001002001", "4403040010010020010101", "101"],
    "residents": [
        "4403040010010020010101",
        "张三",
        "440304198001010017",
        "男",
        "13800000000",
        "业主",
        "2020-03-01",
    ],
}


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class RowError:
    """One problem in one cell, named as Excel shows it: sheet, row number, column label."""

    sheet: str
    row: int
    column: str  # the header label
    code: str
    message: str

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


class RosterRejected(DomainError):
    """Rows failed and the user did not ask to skip them: nothing was written."""

    status = 422

    def __init__(self, errors: list[RowError]):
        rows = len({(e.sheet, e.row) for e in errors})
        message = ngettext(
            "%(count)d row has errors; nothing was imported",
            "%(count)d rows have errors; nothing was imported",
            rows,
        )
        super().__init__("invalid_rows", message % {"count": rows}, "file")
        self.errors = errors


@dataclass
class ImportSummary:
    compounds: int = 0
    buildings: int = 0
    households: int = 0
    people_created: int = 0
    residents: int = 0
    skipped_rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "compounds": self.compounds,
            "buildings": self.buildings,
            "households": self.households,
            "people_created": self.people_created,
            "residents": self.residents,
            "skipped_rows": self.skipped_rows,
            "errors": [e.as_dict() for e in self.errors],
        }


# ---------------------------------------------------------------- who may


def require_roster_worker(user: User) -> str:
    """The code prefix of the user's area; Forbidden unless a worker role holds an area."""
    prefix = area_prefix(user)
    if user.role not in WORKER_ROLES or prefix is None:
        raise Forbidden(_("only workers of an area can import or export rosters"))
    return prefix


# ---------------------------------------------------------------- workbook writing


def _header_cells(ws, layout: SheetLayout) -> tuple[list, list]:
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    labels = []
    for c in layout.columns:
        cell = WriteOnlyCell(ws, value=c.label)
        cell.font = bold
        if c.required:
            cell.fill = fill
        hint = ("必填。" if c.required else "选填。") + c.hint
        cell.comment = Comment(hint, "wuyi")
        labels.append(cell)
    return labels, [c.key for c in layout.columns]


def _add_layout_sheet(wb: Workbook, layout: SheetLayout, rows: Iterable[list]) -> None:
    ws = wb.create_sheet(layout.title)
    for i, c in enumerate(layout.columns, 1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = c.width
        if c.text:
            ws.column_dimensions[letter].number_format = "@"
        if c.choices:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(c.choices.values()) + '"',
                allow_blank=not c.required,
                showErrorMessage=True,
                errorTitle=c.label,
                error="请从列表中选择",
            )
            dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{EXCEL_MAX_ROWS}")
            ws.data_validations.append(dv)
    ws.row_dimensions[2].hidden = True
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    labels, keys = _header_cells(ws, layout)
    ws.append(labels)
    ws.append(keys)
    for values in rows:
        ws.append([_excel_value(ws, v) for v in values])


def _excel_value(ws, value):
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_INSTRUCTIONS = [
    ["无疫 · 居民名册导入模板"],
    [],
    ["怎么填"],
    ["1. 按顺序填写“小区”“楼栋”“户”“居民”四张表，每行一条记录，从第3行起填写；用不到的表可以留空。"],
    ["2. 第1行是列名，请勿修改；第2行已隐藏，是程序识别列用的，请勿删除。黄色列名为必填列。"],
    [
        "3. 代码按区域树编排：小区代码 = 社区代码(12位) + 3位编号；楼栋代码 = 小区代码 + 3位；户代码 = 楼栋代码 + 4位。"
        + "代码列已设为文本格式，请勿改为数字，否则会丢失位数。"
    ],
    [
        "4. 上级代码可以是系统中已有的，也可以是本文件中前一张表填写的。只能导入本人管辖范围内的区域；系统中已有的代码不能重复导入。"
    ],
    [
        "5. 居民：身份证号为18位，系统会校验出生日期和校验位，只保存摘要和掩码，不保存明文。同一身份证号在一个文件中只能出现一次；"
        + "已登记的居民会加入新的户，不会重复建档。性别可留空，填写时须与身份证号一致。"
    ],
    [
        "6. 与本户关系：业主、租户、家庭成员、其他；小区类型：花园小区、城中村、其他；性别：男、女。入住日期格式为 YYYY-MM-DD。"
    ],
    ["7. 也可以上传 CSV 文件（UTF-8 或 GBK 编码），每个文件一张表，第一行为列名（与本模板相同）。"],
    [
        "8. 任何一行有错误时整个文件都不导入，错误会列出表名、行号和列名；勾选“跳过错误行”则导入正确的行并列出错误的行。"
    ],
    [],
    ["示例（本表内容不会被导入）"],
]


def _instructions_rows() -> list[list]:
    rows = list(_INSTRUCTIONS)
    for layout in LAYOUTS:
        rows.append([])
        rows.append([layout.title] + [c.label for c in layout.columns])
        rows.append([""] + EXAMPLES[layout.key])
    return rows


def template_workbook() -> bytes:
    """The empty roster template: instructions, then the four sheets with headers and choice lists."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(INSTRUCTIONS_TITLE)
    ws.column_dimensions["A"].width = 12
    for row in _instructions_rows():
        ws.append(row)
    for layout in LAYOUTS:
        _add_layout_sheet(wb, layout, [])
    wb.properties.title = "无疫 居民名册模板"
    return _save(wb)


# ---------------------------------------------------------------- reading an upload


@dataclass(frozen=True)
class SourceRow:
    number: int  # as Excel shows it
    values: dict[str, str]  # column key → text, "" when empty

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _match_columns(layout: SheetLayout, header: list[str]) -> dict[int, Column] | None:
    """Column index → column, when the header is this layout's (all required columns, nothing unknown)."""
    by_name = {c.label: c for c in layout.columns} | {c.key: c for c in layout.columns}
    found: dict[int, Column] = {}
    for i, name in enumerate(header):
        if not name:
            continue
        column = by_name.get(name)
        if column is None or column in found.values():
            return None
        found[i] = column
    if any(c.required and c not in found.values() for c in layout.columns):
        return None
    return found


def _wrong_headers(sheet: str, layout: SheetLayout | None, header: list[str]) -> DomainError:
    if layout is None:
        return DomainError(
            "wrong_headers",
            _("the first row of the file matches no roster sheet; use the column labels of the template"),
            "file",
        )
    return DomainError(
        "wrong_headers",
        _(
            "sheet %(sheet)s: the first row must hold the template's column labels: %(labels)s (found: %(found)s)"
        )
        % {
            "sheet": sheet,
            "labels": "、".join(c.label for c in layout.columns),
            "found": "、".join(h for h in header if h) or "—",
        },
        "file",
    )


def _rows_of(columns: dict[int, Column], raw_rows: Iterator[tuple]) -> list[SourceRow]:
    """The data rows below a header on row 1; values in columns without a label are ignored."""
    rows: list[SourceRow] = []
    for number, raw in enumerate(raw_rows, 2):
        texts = {i: _text(v) for i, v in enumerate(raw) if i in columns}
        if not any(texts.values()):
            continue
        if number == 2 and all(not t or t == columns[i].key for i, t in texts.items()):
            continue  # the hidden row of keys
        rows.append(SourceRow(number, {columns[i].key: t for i, t in texts.items()}))
        if len(rows) > MAX_DATA_ROWS:
            raise DomainError(
                "too_many_rows",
                _("a file may hold at most %(count)d rows") % {"count": MAX_DATA_ROWS},
                "file",
                413,
            )
    return rows


def _read_xlsx(content: bytes) -> dict[str, list[SourceRow]]:
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file; all mean "unreadable"
        raise DomainError(
            "unreadable_file", _("the file is not an .xlsx workbook that can be read"), "file"
        ) from None
    found: dict[str, list[SourceRow]] = {}
    try:
        for ws in wb.worksheets:
            layout = LAYOUT_BY_TITLE.get(ws.title.strip())
            if layout is None:
                continue
            ws.reset_dimensions()  # trust the cells, not the dimension a generator wrote
            raw_rows = ws.iter_rows(min_row=1, values_only=True)
            header = [_text(v) for v in next(raw_rows, ())]
            columns = _match_columns(layout, header)
            if columns is None:
                raise _wrong_headers(layout.title, layout, header)
            found[layout.key] = _rows_of(columns, raw_rows)
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet fails while it is read, with any kind of error
        raise DomainError(
            "unreadable_file", _("the file is not an .xlsx workbook that can be read"), "file"
        ) from None
    finally:
        wb.close()
    if not found:
        raise DomainError(
            "wrong_headers",
            _("the workbook has none of the sheets %(sheets)s")
            % {"sheets": "、".join(lt.title for lt in LAYOUTS)},
            "file",
        )
    return found


CSV_ENCODINGS = (
    "utf-8-sig",
    "gb18030",
)  # Excel saves "CSV UTF-8" with a BOM, and plain "CSV" as GBK in China


def _decode(content: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("unreadable_file", _("the CSV file is neither UTF-8 nor GBK text"), "file")


def _read_csv(content: bytes) -> dict[str, list[SourceRow]]:
    text = _decode(content)
    if "\x00" in text:
        raise DomainError("unreadable_file", _("the CSV file is not text"), "file")
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        raise DomainError("unreadable_file", _("the CSV file cannot be read"), "file") from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise DomainError("empty_file", _("the file is empty"), "file")
    header = [cell.strip() for cell in records[0]]
    for layout in LAYOUTS:
        columns = _match_columns(layout, header)
        if columns is not None:
            return {layout.key: _rows_of(columns, iter(records[1:]))}
    raise _wrong_headers("", None, header)


def read_roster_file(filename: str, content: bytes) -> dict[str, list[SourceRow]]:
    """Sheet key → data rows of an uploaded .xlsx (all roster sheets) or .csv (the sheet its header names)."""
    if not content:
        raise DomainError("empty_file", _("the file is empty"), "file")
    if len(content) > MAX_UPLOAD_BYTES:
        raise DomainError(
            "file_too_large",
            _("a roster file may be at most %(mb)d MB") % {"mb": MAX_UPLOAD_BYTES // 2**20},
            "file",
            413,
        )
    if filename.lower().endswith(".csv"):
        return _read_csv(content)
    if not content.startswith(b"PK\x03\x04"):
        raise DomainError("unreadable_file", _("upload an .xlsx workbook or a .csv file"), "file")
    return _read_xlsx(content)


# ---------------------------------------------------------------- validation


def _chunks(values: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


@dataclass
class _Known:
    """What the database already holds for the codes and ID numbers a file mentions (within scope)."""

    areas: dict[str, tuple[int, str]] = field(default_factory=dict)  # code → (pk, level)
    buildings: dict[str, int] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)
    people: dict[str, tuple[int, str]] = field(default_factory=dict)  # id_hmac → (pk, name)
    living: set[tuple[int, str]] = field(default_factory=set)  # (person pk, household code), open memberships

    @classmethod
    def load(cls, sheets: dict[str, list[SourceRow]], prefix: str) -> "_Known":
        def codes(sheet: str, *keys: str) -> list[str]:
            found = {row[k] for row in sheets.get(sheet, []) for k in keys}
            return sorted(c for c in found if ascii_digits(c) and c.startswith(prefix))

        known = cls()
        area_codes = codes("compounds", "community_code", "code") + codes("buildings", "compound_code")
        for chunk in _chunks(area_codes):
            for pk, code, level in Area.objects.filter(code__in=chunk).values_list("pk", "code", "level"):
                known.areas[code] = (pk, level)
        for chunk in _chunks(codes("buildings", "code") + codes("households", "building_code")):
            known.buildings.update(Building.objects.filter(code__in=chunk).values_list("code", "pk"))
        for chunk in _chunks(codes("households", "code") + codes("residents", "household_code")):
            known.households.update(Household.objects.filter(code__in=chunk).values_list("code", "pk"))
        digests = sorted({d for row in sheets.get("residents", []) if (d := _digest(row["id_number"]))})
        for chunk in _chunks(digests):
            for pk, digest, name in Person.objects.filter(id_hmac__in=chunk).values_list(
                "pk", "id_hmac", "name"
            ):
                known.people[digest] = (pk, name)
        for chunk in _chunks(sorted(pk for pk, _name in known.people.values())):
            known.living.update(
                Membership.objects.filter(person_id__in=chunk, moved_out__isnull=True)
                .filter(code_range("household__code", prefix))
                .values_list("person_id", "household__code")
            )
        return known


def _digest(number: str) -> str | None:
    try:
        return identity.id_hmac(identity.normalise(number), settings.WUYI_ID_KEY)
    except identity.InvalidIdNumber:
        return None


@dataclass
class _Plan:
    """The good rows, ready to write, and the errors of the bad ones."""

    compounds: list[tuple[SourceRow, dict]] = field(default_factory=list)
    buildings: list[tuple[SourceRow, dict]] = field(default_factory=list)
    households: list[tuple[SourceRow, dict]] = field(default_factory=list)
    residents: list[tuple[SourceRow, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_rows: int = 0


Problems = dict[str, tuple[str, str]]  # column key → (error code, message)


class _Validator:
    def __init__(self, sheets: dict[str, list[SourceRow]], prefix: str, known: _Known, today: dt.date):
        self.sheets = sheets
        self.prefix = prefix
        self.known = known
        self.today = today
        self.plan = _Plan()
        # code → row of the sheet that defines it: good rows can be parents, bad ones make their children bad
        self.good: dict[str, dict[str, int]] = {lt.key: {} for lt in LAYOUTS}
        self.bad: dict[str, dict[str, int]] = {lt.key: {} for lt in LAYOUTS}

    def run(self) -> _Plan:
        self._sheet(COMPOUNDS, self._compound, self.plan.compounds)
        self._sheet(BUILDINGS, self._building, self.plan.buildings)
        self._sheet(HOUSEHOLDS, self._household, self.plan.households)
        self._sheet(RESIDENTS, self._resident, self.plan.residents)
        return self.plan

    def _sheet(self, layout: SheetLayout, check, out: list) -> None:
        seen: dict[str, int] = {}  # the row's identity (code or ID number) → first row with it
        for row in self.sheets.get(layout.key, []):
            problems: Problems = {}
            data = check(row, problems, seen)
            if problems:
                self.plan.bad_rows += 1
                for key, (code, message) in problems.items():
                    self.plan.errors.append(
                        RowError(layout.title, row.number, layout.column(key).label, code, message)
                    )
                if layout is not RESIDENTS and row["code"]:
                    self.bad[layout.key].setdefault(row["code"], row.number)
            else:
                out.append((row, data))
                if layout is not RESIDENTS:
                    self.good[layout.key][data["code"]] = row.number

    # -- shared checks; each returns the clean value, or None after recording a problem

    def _string(
        self, row: SourceRow, key: str, problems: Problems, max_length: int, required: bool
    ) -> str | None:
        value = row[key]
        if not value and required:
            problems[key] = ("required", _("required"))
        elif len(value) > max_length:
            problems[key] = ("too_long", _("at most %(n)d characters") % {"n": max_length})
        else:
            return value
        return None

    def _code_format(self, value: str, length: int) -> tuple[str, str] | None:
        if not value:
            return "required", _("required")
        if not (ascii_digits(value) and len(value) == length):
            return "invalid_code", _("a code of %(n)d digits is needed") % {"n": length}
        return None

    def _parent(
        self,
        row: SourceRow,
        key: str,
        problems: Problems,
        length: int,
        sheet: SheetLayout | None,
        in_db: dict,
        level: str | None = None,
    ) -> str | None:
        """The parent code, if it is well formed, in the user's area, and exists in the file or the database."""
        code = row[key]
        problem = self._code_format(code, length)
        if problem is None and not code.startswith(self.prefix):
            problem = "outside_area", _("this area is outside your area of work")
        if problem is None:
            if sheet is not None and code in self.good[sheet.key]:
                return code
            if sheet is not None and code in self.bad[sheet.key]:
                problem = (
                    "parent_has_errors",
                    _("row %(row)d of sheet %(sheet)s, which defines it, has errors")
                    % {"row": self.bad[sheet.key][code], "sheet": sheet.title},
                )
            elif code not in in_db or (level is not None and in_db[code][1] != level):
                problem = "unknown_parent", _("no such code in the system or in this file")
            else:
                return code
        problems[key] = problem
        return None

    def _own_code(
        self, row: SourceRow, problems: Problems, parent: str | None, length: int, seen: dict, in_db: dict
    ) -> str | None:
        code = row["code"]
        problem = self._code_format(code, length)
        if problem is None and parent is not None and not code.startswith(parent):
            problem = (
                "not_under_parent",
                _("the code must start with its parent's code %(parent)s") % {"parent": parent},
            )
        if problem is None and code in seen:
            problem = "duplicate_code", _("the same code is in row %(row)d") % {"row": seen[code]}
        if problem is None and code in in_db:
            problem = "code_exists", _("this code already exists in the system")
        if code and code not in seen:
            seen[code] = row.number
        if problem is not None:
            problems["code"] = problem
            return None
        return code

    def _choice(
        self, row: SourceRow, key: str, problems: Problems, choices: dict[str, str], required: bool
    ) -> str:
        value = row[key]
        if not value:
            if required:
                problems[key] = ("required", _("required"))
            return ""
        for choice, label in choices.items():
            if value == label or value.lower() == choice.lower():
                return choice
        problems[key] = (
            "invalid_choice",
            _("choose one of: %(choices)s") % {"choices": "、".join(choices.values())},
        )
        return ""

    def _date(self, row: SourceRow, key: str, problems: Problems) -> dt.date | None:
        value = row[key]
        if not value:
            return None
        for fmt in _DATE_FORMATS:
            try:
                day = dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            if day > self.today:
                problems[key] = ("future_date", _("the date is in the future"))
                return None
            return day
        problems[key] = ("invalid_date", _("a date is written YYYY-MM-DD"))
        return None

    # -- one method per sheet

    def _compound(self, row: SourceRow, problems: Problems, seen: dict) -> dict:
        parent = self._parent(
            row,
            "community_code",
            problems,
            CODE_LENGTH[Level.COMMUNITY],
            None,
            self.known.areas,
            Level.COMMUNITY,
        )
        return {
            "parent": parent,
            "code": self._own_code(
                row, problems, parent, CODE_LENGTH[Level.COMPOUND], seen, self.known.areas
            ),
            "name": self._string(row, "name", problems, 100, required=True),
            "kind": self._choice(row, "kind", problems, KIND_LABELS, required=True),
            "address": self._string(row, "address", problems, 200, required=False),
        }

    def _building(self, row: SourceRow, problems: Problems, seen: dict) -> dict:
        parent = self._parent(
            row,
            "compound_code",
            problems,
            CODE_LENGTH[Level.COMPOUND],
            COMPOUNDS,
            self.known.areas,
            Level.COMPOUND,
        )
        return {
            "parent": parent,
            "code": self._own_code(row, problems, parent, BUILDING_CODE_LENGTH, seen, self.known.buildings),
            "name": self._string(row, "name", problems, 60, required=True),
        }

    def _household(self, row: SourceRow, problems: Problems, seen: dict) -> dict:
        parent = self._parent(
            row, "building_code", problems, BUILDING_CODE_LENGTH, BUILDINGS, self.known.buildings
        )
        return {
            "parent": parent,
            "code": self._own_code(row, problems, parent, HOUSEHOLD_CODE_LENGTH, seen, self.known.households),
            "room": self._string(row, "room", problems, 20, required=True),
        }

    def _resident(self, row: SourceRow, problems: Problems, seen: dict) -> dict:
        household = self._parent(
            row, "household_code", problems, HOUSEHOLD_CODE_LENGTH, HOUSEHOLDS, self.known.households
        )
        name = self._string(row, "name", problems, 60, required=True)
        number = self._id_number(row, problems, seen, name, household)
        sex = self._choice(row, "sex", problems, SEX_LABELS, required=False)
        if sex and number is not None and sex != identity.sex(number):
            problems["sex"] = ("sex_mismatch", _("does not match the ID number"))
        phone = row["phone"]
        if phone and not is_mobile_phone(phone):
            problems["phone"] = ("invalid_phone", _("a mobile number has 11 digits and starts with 1"))
        return {
            "household": household,
            "name": name,
            "number": number,
            "digest": identity.id_hmac(number, settings.WUYI_ID_KEY) if number else None,
            "phone": phone,
            "relation": self._choice(row, "relation", problems, RELATION_LABELS, required=True),
            "moved_in": self._date(row, "moved_in", problems),
        }

    def _id_number(
        self, row: SourceRow, problems: Problems, seen: dict, name: str | None, household: str | None
    ) -> str | None:
        if not row["id_number"]:
            problems["id_number"] = ("required", _("required"))
            return None
        try:
            number = identity.normalise(row["id_number"])
        except identity.InvalidIdNumber as e:
            problems["id_number"] = ("invalid_id_number", _(str(e)))
            return None
        person = self.known.people.get(identity.id_hmac(number, settings.WUYI_ID_KEY))
        if number in seen:
            problems["id_number"] = (
                "duplicate_id_number",
                _("the same ID number is in row %(row)d") % {"row": seen[number]},
            )
        elif person is not None and name is not None and person[1] != name:
            problems["id_number"] = ("name_conflict", _("the roster has this ID number under another name"))
        elif person is not None and household is not None and (person[0], household) in self.known.living:
            problems["id_number"] = ("already_living", _("this person already lives in this household"))
        seen.setdefault(number, row.number)
        return number


# ---------------------------------------------------------------- import


def import_roster(
    filename: str, content: bytes, *, user: User, skip_bad_rows: bool = False, ip: str | None = None
) -> ImportSummary:
    """Validate every row of an uploaded roster and write it in one transaction.

    Raises RosterRejected (nothing written) when a row is bad and skip_bad_rows is off; with it on,
    the good rows are written and the summary lists the errors of the others.
    """
    prefix = require_roster_worker(user)
    sheets = read_roster_file(filename, content)
    if not any(sheets.values()):
        raise DomainError("empty_roster", _("the file has no rows to import"), "file")
    try:
        with transaction.atomic():
            plan = _Validator(sheets, prefix, _Known.load(sheets, prefix), timezone.localdate()).run()
            if plan.errors and not skip_bad_rows:
                raise RosterRejected(plan.errors)
            summary = _write(plan, user, filename, ip)
    except IntegrityError:  # another import or a declaration wrote the same codes or person meanwhile
        raise DomainError(
            "conflict",
            _("the roster changed while this file was imported; nothing was written, try again"),
            "file",
            409,
        ) from None
    summary.skipped_rows = plan.bad_rows
    summary.errors = plan.errors
    return summary


def _write(plan: _Plan, user: User, filename: str, ip: str | None) -> ImportSummary:
    area_pks = _pks_of(Area, [d["parent"] for _row, d in plan.compounds])
    compounds = Area.objects.bulk_create(
        [
            Area(
                code=d["code"],
                name=d["name"],
                level=Level.COMPOUND,
                parent_id=area_pks[d["parent"]],
                kind=d["kind"],
                address=d["address"],
            )
            for _row, d in plan.compounds
        ],
        batch_size=BATCH_SIZE,
    )
    compound_pks = {a.code: a.pk for a in compounds}
    compound_pks |= _pks_of(
        Area, [d["parent"] for _row, d in plan.buildings if d["parent"] not in compound_pks]
    )
    buildings = Building.objects.bulk_create(
        [
            Building(code=d["code"], compound_id=compound_pks[d["parent"]], name=d["name"])
            for _row, d in plan.buildings
        ],
        batch_size=BATCH_SIZE,
    )
    building_pks = {b.code: b.pk for b in buildings}
    building_pks |= _pks_of(
        Building, [d["parent"] for _row, d in plan.households if d["parent"] not in building_pks]
    )
    households = Household.objects.bulk_create(
        [
            Household(code=d["code"], building_id=building_pks[d["parent"]], room=d["room"])
            for _row, d in plan.households
        ],
        batch_size=BATCH_SIZE,
    )
    household_pks = {h.code: h.pk for h in households}
    household_pks |= _pks_of(
        Household, [d["household"] for _row, d in plan.residents if d["household"] not in household_pks]
    )

    digests = [d["digest"] for _row, d in plan.residents]
    person_pks: dict[str, int] = {}
    for chunk in _chunks(digests):
        person_pks.update(Person.objects.filter(id_hmac__in=chunk).values_list("id_hmac", "pk"))
    new_people = []
    for _row, d in plan.residents:
        if d["digest"] not in person_pks:
            person = Person(name=d["name"], phone=d["phone"])
            person.set_id_number(d["number"])
            new_people.append(person)
    Person.objects.bulk_create(new_people, batch_size=BATCH_SIZE)
    person_pks.update({p.id_hmac: p.pk for p in new_people})
    Membership.objects.bulk_create(
        [
            Membership(
                person_id=person_pks[d["digest"]],
                household_id=household_pks[d["household"]],
                relation=d["relation"],
                moved_in=d["moved_in"],
            )
            for _row, d in plan.residents
        ],
        batch_size=BATCH_SIZE,
    )
    audit.record_many(user, [person_pks[d] for d in digests], "import", f"roster import: {filename}", ip)
    return ImportSummary(
        compounds=len(compounds),
        buildings=len(buildings),
        households=len(households),
        people_created=len(new_people),
        residents=len(plan.residents),
    )


def _pks_of(model, codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(codes))):
        found.update(model.objects.filter(code__in=chunk).values_list("code", "pk"))
    return found


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class RosterExport:
    filename: str
    content: bytes
    people: int


def _export_area(user: User, code: str) -> Area:
    require_roster_worker(user)
    code = (code or "").strip()
    if not (ascii_digits(code) and len(code) in set(CODE_LENGTH.values())):
        raise DomainError("invalid_area", _("an area code has 6, 9, 12 or 15 digits"), "area")
    if not can_see_area(user, code):
        raise Forbidden(_("this area is outside your area of work"), "area")
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise DomainError("not_found", _("no area has this code"), "area", 404)
    return area


def export_roster(area_code: str, *, user: User, ip: str | None = None) -> RosterExport:
    """The roster of an area in the template layout, ID numbers masked; the read is audited."""
    area = _export_area(user, area_code)
    prefix = area.prefix
    compounds = Area.objects.filter(code_range("code", prefix), level=Level.COMPOUND).order_by("code")
    buildings = Building.objects.filter(code_range("code", prefix)).order_by("code")
    households = Household.objects.filter(code_range("code", prefix)).order_by("code")
    memberships = scope(
        user, Membership.objects.filter(code_range("household__code", prefix), moved_out__isnull=True)
    ).order_by("household__code", "pk")
    counts = {
        "compounds": compounds.count(),
        "buildings": buildings.count(),
        "households": households.count(),
        "residents": memberships.count(),
    }
    if max(counts.values()) > EXCEL_MAX_ROWS - (FIRST_DATA_ROW - 1):
        raise DomainError(
            "too_many_rows", _("this area is too large for one workbook; export a smaller one"), "area"
        )
    today = timezone.localdate()
    person_ids: list[int] = []

    def residents() -> Iterator[list]:
        for household, person_id, name, masked, sex, phone, relation, moved_in in memberships.values_list(
            "household__code",
            "person_id",
            "person__name",
            "person__id_masked",
            "person__sex",
            "person__phone",
            "relation",
            "moved_in",
        ).iterator(chunk_size=2000):
            person_ids.append(person_id)
            yield [
                household,
                name,
                masked,
                SEX_LABELS.get(sex, ""),
                phone_for(user, phone),
                RELATION_LABELS.get(relation, relation),
                moved_in,
            ]

    wb = Workbook(write_only=True)
    path = " / ".join([a.name for a in area.ancestors()] + [area.name])
    ws = wb.create_sheet(INSTRUCTIONS_TITLE)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 50
    for row in (
        ["无疫 · 居民名册导出"],
        ["区域", f"{path}（{area.code}）"],
        ["层级", area.get_level_display()],
        ["截至日期", today],
        ["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        ["导出人", audit.actor_label(user)],
        ["小区", counts["compounds"]],
        ["楼栋", counts["buildings"]],
        ["户", counts["households"]],
        ["居民", counts["residents"]],
        [
            "说明",
            "身份证号只以掩码导出（系统不保存明文）；本名册含个人信息，导出已记入审计日志，请妥善保管。",
        ],
    ):
        ws.append([_excel_value(ws, v) for v in row])
    _add_layout_sheet(
        wb,
        COMPOUNDS,
        (
            [parent, code, name, KIND_LABELS.get(kind, kind), address]
            for parent, code, name, kind, address in compounds.values_list(
                "parent__code", "code", "name", "kind", "address"
            ).iterator(chunk_size=2000)
        ),
    )
    _add_layout_sheet(
        wb,
        BUILDINGS,
        (list(r) for r in buildings.values_list("compound__code", "code", "name").iterator(chunk_size=2000)),
    )
    _add_layout_sheet(
        wb,
        HOUSEHOLDS,
        (list(r) for r in households.values_list("building__code", "code", "room").iterator(chunk_size=2000)),
    )
    _add_layout_sheet(wb, RESIDENTS, residents())
    wb.properties.title = f"{area.name} 居民名册 {today.isoformat()}"
    content = _save(wb)
    person_ids = list(dict.fromkeys(person_ids))  # a person in two households of the area is one read
    audit.record_many(user, person_ids, "export", f"roster export of {area.code} {area.name} on {today}", ip)
    return RosterExport(f"roster-{area.code}-{today.isoformat()}.xlsx", content, len(person_ids))
