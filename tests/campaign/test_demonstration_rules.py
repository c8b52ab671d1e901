"""The demonstration rule and the order of approval, as tables."""

import datetime as dt

import pytest

from wuyi.campaign import demonstration as d

DAY = dt.date(2020, 3, 20)


@pytest.mark.parametrize("status, inspected_on, full, unmet, eligible, reason", [
    ("epidemic_free", dt.date(2020, 3, 10), True, (), True, None),
    ("suspended", dt.date(2020, 3, 10), True, (), False, "not_epidemic_free"),
    ("cancelled", dt.date(2020, 3, 10), True, (), False, "not_epidemic_free"),
    ("not_yet", dt.date(2020, 3, 10), True, (), False, "not_epidemic_free"),
    ("epidemic_free", None, False, (), False, "never_inspected"),
    ("epidemic_free", dt.date(2020, 3, 10), False, (), False, "not_fully_compliant"),
    ("epidemic_free", dt.date(2020, 3, 21), True, (), False, "inspected_after"),
    ("epidemic_free", dt.date(2020, 3, 10), True, ("ledgers",), False, "criterion_not_met"),
])
def test_eligibility(status, inspected_on, full, unmet, eligible, reason):
    got = d.evaluate(d.Facts(DAY, status, inspected_on, full, unmet))
    assert got.eligible is eligible
    if reason:
        assert [code for code, _text in got.reasons] == [reason]
    else:
        assert got.reasons == ()


def test_every_reason_is_given_at_once():
    got = d.evaluate(d.Facts(DAY, "cancelled", None, False, ("a", "b")))
    assert [code for code, _text in got.reasons] == [
        "not_epidemic_free", "never_inspected", "criterion_not_met", "criterion_not_met"]
    assert "further criterion not met: b" in got.text


def test_unmet_keeps_the_order_of_the_active_criteria():
    assert d.unmet(["a", "b", "c"], ["b"]) == ("a", "c")


@pytest.mark.parametrize("status, level, allowed, after", [
    ("nominated", "community", True, "community_approved"),
    ("community_approved", "street", True, "street_approved"),
    ("street_approved", "district", True, "approved"),
    ("nominated", "street", False, None),  # the street waits for the community
    ("nominated", "district", False, None),
    ("community_approved", "community", False, None),  # no second community approval
    ("community_approved", "district", False, None),
    ("approved", "district", False, None),
    ("rejected", "community", False, None),
    ("withdrawn", "community", False, None),
    ("nominated", "city", False, None),
])
def test_approval_goes_up_in_order(status, level, allowed, after):
    got = d.step(status, level)
    assert (got.allowed, got.status_after_approval) == (allowed, after)
