"""Gate policy: whether a person (or a vehicle) may pass a compound's gate, why, and what the guard does next.

A gate sees the verified claims of a code (:class:`CodeClaims`), or no code at all (an outsider, a vehicle), or
the error code of a failed verification, plus the direction, the temperature the guard typed, the moment and
the compound; for the exit quota also the household's last exit. :func:`decide` applies a policy from
:data:`RULES` and returns a :class:`Decision`: allow or deny, a stable reason code, a stable next-step code, the
two in plain English, whether the guard must report to the community, and the policy's id.

The module stays independent of the codec: a verification error arrives as its plain code (``"expired"``,
``"revoked"``…); every such error is a denial with that code as its reason, and its next step is looked up in
:data:`VERIFICATION_NEXT_STEPS` (an error code not listed there: "call the community").

Policies and how they compose
-----------------------------
Two base policies, ``strict-2020-02`` and ``relaxed-2020-03-29``, each decide everything. The exit quota is not
a policy of its own but a layer on top of a base: :func:`with_exit_quota` wraps a base and denies an exit that
base allows when the household already went out within the quota. :data:`RULES` holds the two bases and the
two layered policies, ``strict-2020-02+exit-quota`` and ``relaxed-2020-03-29+exit-quota``, so a compound's
choice on a date is one id, and a decision names the whole policy that made it. A layered policy takes the
effective date of its base. :func:`rules_on` gives the city-wide default on a date (a base: strict from
2020-02-09, relaxed from 2020-03-29); a compound may be given any id from :data:`RULES`, and naming an id applies
it to any date.

The order of the checks (the first that fails decides): a vehicle; a fever; a red code (both directions); a
typed temperature outside 34.0–43.0 °C ("check the thermometer"); a verification error; a yellow code (both
directions); who may come in (entering only); a missing temperature where one is required; then allow. The two
findings the guard must report, a fever and a red code, come before every refusal that carries no report, so a
report is never hidden behind another refusal.

What is confirmed (POLICY.md)
-----------------------------
- Outside people and vehicles may not enter a compound; in special cases, with a resident's consent, entry is
  registered and filed (十个一律 #4, §1b, CONFIRMED verbatim: "外来人员和车辆一律不得进入小区，特殊情况经住户同意
  进入的要做好登记备案"; again in the 2020-02-09 pass guideline, §1d, CONFIRMED). A registered visitor is that
  filed special case; the visitor code is how wuyi records it.
- Everyone living in a compound shows a pass to enter (2020-02-09 guideline, §1d, CONFIRMED); people without
  smartphones get a paper permit from the property office or the community work station (§1d, CONFIRMED).
- Temperature measured on entering and on leaving under strict management ("100% of residents have their body
  temperature measured when entering and leaving", 五个100% #4, §1a, CONFIRMED in the official English);
  one-way checks at entrances only after the 2020-03-29 notice (§1d, CONFIRMED).
- A fever patient found is reported to the community at once with ID and phone, and sent to hospital (十个一律
  #3, §1b, CONFIRMED verbatim): a fever is denied and ``report_to_community`` is set.
- After the 2020-03-29 notice, "outsiders, takeaway, courier, delivery and housekeeping staff may pass after 亮码
  (showing the health code) and a temperature check" (§1d, CONFIRMED); domestic helpers could return after
  registering in advance from 2020-03-23 (§1d, CONFIRMED).
- Red means a case, a suspected case, a contact or quarantine (§3a, §3b, CONFIRMED); red and yellow card holders
  may not go out in 龙华区大浪街道 (§1d, CONFIRMED for that street only).
- One exit every second day: 大浪街道's blue card, "may go in and out once every second day" (§1d, CONFIRMED for
  that street, per card holder, 2020); "one person per household may go out once every 2 days" under 2022
  street-wide temporary control (§9, CONFIRMED for 2022).

What is not confirmed (as specified by issue 4, or chosen here; source not confirmed)
-------------------------------------------------------------------------------------
- The fever threshold of 37.3 °C is UNCONFIRMED: it is issue 4's; POLICY.md confirms measuring and reporting
  fever but no source there gives the number.
- The plausible range 34.0–43.0 °C (both ends included) is a data-entry check chosen here, not policy.
- That red and yellow codes are refused in both directions everywhere: issue 4 says "red or yellow refused"; the
  sources confirm it only for 大浪街道 and say red is quarantine or a case. A red code at the gate, either way,
  is reported to the community (the brief names the report for a red code leaving; coming in, it is chosen
  here); a yellow code's holder is sent to the community without a report (chosen here).
- Workers in prevention roles (cadres, social workers, volunteers, medical staff, police, property staff) with a
  code that lists the compound are admitted under both policies. Issue 4's strict policy names only residents
  and registered visitors; the three-person team exists (§1d, CONFIRMED), but no source says how it passed the
  gate.
- Under ``strict-2020-02`` couriers and delivery workers hand over at the gate and domestic workers must
  register as visitors (contactless hand-over at the gate is CONFIRMED only for 2022, §9). Under
  ``relaxed-2020-03-29`` the service roles are admitted at any compound on a green or blue code and a normal
  temperature, whatever compounds their code lists.
- Outsiders without a wuyi code stay refused under ``relaxed-2020-03-29``, although the 2020-03-29 notice lets
  outsiders pass after showing a health code: issue 4 relaxes only couriers, delivery and domestic workers, and
  an outsider has no wuyi code to show. Vehicles stay refused (the notice says nothing of them).
- A temperature typed on a way out is checked under every policy, although relaxed does not require one there:
  a fever found is reported whichever way the person goes.
- The exit quota: one exit per household (issue 4's unit; 大浪 counted per card holder) every 2 *calendar*
  days, local dates in China Standard Time: a household that went out on day D may go out again from 00:00 on
  D+2, however late on D it left ("once every second day", as the sources word it, and what a guard can check
  from a date). It counts residents' and paper passes' exits only (workers and visitors do not live there),
  applies only to what the base allows, and never restricts coming in.
- Effective dates: ``strict-2020-02`` from 2020-02-09, the pass guideline (the 2020-02-07 measures behind it
  closed the gates to outsiders; the pass made a code the way in); ``relaxed-2020-03-29`` from 2020-03-29, the
  notice. A layered exit quota has no date of its own.
- The verification error codes in :data:`VERIFICATION_NEXT_STEPS` are the ``code`` of the codec's errors
  (``access/codec.py``); an error code not listed there (such as the codec's generic ``invalid``) is still a
  denial with that reason, and the guard calls the community. What the guard does about each error is chosen
  here: an unreadable, expired or foreign code, ask for a fresh code or a paper pass; a revoked, forged or
  untrusted one, call the community; a code for another compound, register as a visitor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from wuyi.health.colour_rules import Colour, local_date

# Fever: 37.3 °C or more (issue 4; UNCONFIRMED, no source in POLICY.md gives the number).
FEVER_FROM_CELSIUS = 37.3
# A typed reading outside this range is not a body temperature but a typing or thermometer error.
PLAUSIBLE_MIN_CELSIUS = 34.0
PLAUSIBLE_MAX_CELSIUS = 43.0
# One exit per household every 2 calendar days (大浪街道 2020, §1d; 2022 street control, §9).
EXIT_EVERY_DAYS = 2

STRICT = "strict-2020-02"
RELAXED = "relaxed-2020-03-29"
EXIT_QUOTA = "exit-quota"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class HolderKind(StrEnum):
    """The ``kind`` claim of a code."""

    RESIDENT = "resident"
    WORKER = "worker"
    VISITOR = "visitor"
    PAPER = "paper"  # a paper pass, for residents without a smartphone


class WorkerRole(StrEnum):
    """The role on a worker's code."""

    CADRE = "cadre"  # 社区干部
    SOCIAL_WORKER = "social_worker"  # 社工
    VOLUNTEER = "volunteer"  # 志愿者
    MEDICAL_STAFF = "medical_staff"  # 医务人员
    POLICE = "police"  # 民警
    PROPERTY_STAFF = "property_staff"  # 物业
    COURIER = "courier"  # 快递
    DELIVERY = "delivery"  # 外卖, 送货
    DOMESTIC_WORKER = "domestic_worker"  # 家政

    @property
    def serves_households(self) -> bool:
        """A service role (courier, delivery, domestic worker), as against a prevention role."""
        return self in SERVICE_ROLES


