"""The synthetic Shenzhen as rows: a plan (how many of what, where) and the tuples of every table.

Pure Python with no Django import, so that the benchmark's raw-SQLite baseline feeds the very
same tuples to plain `sqlite3`. Column orders are those of the Django models; the loader checks
them against `Model._meta` before writing.

Sources of the shape (see ../shared/POLICY.md §6c and data/shenzhen-2020.json):
- district populations: 2020 census (七普) as listed in the JSON;
- sex and age: male 55.04 %; ages 0–14 15.11 %, 15–59 79.53 %, 60+ 5.36 % (65+ 3.22 %);
- counts: ≥ 700 communities, ≥ 4,800 garden estates, ≥ 1,800 urban villages (the JSON's targets).
Everything below a street (communities, compounds, buildings, people) is generated, never real.
ID numbers follow GB 11643 (region = district code, birth date, sequence whose last digit is odd
for men, check digit) and leave this module only as an HMAC and a masked form.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import hmac
import json
import math
import random
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from wuyi.synth.names import GATE_SIDES, PlaceNamer, person_name_pools

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "shenzhen-2020.json"

COLUMNS: dict[str, tuple[str, ...]] = {
    "area": ("id", "code", "name", "level", "parent_id", "kind", "address"),
    "gate": ("id", "code", "compound_id", "name", "direction"),
    "checkpoint": ("id", "code", "street_id", "name"),
    "service_centre": ("id", "code", "area_id", "name", "address"),
    "building": ("id", "code", "compound_id", "name"),
    "household": ("id", "code", "building_id", "room"),
    "person": ("id", "name", "id_hmac", "id_masked", "phone", "birth_year", "sex", "verified", "created_at"),
    "membership": ("id", "person_id", "household_id", "relation", "moved_in", "moved_out"),
}
PLACE_TABLES = ("area", "gate", "checkpoint", "service_centre")
BULK_TABLES = ("building", "household", "person", "membership")  # streamed, parents first

GARDEN, VILLAGE, OTHER = "garden_estate", "urban_village", "other"
KINDS = (GARDEN, VILLAGE, OTHER)

# Full size (city and district scales). Targets from the JSON plus a margin, so that rounding per
# district never falls below them.
CITY_COMMUNITIES = 720
CITY_COMPOUNDS = {GARDEN: 4950, VILLAGE: 1900, OTHER: 420}
# About half of Shenzhen's people lived in urban villages in 2020 (commonly cited: 50–60 %).
RESIDENT_SHARE = {GARDEN: 0.42, VILLAGE: 0.53, OTHER: 0.05}

# Census shape (七普, Shenzhen, POLICY.md §6c).
# Ages are taken on the first day of 2020, so that everyone is born before the epidemic's first weeks.
AGE_DAY = date(2020, 1, 1)
MALE_SHARE = 0.5504
AGE_GROUP_SHARES = ((0, 14, 0.1511), (15, 59, 0.7953), (60, 64, 0.0536 - 0.0322), (65, 99, 0.0322))
# Relative weight of each year of age inside 15–59: Shenzhen's working-age population peaks at 25–39.
WORKING_AGE_SHAPE = {15: 0.6, 20: 1.0, 25: 1.4, 30: 1.5, 35: 1.3, 40: 1.0, 45: 0.9, 50: 0.7, 55: 0.5}
HEAD_MIN_AGE = 20
PHONE_MIN_AGE = 12
VERIFIED_SHARE = 0.85

# Household sizes by compound kind (weights for 1, 2, 3 … people).
HOUSEHOLD_SIZES = {
    GARDEN: (0.14, 0.26, 0.30, 0.19, 0.08, 0.03),
    VILLAGE: (0.38, 0.27, 0.18, 0.12, 0.05),
    OTHER: (0.25, 0.30, 0.20, 0.15, 0.10),
}
# Share of households whose head owns the home (the rest rent).
OWNER_SHARE = {GARDEN: 0.70, VILLAGE: 0.08, OTHER: 0.0}
# Floors and homes per floor of a building.
BUILDING_SHAPE = {GARDEN: ((11, 33), (4, 8)), VILLAGE: ((5, 9), (3, 6)), OTHER: ((4, 7), (8, 16))}
GATES_PER_COMPOUND = {GARDEN: (1, 4), VILLAGE: (2, 4), OTHER: (1, 2)}
CHECKPOINTS_PER_STREET = (2, 4)
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                  "158", "159", "166", "176", "177", "180", "181", "186", "187", "188", "189", "199")

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
SEQUENCES_PER_SEX = 500  # three sequence digits, the last one's parity is the sex
_SEQUENCE_STRIDE = 193  # coprime with 500: spreads the sequences handed out on one day


@dataclass(frozen=True)
class Scale:
    name: str
    full: bool  # communities and compounds at the real city's density
    communities_per_street: int = 0  # when not full
    residents: int = 0  # total residents; 0 with full: the census population

    @property
    def census(self) -> bool:
        """People at the census population: millions of rows, which the loader writes in its bulk mode."""
        return self.full and not self.residents


SCALES = {
    "tiny": Scale("tiny", full=False, communities_per_street=1, residents=3_000),
    "demo": Scale("demo", full=False, communities_per_street=2, residents=20_000),
    # The whole area tree of the city scale (the same codes and names) with few people: for the city-wide pages
    # and their benchmarks, which read areas and campaign data, not residents. 20,000 leaves every compound some.
    "areas": Scale("areas", full=True, residents=20_000),
    "district": Scale("district", full=True),
    "city": Scale("city", full=True),
}
DEFAULT_DISTRICT = "440304"  # 福田区


@dataclass
class CompoundPlan:
    code: str
    name: str
    kind: str
    population: int
    address: str


@dataclass
class CommunityPlan:
    code: str
    name: str
    compounds: list[CompoundPlan] = field(default_factory=list)


@dataclass
class StreetPlan:
    code: str
    name: str
    communities: list[CommunityPlan] = field(default_factory=list)


@dataclass
class DistrictPlan:
    code: str
    name: str
    population: int
    streets: list[StreetPlan] = field(default_factory=list)

    def compounds(self) -> Iterator[CompoundPlan]:
        for street in self.streets:
            for community in street.communities:
                yield from community.compounds


@dataclass
class CityPlan:
    scale: str
    seed: int
    code: str
    name: str
    districts: list[DistrictPlan]

    @property
    def population(self) -> int:
        return sum(c.population for d in self.districts for c in d.compounds())

    def counts(self) -> dict[str, int]:
        """How many of each kind of area the plan makes."""
        compounds = [c for d in self.districts for c in d.compounds()]
        return {
            "districts": len(self.districts),
            "streets": sum(len(d.streets) for d in self.districts),
            "communities": sum(len(s.communities) for d in self.districts for s in d.streets),
            GARDEN: sum(c.kind == GARDEN for c in compounds),
            VILLAGE: sum(c.kind == VILLAGE for c in compounds),
            OTHER: sum(c.kind == OTHER for c in compounds),
            "residents": self.population,
        }


def load_data(path: Path = DATA_FILE) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def split(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), each part at least `minimum`."""
    n = len(weights)
    if n == 0:
        return []
    base = [minimum] * n
    rest = total - minimum * n
    if rest <= 0:
        return base
    s = sum(weights)
    exact = [rest * w / s for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(n), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [b + p for b, p in zip(base, parts)]


def plan_city(scale: str, seed: int = 1, district: str | None = None, data: dict | None = None) -> CityPlan:
    """What the city of this scale holds: the real districts and streets, generated areas below them.

    The plan of a district depends only on the seed and the district, so the district scale builds
    exactly the district the city scale builds.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    spec = SCALES[scale]
    data = data or load_data()
    districts = data["districts"]
    if scale == "district":
        code = district or DEFAULT_DISTRICT
        if code not in {d["code"] for d in districts}:
            raise ValueError(f"no district {code} in the data; choose one of {', '.join(d['code'] for d in districts)}")
    elif district:
        raise ValueError("--district goes with --scale district")
    total = sum(d["population"] for d in districts)
    few_residents = split(spec.residents, [d["population"] for d in districts]) if spec.residents else []
    plans = []
    for i, d in enumerate(districts):
        if scale == "district" and d["code"] != (district or DEFAULT_DISTRICT):
            continue
        rng = random.Random(f"{seed}:{d['code']}:plan")
        namer = PlaceNamer(rng)
        if spec.full:
            plans.append(_full_district(d, total, rng, namer, few_residents[i] if few_residents else None))
        else:
            plans.append(_small_district(d, spec.communities_per_street, few_residents[i], rng, namer))
    return CityPlan(scale, seed, data["city"]["code"], data["city"]["name"], plans)


def _streets(d: dict, communities_per_street: list[int], namer: PlaceNamer) -> list[StreetPlan]:
    streets = []
    for si, (name, n) in enumerate(zip(d["streets"], communities_per_street), start=1):
        code = f"{d['code']}{si:03d}"
        street = StreetPlan(code, name + "街道")
        street.communities = [CommunityPlan(f"{code}{ci:03d}", namer.community()) for ci in range(1, n + 1)]
        streets.append(street)
    return streets


def _compounds(
    d: dict, streets: list[StreetPlan], kinds: list[str], population: int, rng: random.Random, namer: PlaceNamer,
    per_community: list[int],
) -> None:
    """Names the compounds of `kinds`, shares out `population` by kind, and deals them to the communities."""
    present = sorted(set(kinds), key=KINDS.index)
    by_kind = dict(zip(present, split(population, [RESIDENT_SHARE[k] for k in present])))
    sizes: list[int] = [0] * len(kinds)
    for kind in present:
        idx = [i for i, k in enumerate(kinds) if k == kind]
        for i, p in zip(idx, split(by_kind[kind], [rng.uniform(0.4, 1.6) for _ in idx], minimum=1)):
            sizes[i] = p
    name_of = {GARDEN: namer.garden_estate, VILLAGE: namer.urban_village, OTHER: namer.other}
    communities = [(s, c) for s in streets for c in s.communities]
    it = iter(zip(kinds, sizes))
    for (street, community), n in zip(communities, per_community):
        for ci in range(1, n + 1):
            kind, size = next(it)
            address = f"{d['name']}{street.name}{namer.road()}{rng.randint(1, 999)}号"
            community.compounds.append(CompoundPlan(f"{community.code}{ci:03d}", name_of[kind](), kind, size, address))


def _full_district(d: dict, city_total: int, rng: random.Random, namer: PlaceNamer,
                   residents: int | None = None) -> DistrictPlan:
    """The district at the real city's density of communities and compounds; its census population, or
    ``residents`` people shared out the same way."""
    share = d["population"] / city_total
    street_weights = [rng.uniform(0.6, 1.4) for _ in d["streets"]]
    n_communities = max(len(d["streets"]), round(CITY_COMMUNITIES * share))
    streets = _streets(d, split(n_communities, street_weights, minimum=1), namer)
    kinds = [k for k in KINDS for _ in range(max(1, round(CITY_COMPOUNDS[k] * share)))]
    rng.shuffle(kinds)
    per_community = split(len(kinds), [1.0] * n_communities, minimum=1)
    population = d["population"] if residents is None else residents
    _compounds(d, streets, kinds, population, rng, namer, per_community)
    return DistrictPlan(d["code"], d["name"], population, streets)


def _small_district(
    d: dict, communities_per_street: int, residents: int, rng: random.Random, namer: PlaceNamer
) -> DistrictPlan:
    streets = _streets(d, [communities_per_street] * len(d["streets"]), namer)
    kinds: list[str] = []
    per_community = []
    for i in range(len(d["streets"]) * communities_per_street):
        mine = [GARDEN, VILLAGE] + ([OTHER] if i % 3 == 0 else [GARDEN] if i % 3 == 1 else [])
        kinds += mine
        per_community.append(len(mine))
    _compounds(d, streets, kinds, residents, rng, namer, per_community)
    return DistrictPlan(d["code"], d["name"], residents, streets)


# ----------------------------------------------------------------------------------------------- rows


def _age_tables() -> tuple[list[float], dict[str, tuple[list[float], list[float]]]]:
    """Cumulative age distributions: everyone, and per kind (household heads, other members).

    Heads are adults; the other members' distribution is what remains of the census shape once the
    heads are taken out, so that all residents together follow the census.
    """
    weights = [0.0] * 100
    for lo, hi, share in AGE_GROUP_SHARES:
        if lo == 15:
            rel = [WORKING_AGE_SHAPE[a - a % 5] for a in range(lo, hi + 1)]
        elif lo == 65:
            rel = [0.93 ** (a - lo) for a in range(lo, hi + 1)]
        else:
            rel = [1.0] * (hi - lo + 1)
        s = sum(rel)
        for a, r in zip(range(lo, hi + 1), rel):
            weights[a] = share * r / s
    census = _cumulative(weights)
    per_kind = {}
    adults = sum(weights[HEAD_MIN_AGE:])
    for kind, sizes in HOUSEHOLD_SIZES.items():
        mean = sum((i + 1) * w for i, w in enumerate(sizes)) / sum(sizes)
        h = 1 / mean
        head = [w / adults if a >= HEAD_MIN_AGE else 0.0 for a, w in enumerate(weights)]
        member = [max(0.0, (w - h * hw) / (1 - h)) for w, hw in zip(weights, head)]
        per_kind[kind] = (_cumulative(head), _cumulative(member))
    return census, per_kind


def _cumulative(weights: list[float]) -> list[float]:
    out, s, total = [], 0.0, sum(weights)
    for w in weights:
        s += w / total
        out.append(s)
    out[-1] = 1.0
    return out


class CityRows:
    """The rows of a planned city, ids assigned from `first_ids` (table → first free primary key).

    `place_rows()` gives the small tables at once; `resident_batches()` streams buildings,
    households, people and memberships compound by compound, each batch complete in itself
    (every row's parents are in that batch or an earlier one).
    """

    def __init__(self, plan: CityPlan, id_key: bytes, created_at: str, first_ids: dict[str, int] | None = None):
        self.plan = plan
        self.id_key = id_key
        self.created_at = created_at
        self.next_id = {t: 1 for t in COLUMNS} | (first_ids or {})
        self.compound_ids: dict[str, int] = {}
        # Each district's people, memberships, households and buildings get a block of ids of their
        # own, as long as its population (a household has at least one person, a building at least
        # one household), so that districts can be generated in any order or in parallel and still
        # give the same rows.
        self.district_first_ids: dict[str, dict[str, int]] = {}
        offset = 0
        for d in plan.districts:
            self.district_first_ids[d.code] = {t: self.next_id[t] + offset for t in BULK_TABLES}
            offset += sum(c.population for c in d.compounds())

    def place_rows(self) -> dict[str, list[tuple]]:
        """Areas (city to compound), gates, traffic checkpoints and service centres."""
        rows: dict[str, list[tuple]] = {t: [] for t in PLACE_TABLES}
        nid = self.next_id
        area, gate, checkpoint, centre = rows["area"], rows["gate"], rows["checkpoint"], rows["service_centre"]

        def add_area(code: str, name: str, level: str, parent: int | None, kind: str = "", address: str = "") -> int:
            pk = nid["area"]
            nid["area"] += 1
            area.append((pk, code, name, level, parent, kind, address))
            if level != "compound":
                centre.append((nid["service_centre"], code + "S", pk, name + "党群服务中心", ""))
                nid["service_centre"] += 1
            return pk

        plan = self.plan
        city = add_area(plan.code, plan.name, "city", None)
        for d in plan.districts:
            rng = random.Random(f"{plan.seed}:{d.code}:places")
            namer = PlaceNamer(rng)
            district = add_area(d.code, d.name, "district", city)
            for s in d.streets:
                street = add_area(s.code, s.name, "street", district)
                for k in range(1, rng.randint(*CHECKPOINTS_PER_STREET) + 1):
                    checkpoint.append((nid["checkpoint"], f"{s.code}K{k:02d}", street, f"{s.name}{namer.road()}卡口"))
                    nid["checkpoint"] += 1
                for c in s.communities:
                    community = add_area(c.code, c.name, "community", street)
                    for k in c.compounds:
                        pk = add_area(k.code, k.name, "compound", community, k.kind, k.address)
                        self.compound_ids[k.code] = pk
                        n = rng.randint(*GATES_PER_COMPOUND[k.kind])
                        for g, side in enumerate(rng.sample(GATE_SIDES, n), start=1):
                            direction = "both" if g == 1 else rng.choice(("entry", "exit", "both"))
                            gate.append((nid["gate"], f"{k.code}G{g}", pk, f"{k.name}{side}门", direction))
                            nid["gate"] += 1
        return rows

    def resident_batches(
        self, batch_size: int = 50_000, districts: Collection[str] | None = None
    ) -> Iterator[dict[str, list[tuple]]]:
        """Buildings, households, people and memberships of every district (or of `districts`, by
        code), in batches of about `batch_size` people."""
        if not self.compound_ids:
            self.place_rows()
        batch = _empty_batch()
        for d in self.plan.districts:
            if districts is not None and d.code not in districts:
                continue
            people = _DistrictPeople(self, d)
            for compound in d.compounds():
                people.compound(compound, batch)
                if len(batch["person"]) >= batch_size:
                    yield batch
                    batch = _empty_batch()
        if batch["building"]:
            yield batch


def _empty_batch() -> dict[str, list[tuple]]:
    return {t: [] for t in BULK_TABLES}


_AGES, _AGES_BY_KIND = _age_tables()
_DAY0 = AGE_DAY - timedelta(days=366 * 101)
_DAYS = (date(2020, 12, 31) - _DAY0).days + 1
_AGE_DAY_INDEX = (AGE_DAY - _DAY0).days
_DATE_ISO = [(_DAY0 + timedelta(days=i)).isoformat() for i in range(_DAYS)]
_DATE_DIGITS = [s.replace("-", "") for s in _DATE_ISO]
_DATE_YEAR = [int(s[:4]) for s in _DATE_ISO]
_DATE_SUM = [sum(int(c) * w for c, w in zip(s, _WEIGHTS[6:14])) for s in _DATE_DIGITS]
_SEQ = [f"{i:03d}" for i in range(1000)]
_SEQ_SUM = [sum(int(c) * w for c, w in zip(s, _WEIGHTS[14:])) for s in _SEQ]
_YEAR_DAYS = 365.2425


@functools.lru_cache(maxsize=4)
def _name_pools(seed: int) -> tuple[list[str], list[str]]:
    return person_name_pools(random.Random(f"{seed}:names"))


def _day(d: date) -> int:
    return (d - _DAY0).days


class _DistrictPeople:
    """Generates the residents of one district; holds its random stream and its ID sequence counters."""

    def __init__(self, rows: CityRows, d: DistrictPlan):
        seed = rows.plan.seed
        self.rows = rows
        self.rng = random.Random(f"{seed}:{d.code}:people")
        self.region = d.code
        self.region_sum = sum(int(c) * w for c, w in zip(d.code, _WEIGHTS[:6]))
        self.male_names, self.female_names = _name_pools(seed)
        self.next_id = dict(rows.district_first_ids[d.code])
        self.issued: dict[int, int] = {}  # (birth day << 1 | male) → sequences handed out
        inner = hashlib.sha256()
        outer = hashlib.sha256()
        key = rows.id_key if len(rows.id_key) <= 64 else hashlib.sha256(rows.id_key).digest()
        key = key.ljust(64, b"\0")
        inner.update(bytes(b ^ 0x36 for b in key))
        outer.update(bytes(b ^ 0x5C for b in key))
        self.inner, self.outer = inner, outer
        self.owner_days = (_day(date(1995, 1, 1)), _day(date(2019, 12, 31)))
        self.tenant_days = (_day(date(2016, 1, 1)), _day(date(2020, 1, 18)))

    def compound(self, c: CompoundPlan, batch: dict[str, list[tuple]]) -> None:
        """Appends the buildings, households, people and memberships of compound `c` to `batch`."""
        rows = self.rows
        rng = self.rng
        random_ = rng.random
        nid = self.next_id
        compound_id = rows.compound_ids[c.code]
        buildings, households = batch["building"], batch["household"]
        persons, memberships = batch["person"], batch["membership"]
        kind = c.kind
        size_cum = _cumulative(list(HOUSEHOLD_SIZES[kind]))
        head_ages, member_ages = _AGES_BY_KIND[kind]
        owner_share = OWNER_SHARE[kind]
        (fl_lo, fl_hi), (un_lo, un_hi) = BUILDING_SHAPE[kind]
        building_word = {GARDEN: "栋", VILLAGE: "号楼", OTHER: "号宿舍楼"}[kind]
        member_relation_rented = "other" if kind == OTHER else "tenant"
        region, region_sum, issued = self.region, self.region_sum, self.issued
        masked_prefix = region[:4] + "*" * 10
        inner_copy, outer_copy = self.inner.copy, self.outer.copy
        male_names, female_names = self.male_names, self.female_names
        name_mask = len(male_names) - 1
        getrandbits = rng.getrandbits
        bisect_ = bisect.bisect
        created_at = rows.created_at
        last_day = _AGE_DAY_INDEX
        o_lo, o_hi = self.owner_days
        t_lo, t_hi = self.tenant_days
        prefixes = PHONE_PREFIXES
        n_prefixes = len(prefixes)
        age_days = [last_day - int(a * _YEAR_DAYS) for a in range(100)]

        person_id = nid["person"]
        membership_id = nid["membership"]
        household_id = nid["household"]
        building_id = nid["building"]
        remaining = c.population
        b = 0
        while remaining > 0:
            b += 1
            bcode = f"{c.code}{b:03d}"
            buildings.append((building_id, bcode, compound_id, f"{b}{building_word}"))
            floors = rng.randint(fl_lo, fl_hi)
            units = rng.randint(un_lo, un_hi)
            for floor in range(1, floors + 1):
                if remaining <= 0:
                    break
                for unit in range(1, units + 1):
                    if remaining <= 0:
                        break
                    room = floor * 100 + unit
                    households.append((household_id, f"{bcode}{room:04d}", building_id, str(room)))
                    size = min(bisect_(size_cum, random_()) + 1, remaining)
                    remaining -= size
                    owned = random_() < owner_share
                    if owned:
                        head_relation, others = "owner", "family"
                        moved_in = o_lo + int(random_() * (o_hi - o_lo))
                    else:
                        head_relation, others = "tenant", member_relation_rented
                        moved_in = t_lo + int(random_() * (t_hi - t_lo))
                    for m in range(size):
                        male = 1 if random_() < MALE_SHARE else 0
                        age = bisect_(head_ages if m == 0 else member_ages, random_())
                        day = age_days[age] - int(random_() * 365)
                        while True:
                            key = day << 1 | male
                            n = issued.get(key, 0)
                            if n < SEQUENCES_PER_SEX:
                                break
                            day = day + 1 if day < last_day else day - 365
                        issued[key] = n + 1
                        seq = 2 * ((n * _SEQUENCE_STRIDE + day) % SEQUENCES_PER_SEX) + male
                        tail = _SEQ[seq] + _CHECK[(region_sum + _DATE_SUM[day] + _SEQ_SUM[seq]) % 11]
                        number = region + _DATE_DIGITS[day] + tail
                        h = inner_copy()
                        h.update(number.encode())
                        o = outer_copy()
                        o.update(h.digest())
                        if age >= PHONE_MIN_AGE:
                            phone = prefixes[int(random_() * n_prefixes)] + f"{int(random_() * 1e8):08d}"
                        else:
                            phone = ""
                        persons.append((
                            person_id,
                            (male_names if male else female_names)[getrandbits(16) & name_mask],
                            o.hexdigest()[:32],
                            masked_prefix + tail,
                            phone,
                            _DATE_YEAR[day],
                            "M" if male else "F",
                            random_() < VERIFIED_SHARE,
                            created_at,
                        ))
                        memberships.append((
                            membership_id,
                            person_id,
                            household_id,
                            head_relation if m == 0 else others,
                            _DATE_ISO[moved_in if moved_in > day else day],
                            None,
                        ))
                        person_id += 1
                        membership_id += 1
                    household_id += 1
            building_id += 1
        nid["person"], nid["membership"] = person_id, membership_id
        nid["household"], nid["building"] = household_id, building_id


def id_hmac_reference(number: str, key: bytes) -> str:
    """The HMAC as `wuyi.people.identity.id_hmac` computes it, for checking the precomputed states."""
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:32]
