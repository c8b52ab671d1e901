"""The three-person team rule (POLICY.md §1d): a community cadre, a medical worker and a police officer."""

import datetime as dt

import pytest

from wuyi.workforce.models import period_at
from wuyi.workforce.three_person import SEATS, assess

C, M, P = "cadre", "medical", "police"


@pytest.mark.parametrize(
    ("members", "complete", "missing", "reasons"),
    [
        ([(C, True), (M, True), (P, True)], True, (), ()),
        ([(P, True), (C, True), (M, True), ("volunteer", True)], True, (), ()),  # an extra member fills no seat
        ([(C, True), (C, True), (M, True), (P, True)], True, (), ()),
        ([(C, True), (M, True)], False, (P,), ("missing_police",)),
        ([(C, True), (M, True), (P, False)], False, (P,), ("inactive_police",)),
        ([(C, True), (M, True), (P, False), (P, True)], True, (), ()),  # one active officer is enough
        ([("social_worker", True), ("volunteer", True), ("property_staff", True)], False, SEATS,
         ("missing_cadre", "missing_medical", "missing_police")),
        ([], False, SEATS, ("missing_cadre", "missing_medical", "missing_police")),
        (None, False, SEATS, ("no_team", "missing_cadre", "missing_medical", "missing_police")),
    ],
)
def test_a_team_is_complete_with_an_active_cadre_medical_worker_and_police_officer(members, complete, missing,
                                                                                     reasons):
    verdict = assess(members)
    assert (verdict.complete, verdict.missing, verdict.reasons) == (complete, missing, reasons)
    assert verdict.rule == "sz-2020-02-three-person"


@pytest.mark.parametrize(("moment", "period"), [
    (dt.time(7), "morning"), (dt.time(14, 59), "morning"), (dt.time(15), "afternoon"), (dt.time(22, 59), "afternoon"),
    (dt.time(23), "night"), (dt.time(0), "night"), (dt.time(6, 59), "night"),
])
def test_the_three_periods_cover_the_day(moment, period):
    assert period_at(moment) == period