SERVICE_ROLES = frozenset({WorkerRole.COURIER, WorkerRole.DELIVERY, WorkerRole.DOMESTIC_WORKER})
HOUSEHOLD_KINDS = frozenset({HolderKind.RESIDENT, HolderKind.PAPER})


class ReasonCode(StrEnum):
    """The policy's own reasons. A failed verification's reason is the verifier's error code instead."""

    ADMITTED = "admitted"
    MAY_LEAVE = "may_leave"
    VEHICLE_NOT_ADMITTED = "vehicle_not_admitted"
    IMPLAUSIBLE_TEMPERATURE = "implausible_temperature"
    FEVER = "fever"
    RED_CODE = "red_code"
    YELLOW_CODE = "yellow_code"
    OUTSIDER_NOT_ADMITTED = "outsider_not_admitted"
    SERVICE_WORKER_NOT_ADMITTED = "service_worker_not_admitted"
    NOT_FOR_THIS_COMPOUND = "not_for_this_compound"
    VISITOR_CODE_USED = "visitor_code_used"
    NO_TEMPERATURE = "no_temperature"
    EXIT_QUOTA_USED = "exit_quota_used"


class NextStep(StrEnum):
    """What the guard does next."""

    LET_IN = "let_in"
    LET_OUT = "let_out"
    TAKE_TEMPERATURE = "take_temperature"
    CHECK_THERMOMETER = "check_thermometer"
    REPORT_TO_COMMUNITY = "report_to_community"
    CALL_THE_COMMUNITY = "call_the_community"
    ASK_FOR_PAPER_PASS = "ask_for_paper_pass"
    REGISTER_AS_VISITOR = "register_as_visitor"
    HAND_OVER_AT_GATE = "hand_over_at_gate"
    TURN_AWAY = "turn_away"
    COME_BACK_LATER = "come_back_later"


