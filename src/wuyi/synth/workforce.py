"""The demo's people on the ground (issue 6): groups, workers, temporary Party organisations, today's shifts on gates
and checkpoints, and the service centres turned anti-epidemic with their supplies.

What is taken from the record (POLICY.md §1d, Shenzhen 2020), scaled by the number of communities present / 701:
75 guidance service groups; 701 aid work groups (one per community); about 37,000 cadres sent down to communities;
more than 80,000 cadres, volunteers and social workers at Party-mass service centres; 1,737 temporary Party
organisations; a three-person team (cadre, medical worker, police officer) in each community. Everything else is
chosen here (synthetic, never real): the sending units, the shares of kinds and of Party members, the members of a
guidance group, the number of members of an organisation, the shifts (one worker per gate and ``CHECKPOINT_STAFF``
per checkpoint in each period, with ``GAP_SHARE`` of gate periods and ``CHECKPOINT_GAP_SHARE`` of checkpoint periods
deliberately left empty), the dates (set up ``SET_UP_DAYS`` before today) and the supplies.

Rows are written with ``bulk_create`` in batches of ``BATCH``; no query runs per row. The same seed, today and city
always give the same rows (ids and timestamps aside).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from wuyi.errors import DomainError
from wuyi.places.models import Area, Checkpoint, CompoundKind, Gate, Level, ServiceCentre
from wuyi.synth.bulk import Progress, create_in_batches
from wuyi.synth.generator import split
from wuyi.synth.names import person_name_pools
from wuyi.workforce.models import (
    CentreActivation,
    Front,
    GroupKind,
    PartyMember,
    PartyOrganisation,
    PartyRole,
    Period,
    Shift,
    Supply,
    SupplyMovement,
    Worker,
    WorkerKind,
    WorkGroup,
)

# POLICY.md §1d (Shenzhen, 2020).
CITY_COMMUNITIES = 701
GUIDANCE_GROUPS = 75
CADRES_SENT_DOWN = 37_000
AT_SERVICE_CENTRES = 80_000
PARTY_ORGANISATIONS = 1_737

# Chosen here.
BATCH = 5_000
GUIDANCE_SIZE = (4, 8)  # cadres deployed to the group's street
CENTRE_KINDS = ((WorkerKind.CADRE, 0.30), (WorkerKind.VOLUNTEER, 0.45), (WorkerKind.SOCIAL_WORKER, 0.25))
PARTY_SHARE = {WorkerKind.CADRE: 0.85, WorkerKind.SOCIAL_WORKER: 0.35, WorkerKind.VOLUNTEER: 0.2,
               WorkerKind.MEDICAL: 0.5, WorkerKind.POLICE: 0.6}
FRONTS = ((Front.COMPOUND, 0.45), (Front.URBAN_VILLAGE, 0.25), (Front.CHECKPOINT, 0.1), (Front.SERVICE_CENTRE, 0.2))
ORGANISATION_SIZE = (3, 9)  # a secretary, perhaps a deputy, members
CHECKPOINT_STAFF = 2
GAP_SHARE = 0.02
CHECKPOINT_GAP_SHARE = 0.05
SET_UP_DAYS = (25, 45)
UNITS = ("市委组织部", "市发展改革委", "市卫生健康委", "市住房建设局", "市教育局", "市交通运输局", "市城管局",
         "市国资委", "区委组织部", "区政府办", "区卫生健康局", "区城管局", "区住房建设局", "街道办")
MEDICAL_UNITS = ("社区健康服务中心", "区人民医院", "区中医院", "区妇幼保健院")
POLICE_UNITS = ("派出所", "交警大队")
SUPPLIES = (("口罩", "个", (2_000, 20_000)), ("医用防护服", "套", (20, 300)), ("消毒液", "升", (50, 600)),
            ("额温枪", "把", (5, 40)), ("一次性手套", "双", (500, 5_000)))

TABLES = (Shift, PartyMember, PartyOrganisation, SupplyMovement, Supply, CentreActivation, Worker, WorkGroup)


def delete_workforce() -> dict[str, int]:
    """Every workforce row (the service centres, places, stay)."""
    return {m._meta.model_name: m.objects.all()._raw_delete(m.objects.db) for m in TABLES}


def existing() -> dict[str, int]:
    return {"workers": Worker.objects.count(), "groups": WorkGroup.objects.count(),
            "party_organisations": PartyOrganisation.objects.count(), "shifts": Shift.objects.count()}


def build_workforce(seed: int = 2020, *, today: dt.date | None = None, replace: bool = True,
                    progress: Progress | None = None) -> dict[str, int]:
    """Build the workforce on the city; one transaction. With data there and not ``replace``, nothing is done and
    the counts of what is there come back with ``built`` 0."""
    report = progress or (lambda stage, done, total: None)
    today = today or timezone.localdate()
    with transaction.atomic():
        if Worker.objects.exists() or WorkGroup.objects.exists() or PartyOrganisation.objects.exists():
            if not replace:
                return {**existing(), "built": 0}
            delete_workforce()
        return {**_Builder(seed, today, report).run(), "built": 1}


class _Builder:
    def __init__(self, seed: int, today: dt.date, report: Progress):
        self.seed = seed
        self.today = today
        self.report = report
        self.rng = random.Random(f"{seed}:workforce")
        males, females = person_name_pools(random.Random(f"{seed}:workforce:names"), 1 << 14)
        self.names = males + females
        self.phone = 0

    def rng_for(self, stage: str) -> random.Random:
        return random.Random(f"{self.seed}:workforce:{stage}")

    def set_up(self, rng: random.Random) -> dt.date:
        return self.today - dt.timedelta(days=rng.randint(*SET_UP_DAYS))

    def worker(self, rng: random.Random, kind: str, area_id: int, group_id: int | None = None,
               unit: str | None = None) -> Worker:
        self.phone += 1
        return Worker(name=rng.choice(self.names), phone=f"1{rng.choice('3589')}{self.phone:09d}", kind=kind,
                      unit=unit or rng.choice(UNITS), area_id=area_id, group_id=group_id,
                      party_member=rng.random() < PARTY_SHARE.get(kind, 0.3))

    def run(self) -> dict[str, int]:
        communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code").values_list(
            "pk", "code", "name", "parent_id"))
        if not communities:
            raise DomainError("no_city", "build the city first (wuyi city generate)")
        self.scale = len(communities) / CITY_COMMUNITIES
        streets = list(Area.objects.filter(level=Level.STREET).order_by("code").values_list("pk", "code", "name"))
        centres = self.centres(communities)
        groups = self.groups(communities, streets)
        workers = self.workers(communities, streets, groups)
        organisations, members = self.organisations(communities, workers)
        shifts = self.shifts(workers)
        activated, supplies = self.supplies(centres)
        return {"communities": len(communities), "groups": len(groups["all"]), "workers": len(workers["all"]),
                "party_organisations": organisations, "party_members": members, "shifts": shifts,
                "service_centres": len(centres), "anti_epidemic_centres": activated, "supplies": supplies}

    # -- service centres: one per community at least

    def centres(self, communities) -> list[int]:
        have = set(ServiceCentre.objects.filter(area__level=Level.COMMUNITY).values_list("area_id", flat=True))
        taken = set(ServiceCentre.objects.values_list("code", flat=True))
        ServiceCentre.objects.bulk_create([
            ServiceCentre(code=f"{code}S", area_id=pk, name=f"{name}党群服务中心")
            for pk, code, name, _street in communities if pk not in have and f"{code}S" not in taken
        ], batch_size=BATCH)
        return list(ServiceCentre.objects.order_by("code").values_list("pk", flat=True))

    # -- groups

    def groups(self, communities, streets) -> dict:
        rng = self.rng_for("groups")
        guidance_n = min(len(streets), max(1, round(GUIDANCE_GROUPS * self.scale))) if streets else 0
        guidance_streets = sorted(rng.sample(streets, guidance_n))
        rows = [WorkGroup(kind=GroupKind.GUIDANCE, name=f"{name}指导服务组", area_id=pk, set_up_on=self.set_up(rng))
                for pk, _code, name in guidance_streets]
        for pk, _code, name, _street in communities:
            on = self.set_up(rng)
            rows.append(WorkGroup(kind=GroupKind.AID, name=f"{name}援助工作组", area_id=pk, set_up_on=on))
            rows.append(WorkGroup(kind=GroupKind.THREE_PERSON, name=f"{name}三人小组", area_id=pk, set_up_on=on))
        made = create_in_batches(WorkGroup, rows, self.report, "groups", BATCH)
        out = {"all": made, "guidance": {}, "aid": {}, "three_person": {}}
        for g in made:
            out[g.kind][g.area_id] = g.pk
        return out

    # -- workers

    def workers(self, communities, streets, groups) -> dict:
        rng = self.rng_for("workers")
        n = len(communities)
        weights = [rng.uniform(0.6, 1.4) for _ in communities]
        cadres = split(round(CADRES_SENT_DOWN * self.scale), weights)
        at_centres = split(round(AT_SERVICE_CENTRES * self.scale), weights)
        rows: list[Worker] = []
        for street_pk, group_pk in groups["guidance"].items():
            rows += [self.worker(rng, WorkerKind.CADRE, street_pk, group_pk) for _ in range(rng.randint(*GUIDANCE_SIZE))]
        kinds = [k for k, _w in CENTRE_KINDS]
        kind_weights = [w for _k, w in CENTRE_KINDS]
        for i in range(n):
            pk = communities[i][0]
            rows.append(self.worker(rng, WorkerKind.CADRE, pk, groups["three_person"][pk], unit="社区工作站"))
            rows.append(self.worker(rng, WorkerKind.MEDICAL, pk, groups["three_person"][pk],
                                    unit=rng.choice(MEDICAL_UNITS)))
            rows.append(self.worker(rng, WorkerKind.POLICE, pk, groups["three_person"][pk],
                                    unit=rng.choice(POLICE_UNITS)))
            rows += [self.worker(rng, WorkerKind.CADRE, pk, groups["aid"][pk]) for _ in range(cadres[i])]
            for kind in rng.choices(kinds, kind_weights, k=at_centres[i]):
                unit = "社区志愿者" if kind == WorkerKind.VOLUNTEER else (
                    "社区工作站" if kind == WorkerKind.SOCIAL_WORKER else None)
                rows.append(self.worker(rng, kind, pk, unit=unit))
        made = create_in_batches(Worker, rows, self.report, "workers", BATCH)
        by_area: dict[int, list[Worker]] = defaultdict(list)
        for w in made:
            by_area[w.area_id].append(w)
        return {"all": made, "by_area": by_area, "street_of": {pk: street for pk, _c, _n, street in communities}}

    # -- temporary Party organisations

    def organisations(self, communities, workers) -> tuple[int, int]:
        rng = self.rng_for("party")
        total = max(1, round(PARTY_ORGANISATIONS * self.scale))
        compounds = defaultdict(list)  # kind → [(pk, name, community pk)]
        for pk, name, kind, parent in Area.objects.filter(level=Level.COMPOUND).order_by("code").values_list(
                "pk", "name", "kind", "parent_id"):
            compounds[kind].append((pk, name, parent))
        checkpoints = list(Checkpoint.objects.order_by("code").values_list("name", "street_id"))
        street_communities = defaultdict(list)
        for pk, _code, _name, street in communities:
            street_communities[street].append(pk)
        centre_names = dict(ServiceCentre.objects.filter(area__level=Level.COMMUNITY).values_list("area_id", "name"))
        fronts = rng.choices([f for f, _w in FRONTS], [w for _f, w in FRONTS], k=total)
        orgs: list[PartyOrganisation] = []
        pools: list[list[int]] = []  # for each organisation, the community pks its members come from
        for front in fronts:
            villages = compounds[CompoundKind.URBAN_VILLAGE]
            estates = compounds[CompoundKind.GARDEN_ESTATE] or compounds[CompoundKind.OTHER]
            if front == Front.URBAN_VILLAGE and villages or front == Front.COMPOUND and estates:
                pk, name, community = rng.choice(villages if front == Front.URBAN_VILLAGE else estates)
                orgs.append(PartyOrganisation(name=f"{name}临时党支部", area_id=pk, front=front,
                                              set_up_on=self.set_up(rng)))
                pools.append([community])
            elif front == Front.CHECKPOINT and checkpoints:
                name, street = rng.choice(checkpoints)
                orgs.append(PartyOrganisation(name=f"{name}临时党支部", area_id=street, front=front,
                                              set_up_on=self.set_up(rng)))
                pools.append(street_communities.get(street, []))
            else:
                pk, _code, name, _street = rng.choice(communities)
                orgs.append(PartyOrganisation(name=centre_names.get(pk, name) + "临时党支部", area_id=pk,
                                              front=Front.SERVICE_CENTRE, set_up_on=self.set_up(rng)))
                pools.append([pk])
        orgs = create_in_batches(PartyOrganisation, orgs, self.report, "party organisations", BATCH)
        party = {pk: [w.pk for w in ws if w.party_member] for pk, ws in workers["by_area"].items()}
        members: list[PartyMember] = []
        for org, pool in zip(orgs, pools, strict=True):
            candidates = [w for pk in pool for w in party.get(pk, [])]
            chosen = rng.sample(candidates, min(len(candidates), rng.randint(*ORGANISATION_SIZE)))
            for i, worker in enumerate(chosen):
                role = PartyRole.SECRETARY if i == 0 else (PartyRole.DEPUTY if i == 1 and len(chosen) > 4
                                                           else PartyRole.MEMBER)
                members.append(PartyMember(organisation_id=org.pk, worker_id=worker, role=role))
        create_in_batches(PartyMember, members, self.report, "party members", BATCH)
        return len(orgs), len(members)

    # -- today's shifts

    def shifts(self, workers) -> int:
        rng = self.rng_for("shifts")
        free = {}  # community pk → its workers free today, in a shuffled order; each works one period at most
        for pk, ws in sorted(workers["by_area"].items()):
            if pk in workers["street_of"]:
                pool = [w.pk for w in ws]
                rng.shuffle(pool)
                free[pk] = pool
        by_street = defaultdict(list)
        for community, street in sorted(workers["street_of"].items()):
            by_street[street].append(community)
        rows: list[Shift] = []

        def book(period: str, community: int | None, **target) -> None:
            pool = free.get(community)
            if pool:
                rows.append(Shift(worker_id=pool.pop(), on=self.today, period=period, **target))

        gates = list(Gate.objects.order_by("code").values_list("pk", "compound__parent_id"))
        checkpoints = list(Checkpoint.objects.order_by("code").values_list("pk", "street_id"))
        for period in Period.values:
            for gate, community in gates:
                if rng.random() >= GAP_SHARE:
                    book(period, community, gate_id=gate)
            for checkpoint, street in checkpoints:
                if rng.random() >= CHECKPOINT_GAP_SHARE and by_street[street]:
                    for _ in range(CHECKPOINT_STAFF):
                        book(period, rng.choice(by_street[street]), checkpoint_id=checkpoint)
        create_in_batches(Shift, rows, self.report, "shifts", BATCH)
        return len(rows)

    # -- service centres turned anti-epidemic, and their supplies

    def supplies(self, centres: list[int]) -> tuple[int, int]:
        rng = self.rng_for("supplies")
        create_in_batches(CentreActivation, [CentreActivation(service_centre_id=pk, anti_epidemic_since=self.set_up(rng))
                                             for pk in centres], self.report, "anti-epidemic centres", BATCH)
        rows = [Supply(service_centre_id=pk, item=item, unit=unit, quantity=rng.randint(*bounds))
                for pk in centres for item, unit, bounds in SUPPLIES]
        rows = create_in_batches(Supply, rows, self.report, "supplies", BATCH)
        create_in_batches(SupplyMovement, [SupplyMovement(supply_id=s.pk, delta=s.quantity, reason="开设时库存")
                                           for s in rows if s.quantity], self.report, "supply movements", BATCH)
        return len(centres), len(rows)
