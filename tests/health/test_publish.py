"""Publishing risk lists: the stored lists, their changes, the API and the public page."""

import datetime as dt

import pytest
from django.core.management import call_command

from wuyi.health import services
from wuyi.health.models import CaseKind, RiskList, RiskListEntry
from wuyi.health.zoning_service import changes, publish

D = dt.date(2020, 3, 16)


def confirmed(world, side: int, reported_on: dt.date):
    return services.record_case(
        services.CaseInput(kind=CaseKind.CONFIRMED, reported_on=reported_on,
                           household_code=world.households[2 * side].code)
    )


def levels(risk_list: RiskList) -> dict[str, str]:
    return dict(risk_list.entries.values_list("unit_code", "level"))


@pytest.fixture
def one_case(world):
    """One confirmed case in the first district, reported 13 days before D (inside the 14-day window)."""
    confirmed(world, 0, D - dt.timedelta(days=13))
    return world


def test_publish_lists_every_district_and_street_with_its_level(one_case):
    w = one_case
    risk_list = publish(D, "cn-2020-02")
    assert risk_list.rule_id == "cn-2020-02"
    assert levels(risk_list) == {
        w.districts[0].code: "medium", w.streets[0].code: "medium",
        w.districts[1].code: "low", w.streets[1].code: "low",
    }
    entry = risk_list.entries.get(unit_code=w.districts[0].code)
    assert (entry.unit_name, entry.cases_in_all, entry.cases_within_14_days, entry.clusters_within_14_days,
            entry.days_since_last_case) == ("福田区", 1, 1, 0, 13)
    assert [code for code, _text in entry.reasons] == ["case_within_14_days", "at_most_50_cases"]
    # districts first, then streets
    assert list(risk_list.entries.order_by("pk").values_list("unit_code", flat=True)) == [
        w.districts[0].code, w.districts[1].code, w.streets[0].code, w.streets[1].code]
    other = risk_list.entries.get(unit_code=w.districts[1].code)
    assert other.days_since_last_case is None and other.cases_in_all == 0


def test_no_case_within_14_days_is_low(one_case):
    risk_list = publish(D + dt.timedelta(days=1), "cn-2020-02")
    assert set(levels(risk_list).values()) == {"low"}
    assert risk_list.entries.get(unit_code=one_case.districts[0].code).days_since_last_case == 14


def test_cases_reported_after_the_date_do_not_count(one_case):
    confirmed(one_case, 1, D + dt.timedelta(days=1))
    assert levels(publish(D, "cn-2020-02"))[one_case.districts[1].code] == "low"


def test_default_rule_is_the_one_in_force(one_case):
    assert publish(D).rule_id == "cn-2020-02"


def test_republishing_replaces(one_case):
    first = publish(D, "cn-2020-02")
    confirmed(one_case, 1, D)
    second = publish(D, "cn-2020-02")
    assert RiskList.objects.filter(date=D, rule_id="cn-2020-02").count() == 1
    assert not RiskList.objects.filter(pk=first.pk).exists()
    assert RiskListEntry.objects.count() == 4
    assert levels(second)[one_case.districts[1].code] == "medium"


def test_changes_from_the_previous_list(one_case):
    w = one_case
    first = publish(D, "cn-2020-02")
    assert changes(first) == []
    later = publish(D + dt.timedelta(days=1), "cn-2020-02")
    found = {(c.unit_code, c.before, c.after) for c in changes(later)}
    assert found == {(w.districts[0].code, "medium", "low"), (w.streets[0].code, "medium", "low")}


def test_unknown_rules_are_refused(world):
    from wuyi.errors import DomainError

    with pytest.raises(DomainError):
        publish(D, "nope")


def test_command_publishes(one_case, capsys):
    call_command("zoning", "publish", "--date", D.isoformat(), "--rules", "cn-2020-02")
    assert RiskList.objects.filter(date=D, rule_id="cn-2020-02").exists()
    out = capsys.readouterr().out
    assert "福田区" in out and "medium" in out


# ---- the API ----------------------------------------------------------------------------------------------


def test_api_gives_the_list_for_a_date_or_the_latest_before(one_case, client):
    w = one_case
    publish(D, "cn-2020-02")
    publish(D + dt.timedelta(days=1), "cn-2020-02")
    answer = client.get(f"/api/health/risk-lists/{D + dt.timedelta(days=3)}")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["date"], body["rule_id"], body["previous_date"]) == (
        str(D + dt.timedelta(days=1)), "cn-2020-02", str(D))
    first = body["entries"][0]
    assert (first["unit_code"], first["unit_name"], first["level"], first["previous_level"]) == (
        w.districts[0].code, "福田区", "low", "medium")
    assert first["reasons"][0][0] == "no_case_within_14_days"
    assert client.get(f"/api/health/risk-lists/{D}").json()["entries"][0]["level"] == "medium"

    dates = client.get("/api/health/risk-lists?limit=1").json()
    assert dates == {"count": 2, "items": [{"date": str(D + dt.timedelta(days=1)), "rule_ids": ["cn-2020-02"]}]}


def test_api_404s_when_nothing_was_published_by_the_date(one_case, client):
    publish(D, "cn-2020-02")
    answer = client.get(f"/api/health/risk-lists/{D - dt.timedelta(days=1)}")
    assert answer.status_code == 404
    assert answer.json() == {"code": "not_found", "message": "risk list published on or before this date not found",
                             "field": "date"}
    assert client.get("/api/health/risk-lists/2020-13-01").status_code == 422


# ---- the public page --------------------------------------------------------------------------------------


def test_page_renders_in_chinese_for_anyone(one_case, client):
    w = one_case
    publish(D, "cn-2020-02")
    publish(D + dt.timedelta(days=1), "cn-2020-02")
    page = client.get("/health/risk/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    assert "分区分级名单" in text and "风险等级" in text and "低风险" in text
    assert f'data-code="{w.districts[0].code}" data-level="low"' in text
    assert "与上一期名单相比的变化" in text and "中风险 → 低风险" in text
    assert f"?date={D}" in text  # the earlier list is linked

    earlier = client.get(f"/health/risk/?date={D}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'data-code="{w.districts[0].code}" data-level="medium"' in earlier and "中风险" in earlier
    assert "这是该规则下发布的第一期名单" in earlier


def test_page_without_a_list_and_with_a_bad_date(world, client):
    assert "尚未发布分区分级名单" in client.get("/health/risk/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert client.get("/health/risk/?date=nope").status_code == 404
