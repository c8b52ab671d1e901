"""Rosters: the template, import from .xlsx and .csv with precise errors, export of an area, scope."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from tests.world import make_id_number
from wuyi.accounts.models import AuditEntry
from wuyi.errors import DomainError
from wuyi.people import identity, rosters
from wuyi.people.models import Membership, Person
from wuyi.places.models import Area, Building, Household

API = "/api/people/roster"
COMMUNITY = "440304001001"  # the world's community on side 0
OLD_COMPOUND = COMMUNITY + "001"  # in the world already, with building 001 and households 0101, 0102
NEW_COMPOUND = COMMUNITY + "002"
B1, B2 = NEW_COMPOUND + "001", NEW_COMPOUND + "002"
H1, H2, H3 = B1 + "0101", B1 + "0102", B2 + "0201"
ZHANG = make_id_number("440304", "19800101", 101)  # odd sequence: a man
LIU = make_id_number("440304", "19820202", 102)
CHEN = make_id_number("440304", "19900303", 104)
LI_JIANGUO = make_id_number("440304", "19700101", 1)  # the world's person 0, who lives in OLD_COMPOUND


def good_rows() -> dict[str, list[list]]:
    """A roster of one new compound, in code order, as a worker fills the template."""
    return {
        "小区": [[COMMUNITY, NEW_COMPOUND, "百花二村", "花园小区", "百花二路1号"]],
        "楼栋": [[NEW_COMPOUND, B1, "1栋"], [NEW_COMPOUND, B2, "2栋"]],
        "户": [[B1, H1, "101"], [B1, H2, "102"], [B2, H3, "201"]],
        "居民": [
            [H1, "张伟", ZHANG, "男", "13912345678", "业主", dt.date(2020, 1, 15)],
            [H1, "刘洋", LIU, "女", None, "家庭成员", None],
            [H2, "陈静", CHEN, "女", "13700000001", "租户", dt.date(2019, 10, 1)],
            [H3, "李建国", LI_JIANGUO, "男", "13800000000", "业主", dt.date(2018, 5, 20)],
        ],
    }


def fill_template(rows: dict[str, list[list]]) -> bytes:
    """The app's template with the rows appended below its two header rows."""
    wb = load_workbook(io.BytesIO(rosters.template_workbook()))
    for title, sheet_rows in rows.items():
        for row in sheet_rows:
            wb[title].append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def sheet_rows(content: bytes) -> dict[str, list[list]]:
    """Data rows (row 3 on) of each roster sheet, dates as dates and empty cells as None."""
    wb = load_workbook(io.BytesIO(content))
    found = {}
    for layout in rosters.LAYOUTS:
        rows = []
        for row in wb[layout.title].iter_rows(min_row=rosters.FIRST_DATA_ROW, values_only=True):
            rows.append([v.date() if isinstance(v, dt.datetime) else (v if v != "" else None) for v in row])
        found[layout.title] = rows
    return found


def counts() -> tuple[int, ...]:
    return (
        Area.objects.count(),
        Building.objects.count(),
        Household.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def worker(client, world):
    client.force_login(world.users["community_worker"])
    return world.users["community_worker"]


# ---------------------------------------------------------------- the template


def test_template_has_the_four_sheets_with_labels_keys_and_choice_lists(client, worker):
    response = client.get("/people/roster/template/")
    assert response.status_code == 200
    assert response["Content-Type"] == rosters.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["说明", "小区", "楼栋", "户", "居民"]
    residents = wb["居民"]
    assert [c.value for c in residents[1]] == [
        "户代码",
        "姓名",
        "身份证号",
        "性别",
        "手机号",
        "与本户关系",
        "入住日期",
    ]
    assert [c.value for c in residents[2]] == [
        "household_code",
        "name",
        "id_number",
        "sex",
        "phone",
        "relation",
        "moved_in",
    ]
    assert residents.row_dimensions[2].hidden
    assert residents.max_row == 2  # no example rows to import by mistake
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in residents.data_validations.dataValidation}
    assert lists == {"D3": '"男,女"', "F3": '"业主,租户,家庭成员,其他"'}
    kinds = [dv.formula1 for dv in wb["小区"].data_validations.dataValidation]
    assert kinds == ['"花园小区,城中村,其他"']
    assert [c.value for c in wb["小区"][1]] == ["所属社区代码", "小区代码", "小区名称", "小区类型", "地址"]


def test_the_template_imports_nothing_and_says_so(worker):
    with pytest.raises(DomainError) as e:
        rosters.import_roster("t.xlsx", rosters.template_workbook(), user=worker)
    assert e.value.code == "empty_roster"


