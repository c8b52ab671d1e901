"""The compliance rule as a table: score = passed / (passed + failed), N/A left out; fully compliant when every
item is answered and none failed; a failed item needs a note."""

import pytest

from wuyi.campaign.compliance import FAILED, NOT_APPLICABLE, PASSED, Item, assess

M = [1, 2, 3, 4]


def items(*results):
    return [Item(m, r, "broken" if r == FAILED else "") for m, r in zip(M, results, strict=False) if r is not None]


@pytest.mark.parametrize("results, passed, failed, na, score, fully", [
    ((PASSED, PASSED, PASSED, PASSED), 4, 0, 0, 1.0, True),
    ((PASSED, PASSED, PASSED, FAILED), 3, 1, 0, 0.75, False),
    ((PASSED, NOT_APPLICABLE, NOT_APPLICABLE, PASSED), 2, 0, 2, 1.0, True),  # N/A is left out of the score
    ((FAILED, NOT_APPLICABLE, PASSED, NOT_APPLICABLE), 1, 1, 2, 0.5, False),
    ((NOT_APPLICABLE,) * 4, 0, 0, 4, 0.0, True),  # nothing judged: score 0, nothing failed
    ((FAILED,) * 4, 0, 4, 0, 0.0, False),
    ((PASSED, PASSED, PASSED, None), 3, 0, 0, 1.0, False),  # one unanswered: not fully compliant
])
def test_score_and_verdict(results, passed, failed, na, score, fully):
    got = assess(M, items(*results))
    assert (got.passed, got.failed, got.not_applicable, got.score, got.fully_compliant) == (
        passed, failed, na, score, fully)
    assert got.valid


def test_a_failed_item_without_a_note_is_a_problem():
    got = assess(M, [Item(1, FAILED, "  "), Item(2, PASSED), Item(3, PASSED), Item(4, PASSED)])
    assert [(p.measure, p.code) for p in got.problems] == [(1, "note_required")]


@pytest.mark.parametrize("bad, code", [
    (Item(9, PASSED), "unknown_measure"),
    (Item(1, "maybe"), "invalid_result"),
])
def test_bad_items_are_problems(bad, code):
    assert [p.code for p in assess(M, [bad]).problems] == [code]


def test_a_measure_answered_twice_is_a_problem():
    got = assess(M, [Item(1, PASSED), Item(1, FAILED, "x")])
    assert [(p.measure, p.code) for p in got.problems] == [(1, "duplicate_measure")]


def test_failed_measures_keep_the_catalogue_order_and_reasons_say_why():
    got = assess(M, [Item(4, FAILED, "a"), Item(2, FAILED, "b"), Item(1, PASSED), Item(3, PASSED)])
    assert got.failed_measures == (2, 4)
    assert "2 item(s) failed" in got.reasons


def test_an_empty_catalogue_is_never_fully_compliant():
    assert not assess([], []).fully_compliant
