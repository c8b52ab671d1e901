"""The demo's small venues (三小场所): a registry per community and its reopening in the weeks before ``today``.
For the demo and a city-scale benchmark (~700 communities).

Everything here is chosen (synthetic, never real), shaped by the Shenzhen reopening of February 2020
(POLICY.md §7a):

- Each community has ``VENUES_PER_COMMUNITY`` venues, by ``KINDS``: mostly small shops, then small workshops and
  small entertainment venues, each of a trade of its kind and within its kind's thresholds.
- Close-contact trades (beauty salons, internet cafés, foot baths …) were persuaded to stay closed: most of them
  (``CLOSE_CONTACT_STAY_CLOSED``) never applied.
- The others applied 5 to 25 days before ``today`` with the pledge signed; ``PENDING_SHARE`` still wait for their
  inspection; of those inspected, ``SUSPENDED_SHARE`` were suspended (one or two conditions missing, with a
  numbered notice) and the rest approved and open.

Rows are written with ``bulk_create`` in batches (ids come back from the database), never one query per row; the
same seed, ``today`` and city give the same rows (ids aside). ``replace`` first deletes every venue, application
and inspection.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from wuyi.places.models import Area, Level
from wuyi.synth.bulk import Progress, create_in_batches
from wuyi.venues import rules
from wuyi.venues.models import (
    ApplicationStatus,
    InspectionOutcome,
    ReopeningApplication,
    Venue,
    VenueInspection,
    VenueStatus,
)
from wuyi.venues.services import PLEDGE_VERSION, notice_number

LOCAL = ZoneInfo("Asia/Shanghai")
BATCH = 2000
VENUES_PER_COMMUNITY = (6, 14)
KINDS = ((rules.SMALL_SHOP, 0.7), (rules.SMALL_WORKSHOP, 0.15), (rules.SMALL_ENTERTAINMENT, 0.15))
CLOSE_CONTACT_STAY_CLOSED = 0.8
PENDING_SHARE = 0.08
SUSPENDED_SHARE = 0.1
APPLIED_DAYS = (5, 25)
INSPECTED_AFTER = (1, 4)
NAMES = {
    "grocery": ("便利店", "士多", "百货", "生鲜店", "水果店"), "eatery": ("小吃店", "粉面馆", "快餐店", "肠粉店"),
    "vehicle_repair": ("汽修店", "摩托车维修",), "laundry": ("洗衣店",), "appliance_repair": ("家电维修",),
    "hair_beauty": ("美发店", "美容院"), "processing": ("五金加工厂", "服装加工坊", "食品加工坊"),
    "manufacturing": ("电子厂", "塑料制品厂"), "bar": ("酒吧",), "internet_cafe": ("网吧",), "video_hall": ("录像厅",),
    "game_hall": ("游戏厅",), "gym": ("健身房",), "tea_house": ("茶艺馆",), "foot_bath": ("沐足店",),
    "cards_mahjong": ("棋牌室",), "billiards": ("桌球室",),
}
SURNAMES = "陈李张王刘黄林吴郑何周杨梁谢罗"
SHOP_NAMES = "好又多 万家 惠民 兴旺 福满 鸿运 佳美 顺发 金鑫 益民 新城 和兴".split()
SUSPENSION_NOTES = ("门口未设体温检测登记点", "未见消毒记录", "店内仍有堂食", "从业人员未戴口罩")


def delete_venues() -> dict[str, int]:
    """Delete every inspection, application and venue, one statement per table."""
    return {model._meta.model_name: model.objects.all()._raw_delete(connection.alias)
            for model in (VenueInspection, ReopeningApplication, Venue)}


def _venue(rng: random.Random, community_id: int, community_name: str, n: int) -> Venue:
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    trade = rng.choice([t for t, k in rules.TRADE_KIND.items() if k == kind])
    storeys, height = 1, None
    if kind == rules.SMALL_SHOP:
        area = rng.randint(15, 280)
    elif kind == rules.SMALL_ENTERTAINMENT:
        area = rng.randint(40, 190)
    else:
        storeys = rng.randint(1, 4)
        area = rng.randint(60, 240) * storeys
        height = Decimal(3 * storeys + rng.randint(1, 3))
    surname = rng.choice(SURNAMES)
    return Venue(
        community_id=community_id, name=f"{rng.choice(SHOP_NAMES)}{rng.choice(NAMES[trade])}", kind=kind,
        trade=trade, floor_area_m2=Decimal(area), storeys=storeys, height_m=height,
        address=f"{community_name}{rng.randint(1, 200)}号{n % 9 + 1}铺", operator_name=f"{surname}老板",
        operator_phone=f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}", status=VenueStatus.CLOSED,
    )


@transaction.atomic
def build_venues(seed: int = 2020, *, today: dt.date | None = None, replace: bool = True,
                 progress: Progress | None = None) -> dict[str, int]:
    """Write a registry of small venues for every community and their reopening; the counts of what was written."""
    report = progress or (lambda stage, done, total: None)
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:venues")
    if replace:
        delete_venues()
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code").values_list("pk", "code", "name"))
    venues: list[Venue] = []
    for pk, _code, name in communities:
        for n in range(rng.randint(*VENUES_PER_COMMUNITY)):
            venues.append(_venue(rng, pk, name, n))
    plans = []  # (venue index, applied day, outcome or None, missing items)
    for i, v in enumerate(venues):
        if v.trade in rules.CLOSE_CONTACT_TRADES and rng.random() < CLOSE_CONTACT_STAY_CLOSED:
            continue
        applied = today - dt.timedelta(days=rng.randint(*APPLIED_DAYS))
        draw = rng.random()
        if draw < PENDING_SHARE:
            plans.append((i, applied, None, ()))
            v.status = VenueStatus.APPLIED
        elif draw < PENDING_SHARE + SUSPENDED_SHARE:
            applies = [c for c in rules.CHECKLIST if c not in rules.checklist(v.trade).not_applicable]
            plans.append((i, applied, InspectionOutcome.SUSPEND, tuple(rng.sample(applies, rng.randint(1, 2)))))
            v.status = VenueStatus.SUSPENDED
        else:
            plans.append((i, applied, InspectionOutcome.APPROVE, ()))
            v.status = VenueStatus.OPEN
    venues = create_in_batches(Venue, venues, report, "venues", BATCH)
    # registered before the first application (created_at is set on insert; one UPDATE moves it)
    Venue.objects.filter(pk__gte=min((v.pk for v in venues), default=0)).update(
        created_at=dt.datetime.combine(today - dt.timedelta(days=APPLIED_DAYS[1] + 5), dt.time(9), LOCAL))
    applications = []
    for i, applied, outcome, _missing in plans:
        v = venues[i]
        status = {None: ApplicationStatus.SUBMITTED, InspectionOutcome.APPROVE: ApplicationStatus.APPROVED,
                  InspectionOutcome.SUSPEND: ApplicationStatus.SUSPENDED}[outcome]
        applications.append(ReopeningApplication(
            venue_id=v.pk, pledge_signer=v.operator_name.replace("老板", "") + "某",
            pledge_signed_at=dt.datetime.combine(applied, dt.time(rng.randint(9, 17), rng.randint(0, 59)), LOCAL),
            pledge_version=PLEDGE_VERSION, status=status, **{c: True for c in rules.CHECKLIST},
        ))
    applications = create_in_batches(ReopeningApplication, applications, report, "applications", BATCH)
    # filed when the pledge was signed, not at the moment of the build
    ReopeningApplication.objects.filter(pk__gte=min((a.pk for a in applications), default=0)).update(
        at=F("pledge_signed_at"))
    codes = {pk: (code, name) for pk, code, name in communities}
    inspections = []
    for application, (i, applied, outcome, missing) in zip(applications, plans):
        if outcome is None:
            continue
        day = min(today, applied + dt.timedelta(days=rng.randint(*INSPECTED_AFTER)))
        number = ""
        note = ""
        if outcome == InspectionOutcome.SUSPEND:
            community = Area(code=codes[venues[i].community_id][0])
            number = notice_number(community, day, application.pk)
            note = rng.choice(SUSPENSION_NOTES)
        inspections.append(VenueInspection(
            application_id=application.pk, inspected_on=day, outcome=outcome, notice_number=number, note=note,
            **{c: c not in missing for c in rules.CHECKLIST},
        ))
    create_in_batches(VenueInspection, inspections, report, "inspections", BATCH)
    statuses = {s: sum(1 for v in venues if v.status == s) for s in VenueStatus.values}
    return {"venues": len(venues), "applications": len(applications), "inspections": len(inspections),
            **statuses}