# ---------------------------------------------------------------- import: errors


def test_three_bad_rows_give_three_precise_errors_and_nothing_is_written(client, worker):
    rows = good_rows()
    rows["户"].append([NEW_COMPOUND + "009", B2 + "0202", "202"])  # row 6: no such building
    rows["居民"][1][2] = LIU[:-1] + ("0" if LIU[-1] != "0" else "1")  # row 4: wrong check digit
    rows["居民"][2][5] = "室友"  # row 5: not a relation
    before = counts()

    response = client.post(API + "/import", {"file": upload("roster.xlsx", fill_template(rows))})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_rows" and body["field"] == "file" and body["message"]
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        ("户", 6, "所属楼栋代码", "unknown_parent"),
        ("居民", 4, "身份证号", "invalid_id_number"),
        ("居民", 5, "与本户关系", "invalid_choice"),
    ]
    assert all(e["message"] for e in body["errors"])
    assert counts() == before


def test_the_page_shows_the_errors_as_a_table_and_writes_nothing(client, worker):
    rows = good_rows()
    rows["居民"][0][2] = "12345"
    before = counts()
    response = client.post("/people/roster/import/", {"file": upload("roster.xlsx", fill_template(rows))})
    assert response.status_code == 422
    errors = response.context["row_errors"]
    assert [(e.sheet, e.row, e.column) for e in errors] == [("居民", 3, "身份证号")]
    assert "roster-errors" in response.content.decode()
    assert counts() == before


def with_childless_rows() -> dict[str, list[list]]:
    """The good rows plus a compound (小区 row 4), a building (楼栋 row 5) and a household (户 row 6) with no
    children, so that spoiling one of them spoils nothing else."""
    rows = good_rows()
    rows["小区"].append([COMMUNITY, COMMUNITY + "003", "新村", "城中村", None])
    rows["楼栋"].append([NEW_COMPOUND, NEW_COMPOUND + "003", "3栋"])
    rows["户"].append([B1, B1 + "0103", "103"])
    return rows


@pytest.mark.parametrize(
    "sheet, index, column, value, row, label, code",
    [
        ("小区", 1, 0, "44030400100", 4, "所属社区代码", "invalid_code"),  # 11 digits
        ("小区", 1, 0, "440306001001", 4, "所属社区代码", "outside_area"),  # the other district's community
        ("小区", 1, 1, "440304001002003", 4, "小区代码", "not_under_parent"),
        ("小区", 1, 1, OLD_COMPOUND, 4, "小区代码", "code_exists"),
        ("小区", 1, 2, "", 4, "小区名称", "required"),
        ("小区", 1, 2, "村" * 101, 4, "小区名称", "too_long"),
        ("小区", 1, 3, "别墅", 4, "小区类型", "invalid_choice"),
        ("楼栋", 2, 1, B1, 5, "楼栋代码", "duplicate_code"),  # the same code as row 3
        ("楼栋", 2, 1, "44030400100100200", 5, "楼栋代码", "invalid_code"),  # 17 digits
        ("户", 3, 1, OLD_COMPOUND + "0010103", 6, "户代码", "not_under_parent"),
        ("户", 3, 2, "", 6, "房号", "required"),
        ("居民", 3, 2, ZHANG, 6, "身份证号", "duplicate_id_number"),  # the same ID number as row 3
        ("居民", 1, 2, LIU[:6] + "19821302" + LIU[14:], 4, "身份证号", "invalid_id_number"),  # no 13th month
        ("居民", 3, 1, "李建", 6, "身份证号", "name_conflict"),  # the roster has this ID number as 李建国
        ("居民", 0, 3, "女", 3, "性别", "sex_mismatch"),
        ("居民", 0, 4, "1391234567", 3, "手机号", "invalid_phone"),
        ("居民", 0, 6, "2020-13-01", 3, "入住日期", "invalid_date"),
        ("居民", 0, 6, dt.date.today() + dt.timedelta(days=400), 3, "入住日期", "future_date"),
        ("居民", 0, 0, NEW_COMPOUND + "0019999", 3, "户代码", "unknown_parent"),
        ("居民", 0, 1, "", 3, "姓名", "required"),
        ("居民", 0, 5, "", 3, "与本户关系", "required"),
    ],
)
def test_each_kind_of_bad_cell_is_named_by_sheet_row_and_column(
    worker, sheet, index, column, value, row, label, code
):
    rows = with_childless_rows()
    rows[sheet][index][column] = value
    with pytest.raises(rosters.RosterRejected) as e:
        rosters.import_roster("r.xlsx", fill_template(rows), user=worker)
    assert [(err.sheet, err.row, err.column, err.code) for err in e.value.errors] == [
        (sheet, row, label, code)
    ]
    assert e.value.errors[0].message


