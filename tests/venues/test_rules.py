"""The small-venue rules as tables: the thresholds of each kind, the reopening checklist, the close-contact
advice (POLICY.md §7a)."""

from decimal import Decimal

import pytest

from wuyi.venues import rules


@pytest.mark.parametrize(
    "kind, trade, area, storeys, height, small, reason",
    [
        ("small_shop", "grocery", 299.9, 1, None, True, "within_thresholds"),
        ("small_shop", "grocery", 300, 1, None, False, "shop_too_large"),
        ("small_shop", "eatery", "120.5", 2, None, True, "within_thresholds"),
        ("small_entertainment", "internet_cafe", 199, 1, None, True, "within_thresholds"),
        ("small_entertainment", "internet_cafe", 200, 1, None, False, "entertainment_too_large"),
        ("small_entertainment", "gym", 250, 1, None, False, "entertainment_too_large"),
        ("small_workshop", "processing", 490, 2, 24, True, "within_thresholds"),  # 245 m² a storey, 24 m
        ("small_workshop", "processing", 500, 2, 12, False, "workshop_storey_too_large"),  # 250 m² a storey
        ("small_workshop", "manufacturing", 200, 1, "24.1", False, "workshop_too_tall"),
        ("small_workshop", "manufacturing", 200, 1, None, False, "height_required"),
        ("small_shop", "bar", 50, 1, None, False, "trade_of_other_kind"),
    ],
)
def test_small_venue_thresholds(kind, trade, area, storeys, height, small, reason):
    verdict = rules.small_venue(kind, area, storeys, height, trade=trade)
    assert verdict.is_small is small
    assert verdict.reasons[0][0] == reason


def test_a_workshop_failing_both_thresholds_gives_both_reasons():
    verdict = rules.small_venue("small_workshop", Decimal(800), 2, Decimal(30))
    assert [code for code, _ in verdict.reasons] == ["workshop_too_tall", "workshop_storey_too_large"]


@pytest.mark.parametrize("bad", [dict(kind="shop"), dict(floor_area_m2=0), dict(storeys=0)])
def test_impossible_input_is_an_error(bad):
    args = {"kind": "small_shop", "floor_area_m2": 10, "storeys": 1} | bad
    with pytest.raises(ValueError):
        rules.small_venue(**args)


ALL = dict.fromkeys(rules.CHECKLIST, True)


@pytest.mark.parametrize(
    "trade, items, met, missing, not_applicable",
    [
        ("eatery", ALL, True, (), ()),
        ("eatery", ALL | {"no_dining_in": False}, False, ("no_dining_in",), ()),
        ("grocery", ALL | {"no_dining_in": False}, True, (), ("no_dining_in",)),
        ("grocery", ALL | {"regular_disinfection": False, "contactless_pickup": False}, False,
         ("regular_disinfection", "contactless_pickup"), ("no_dining_in",)),
        ("tea_house", {}, False, rules.CHECKLIST, ()),
        ("laundry", ALL | {"temperature_and_registration": False}, False, ("temperature_and_registration",),
         ("no_dining_in",)),
    ],
)
def test_reopening_checklist(trade, items, met, missing, not_applicable):
    verdict = rules.checklist(trade, **items)
    assert (verdict.met, verdict.missing, verdict.not_applicable) == (met, missing, not_applicable)
    assert verdict.reasons[0][0] == ("all_met" if met else f"missing_{missing[0]}")


def test_checklist_refuses_an_unknown_item():
    with pytest.raises(ValueError):
        rules.checklist("grocery", masks=True)


@pytest.mark.parametrize(
    "trade, stay_closed, reason",
    [
        ("hair_beauty", True, "close_contact_named"),
        ("internet_cafe", True, "close_contact_named"),
        ("foot_bath", True, "close_contact_like"),
        ("grocery", False, None),
        ("processing", False, None),
    ],
)
def test_close_contact_trades_are_advised_to_stay_closed(trade, stay_closed, reason):
    advice = rules.reopening_advice(trade)
    assert advice.stay_closed is stay_closed
    assert (advice.reasons[0][0] if advice.reasons else None) == reason


def test_every_trade_has_a_kind():
    from wuyi.venues.models import Trade

    assert set(rules.TRADE_KIND) == set(Trade.values)