NEXT_STEP_TEXTS: dict[NextStep, str] = {
    NextStep.LET_IN: "Let them in.",
    NextStep.LET_OUT: "Let them out.",
    NextStep.TAKE_TEMPERATURE: "Take the temperature, type it and decide again.",
    NextStep.CHECK_THERMOMETER: "Check the thermometer, measure again and type the reading.",
    NextStep.REPORT_TO_COMMUNITY: (
        "Do not let them pass: keep them apart, note their name and phone and report to the community at once."
    ),
    NextStep.CALL_THE_COMMUNITY: "Do not let them pass; call the community work station, which decides.",
    NextStep.ASK_FOR_PAPER_PASS: (
        "Ask for a fresh code, or a paper pass from the property office or the community work station."
    ),
    NextStep.REGISTER_AS_VISITOR: (
        "Register them as a visitor if a resident they visit agrees; otherwise they may not come in."
    ),
    NextStep.HAND_OVER_AT_GATE: "Take the parcel or meal at the gate for the resident; the worker stays outside.",
    NextStep.TURN_AWAY: "Turn the vehicle away.",
    NextStep.COME_BACK_LATER: "The household may go out again later.",
}

# The verifier's error codes and what the guard does about each; any other code: call the community.
VERIFICATION_NEXT_STEPS: dict[str, NextStep] = {
    "expired": NextStep.ASK_FOR_PAPER_PASS,
    "not_yet_valid": NextStep.ASK_FOR_PAPER_PASS,
    "malformed": NextStep.ASK_FOR_PAPER_PASS,
    "unknown_prefix": NextStep.ASK_FOR_PAPER_PASS,
    "revoked": NextStep.CALL_THE_COMMUNITY,
    "bad_signature": NextStep.CALL_THE_COMMUNITY,
    "unknown_key": NextStep.CALL_THE_COMMUNITY,
    "not_for_this_compound": NextStep.REGISTER_AS_VISITOR,
}
VERIFICATION_TEXTS: dict[str, str] = {
    "expired": "The code has expired.",
    "not_yet_valid": "The code is not valid yet.",
    "malformed": "The code cannot be read.",
    "unknown_prefix": "This is not a wuyi code.",
    "revoked": "The code has been revoked.",
    "bad_signature": "The code's signature is not valid: it may be forged.",
    "unknown_key": "The code was signed by a key this gate does not trust.",
    "not_for_this_compound": "The code does not open this compound.",
}