def test_a_street_worker_places_compounds_only_under_communities_that_exist(world):
    rows = {
        "小区": [
            ["440304001009", "440304001009001", "新村", "城中村", None],
            [COMMUNITY, COMMUNITY + "003", "新村", "城中村", None],
        ]
    }
    with pytest.raises(rosters.RosterRejected) as e:
        rosters.import_roster("r.xlsx", fill_template(rows), user=world.users["street_worker"])
    assert [(err.sheet, err.row, err.column, err.code) for err in e.value.errors] == [
        ("小区", 3, "所属社区代码", "unknown_parent")
    ]


def test_choices_and_dates_may_be_written_as_keys_and_text(worker):
    rows = with_childless_rows()
    rows["小区"][1][3] = "urban_village"
    rows["居民"][0][3:7] = ["M", "13912345678", "owner", "2020/01/15"]
    summary = rosters.import_roster("r.xlsx", fill_template(rows), user=worker)
    assert (summary.compounds, summary.residents) == (2, 4)
    assert Membership.objects.get(person__name="张伟").moved_in == dt.date(2020, 1, 15)


def test_a_bad_parent_row_makes_its_children_bad_and_says_where(worker):
    rows = good_rows()
    rows["楼栋"][1][2] = ""  # building B2 (row 4) has no name; household H3 and its resident hang on it
    with pytest.raises(rosters.RosterRejected) as e:
        rosters.import_roster("r.xlsx", fill_template(rows), user=worker)
    errors = [(err.sheet, err.row, err.column, err.code) for err in e.value.errors]
    assert errors == [
        ("楼栋", 4, "楼栋名称", "required"),
        ("户", 5, "所属楼栋代码", "parent_has_errors"),
        ("居民", 6, "户代码", "parent_has_errors"),
    ]
    assert "4" in e.value.errors[1].message


def test_a_person_already_living_in_the_household_is_an_error(worker, world):
    household = world.households[0].code  # 李建国 lives there
    rows = {"居民": [[household, "李建国", LI_JIANGUO, "男", None, "业主", None]]}
    with pytest.raises(rosters.RosterRejected) as e:
        rosters.import_roster("r.xlsx", fill_template(rows), user=worker)
    assert [(err.sheet, err.row, err.column, err.code) for err in e.value.errors] == [
        ("居民", 3, "身份证号", "already_living")
    ]


# ---------------------------------------------------------------- import and export


def test_a_good_file_imports_and_comes_back_equal_through_export(client, worker, world):
    rows = good_rows()
    people_before = Person.objects.count()
    response = client.post(API + "/import", {"file": upload("roster.xlsx", fill_template(rows))})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "compounds": 1,
        "buildings": 2,
        "households": 3,
        "people_created": 3,
        "residents": 4,
        "skipped_rows": 0,
        "errors": [],
    }

    # 李建国 was in the roster already: the same person now lives in two households
    assert Person.objects.count() == people_before + 3
    li = world.people[0]
    assert set(Membership.objects.filter(person=li).values_list("household__code", flat=True)) == {
        world.households[0].code,
        H3,
    }
    zhang = Person.objects.get(name="张伟")
    assert (zhang.id_masked, zhang.sex, zhang.birth_year, zhang.phone) == (
        identity.mask(ZHANG),
        "M",
        1980,
        "13912345678",
    )
    assert ZHANG not in str(Person.objects.values_list("id_hmac", "id_masked"))
    assert Area.objects.get(code=NEW_COMPOUND).parent == world.communities[0]

    response = client.get(API + "/export", {"area": NEW_COMPOUND})
    assert response.status_code == 200
    expected = good_rows()
    for resident in expected["居民"]:
        resident[2] = identity.mask(resident[2])
    assert sheet_rows(response.content) == expected


