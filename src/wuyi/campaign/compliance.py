"""Compliance of one inspection: how many items passed, failed or did not apply, the score and the verdict.

The rule (the campaign's own, not a published Shenzhen formula: no scoring rule of the 19 measures was found,
POLICY.md §1 and §5): score = passed / (passed + failed), items not applicable left out; the compound is fully
compliant when every measure of the catalogue is answered and none failed. A failed item must say why (a note),
so the rectification it opens says what to put right.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PASSED = "passed"
FAILED = "failed"
NOT_APPLICABLE = "not_applicable"
RESULTS = (PASSED, FAILED, NOT_APPLICABLE)


@dataclass(frozen=True)
class Item:
    """One measure's answer: the measure's id, the result ("" when not answered) and the inspector's note."""

    measure: int
    result: str = ""
    note: str = ""


@dataclass(frozen=True)
class Problem:
    """Why an inspection cannot be recorded as given: which measure, and a code with a plain message."""

    measure: int
    code: str
    message: str


@dataclass(frozen=True)
class Compliance:
    passed: int
    failed: int
    not_applicable: int
    unanswered: int
    score: float  # 0..1; 0.0 when nothing was passed or failed
    fully_compliant: bool
    failed_measures: tuple[int, ...]
    reasons: tuple[str, ...]
    problems: tuple[Problem, ...]  # empty when the inspection may be recorded

    @property
    def valid(self) -> bool:
        return not self.problems


def assess(measures: Sequence[int], items: Iterable[Item]) -> Compliance:
    """Assess the answers ``items`` against the catalogue's ``measures`` (ids, in order)."""
    known = set(measures)
    problems: list[Problem] = []
    answers: dict[int, Item] = {}
    for item in items:
        if item.measure not in known:
            problems.append(Problem(item.measure, "unknown_measure", "this measure is not in the catalogue"))
            continue
        if item.measure in answers:
            problems.append(Problem(item.measure, "duplicate_measure", "this measure is answered twice"))
            continue
        if item.result and item.result not in RESULTS:
            problems.append(Problem(item.measure, "invalid_result", "a result is passed, failed or not applicable"))
            continue
        if item.result == FAILED and not item.note.strip():
            problems.append(Problem(item.measure, "note_required", "a failed item needs a note saying what is wrong"))
        answers[item.measure] = item
    counts = {r: 0 for r in RESULTS}
    failed_measures = []
    for measure in measures:
        result = answers[measure].result if measure in answers else ""
        if result:
            counts[result] += 1
            if result == FAILED:
                failed_measures.append(measure)
    unanswered = len(measures) - sum(counts.values())
    judged = counts[PASSED] + counts[FAILED]
    score = counts[PASSED] / judged if judged else 0.0
    reasons = []
    if not measures:
        reasons.append("the catalogue has no measures")
    if unanswered:
        reasons.append(f"{unanswered} item(s) not answered")
    if counts[FAILED]:
        reasons.append(f"{counts[FAILED]} item(s) failed")
    fully = bool(measures) and not unanswered and not counts[FAILED]
    if fully:
        reasons.append("every item answered and none failed")
    return Compliance(
        passed=counts[PASSED], failed=counts[FAILED], not_applicable=counts[NOT_APPLICABLE], unanswered=unanswered,
        score=score, fully_compliant=fully, failed_measures=tuple(failed_measures), reasons=tuple(reasons),
        problems=tuple(problems),
    )