_HOLDER_LABELS = {
    HolderKind.RESIDENT: "Resident",
    HolderKind.PAPER: "Resident with a paper pass",
    HolderKind.VISITOR: "Registered visitor",
}


def plausible(temperature: float) -> bool:
    """Whether a typed reading can be a body temperature (34.0–43.0 °C, both included)."""
    return PLAUSIBLE_MIN_CELSIUS <= temperature <= PLAUSIBLE_MAX_CELSIUS


def is_fever(temperature: float) -> bool:
    """Whether a plausible reading is a fever (37.3 °C or more)."""
    return temperature >= FEVER_FROM_CELSIUS


@dataclass(frozen=True)
class CodeClaims:
    """The verified claims of a code: pseudonym, colour, compounds it opens, masked name, kind, worker role.

    Plain strings are accepted for the enums; a worker's code needs a role, and no other code has one.
    """

    sub: str
    colour: Colour
    compounds: tuple[str, ...]
    masked_name: str
    kind: HolderKind
    role: WorkerRole | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "colour", Colour(self.colour))
        object.__setattr__(self, "kind", HolderKind(self.kind))
        object.__setattr__(self, "compounds", tuple(self.compounds))
        if self.role is not None:
            object.__setattr__(self, "role", WorkerRole(self.role))
        if (self.kind is HolderKind.WORKER) != (self.role is not None):
            raise ValueError("a worker's code needs a role, and only a worker's code has one")

    @property
    def label(self) -> str:
        if self.role is not None:
            return f"Worker ({self.role.value.replace('_', ' ')})"
        return _HOLDER_LABELS[self.kind]


@dataclass(frozen=True)
class GateInput:
    """One passage as the gate sees it.

    ``code`` holds verified claims; ``verification_error`` the error code of a failed verification instead;
    neither means a person without a code (an outsider). ``vehicle`` is an outside vehicle: no code, no
    temperature. ``temperature`` is what the guard typed, None when not taken. ``visitor_entry_used`` says
    whether a visitor code's one entry was already used; ``household_last_exit`` is the household's last exit
    (for the exit quota), None when there is none on record. Moments must be timezone-aware.
    """

    compound: str
    direction: Direction
    at: datetime
    code: CodeClaims | None = None
    verification_error: str | None = None
    vehicle: bool = False
    temperature: float | None = None
    visitor_entry_used: bool = False
    household_last_exit: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", Direction(self.direction))
        local_date(self.at)
        if self.code is not None and self.verification_error is not None:
            raise ValueError("a failed verification has no verified claims")
        if self.verification_error is not None and not self.verification_error:
            raise ValueError("a verification error needs its code")
        if self.vehicle and (
            self.code is not None or self.verification_error is not None or self.temperature is not None
        ):
            raise ValueError("a vehicle has no code and no temperature; the people in it pass on their own")
        if self.household_last_exit is not None:
            local_date(self.household_last_exit)
            if self.household_last_exit > self.at:
                raise ValueError("the household's last exit is after the moment decided")


@dataclass(frozen=True)
class Decision:
    """Allow or deny, why (a stable code), what the guard does next (a stable code), both in plain English,
    whether the guard must report to the community, and the id of the policy that decided."""

    allow: bool
    reason: str
    next_step: NextStep
    texts: tuple[str, str]
    report_to_community: bool
    rule_id: str


@dataclass(frozen=True)
class GatePolicy:
    """A versioned gate policy: its id, the day it came into force, its title and its logic."""

    id: str
    effective_from: date
    title: str
    decide: Callable[[GateInput], Decision] = field(repr=False)


def _decision(
    rule_id: str,
    allow: bool,
    reason: str,
    next_step: NextStep,
    reason_text: str,
    next_text: str | None = None,
    report: bool = False,
) -> Decision:
    texts = (reason_text, next_text if next_text is not None else NEXT_STEP_TEXTS[next_step])
    return Decision(allow, reason, next_step, texts, report, rule_id)


