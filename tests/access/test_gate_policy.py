"""Gate policy: each policy as tables of who comes to the gate and what the guard is told, then the invariants."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuyi.access.gate_policy import (
    CITY_DEFAULTS,
    EXIT_QUOTA,
    NEXT_STEP_TEXTS,
    RELAXED,
    RULES,
    STRICT,
    VERIFICATION_NEXT_STEPS,
    CodeClaims,
    Decision,
    Direction,
    GateInput,
    HolderKind,
    NextStep,
    NoPolicyInForce,
    ReasonCode,
    WorkerRole,
    decide,
    next_exit_on,
    rules_on,
    with_exit_quota,
)
from wuyi.health.colour_rules import CHINA_STANDARD_TIME, Colour, local_date

COMPOUND = "440304001001001"
OTHER_COMPOUND = "440304001001002"
NOW = datetime(2020, 2, 12, 10, 0, tzinfo=CHINA_STANDARD_TIME)
IN, OUT = Direction.IN, Direction.OUT
RED, YELLOW, GREEN, BLUE = Colour.RED, Colour.YELLOW, Colour.GREEN, Colour.BLUE
STRICT_QUOTA = f"{STRICT}+{EXIT_QUOTA}"
RELAXED_QUOTA = f"{RELAXED}+{EXIT_QUOTA}"
ALL_POLICIES = [STRICT, RELAXED, STRICT_QUOTA, RELAXED_QUOTA]
NORMAL = 36.5

R, N = ReasonCode, NextStep


def at(day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    """A moment in February 2020, China Standard Time."""
    return datetime(2020, 2, day, hour, minute, second, tzinfo=CHINA_STANDARD_TIME)


def claims(
    kind: HolderKind | str = HolderKind.RESIDENT,
    colour: Colour | str = GREEN,
    role: WorkerRole | str | None = None,
    compounds: tuple[str, ...] = (COMPOUND,),
) -> CodeClaims:
    return CodeClaims("pseudonym-1", colour, compounds, "张*", kind, role)


def gate(direction: Direction = IN, code: CodeClaims | None = None, **kwargs) -> GateInput:
    kwargs.setdefault("at", NOW)
    return GateInput(COMPOUND, direction, code=code, **kwargs)


def outcome(decision: Decision) -> tuple[bool, str, str]:
    return decision.allow, decision.reason, decision.next_step


# Every holder a code can name: (label, kind, role, outcome entering under strict, under relaxed), for a
# green or blue code listing this compound and a normal temperature.
ADMITTED = (True, R.ADMITTED, N.LET_IN)
HANDED_OVER = (False, R.SERVICE_WORKER_NOT_ADMITTED, N.HAND_OVER_AT_GATE)
HOLDERS = [
    ("resident", HolderKind.RESIDENT, None, ADMITTED, ADMITTED),
    ("paper pass", HolderKind.PAPER, None, ADMITTED, ADMITTED),
    ("registered visitor", HolderKind.VISITOR, None, ADMITTED, ADMITTED),
    ("cadre", HolderKind.WORKER, WorkerRole.CADRE, ADMITTED, ADMITTED),
    ("social worker", HolderKind.WORKER, WorkerRole.SOCIAL_WORKER, ADMITTED, ADMITTED),
    ("volunteer", HolderKind.WORKER, WorkerRole.VOLUNTEER, ADMITTED, ADMITTED),
    ("medical staff", HolderKind.WORKER, WorkerRole.MEDICAL_STAFF, ADMITTED, ADMITTED),
    ("police", HolderKind.WORKER, WorkerRole.POLICE, ADMITTED, ADMITTED),
    ("property staff", HolderKind.WORKER, WorkerRole.PROPERTY_STAFF, ADMITTED, ADMITTED),
    ("courier", HolderKind.WORKER, WorkerRole.COURIER, HANDED_OVER, ADMITTED),
    ("delivery", HolderKind.WORKER, WorkerRole.DELIVERY, HANDED_OVER, ADMITTED),
    (
        "domestic worker",
        HolderKind.WORKER,
        WorkerRole.DOMESTIC_WORKER,
        (False, R.SERVICE_WORKER_NOT_ADMITTED, N.REGISTER_AS_VISITOR),
        ADMITTED,
    ),
]
HOLDER_IDS = [row[0] for row in HOLDERS]


def test_the_holder_table_covers_every_kind_and_role():
    assert {row[1] for row in HOLDERS} == set(HolderKind)
    assert {row[2] for row in HOLDERS} - {None} == set(WorkerRole)


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize("colour", [GREEN, BLUE])
@pytest.mark.parametrize(("label", "kind", "role", "strict", "relaxed"), HOLDERS, ids=HOLDER_IDS)
def test_entering_with_a_green_or_blue_code(label, kind, role, strict, relaxed, colour, rule_id):
    decision = decide(gate(IN, claims(kind, colour, role), temperature=NORMAL), rule_id)
    assert outcome(decision) == (strict if rule_id.startswith(STRICT) else relaxed)
    assert decision.rule_id == rule_id
    assert not decision.report_to_community


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize("direction", [IN, OUT])
@pytest.mark.parametrize(("label", "kind", "role", "strict", "relaxed"), HOLDERS, ids=HOLDER_IDS)
def test_red_is_refused_both_ways_and_reported(label, kind, role, strict, relaxed, direction, rule_id):
    decision = decide(gate(direction, claims(kind, RED, role), temperature=NORMAL), rule_id)
    assert outcome(decision) == (False, R.RED_CODE, N.REPORT_TO_COMMUNITY)
    assert decision.report_to_community


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize("direction", [IN, OUT])
@pytest.mark.parametrize(("label", "kind", "role", "strict", "relaxed"), HOLDERS, ids=HOLDER_IDS)
def test_yellow_is_refused_both_ways(label, kind, role, strict, relaxed, direction, rule_id):
    decision = decide(gate(direction, claims(kind, YELLOW, role), temperature=NORMAL), rule_id)
    assert outcome(decision) == (False, R.YELLOW_CODE, N.CALL_THE_COMMUNITY)
    assert not decision.report_to_community


def test_a_quarantined_resident_leaving_is_refused_and_reported_without_a_temperature():
    decision = decide(gate(OUT, claims(colour=RED)), STRICT)
    assert outcome(decision) == (False, R.RED_CODE, N.REPORT_TO_COMMUNITY)
    assert decision.report_to_community
    assert "may not leave" in decision.texts[0]


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize("colour", [GREEN, BLUE])
@pytest.mark.parametrize(("label", "kind", "role", "strict", "relaxed"), HOLDERS, ids=HOLDER_IDS)
def test_every_green_or_blue_holder_may_leave_with_a_temperature(
    label, kind, role, strict, relaxed, colour, rule_id
):
    code = claims(kind, colour, role, compounds=())  # leaving does not depend on the compounds a code opens
    decision = decide(gate(OUT, code, temperature=NORMAL), rule_id)
    assert outcome(decision) == (True, R.MAY_LEAVE, N.LET_OUT)


# Leaving without a temperature: strict measures both ways (五个100% #4), relaxed only at the entrance.
LEAVING_UNMEASURED = [
    (STRICT, (False, R.NO_TEMPERATURE, N.TAKE_TEMPERATURE)),
    (STRICT_QUOTA, (False, R.NO_TEMPERATURE, N.TAKE_TEMPERATURE)),
    (RELAXED, (True, R.MAY_LEAVE, N.LET_OUT)),
    (RELAXED_QUOTA, (True, R.MAY_LEAVE, N.LET_OUT)),
]


@pytest.mark.parametrize(("rule_id", "expected"), LEAVING_UNMEASURED)
@pytest.mark.parametrize("code", [claims(), None], ids=["resident", "outsider"])
def test_leaving_without_a_temperature(code, rule_id, expected):
    assert outcome(decide(gate(OUT, code), rule_id)) == expected


# People and vehicles without a code, under every policy.
UNCODED = [
    ("outsider in, measured", dict(direction=IN, temperature=NORMAL), (False, R.OUTSIDER_NOT_ADMITTED, N.REGISTER_AS_VISITOR)),
    ("outsider in, unmeasured", dict(direction=IN), (False, R.OUTSIDER_NOT_ADMITTED, N.REGISTER_AS_VISITOR)),
    ("outsider out, measured", dict(direction=OUT, temperature=NORMAL), (True, R.MAY_LEAVE, N.LET_OUT)),
    ("vehicle in", dict(direction=IN, vehicle=True), (False, R.VEHICLE_NOT_ADMITTED, N.TURN_AWAY)),
    ("vehicle out", dict(direction=OUT, vehicle=True), (True, R.MAY_LEAVE, N.LET_OUT)),
]  # fmt: skip


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize(("label", "kwargs", "expected"), UNCODED, ids=[row[0] for row in UNCODED])
def test_without_a_code(label, kwargs, expected, rule_id):
    decision = decide(gate(**kwargs), rule_id)
    assert outcome(decision) == expected
    assert not decision.report_to_community


# The temperature a guard types for a resident coming in, under every policy.
FEVER = (False, R.FEVER, N.REPORT_TO_COMMUNITY)
TYPO = (False, R.IMPLAUSIBLE_TEMPERATURE, N.CHECK_THERMOMETER)
TEMPERATURES = [
    (None, (False, R.NO_TEMPERATURE, N.TAKE_TEMPERATURE)),
    (33.9, TYPO),
    (34.0, ADMITTED),
    (36.5, ADMITTED),
    (37.2, ADMITTED),
    (37.29, ADMITTED),
    (37.3, FEVER),
    (39.0, FEVER),
    (43.0, FEVER),
    (43.1, TYPO),
    (365.0, TYPO),
    (-36.5, TYPO),
    (float("nan"), TYPO),
    (float("inf"), TYPO),
]


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize(("temperature", "expected"), TEMPERATURES, ids=[str(row[0]) for row in TEMPERATURES])
def test_temperature_coming_in(temperature, expected, rule_id):
    decision = decide(gate(IN, claims(), temperature=temperature), rule_id)
    assert outcome(decision) == expected
    assert decision.report_to_community is (expected is FEVER)


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize(
    ("temperature", "expected"),
    [(37.2, (True, R.MAY_LEAVE, N.LET_OUT)), (37.3, FEVER), (43.0, FEVER), (43.1, TYPO), (33.9, TYPO)],
)
def test_a_temperature_typed_on_the_way_out_is_checked_under_every_policy(temperature, expected, rule_id):
    decision = decide(gate(OUT, claims(), temperature=temperature), rule_id)
    assert outcome(decision) == expected
    assert decision.report_to_community is (expected is FEVER)


def test_the_texts_give_the_reading_and_the_threshold():
    fever = decide(gate(IN, claims(), temperature=38.4), STRICT)
    assert fever.texts == (
        "Fever: 38.4 °C, at or above 37.3 °C.",
        "Do not let them pass: keep them apart, note their name and phone and report to the community at once.",
    )
    typo = decide(gate(IN, claims(), temperature=3.65), STRICT)
    assert "3.65" in typo.texts[0] and "34.0" in typo.texts[0] and "43.0" in typo.texts[0]
    admitted = decide(gate(IN, claims(), temperature=36.6), STRICT)
    assert admitted.texts == ("Resident with a green code, 36.6 °C.", "Let them in.")


# Which check decides when several would: a report is never hidden behind a refusal without one.
PRECEDENCE = [
    ("fever before a verification error", gate(IN, verification_error="expired", temperature=38.0), FEVER),
    ("a typing error before a verification error", gate(IN, verification_error="revoked", temperature=3.7), TYPO),
    ("fever before red", gate(IN, claims(colour=RED), temperature=38.0), FEVER),
    ("fever before an outsider's refusal", gate(IN, temperature=38.0), FEVER),
    ("fever before a courier's refusal", gate(IN, claims(HolderKind.WORKER, role="courier"), temperature=37.5), FEVER),
    ("red before the missing temperature", gate(IN, claims(colour=RED)), (False, R.RED_CODE, N.REPORT_TO_COMMUNITY)),
    ("red before a typing error", gate(OUT, claims(colour=RED), temperature=3.7), (False, R.RED_CODE, N.REPORT_TO_COMMUNITY)),
    ("a typing error before yellow", gate(IN, claims(colour=YELLOW), temperature=3.7), TYPO),
    ("yellow before the compound", gate(IN, claims(colour=YELLOW, compounds=())), (False, R.YELLOW_CODE, N.CALL_THE_COMMUNITY)),
    ("the compound before the missing temperature", gate(IN, claims(compounds=())), (False, R.NOT_FOR_THIS_COMPOUND, N.REGISTER_AS_VISITOR)),
    ("an outsider before the missing temperature", gate(IN), (False, R.OUTSIDER_NOT_ADMITTED, N.REGISTER_AS_VISITOR)),
]  # fmt: skip


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize(("label", "passage", "expected"), PRECEDENCE, ids=[row[0] for row in PRECEDENCE])
def test_which_check_decides(label, passage, expected, rule_id):
    assert outcome(decide(passage, rule_id)) == expected


# Codes that do not open this compound, and visitor codes.
COMPOUND_AND_VISITORS = [
    ("resident of another compound", claims(compounds=(OTHER_COMPOUND,)), {}, (False, R.NOT_FOR_THIS_COMPOUND, N.REGISTER_AS_VISITOR)),
    ("resident of both compounds", claims(compounds=(OTHER_COMPOUND, COMPOUND)), {}, ADMITTED),
    ("paper pass of another compound", claims(HolderKind.PAPER, compounds=(OTHER_COMPOUND,)), {}, (False, R.NOT_FOR_THIS_COMPOUND, N.REGISTER_AS_VISITOR)),
    ("cadre of another compound", claims(HolderKind.WORKER, role="cadre", compounds=(OTHER_COMPOUND,)), {}, (False, R.NOT_FOR_THIS_COMPOUND, N.REGISTER_AS_VISITOR)),
    ("visitor, first entry", claims(HolderKind.VISITOR), {"visitor_entry_used": False}, ADMITTED),
    ("visitor, entry used", claims(HolderKind.VISITOR), {"visitor_entry_used": True}, (False, R.VISITOR_CODE_USED, N.REGISTER_AS_VISITOR)),
    ("visitor to another compound", claims(HolderKind.VISITOR, compounds=(OTHER_COMPOUND,)), {}, (False, R.NOT_FOR_THIS_COMPOUND, N.REGISTER_AS_VISITOR)),
]  # fmt: skip


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize(
    ("label", "code", "kwargs", "expected"),
    COMPOUND_AND_VISITORS,
    ids=[row[0] for row in COMPOUND_AND_VISITORS],
)
def test_compounds_and_visitor_codes_coming_in(label, code, kwargs, expected, rule_id):
    assert outcome(decide(gate(IN, code, temperature=NORMAL, **kwargs), rule_id)) == expected


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
def test_a_used_visitor_code_still_lets_its_holder_leave(rule_id):
    decision = decide(
        gate(OUT, claims(HolderKind.VISITOR), temperature=NORMAL, visitor_entry_used=True), rule_id
    )
    assert outcome(decision) == (True, R.MAY_LEAVE, N.LET_OUT)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("courier", ADMITTED), ("delivery", ADMITTED), ("domestic_worker", ADMITTED), ("property_staff", None)],
)
def test_relaxed_admits_service_workers_whatever_compounds_their_code_lists(role, expected):
    code = claims(HolderKind.WORKER, role=role, compounds=())
    decision = decide(gate(IN, code, temperature=NORMAL), RELAXED)
    assert outcome(decision) == (expected or (False, R.NOT_FOR_THIS_COMPOUND, N.REGISTER_AS_VISITOR))


@pytest.mark.parametrize("rule_id", [RELAXED, RELAXED_QUOTA])
def test_relaxed_still_measures_service_workers_coming_in(rule_id):
    code = claims(HolderKind.WORKER, BLUE, "courier", compounds=())
    assert outcome(decide(gate(IN, code), rule_id)) == (False, R.NO_TEMPERATURE, N.TAKE_TEMPERATURE)
    assert outcome(decide(gate(IN, code, temperature=37.3), rule_id)) == FEVER


# Errors from verifying the code: a denial with that error as its reason, whatever the direction and policy.
VERIFICATION_ERRORS = [
    ("expired", N.ASK_FOR_PAPER_PASS),
    ("not_yet_valid", N.ASK_FOR_PAPER_PASS),
    ("malformed", N.ASK_FOR_PAPER_PASS),
    ("unknown_prefix", N.ASK_FOR_PAPER_PASS),
    ("revoked", N.CALL_THE_COMMUNITY),
    ("bad_signature", N.CALL_THE_COMMUNITY),
    ("unknown_key", N.CALL_THE_COMMUNITY),
    ("not_for_this_compound", N.REGISTER_AS_VISITOR),
    ("invalid", N.CALL_THE_COMMUNITY),
    ("something_new", N.CALL_THE_COMMUNITY),
]


def test_the_error_table_covers_every_known_error():
    assert {error for error, _ in VERIFICATION_ERRORS} - {"invalid", "something_new"} == set(
        VERIFICATION_NEXT_STEPS
    )


@pytest.mark.parametrize("rule_id", ALL_POLICIES)
@pytest.mark.parametrize("direction", [IN, OUT])
@pytest.mark.parametrize("temperature", [None, NORMAL])
@pytest.mark.parametrize(("error", "next_step"), VERIFICATION_ERRORS)
def test_a_verification_error_is_a_denial(error, next_step, temperature, direction, rule_id):
    decision = decide(gate(direction, verification_error=error, temperature=temperature), rule_id)
    assert outcome(decision) == (False, error, next_step)
    assert not decision.report_to_community
    assert decision.texts[0] and decision.texts[1] == NEXT_STEP_TEXTS[next_step]


def test_an_unknown_verification_error_is_named_in_the_text():
    decision = decide(gate(IN, verification_error="something_new", temperature=NORMAL), STRICT)
    assert "something_new" in decision.texts[0]


# The exit quota: one exit per household every 2 calendar days (local dates), from 00:00 on D+2.
QUOTA = [
    ("no exit on record", None, at(12), True),
    ("earlier the same day", at(12, 7), at(12, 10), False),
    ("yesterday", at(11, 10), at(12, 10), False),
    ("two days ago", at(10, 10), at(12, 10), True),
    ("day D 23:59, day D+1 23:59", at(10, 23, 59), at(11, 23, 59, 59), False),
    ("day D 23:59, day D+2 00:00 (24 h 1 min later)", at(10, 23, 59), at(12, 0, 0), True),
    ("day D 00:00, day D+1 23:59:59 (just under 48 h)", at(10, 0, 0), at(11, 23, 59, 59), False),
    ("day D 00:00, day D+2 00:00 (exactly 48 h)", at(10, 0, 0), at(12, 0, 0), True),
    ("day D 10:00, day D+2 09:00 (47 h later)", at(10, 10), at(12, 9), True),
    # 2020-02-10 16:30 UTC is 2020-02-11 00:30 in Shenzhen: the local date counts.
    ("exit given in UTC, local day D+1", datetime(2020, 2, 10, 16, 30, tzinfo=UTC), at(12, 23), False),
    ("exit given in UTC, local day D+2", datetime(2020, 2, 10, 16, 30, tzinfo=UTC), at(13, 0), True),
    ("moment given in UTC", at(10, 10), datetime(2020, 2, 11, 15, 59, tzinfo=UTC), False),
    ("moment given in UTC, local day D+2", at(10, 10), datetime(2020, 2, 11, 16, 0, tzinfo=UTC), True),
]


@pytest.mark.parametrize("rule_id", [STRICT_QUOTA, RELAXED_QUOTA])
@pytest.mark.parametrize(("label", "last_exit", "moment", "allowed"), QUOTA, ids=[row[0] for row in QUOTA])
@pytest.mark.parametrize("kind", [HolderKind.RESIDENT, HolderKind.PAPER])
def test_the_exit_quota(kind, label, last_exit, moment, allowed, rule_id):
    passage = gate(OUT, claims(kind), temperature=NORMAL, at=moment, household_last_exit=last_exit)
    decision = decide(passage, rule_id)
    if allowed:
        assert outcome(decision) == (True, R.MAY_LEAVE, N.LET_OUT)
    else:
        assert outcome(decision) == (False, R.EXIT_QUOTA_USED, N.COME_BACK_LATER)
        assert str(next_exit_on(last_exit)) in decision.texts[1]
        assert str(local_date(last_exit)) in decision.texts[0]
    assert decision.rule_id == rule_id
    base = RULES[rule_id.removesuffix(f"+{EXIT_QUOTA}")]
    assert base.decide(passage).allow  # the base alone never counts exits


def test_the_next_exit_is_two_local_dates_on():
    assert next_exit_on(at(10, 23, 59)) == date(2020, 2, 12)
    assert next_exit_on(datetime(2020, 2, 10, 16, 0, tzinfo=UTC)) == date(2020, 2, 13)


@pytest.mark.parametrize("rule_id", [STRICT_QUOTA, RELAXED_QUOTA])
@pytest.mark.parametrize(
    "code",
    [
        claims(HolderKind.VISITOR),
        claims(HolderKind.WORKER, role="cadre"),
        claims(HolderKind.WORKER, role="courier"),
        None,
    ],
    ids=["visitor", "cadre", "courier", "outsider"],
)
def test_the_exit_quota_counts_only_households(code, rule_id):
    passage = gate(OUT, code, temperature=NORMAL, household_last_exit=at(12, 7))
    assert outcome(decide(passage, rule_id)) == (True, R.MAY_LEAVE, N.LET_OUT)


@pytest.mark.parametrize("rule_id", [STRICT_QUOTA, RELAXED_QUOTA])
def test_the_exit_quota_never_keeps_a_household_out(rule_id):
    passage = gate(IN, claims(), temperature=NORMAL, household_last_exit=at(12, 7))
    assert outcome(decide(passage, rule_id)) == ADMITTED


@pytest.mark.parametrize(
    ("rule_id", "passage", "expected"),
    [
        (STRICT_QUOTA, gate(OUT, claims(), household_last_exit=at(12, 7)), (False, R.NO_TEMPERATURE, N.TAKE_TEMPERATURE)),
        (RELAXED_QUOTA, gate(OUT, claims(), household_last_exit=at(12, 7)), (False, R.EXIT_QUOTA_USED, N.COME_BACK_LATER)),
        (STRICT_QUOTA, gate(OUT, claims(colour=RED), temperature=NORMAL, household_last_exit=at(12, 7)), (False, R.RED_CODE, N.REPORT_TO_COMMUNITY)),
        (RELAXED_QUOTA, gate(OUT, claims(), temperature=37.5, household_last_exit=at(12, 7)), FEVER),
    ],
    ids=["strict measures first", "relaxed needs no temperature out", "red stays red", "fever stays fever"],
)  # fmt: skip
def test_the_exit_quota_applies_only_to_what_its_base_allows(rule_id, passage, expected):
    decision = decide(passage, rule_id)
    assert outcome(decision) == expected
    assert decision.rule_id == rule_id


# Versions: ids, dates, the city default on a date.
def test_the_policies_on_record():
    assert set(RULES) == {STRICT, RELAXED, STRICT_QUOTA, RELAXED_QUOTA}
    assert RULES[STRICT].effective_from == date(2020, 2, 9)
    assert RULES[RELAXED].effective_from == date(2020, 3, 29)
    for rule_id, policy in RULES.items():
        assert policy.id == rule_id and policy.title
    assert RULES[STRICT_QUOTA].effective_from == RULES[STRICT].effective_from
    assert RULES[RELAXED_QUOTA].effective_from == RULES[RELAXED].effective_from
    assert with_exit_quota(RULES[STRICT]).id == STRICT_QUOTA
    assert set(CITY_DEFAULTS) == {STRICT, RELAXED}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 2, 9), STRICT),
        (date(2020, 3, 28), STRICT),
        (date(2020, 3, 29), RELAXED),
        (date(2022, 6, 1), RELAXED),
    ],
)
def test_rules_on(day, expected):
    assert rules_on(day).id == expected


def test_no_policy_before_the_pass_guideline():
    with pytest.raises(NoPolicyInForce):
        rules_on(date(2020, 2, 8))
    with pytest.raises(NoPolicyInForce):
        decide(gate(IN, claims(), temperature=NORMAL, at=at(8)))


def test_the_default_policy_follows_the_local_date():
    courier = claims(HolderKind.WORKER, role="courier")
    # 2020-03-28 16:30 UTC is 00:30 on 2020-03-29 in Shenzhen: relaxed is in force.
    late = gate(IN, courier, temperature=NORMAL, at=datetime(2020, 3, 28, 16, 30, tzinfo=UTC))
    early = replace(late, at=datetime(2020, 3, 28, 15, 30, tzinfo=UTC))
    assert decide(late).rule_id == RELAXED and decide(late).allow
    assert decide(early).rule_id == STRICT and not decide(early).allow


def test_naming_a_policy_applies_it_to_any_date():
    courier = claims(HolderKind.WORKER, role="courier")
    assert decide(gate(IN, courier, temperature=NORMAL, at=at(12)), RELAXED).allow


def test_an_unknown_policy_is_a_key_error():
    with pytest.raises(KeyError):
        decide(gate(IN, claims(), temperature=NORMAL), "lenient-2019")


def test_every_next_step_has_a_text():
    assert set(NEXT_STEP_TEXTS) == set(NextStep)
    assert all(NEXT_STEP_TEXTS.values())


# Inputs that cannot describe a passage.
INVALID = [
    ("claims and an error", lambda: gate(IN, claims(), verification_error="expired")),
    ("an empty error", lambda: gate(IN, verification_error="")),
    ("a vehicle with a code", lambda: gate(IN, claims(), vehicle=True)),
    ("a vehicle with a temperature", lambda: gate(IN, vehicle=True, temperature=NORMAL)),
    ("a vehicle with an error", lambda: gate(IN, vehicle=True, verification_error="expired")),
    ("a naive moment", lambda: gate(IN, at=datetime(2020, 2, 12, 10))),
    ("a naive last exit", lambda: gate(OUT, household_last_exit=datetime(2020, 2, 12, 9))),
    ("a last exit after the moment", lambda: gate(OUT, household_last_exit=NOW + timedelta(seconds=1))),
    ("an unknown direction", lambda: gate("sideways")),
    ("a worker without a role", lambda: claims(HolderKind.WORKER)),
    ("a resident with a role", lambda: claims(HolderKind.RESIDENT, role="cadre")),
    ("an unknown colour", lambda: claims(colour="purple")),
    ("an unknown kind", lambda: claims("tourist")),
    ("an unknown role", lambda: claims(HolderKind.WORKER, role="plumber")),
]


@pytest.mark.parametrize(("label", "build"), INVALID, ids=[row[0] for row in INVALID])
def test_invalid_inputs_are_refused(label, build):
    with pytest.raises(ValueError):
        build()


def test_plain_strings_become_the_enums():
    code = CodeClaims("p", "blue", [COMPOUND], "李*", "worker", "delivery")
    assert code.colour is BLUE and code.kind is HolderKind.WORKER and code.role is WorkerRole.DELIVERY
    assert code.compounds == (COMPOUND,)
    assert GateInput(COMPOUND, "out", NOW).direction is OUT


def test_the_module_imports_nothing_from_django():
    import ast

    import wuyi.access.gate_policy as module

    with open(module.__file__, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported and not any(name.split(".")[0] == "django" for name in imported)


# Invariants over every passage a gate can see.
kinds_and_roles = st.sampled_from(
    [(kind, None) for kind in HolderKind if kind is not HolderKind.WORKER]
    + [(HolderKind.WORKER, role) for role in WorkerRole]
)


@st.composite
def codes(draw) -> CodeClaims:
    kind, role = draw(kinds_and_roles)
    compounds = tuple(draw(st.lists(st.sampled_from([COMPOUND, OTHER_COMPOUND]), unique=True)))
    return CodeClaims("p", draw(st.sampled_from(list(Colour))), compounds, "王*", kind, role)


temperatures = st.none() | st.sampled_from([33.9, 34.0, 36.5, 37.2, 37.3, 43.0, 43.1]) | st.floats(30, 46)
moments = st.datetimes(min_value=datetime(2020, 2, 9), max_value=datetime(2020, 5, 31)).flatmap(
    lambda moment: st.sampled_from(
        [moment.replace(tzinfo=CHINA_STANDARD_TIME), moment.replace(tzinfo=UTC) + timedelta(days=1)]
    )
)


@st.composite
def passages(draw) -> GateInput:
    moment = draw(moments)
    direction = draw(st.sampled_from(list(Direction)))
    last_exit = draw(
        st.none() | st.integers(0, 5 * 24 * 60).map(lambda minutes: moment - timedelta(minutes=minutes))
    )
    who = draw(st.sampled_from(["code", "code", "code", "error", "outsider", "vehicle"]))
    if who == "vehicle":
        return GateInput(COMPOUND, direction, moment, vehicle=True, household_last_exit=last_exit)
    code = draw(codes()) if who == "code" else None
    error = draw(st.sampled_from([*VERIFICATION_NEXT_STEPS, "other"])) if who == "error" else None
    return GateInput(
        COMPOUND,
        direction,
        moment,
        code=code,
        verification_error=error,
        temperature=draw(temperatures),
        visitor_entry_used=draw(st.booleans()),
        household_last_exit=last_exit,
    )


policies = st.sampled_from(ALL_POLICIES)


@settings(max_examples=600, deadline=None)
@given(passages(), policies)
def test_every_decision_is_complete(passage, rule_id):
    decision = decide(passage, rule_id)
    assert decision.rule_id == rule_id
    assert decision.texts[0] and decision.texts[1]
    assert decision.next_step in NextStep
    if decision.allow:
        assert decision.next_step is (N.LET_IN if passage.direction is IN else N.LET_OUT)
        assert not decision.report_to_community
    else:
        assert decision.next_step not in (N.LET_IN, N.LET_OUT)


@settings(max_examples=600, deadline=None)
@given(passages(), policies)
def test_a_red_code_never_passes(passage, rule_id):
    decision = decide(passage, rule_id)
    if passage.code is not None and passage.code.colour is RED:
        assert not decision.allow and decision.report_to_community
    if passage.code is not None and passage.code.colour is YELLOW:
        assert not decision.allow


@settings(max_examples=600, deadline=None)
@given(passages(), policies)
def test_a_fever_never_passes_and_is_always_reported(passage, rule_id):
    decision = decide(passage, rule_id)
    t = passage.temperature
    if t is not None and 37.3 <= t <= 43.0:
        assert not decision.allow and decision.report_to_community and decision.reason == R.FEVER
    red = passage.code is not None and passage.code.colour is RED
    if t is not None and not 34.0 <= t <= 43.0 and not red:
        assert outcome(decision) == TYPO


@settings(max_examples=600, deadline=None)
@given(passages(), policies)
def test_whoever_comes_in_has_a_good_code_and_a_normal_temperature(passage, rule_id):
    decision = decide(passage, rule_id)
    if decision.allow and passage.direction is IN:
        assert passage.code is not None and passage.verification_error is None and not passage.vehicle
        assert passage.code.colour in (GREEN, BLUE)
        assert passage.temperature is not None and 34.0 <= passage.temperature < 37.3
        if passage.code.role is None or not passage.code.role.serves_households:
            assert COMPOUND in passage.code.compounds
        if passage.code.kind is HolderKind.VISITOR:
            assert not passage.visitor_entry_used


@settings(max_examples=600, deadline=None)
@given(passages(), policies)
def test_a_failed_verification_never_passes(passage, rule_id):
    decision = decide(passage, rule_id)
    if passage.verification_error is not None:
        assert not decision.allow
        if decision.reason not in (R.FEVER, R.IMPLAUSIBLE_TEMPERATURE):
            assert decision.reason == passage.verification_error


@settings(max_examples=600, deadline=None)
@given(passages())
def test_relaxing_never_turns_an_allowed_passage_into_a_denied_one(passage):
    for strict, relaxed in ((STRICT, RELAXED), (STRICT_QUOTA, RELAXED_QUOTA)):
        if decide(passage, strict).allow:
            assert decide(passage, relaxed).allow


@settings(max_examples=600, deadline=None)
@given(passages(), st.sampled_from([STRICT, RELAXED]))
def test_the_exit_quota_only_ever_adds_denials_of_household_exits(passage, base_id):
    base = decide(passage, base_id)
    layered = decide(passage, f"{base_id}+{EXIT_QUOTA}")
    if layered.reason == R.EXIT_QUOTA_USED:
        assert base.allow and passage.direction is OUT
        assert passage.code is not None and passage.code.kind in (HolderKind.RESIDENT, HolderKind.PAPER)
        assert (local_date(passage.at) - local_date(passage.household_last_exit)).days < 2
    else:
        assert replace(layered, rule_id=base_id) == base
    if layered.allow and passage.direction is OUT and passage.code is not None:
        if passage.code.kind in (HolderKind.RESIDENT, HolderKind.PAPER) and passage.household_last_exit:
            assert (local_date(passage.at) - local_date(passage.household_last_exit)).days >= 2


@settings(max_examples=300, deadline=None)
@given(passages(), policies)
def test_a_vehicle_never_comes_in(passage, rule_id):
    if passage.vehicle and passage.direction is IN:
        assert outcome(decide(passage, rule_id)) == (False, R.VEHICLE_NOT_ADMITTED, N.TURN_AWAY)
