"""Excel import of workers and shifts: the template round-trips, a good file writes everything in one go, a bad file
writes nothing and names every bad cell by sheet, row and column. Files are real .xlsx made with openpyxl."""

import io

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from tests.workforce.conftest import DAY
from wuyi.errors import DomainError
from wuyi.people.rosters import RosterRejected
from wuyi.workforce import imports
from wuyi.workforce.models import Shift, Worker

WORKER_HEADER = ["姓名", "手机号", "类别", "派出单位", "派驻区域代码", "工作组", "党员"]
SHIFT_HEADER = ["手机号", "日期", "班次", "岗位类型", "岗位代码"]


def workbook(workers=(), shifts=None, *, keys_row=False) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "工作人员"
    ws.append(WORKER_HEADER)
    if keys_row:
        ws.append(["name", "phone", "kind", "unit", "area_code", "group", "party_member"])
    for row in workers:
        ws.append(list(row))
    if shifts is not None:
        sheet = wb.create_sheet("排班")
        sheet.append(SHIFT_HEADER)
        for row in shifts:
            sheet.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good_rows(ww):
    c = ww.communities[0].code
    return [
        ["黄干部", "13711110001", "干部", "市发展改革委", c, "", "是"],
        ["吴医生", "13711110002", "医务人员", "区人民医院", c, "", ""],
        ["郑社工", "", "社工", "", c, "", "否"],
    ]


def test_the_template_has_the_sheets_and_headers_the_importer_reads(ww):
    wb = load_workbook(io.BytesIO(imports.template_workbook()))
    assert wb.sheetnames == ["说明", "工作人员", "排班"]
    assert [c.value for c in wb["工作人员"][1]] == WORKER_HEADER
    assert [c.value for c in wb["排班"][1]] == SHIFT_HEADER
    assert [c.value for c in wb["工作人员"][2]][0] == "name"  # the hidden row of keys
    with pytest.raises(DomainError) as e:  # the empty template imports nothing
        imports.import_workers(imports.template_workbook(), user=ww.users["community_worker"])
    assert e.value.code == "empty_roster"


def test_a_good_file_writes_its_workers_and_their_shifts(ww):
    shifts = [
        ["13711110001", DAY.isoformat(), "早班", "出入口", ww.gates[0].code],
        ["13711110001", DAY, "夜班", "小区", ww.compounds[0].code],  # a date cell, not text
        [ww.workers[0][2].phone, "2020/02/10", "中班", "党群服务中心", ww.centres[0].code],  # a worker already here
    ]
    summary = imports.import_workers(workbook(good_rows(ww), shifts, keys_row=True), user=ww.users["street_worker"])
    assert summary.as_dict() == {"workers": 3, "shifts": 3}
    huang = Worker.objects.get(name="黄干部")
    assert (huang.kind, huang.party_member, huang.unit, huang.area) == ("cadre", True, "市发展改革委",
                                                                         ww.communities[0])
    assert sorted(Shift.objects.filter(worker=huang).values_list("period", flat=True)) == ["morning", "night"]
    assert Shift.objects.get(worker=ww.workers[0][2]).service_centre == ww.centres[0]


def test_a_bad_file_writes_nothing_and_names_every_bad_cell(ww):
    c0, c1 = ww.communities[0].code, ww.communities[1].code
    rows = good_rows(ww) + [
        ["", "13711110009", "干部", "", c0, "", ""],  # row 5: no name
        ["孙某", "13711110001", "教师", "", c1, "", "也许"],  # row 6: same phone as row 2, bad kind, other area, bad yes
        ["钱某", ww.workers[0][0].phone, "民警", "", "440304001001999", "不存在的组", ""],  # row 7
    ]
    shifts = [
        ["13711110002", DAY.isoformat(), "早班", "出入口", ww.gates[0].code],
        ["13711110002", DAY.isoformat(), "早班", "小区", ww.compounds[0].code],  # row 3: double booked in the file
        ["13700000000", "2020-13-01", "午班", "出入口", ww.gates[1].code],  # row 4: unknown worker, date, period, place
    ]
    with pytest.raises(RosterRejected) as e:
        imports.import_workers(workbook(rows, shifts), user=ww.users["community_worker"])
    found = {(err.sheet, err.row, err.column, err.code) for err in e.value.errors}
    assert found == {
        ("工作人员", 5, "姓名", "required"),
        ("工作人员", 6, "手机号", "duplicate_phone"),
        ("工作人员", 6, "类别", "invalid_choice"),
        ("工作人员", 6, "派驻区域代码", "outside_area"),
        ("工作人员", 6, "党员", "invalid_choice"),
        ("工作人员", 7, "手机号", "phone_exists"),
        ("工作人员", 7, "派驻区域代码", "unknown_area"),
        ("排班", 3, "班次", "double_booked"),
        ("排班", 4, "手机号", "unknown_worker"),
        ("排班", 4, "日期", "invalid_date"),
        ("排班", 4, "班次", "invalid_choice"),
        ("排班", 4, "岗位代码", "unknown_target"),
    }
    assert e.value.status == 422 and e.value.code == "invalid_rows"
    assert Worker.objects.count() == 6 and not Shift.objects.exists()


def test_a_shift_clashing_with_one_already_booked_is_a_bad_row(ww):
    from wuyi.workforce import services

    police = ww.workers[0][2]
    services.assign_shift(ww.users["community_worker"], services.ShiftInput(police.pk, DAY, "night", "gate",
                                                                            ww.gates[0].code))
    content = workbook([], [[police.phone, DAY.isoformat(), "夜班", "小区", ww.compounds[0].code]])
    with pytest.raises(RosterRejected) as e:
        imports.import_workers(content, user=ww.users["community_worker"])
    assert [(err.row, err.column, err.code) for err in e.value.errors] == [(2, "班次", "double_booked")]


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty_file"),
    (b"name,kind\n", "unreadable_file"),
    (b"PK\x03\x04 not really a zip", "unreadable_file"),
])
def test_files_that_are_not_workbooks_are_refused(ww, content, code):
    with pytest.raises(DomainError) as e:
        imports.import_workers(content, user=ww.users["community_worker"])
    assert (e.value.code, e.value.field) == (code, "file")


def test_a_sheet_with_other_headers_is_refused(ww):
    wb = Workbook()
    wb.active.title = "工作人员"
    wb.active.append(["姓名", "电话"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(DomainError) as e:
        imports.import_workers(out.getvalue(), user=ww.users["community_worker"])
    assert e.value.code == "wrong_headers"


def test_the_import_page_lists_the_errors_and_takes_a_good_file(ww):
    c = Client()
    c.force_login(ww.users["community_worker"])
    template = c.get("/workforce/import/template.xlsx")
    assert template.status_code == 200 and template.content.startswith(b"PK")
    bad = io.BytesIO(workbook([["", "", "干部", "", ww.communities[0].code, "", ""]]))
    bad.name = "bad.xlsx"
    response = c.post("/workforce/import/", {"file": bad})
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors"]] == [(2, "姓名")]
    good = io.BytesIO(workbook(good_rows(ww)))
    good.name = "good.xlsx"
    response = c.post("/workforce/import/", {"file": good})
    assert response.status_code == 200 and response.context["summary"].workers == 3
    assert Worker.objects.count() == 9
    assert Client().get("/workforce/import/template.xlsx").status_code == 302