def _celsius(temperature: float) -> str:
    return f"{temperature:.1f} °C"


@dataclass(frozen=True)
class _Regime:
    """What distinguishes one base policy from another."""

    rule_id: str
    admits_service_workers: bool
    temperature_on_exit: bool


def _entry_refusal(regime: _Regime, gate: GateInput) -> Decision | None:
    """Why this person may not come in, or None: who the policy admits."""
    code = gate.code
    if code is None:
        return _decision(
            regime.rule_id,
            False,
            ReasonCode.OUTSIDER_NOT_ADMITTED,
            NextStep.REGISTER_AS_VISITOR,
            "No code: outsiders may not come in.",
        )
    if code.role is not None and code.role.serves_households:
        if regime.admits_service_workers:
            return None
        domestic = code.role is WorkerRole.DOMESTIC_WORKER
        next_step = NextStep.REGISTER_AS_VISITOR if domestic else NextStep.HAND_OVER_AT_GATE
        return _decision(
            regime.rule_id,
            False,
            ReasonCode.SERVICE_WORKER_NOT_ADMITTED,
            next_step,
            f"{code.label}: service workers may not come in under this policy.",
        )
    if gate.compound not in code.compounds:
        return _decision(
            regime.rule_id,
            False,
            ReasonCode.NOT_FOR_THIS_COMPOUND,
            NextStep.REGISTER_AS_VISITOR,
            f"{code.label}: the code does not open this compound.",
        )
    if code.kind is HolderKind.VISITOR and gate.visitor_entry_used:
        return _decision(
            regime.rule_id,
            False,
            ReasonCode.VISITOR_CODE_USED,
            NextStep.REGISTER_AS_VISITOR,
            "The visitor code's one entry has been used.",
        )
    return None


def _decide_base(regime: _Regime, gate: GateInput) -> Decision:
    rule_id = regime.rule_id
    entering = gate.direction is Direction.IN
    if gate.vehicle:
        if entering:
            return _decision(
                rule_id,
                False,
                ReasonCode.VEHICLE_NOT_ADMITTED,
                NextStep.TURN_AWAY,
                "Outside vehicles may not come in.",
            )
        return _decision(rule_id, True, ReasonCode.MAY_LEAVE, NextStep.LET_OUT, "A vehicle leaving.")

    temperature = gate.temperature
    if temperature is not None and plausible(temperature) and is_fever(temperature):
        return _decision(
            rule_id,
            False,
            ReasonCode.FEVER,
            NextStep.REPORT_TO_COMMUNITY,
            f"Fever: {_celsius(temperature)}, at or above {FEVER_FROM_CELSIUS} °C.",
            report=True,
        )

    code = gate.code
    if code is not None and code.colour is Colour.RED:
        what = "may not come in" if entering else "is under medical management and may not leave"
        return _decision(
            rule_id,
            False,
            ReasonCode.RED_CODE,
            NextStep.REPORT_TO_COMMUNITY,
            f"{code.label} with a red code (a case, a contact or in quarantine): the holder {what}.",
            report=True,
        )

    if temperature is not None and not plausible(temperature):
        return _decision(
            rule_id,
            False,
            ReasonCode.IMPLAUSIBLE_TEMPERATURE,
            NextStep.CHECK_THERMOMETER,
            f"{temperature} °C is not a body temperature "
            f"({PLAUSIBLE_MIN_CELSIUS}–{PLAUSIBLE_MAX_CELSIUS} °C): a typing or thermometer error.",
        )

    error = gate.verification_error
    if error is not None:
        return _decision(
            rule_id,
            False,
            error,
            VERIFICATION_NEXT_STEPS.get(error, NextStep.CALL_THE_COMMUNITY),
            VERIFICATION_TEXTS.get(error, f"The code could not be verified ({error})."),
        )

    if code is not None and code.colour is Colour.YELLOW:
        return _decision(
            rule_id,
            False,
            ReasonCode.YELLOW_CODE,
            NextStep.CALL_THE_COMMUNITY,
            f"{code.label} with a yellow code: the holder may not pass the gate.",
        )

    if entering:
        refusal = _entry_refusal(regime, gate)
        if refusal is not None:
            return refusal

    if temperature is None and (entering or regime.temperature_on_exit):
        way = "coming in" if entering else "leaving"
        return _decision(
            rule_id,
            False,
            ReasonCode.NO_TEMPERATURE,
            NextStep.TAKE_TEMPERATURE,
            f"No temperature taken: everyone {way} is measured under this policy.",
        )

    who = f"{code.label} with a {code.colour.value} code" if code is not None else "A person without a code"
    measured = f", {_celsius(temperature)}" if temperature is not None else ""
    if entering:
        return _decision(rule_id, True, ReasonCode.ADMITTED, NextStep.LET_IN, f"{who}{measured}.")
    return _decision(rule_id, True, ReasonCode.MAY_LEAVE, NextStep.LET_OUT, f"{who} leaving{measured}.")