def test_export_says_what_area_and_date_it_covers_masks_ids_and_is_audited(client, worker, world):
    response = client.get("/people/roster/export/", {"area": COMMUNITY})
    assert response.status_code == 200
    assert f"roster-{COMMUNITY}-" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    cover = {row[0]: row[1] for row in wb["说明"].iter_rows(values_only=True) if row and row[0]}
    assert COMMUNITY in cover["区域"] and "园东社区" in cover["区域"]
    assert cover["截至日期"].date() == dt.date.today()
    residents = sheet_rows(response.content)["居民"]
    assert [r[2] for r in residents] == [p.id_masked for p in world.people[:2]]
    everything = str([list(ws.values) for ws in wb.worksheets])
    assert LI_JIANGUO not in everything
    audited = AuditEntry.objects.filter(actor=worker, action="export")
    assert set(audited.values_list("person_id", flat=True)) == {p.pk for p in world.people[:2]}
    assert COMMUNITY in audited.first().what


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_import_one_sheet_per_file_told_by_its_header(worker, world, encoding):
    household = world.households[1].code
    number = make_id_number("440304", "20150606", 203)
    text = (
        "户代码,姓名,身份证号,性别,手机号,与本户关系,入住日期\r\n"
        f"{household},王小明,{number},男,,家庭成员,2020-02-02\r\n"
    )
    summary = rosters.import_roster("residents.csv", text.encode(encoding), user=worker)
    assert (summary.residents, summary.people_created) == (1, 1)
    membership = Membership.objects.get(person__name="王小明")
    assert (membership.household.code, membership.relation, membership.moved_in) == (
        household,
        "family",
        dt.date(2020, 2, 2),
    )

    buildings = f"所属小区代码,楼栋代码,楼栋名称\n{OLD_COMPOUND},{OLD_COMPOUND}007,7栋\n"
    assert rosters.import_roster("b.csv", buildings.encode(encoding), user=worker).buildings == 1
    assert Building.objects.get(code=OLD_COMPOUND + "007").compound.code == OLD_COMPOUND


def test_csv_errors_name_the_row_as_excel_shows_it(worker, world):
    text = "所属楼栋代码,户代码,房号\n\n" + f"{OLD_COMPOUND}001,{OLD_COMPOUND}0010101,101\n"  # row 2 is empty
    with pytest.raises(rosters.RosterRejected) as e:
        rosters.import_roster("h.csv", text.encode(), user=worker)
    assert [(err.sheet, err.row, err.column, err.code) for err in e.value.errors] == [
        ("户", 3, "户代码", "code_exists")
    ]


def test_skip_bad_rows_through_the_api(client, worker):
    rows = good_rows()
    rows["居民"][1][5] = "室友"
    response = client.post(
        API + "/import", {"file": upload("r.xlsx", fill_template(rows)), "skip_bad_rows": "true"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["residents"], body["skipped_rows"]) == (3, 1)
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        ("居民", 4, "与本户关系", "invalid_choice")
    ]
    assert not Person.objects.filter(name="刘洋").exists()


def test_skip_bad_rows_writes_only_the_good_rows(client, worker):
    rows = good_rows()
    rows["户"].append([NEW_COMPOUND + "009", B2 + "0202", "202"])
    rows["居民"][1][2] = LIU[:-1] + ("0" if LIU[-1] != "0" else "1")
    rows["居民"][2][5] = "室友"
    response = client.post(
        "/people/roster/import/", {"file": upload("roster.xlsx", fill_template(rows)), "skip_bad_rows": "on"}
    )
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.skipped_rows, len(summary.errors)) == (3, 3)
    assert (summary.households, summary.residents) == (3, 2)
    assert not Household.objects.filter(code=B2 + "0202").exists()
    assert set(Person.objects.filter(name__in=["张伟", "刘洋", "陈静"]).values_list("name", flat=True)) == {
        "张伟"
    }
    assert Membership.objects.filter(household__code=H3, person__name="李建国").exists()
    assert "roster-errors" in response.content.decode()


# ---------------------------------------------------------------- scope and roles


def test_a_community_worker_cannot_import_into_another_community(client, worker, world):
    other = world.communities[1].code
    rows = {
        "小区": [[other, other + "005", "外区小区", "城中村", None]],
        "居民": [[world.households[2].code, "赵六", ZHANG, "男", None, "租户", None]],
    }
    before = counts()
    response = client.post(API + "/import", {"file": upload("roster.xlsx", fill_template(rows))})
    assert response.status_code == 422
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in response.json()["errors"]] == [
        ("小区", 3, "所属社区代码", "outside_area"),
        ("居民", 3, "户代码", "outside_area"),
    ]
    assert counts() == before


def test_export_reaches_only_areas_in_scope(client, world):
    client.force_login(world.users["community_worker"])
    assert client.get(API + "/export", {"area": world.communities[1].code}).status_code == 403
    assert (
        client.get(API + "/export", {"area": world.districts[0].code}).status_code == 403
    )  # above the worker
    page = client.get("/people/roster/export/", {"area": world.communities[1].code})
    assert page.status_code == 403 and page.context["export_error"].code == "forbidden"
    assert not AuditEntry.objects.filter(action="export").exists()
    client.force_login(world.users["street_worker@1"])
    assert client.get(API + "/export", {"area": world.communities[1].code}).status_code == 200
    client.force_login(world.users["city_admin"])
    assert client.get(API + "/export", {"area": world.city.code}).status_code == 200


