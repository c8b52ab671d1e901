"""Small venues (三小场所): which venue counts as one of its kind, whether a reopening checklist is met, and the
advice for close-contact trades. Plain values in, frozen dataclasses with reasons out; no Django import.

Sources (POLICY.md §7a, CONFIRMED):

- the thresholds are the Guangdong fire-safety definitions (dnfire.cn; m.shadafang.com): 小档口 building area
  < 300 m²; 小作坊 building height ≤ 24 m and floor area < 250 m² per storey; 小娱乐场所 < 200 m²;
- the reopening in Shenzhen, February 2020 (ilonghua.sznews.com, 2020-02-26): a venue that reopens has staff
  protection, regular disinfection, contactless pick-up and a temperature and registration point at the door,
  and no eating inside (takeaway and contactless service only); a venue not meeting the conditions gets a
  suspension notice; close-contact venues such as beauty salons and internet cafés are *persuaded* to stay
  closed — so the persuasion is advice shown to the worker, never a refusal.

Local choices (not in the sources): the floor area per storey of a workshop is its building area divided by its
storeys; "no eating inside" is required only of the trades where people eat (eateries, tea houses), and is shown
as not applying to the others; which trades count as close-contact beyond the two named (hair and beauty salons,
internet cafés) follows the venues POLICY.md lists beside them as entertainment (foot baths, bars, video and game
halls, card and mahjong rooms, billiards, gyms, tea houses) and is marked as such in ``CLOSE_CONTACT_NAMED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

RULE_ID = "gd-fire-sanxiao"  # the Guangdong fire-safety definition of 三小场所
CHECKLIST_ID = "sz-2020-02"  # the Shenzhen reopening of February 2020

SHOP_MAX_AREA = Decimal(300)  # 小档口: building area < 300 m²
WORKSHOP_MAX_HEIGHT = Decimal(24)  # 小作坊: building height ≤ 24 m
WORKSHOP_MAX_STOREY_AREA = Decimal(250)  # 小作坊: < 250 m² per storey
ENTERTAINMENT_MAX_AREA = Decimal(200)  # 小娱乐场所: < 200 m²

SMALL_SHOP = "small_shop"
SMALL_WORKSHOP = "small_workshop"
SMALL_ENTERTAINMENT = "small_entertainment"

# The trades POLICY.md §7a lists under each kind.
TRADE_KIND = {
    "grocery": SMALL_SHOP, "eatery": SMALL_SHOP, "vehicle_repair": SMALL_SHOP, "laundry": SMALL_SHOP,
    "appliance_repair": SMALL_SHOP, "hair_beauty": SMALL_SHOP,
    "processing": SMALL_WORKSHOP, "manufacturing": SMALL_WORKSHOP,
    "bar": SMALL_ENTERTAINMENT, "internet_cafe": SMALL_ENTERTAINMENT, "video_hall": SMALL_ENTERTAINMENT,
    "game_hall": SMALL_ENTERTAINMENT, "gym": SMALL_ENTERTAINMENT, "tea_house": SMALL_ENTERTAINMENT,
    "foot_bath": SMALL_ENTERTAINMENT, "cards_mahjong": SMALL_ENTERTAINMENT, "billiards": SMALL_ENTERTAINMENT,
}
EATING_TRADES = frozenset({"eatery", "tea_house"})  # where "no eating inside" applies (local choice)
CLOSE_CONTACT_NAMED = frozenset({"hair_beauty", "internet_cafe"})  # named by the source
# Local choice: the other entertainment trades where people sit or are served close together.
CLOSE_CONTACT_LIKE = frozenset({"foot_bath", "bar", "video_hall", "game_hall", "cards_mahjong", "billiards",
                                "gym", "tea_house"})
CLOSE_CONTACT_TRADES = CLOSE_CONTACT_NAMED | CLOSE_CONTACT_LIKE

# The five conditions of a reopening, in the order of the pledge.
CHECKLIST = ("temperature_and_registration", "regular_disinfection", "staff_protection", "no_dining_in",
             "contactless_pickup")

Reason = tuple[str, str]  # (code, English explanation); the pages translate by code


@dataclass(frozen=True)
class SmallVenueVerdict:
    is_small: bool
    kind: str
    reasons: tuple[Reason, ...]


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def small_venue(kind: str, floor_area_m2, storeys: int = 1, height_m=None, trade: str | None = None
                ) -> SmallVenueVerdict:
    """Whether a venue of ``kind`` with this building area (m²), storeys and height (m) is a small venue of that
    kind; every threshold it fails is a reason. A trade of another kind is a reason too."""
    if kind not in (SMALL_SHOP, SMALL_WORKSHOP, SMALL_ENTERTAINMENT):
        raise ValueError(f"unknown kind {kind!r}")
    area = _dec(floor_area_m2)
    if area <= 0:
        raise ValueError("the building area is positive")
    if storeys < 1:
        raise ValueError("a building has at least one storey")
    failed: list[Reason] = []
    if trade is not None and TRADE_KIND.get(trade) != kind:
        failed.append(("trade_of_other_kind", f"the trade {trade} is not one of a {kind}"))
    if kind == SMALL_SHOP and area >= SHOP_MAX_AREA:
        failed.append(("shop_too_large", f"a small shop has a building area under {SHOP_MAX_AREA} m²"))
    elif kind == SMALL_ENTERTAINMENT and area >= ENTERTAINMENT_MAX_AREA:
        failed.append(("entertainment_too_large",
                       f"a small entertainment venue has a building area under {ENTERTAINMENT_MAX_AREA} m²"))
    elif kind == SMALL_WORKSHOP:
        if height_m is None:
            failed.append(("height_required", "a workshop's building height decides whether it is small"))
        elif _dec(height_m) > WORKSHOP_MAX_HEIGHT:
            failed.append(("workshop_too_tall", f"a small workshop's building is at most {WORKSHOP_MAX_HEIGHT} m high"))
        if area / storeys >= WORKSHOP_MAX_STOREY_AREA:
            failed.append(("workshop_storey_too_large",
                           f"a small workshop has under {WORKSHOP_MAX_STOREY_AREA} m² per storey"))
    if failed:
        return SmallVenueVerdict(False, kind, tuple(failed))
    return SmallVenueVerdict(True, kind, (("within_thresholds", f"within the thresholds of a {kind} ({RULE_ID})"),))


@dataclass(frozen=True)
class ChecklistVerdict:
    met: bool
    missing: tuple[str, ...]  # the conditions not met, in checklist order
    not_applicable: tuple[str, ...]  # conditions that do not apply to this trade
    reasons: tuple[Reason, ...]


def checklist(trade: str, **items: bool) -> ChecklistVerdict:
    """The reopening checklist of a venue of ``trade``: met when every condition that applies is true.
    ``items`` holds the five conditions of ``CHECKLIST`` by name; a missing one counts as not met."""
    unknown = set(items) - set(CHECKLIST)
    if unknown:
        raise ValueError(f"unknown checklist items: {sorted(unknown)}")
    not_applicable = () if trade in EATING_TRADES else ("no_dining_in",)
    missing = tuple(c for c in CHECKLIST if c not in not_applicable and not items.get(c, False))
    if missing:
        reasons = tuple((f"missing_{c}", f"condition not met: {c}") for c in missing)
        return ChecklistVerdict(False, missing, not_applicable, reasons)
    return ChecklistVerdict(True, (), not_applicable, (("all_met", f"every condition is met ({CHECKLIST_ID})"),))


@dataclass(frozen=True)
class Advice:
    stay_closed: bool
    reasons: tuple[Reason, ...]


def reopening_advice(trade: str) -> Advice:
    """Advice to show before a reopening: close-contact trades are persuaded to stay closed (advice, not a rule)."""
    if trade in CLOSE_CONTACT_NAMED:
        return Advice(True, (("close_contact_named",
                              "beauty salons and internet cafés were persuaded to stay closed (Shenzhen, Feb 2020)"),))
    if trade in CLOSE_CONTACT_LIKE:
        return Advice(True, (("close_contact_like",
                              "a close-contact venue like those persuaded to stay closed (local choice)"),))
    return Advice(False, ())