def _base(rule_id: str, effective_from: date, title: str, **regime: bool) -> GatePolicy:
    rules = _Regime(rule_id, **regime)
    return GatePolicy(rule_id, effective_from, title, lambda gate: _decide_base(rules, gate))


def next_exit_on(last_exit: datetime) -> date:
    """The first local date on which a household that last went out at ``last_exit`` may go out again."""
    return local_date(last_exit) + timedelta(days=EXIT_EVERY_DAYS)


def with_exit_quota(base: GatePolicy) -> GatePolicy:
    """``base`` with one exit per household every 2 calendar days laid on top of it.

    The quota only turns an exit that ``base`` allows for a resident (or a paper pass) into a denial; every
    other decision is the base's, under the layered policy's id.
    """
    rule_id = f"{base.id}+{EXIT_QUOTA}"

    def decide(gate: GateInput) -> Decision:
        decision = replace(base.decide(gate), rule_id=rule_id)
        code, last_exit = gate.code, gate.household_last_exit
        if (
            not decision.allow
            or gate.direction is not Direction.OUT
            or code is None
            or code.kind not in HOUSEHOLD_KINDS
            or last_exit is None
        ):
            return decision
        next_day = next_exit_on(last_exit)
        if local_date(gate.at) >= next_day:
            return decision
        return _decision(
            rule_id,
            False,
            ReasonCode.EXIT_QUOTA_USED,
            NextStep.COME_BACK_LATER,
            f"The household went out on {local_date(last_exit)}: one exit per household every "
            f"{EXIT_EVERY_DAYS} days.",
            f"The household may go out again from {next_day}.",
        )

    return GatePolicy(rule_id, base.effective_from, f"{base.title}, with an exit quota", decide)


_STRICT = _base(
    STRICT,
    date(2020, 2, 9),
    "Closed management (February 2020): residents and registered visitors only",
    admits_service_workers=False,
    temperature_on_exit=True,
)
_RELAXED = _base(
    RELAXED,
    date(2020, 3, 29),
    "Adjusted measures (29 March 2020): couriers, delivery and domestic workers admitted",
    admits_service_workers=True,
    temperature_on_exit=False,
)

RULES: dict[str, GatePolicy] = {
    policy.id: policy for policy in (_STRICT, _RELAXED, with_exit_quota(_STRICT), with_exit_quota(_RELAXED))
}
# The city-wide default in force on a date; a compound may be given any policy in RULES.
CITY_DEFAULTS: tuple[str, ...] = (STRICT, RELAXED)


class NoPolicyInForce(LookupError):
    """No gate policy was in force on the date asked for."""


def rules_on(day: date) -> GatePolicy:
    """The city-wide default policy on ``day``: the base policy with the latest effective date not after it."""
    in_force = [RULES[rule_id] for rule_id in CITY_DEFAULTS if RULES[rule_id].effective_from <= day]
    if not in_force:
        raise NoPolicyInForce(f"no gate policy in force on {day}")
    return max(in_force, key=lambda policy: policy.effective_from)


def decide(gate: GateInput, rule_id: str | None = None) -> Decision:
    """The decision on ``gate`` under ``rule_id`` (default: the city-wide policy on the passage's local date).

    Naming ``rule_id`` (a compound's own choice) applies that policy to any date; an unknown id is a KeyError.
    """
    policy = RULES[rule_id] if rule_id is not None else rules_on(local_date(gate.at))
    return policy.decide(gate)