def test_phones_are_exported_whole_for_the_community_and_masked_above_it(client, world):
    phones = {}
    for key in ("community_worker", "district_worker"):
        client.force_login(world.users[key])
        response = client.get(API + "/export", {"area": world.communities[0].code})
        phones[key] = [r[4] for r in sheet_rows(response.content)["居民"]]
    assert phones["community_worker"] == [p.phone for p in world.people[:2]]
    assert phones["district_worker"] == [identity.mask_phone(p.phone) for p in world.people[:2]]


@pytest.mark.parametrize(
    "area, status, code",
    [
        ("44030400100", 400, "invalid_area"),
        ("x" * 12, 400, "invalid_area"),
        ("440304001001099", 404, "not_found"),
    ],
)
def test_export_of_a_bad_area_code_is_a_clear_error(client, worker, area, status, code):
    response = client.get(API + "/export", {"area": area})
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["field"] == "area"


@pytest.mark.parametrize("role", ["resident", "volunteer", "gate_guard", "health_official"])
def test_only_workers_reach_rosters(client, world, role):
    client.force_login(world.users[role])
    assert client.get("/people/roster/").status_code == 403
    assert client.get("/people/roster/template/").status_code == 403
    assert client.get("/people/roster/export/", {"area": COMMUNITY}).status_code == 403
    content = fill_template(good_rows())
    assert client.post("/people/roster/import/", {"file": upload("r.xlsx", content)}).status_code == 403
    assert client.get(API + "/template").status_code == 403
    assert client.get(API + "/export", {"area": COMMUNITY}).status_code == 403
    response = client.post(API + "/import", {"file": upload("r.xlsx", content)})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Area.objects.filter(code=NEW_COMPOUND).exists()


@pytest.mark.parametrize("key", ["city_admin", "district_worker", "street_worker", "community_worker"])
def test_every_worker_role_has_the_roster_page(client, world, key):
    client.force_login(world.users[key])
    response = client.get("/people/roster/")
    assert response.status_code == 200
    assert world.users[key].area.code in [a.code for a in response.context["areas"]]


def test_anonymous_callers_are_sent_to_log_in(client, world):
    assert client.get("/people/roster/").status_code == 302
    assert client.get(API + "/template").status_code == 401


# ---------------------------------------------------------------- broken uploads


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return out.getvalue()


def _workbook_with_wrong_headers() -> bytes:
    wb = Workbook()
    wb.active.title = "居民"
    wb.active.append(["名字", "身份证"])
    wb.active.append(["张三", ZHANG])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _workbook_without_roster_sheets() -> bytes:
    wb = Workbook()
    wb.active.append(["a", "b"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


BROKEN = [
    ("roster.xlsx", b"this is not a workbook", "unreadable_file"),
    ("roster.xlsx", _zip_without_workbook(), "unreadable_file"),
    ("roster.xlsx", b"PK\x03\x04" + b"\x00" * 40, "unreadable_file"),
    ("roster.xlsx", _workbook_with_wrong_headers(), "wrong_headers"),
    ("roster.xlsx", _workbook_without_roster_sheets(), "wrong_headers"),
    ("roster.csv", "姓名,年龄\n张三,30\n".encode(), "wrong_headers"),
    ("roster.csv", b"\xff\xfe\x00\x00garbage\x00", "unreadable_file"),
    ("roster.csv", "户代码,姓名,身份证号,与本户关系\n".encode(), "empty_roster"),
]


@pytest.mark.parametrize("name, content, code", BROKEN)
def test_the_api_answers_a_broken_upload_with_a_4xx_error(client, worker, name, content, code):
    response = client.post(API + "/import", {"file": upload(name, content)})
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == (code, "file") and body["message"]


@pytest.mark.parametrize("name, content, code", BROKEN)
def test_the_page_answers_a_broken_upload_with_a_form_error(client, worker, name, content, code):
    response = client.post("/people/roster/import/", {"file": upload(name, content)})
    assert response.status_code == 400
    error = response.context["upload_error"]
    assert error.code == code
    assert escape(error.message) in response.content.decode()


def test_an_empty_or_missing_file_is_a_4xx(client, worker):
    assert client.post(API + "/import", {"file": upload("r.xlsx", b"")}).json()["code"] == "empty_file"
    assert client.post(API + "/import", {}).status_code == 422
    response = client.post("/people/roster/import/", {"file": upload("r.xlsx", b"")})
    assert response.status_code == 400 and response.context["upload_form"].errors["file"]
    assert client.post("/people/roster/import/", {}).status_code == 400
