"""The demo's care for key persons (关心关爱): key persons from the city's quarantine orders and self-declarations,
synthetic arrivals from Hubei, and the community's visits, deliveries, calls and counselling. For the demo and a
city-scale benchmark (~700 communities).

Taken from the data already in the database:

- everyone under a home quarantine or home health observation order is a key person (reason: quarantined
  household) from the order's start until its release (or its planned end), open when the order is still running on
  ``today``;
- everyone whose approved self-declaration shows a stay in a key area ending within 14 days of ``today``
  (``care.services.suggestions``, the same rule the pages use).

Chosen here (synthetic, never real):

- ``ARRIVALS_PER_COMMUNITY`` residents of each community arrived from Hubei 0 to 13 days before ``today`` and are
  key persons now (POLICY.md §8a: residents back from Hubei were under home quarantine for 14 days); their source
  says they are demo data.
- Each key person is contacted every ``CONTACT_EVERY`` days (sometimes less often, so some are due), by the
  community's worker when the community has one; kinds by ``KINDS``, deliveries with items from ``ITEMS``.

Rows are written with ``bulk_create`` in batches, never one query per row; the same seed, ``today`` and city give
the same rows (ids aside). ``replace`` first deletes every key person and contact.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber, Substr
from django.utils import timezone

from wuyi.accounts.models import Role, User
from wuyi.care import services
from wuyi.care.models import CareContact, ContactKind, KeyPerson, KeyReason
from wuyi.health.models import QuarantineKind, QuarantineOrder
from wuyi.people.models import Membership
from wuyi.places.models import CODE_LENGTH, Area, Level
from wuyi.synth.bulk import Progress, create_in_batches

LOCAL = ZoneInfo("Asia/Shanghai")
BATCH = 2000
ARRIVALS_PER_COMMUNITY = (1, 4)
ARRIVAL_POOL = 40  # residents per community the arrivals are drawn from (the first by id)
CONTACT_EVERY = (1, 5)
KINDS = ((ContactKind.CALL, 0.5), (ContactKind.DELIVERY, 0.25), (ContactKind.VISIT, 0.15),
         (ContactKind.COUNSELLING, 0.1))
ITEMS = ("大米 5kg", "蔬菜一袋", "口罩 20 个", "体温计", "牛奶一箱", "药品", "温暖礼包", "水果", "消毒液")
NOTES = {ContactKind.CALL: ("体温正常", "无不适", "询问生活需要"), ContactKind.DELIVERY: ("放门口，无接触", "代购送达"),
         ContactKind.VISIT: ("上门测温", "送达隔离告知书"), ContactKind.COUNSELLING: ("情绪稳定", "心理疏导一次")}
ARRIVAL_SOURCE = "自湖北返深（示例数据）"
ORDER_ZH = {QuarantineKind.HOME: "居家隔离", QuarantineKind.HOME_HEALTH_OBSERVATION: "居家健康观察"}


def delete_care() -> dict[str, int]:
    """Delete every contact and key person, one statement per table."""
    return {model._meta.model_name: model.objects.all()._raw_delete(connection.alias)
            for model in (CareContact, KeyPerson)}


@transaction.atomic
def build_care(seed: int = 2020, *, today: dt.date | None = None, replace: bool = True,
               progress: Progress | None = None) -> dict[str, int]:
    """Write key persons and their contacts for the whole city; the counts of what was written."""
    report = progress or (lambda stage, done, total: None)
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:care")
    if replace:
        delete_care()
    width = CODE_LENGTH[Level.COMMUNITY]
    communities = dict(Area.objects.filter(level=Level.COMMUNITY).values_list("code", "pk"))
    workers = dict(User.objects.filter(role=Role.COMMUNITY_WORKER, area__level=Level.COMMUNITY, is_active=True)
                   .order_by("-pk").values_list("area_id", "pk"))
    taken = set(KeyPerson.objects.filter(until__isnull=True).values_list("person_id", "reason"))
    key_persons: list[KeyPerson] = []

    def add(person_id: int, reason: str, community_code: str, since: dt.date, until: dt.date | None, source: str):
        community = communities.get(community_code)
        if community is None or (until is None and (person_id, reason) in taken):
            return
        if until is None:
            taken.add((person_id, reason))
        key_persons.append(KeyPerson(person_id=person_id, reason=reason, community_id=community, since=since,
                                     until=until, source=source[:200], responsible_id=workers.get(community)))

    # home quarantine and home health observation orders: one query
    orders = (QuarantineOrder.objects.filter(kind__in=services.HOME_ORDERS, start__lte=today)
              .annotate(community=services.community_of_person("person_id"))
              .order_by("person_id", "start", "pk")
              .values_list("person_id", "community", "start", "planned_end", "released_at", "kind"))
    for person_id, community, start, planned_end, released_at, kind in orders:
        ended = timezone.localtime(released_at, LOCAL).date() if released_at else None
        running = ended is None and planned_end >= today
        until = None if running else max(start, min(ended or planned_end, today))
        add(person_id, KeyReason.QUARANTINED_HOUSEHOLD, community or "", start, until,
            f"{ORDER_ZH.get(kind, kind)} {start}–{planned_end}")
    # approved declarations naming a key area within 14 days: the pages' own suggestion query
    city = Area.objects.filter(level=Level.CITY).first()
    for s in services.suggestions(city.prefix if city else "", today):
        if s.reason == KeyReason.FROM_KEY_AREA:
            add(s.person_id, s.reason, s.community_code, s.since, None, s.source)
    # synthetic arrivals: a few residents of each community, drawn from its first residents by id (one query)
    pool: dict[str, list[int]] = {}
    community_of = Substr("household__code", 1, width)
    for person_id, code in (
        Membership.objects.filter(moved_out__isnull=True)
        .annotate(community=community_of,
                  rank=Window(RowNumber(), partition_by=[community_of], order_by=[F("person_id").asc()]))
        .filter(rank__lte=ARRIVAL_POOL).order_by("community", "person_id").values_list("person_id", "community")
    ):
        pool.setdefault(code, []).append(person_id)
    for code in sorted(pool):
        people = pool[code]
        for person_id in rng.sample(people, min(len(people), rng.randint(*ARRIVALS_PER_COMMUNITY))):
            add(person_id, KeyReason.FROM_KEY_AREA, code, today - dt.timedelta(days=rng.randint(0, 13)), None,
                ARRIVAL_SOURCE)
    key_persons = create_in_batches(KeyPerson, key_persons, report, "key persons", BATCH)

    contacts: list[CareContact] = []
    kinds, weights = [k for k, _ in KINDS], [w for _, w in KINDS]
    for kp in key_persons:
        last = min(kp.until or today, today - dt.timedelta(days=1))  # up to yesterday: today's are not yet made
        day = kp.since + dt.timedelta(days=rng.randint(0, CONTACT_EVERY[0]))
        while day <= last:
            kind = rng.choices(kinds, weights)[0]
            at = dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.randint(0, 59)), LOCAL)
            contacts.append(CareContact(
                key_person_id=kp.pk, kind=kind, at=at, by_id=kp.responsible_id, note=rng.choice(NOTES[kind]),
                items=rng.choice(ITEMS) if kind == ContactKind.DELIVERY else ""))
            day += dt.timedelta(days=rng.randint(*CONTACT_EVERY))
    create_in_batches(CareContact, contacts, report, "contacts", BATCH)
    active = sum(1 for kp in key_persons if kp.until is None)
    return {"key_persons": len(key_persons), "active": active, "contacts": len(contacts),
            **{r: sum(1 for kp in key_persons if kp.reason == r) for r in KeyReason.values}}
