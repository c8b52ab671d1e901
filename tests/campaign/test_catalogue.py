"""The seeded catalogue holds what POLICY.md §1 documents and nothing more; a catalogue can be copied."""

import datetime as dt

import pytest

from wuyi.campaign import services
from wuyi.campaign.models import MeasureCatalogue
from wuyi.errors import DomainError


def test_sz_2020_02_holds_the_five_100_and_rules_1_to_5_only(catalogue):
    rows = list(catalogue.measures.order_by("position").values_list("group", "number", "status"))
    assert rows == [("five_100", n, "confirmed") for n in range(1, 6)] + [
        ("ten_rules", n, "confirmed") for n in range(1, 5)] + [("ten_rules", 5, "partial")]
    assert catalogue.issued_on == dt.date(2020, 2, 7)
    assert not catalogue.measures.filter(group="four_key").exists()


def test_the_chinese_five_100_labels_say_they_are_not_verbatim(catalogue):
    for m in catalogue.measures.filter(group="five_100"):
        assert "not verbatim" in m.note


def test_rule_1_is_verbatim(catalogue):
    assert catalogue.measures.get(group="ten_rules", number=1).text.startswith("所有小区、城中村在出入口处一律设立检查登记卡")


def test_copy_makes_a_new_version_with_the_same_measures(catalogue):
    copy = services.copy_catalogue("sz-2020-02", "sz-2020-03", "", dt.date(2020, 3, 1))
    assert copy.title == catalogue.title
    assert list(copy.measures.values_list("group", "number", "text")) == list(
        catalogue.measures.values_list("group", "number", "text"))
    assert catalogue.measures.count() == 10  # the original is untouched


def test_copy_refuses_a_taken_code(catalogue):
    with pytest.raises(DomainError) as e:
        services.copy_catalogue("sz-2020-02", "sz-2020-02", "", dt.date(2020, 3, 1))
    assert (e.value.code, e.value.field) == ("code_taken", "code")
    assert MeasureCatalogue.objects.count() == 1
