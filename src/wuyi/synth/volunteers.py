"""The demo's volunteer history (issue 5): 30 days of tasks, claims, hours and participations ending today, at the
scale the platform really had (DESIGN.md §6: 40,000 tasks and 220,000 participations in 30 days).

What is taken from the record: the totals, about 40,000 tasks and 220,000 participations (人次) in 30 days.
Everything else is chosen here (synthetic, never real):

- Volunteers: ``VOLUNTEER_SHARE`` of the verified residents aged 18 to 65 (about 8,000 of the demo city's 20,000
  residents: the demo is small, the volume of work is the real city's), each with a Volunteer row in the
  community they live in. A person who already volunteers keeps their row and is counted in.
- Teams: ``TEAMS_PER_COMMUNITY`` per community with enough volunteers (党员先锋队, 青年突击队 …), 6 to 10
  members each; a team's leader claims 2 to 5 slots of a task for it in one claim.
- Tasks: ``TASKS_PER_DAY`` a day on average (a little more on weekends, ±10 % from day to day), shared between
  the communities by population and between kinds by ``KINDS`` (gate duty the most, then temperature checks,
  delivery, disinfection …), each in one of its kind's shifts, at a gate, a compound or the community's service
  centre. 1 % are cancelled by the community.
- Claims: most slots are taken; of the live claims 96 % are done (hours from the check-in and check-out, else the
  task's window, bounded by it, times the slots; participations = slots) and 4 % are no-shows; 7 % more
  claims were cancelled before the start. Volunteers serve in their own community, each about once a day.
- Before the moment of the build: tasks not yet over are open with active claims (fewer taken the later
  they start); tasks over whose claims are not yet confirmed (confirmation comes 10 minutes to 6 hours after the
  end) are closed to claims.

History tasks carry a check-in token that starts with ``HISTORY_TOKEN_PREFIX`` (ordinary tokens never contain a
dot); that is how the history is found again (``history_tasks``). Rows are written in bulk with the driver, ids
assigned here; the same seed, days, end, moment and city always give the same rows (ids and tokens aside).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import itertools
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from wuyi.errors import DomainError
from wuyi.people.models import Membership
from wuyi.places.models import Area, Gate, Level, ServiceCentre
from wuyi.synth.city import ROWS_PER_INSERT, pack
from wuyi.synth.generator import split
from wuyi.volunteers import stats
from wuyi.volunteers.models import (
    Claim,
    ClaimStatus,
    Skill,
    Task,
    TaskKind,
    TaskStatus,
    Team,
    TeamMember,
    Volunteer,
)

Progress = Callable[[str, int, int], None]

LOCAL = ZoneInfo("Asia/Shanghai")
# DESIGN.md §6: 40,000 volunteer tasks and 220,000 participations in 30 days.
DAYS = 30
TASKS_PER_DAY = 40_000 / 30
VOLUNTEER_SHARE = 0.6  # of the verified residents aged 18–65: ~8,000 of the demo's 20,000 residents
VOLUNTEER_AGES = (18, 65)
TEAMS_PER_COMMUNITY = 2
TEAM_NAMES = ("党员先锋队", "青年突击队", "巾帼志愿队", "楼栋志愿队")
TEAM_SIZE = (6, 10)
TEAM_CLAIM_SHARE = 0.08  # of tasks with three slots or more, one slot block goes to a team
TEAM_SLOTS = (2, 5)
CANCELLED_TASK_SHARE = 0.01
FULL_SHARE = 0.85  # of past tasks every slot is taken; the others are 50–99 % taken
NO_SHOW_SHARE = 0.04
CANCELLED_CLAIM_SHARE = 0.07
CHECKED_SHARE = 0.7  # of done claims with a check-in and a check-out (the others are confirmed on the window)
CONFIRM_AFTER_MINUTES = (10, 360)
PUBLISHED_BEFORE_HOURS = (12, 72)
WEEKEND_FACTOR = 1.1
HISTORY_TOKEN_PREFIX = "h."
NO_HOURS = Decimal("0.00")
LANGUAGES = (("zh", 1.0), ("yue", 0.3), ("en", 0.06), ("hak", 0.05), ("teo", 0.04))
PARTY_MEMBER_SHARE = 0.2
SKILL_SHARE = 0.12  # each skill, independently


@dataclass(frozen=True)
class KindPlan:
    kind: str
    share: float
    title: str  # formatted with {place}
    place: str  # "gate", "compound" or "centre"
    shifts: tuple[tuple[int, int], ...]  # local [start hour, end hour)
    capacity: tuple[int, int]
    skills: tuple[str, ...] = ()


KINDS = (
    KindPlan(TaskKind.GATE_DUTY, 0.38, "{place}值守", "gate", ((6, 10), (10, 14), (14, 18), (18, 22)), (4, 11)),
    KindPlan(TaskKind.TEMPERATURE, 0.18, "{place}出入口体温检测", "compound", ((7, 10), (11, 14), (17, 20)), (3, 10)),
    KindPlan(TaskKind.DELIVERY, 0.16, "{place}居家隔离户代购代送", "compound", ((9, 11), (14, 16), (19, 21)), (2, 8)),
    KindPlan(TaskKind.DISINFECTION, 0.09, "{place}公共区域消杀", "compound", ((8, 10), (15, 17)), (3, 8)),
    KindPlan(TaskKind.CARE_VISIT, 0.08, "{place}独居老人探访", "compound", ((9, 11), (15, 17)), (1, 4)),
    KindPlan(TaskKind.PUBLICITY, 0.06, "{place}防疫宣传", "centre", ((9, 12), (14, 17)), (4, 12)),
    KindPlan(TaskKind.PSYCHOLOGICAL, 0.03, "{place}心理疏导热线", "centre", ((9, 12), (19, 21)), (1, 3),
             (Skill.PSYCHOLOGICAL,)),
    KindPlan(TaskKind.OTHER, 0.02, "{place}防疫物资搬运", "centre", ((8, 11), (14, 17)), (3, 10), (Skill.LOGISTICS,)),
)

TABLES: dict[str, type[models.Model]] = {
    "volunteer": Volunteer, "team": Team, "teammember": TeamMember, "task": Task, "claim": Claim,
}


@dataclass(frozen=True)
class HistorySummary:
    built: bool
    message: str
    seed: int
    first: dt.date | None = None
    last: dt.date | None = None
    volunteers: int = 0  # taking part (new ones included)
    new_volunteers: int = 0
    teams: int = 0
    tasks: int = 0
    claims: int = 0
    participations: int = 0
    hours: Decimal = Decimal(0)
    by_kind: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def history_tasks() -> models.QuerySet:
    """The tasks of the synthetic history (their claims go with them)."""
    return Task.objects.filter(checkin_token__startswith=HISTORY_TOKEN_PREFIX)


def delete_history() -> int:
    """Delete the history's tasks and, with them, their claims, thanks and notifications, set-based. Volunteers and
    teams stay: they are people who signed up, and a new history takes them again. Returns the tasks deleted."""
    from wuyi.volunteers.models import Notification, Thanks, Wish

    tasks = history_tasks()
    claims = Claim.objects.filter(task__in=tasks)
    Thanks.objects.filter(claim__in=claims).delete()
    Notification.objects.filter(task__in=tasks).delete()
    Wish.objects.filter(task__in=tasks).update(task=None)
    claims._raw_delete(claims.db)
    stats.forget()  # the rollup counted them
    return tasks._raw_delete(tasks.db)


# ----------------------------------------------------------------------------------------------- the city


@dataclass
class _Community:
    id: int
    code: str
    name: str
    centre_id: int | None
    compounds: list[tuple[int, str]] = field(default_factory=list)  # (id, name)
    gates: list[tuple[int, int, str]] = field(default_factory=list)  # (id, compound id, name)
    residents: list[int] = field(default_factory=list)  # eligible person ids
    population: int = 0
    volunteers: list[int] = field(default_factory=list)  # volunteer ids
    teams: list[tuple[int, int, list[int]]] = field(default_factory=list)  # (team id, leader id, member ids)


def _communities(year: int) -> list[_Community]:
    communities = {
        pk: _Community(pk, code, name, None)
        for pk, code, name in Area.objects.filter(level=Level.COMMUNITY).order_by("code").values_list("id", "code", "name")
    }
    by_code = {c.code: c for c in communities.values()}
    for area_id, pk in ServiceCentre.objects.filter(area_id__in=list(communities)).order_by("code").values_list(
            "area_id", "id"):
        communities[area_id].centre_id = communities[area_id].centre_id or pk
    compound_community = {}
    for pk, name, parent in Area.objects.filter(level=Level.COMPOUND).order_by("code").values_list(
            "id", "name", "parent_id"):
        if parent in communities:
            communities[parent].compounds.append((pk, name))
            compound_community[pk] = parent
    for pk, compound, name in Gate.objects.order_by("code").values_list("id", "compound_id", "name"):
        if compound in compound_community:
            communities[compound_community[compound]].gates.append((pk, compound, name))
    oldest, youngest = year - VOLUNTEER_AGES[1], year - VOLUNTEER_AGES[0]
    rows = (Membership.objects.filter(moved_out__isnull=True).order_by("person_id")
            .values_list("person_id", "household__code", "person__verified", "person__birth_year"))
    seen = set()
    for person, household, verified, born in rows:
        if person in seen:
            continue
        seen.add(person)
        community = by_code.get(household[:12])
        if community is None:
            continue
        community.population += 1
        if verified and born is not None and oldest <= born <= youngest:
            community.residents.append(person)
    return [c for c in communities.values() if c.compounds]


# ----------------------------------------------------------------------------------------------- building


class _Clock(dict):
    """Moments (minutes since the epoch) as the database wants them: naive UTC text on SQLite, aware datetimes on
    PostgreSQL; ``clock[minute]``, None for None. Cached: every moment here falls on a minute, and a history has
    a million of them."""

    def __init__(self, vendor: str):
        super().__init__({None: None})
        self.sqlite = vendor == "sqlite"

    def __missing__(self, minute: int):
        moment = dt.datetime.fromtimestamp(minute * 60, dt.UTC)
        value = self[minute] = moment.replace(tzinfo=None).isoformat(" ") if self.sqlite else moment
        return value


def _minute(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // 60


def _token(key: bytes, seed: int, n: int) -> str:
    """The check-in token of the ``n``-th task: a keyed hash, unguessable without the installation's secret key."""
    digest = hashlib.blake2b(f"history:{seed}:{n}".encode(), key=key, digest_size=16).digest()
    return HISTORY_TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode()[:22]


def _token_key() -> bytes:
    return hashlib.sha256(settings.SECRET_KEY.encode()).digest()


@functools.cache
def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


class _Draw:
    """Draws from one random stream, cheaply: ``random.Random``'s randint and choice cost ten times a bare random(),
    and a history draws a few million times."""

    def __init__(self, rng: random.Random):
        self.random = rng.random

    def int(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def pick(self, seq):
        return seq[int(self.random() * len(seq))]


def build_history(seed: int = 2020, days: int = DAYS, end: dt.date | None = None, progress: Progress | None = None,
                  replace: bool = False, scale: float = 1.0, now: dt.datetime | None = None) -> HistorySummary:
    """Write ``days`` days of volunteer work ending on the local day ``end`` (default: today) on the city.

    ``scale`` multiplies the number of tasks (1.0: the real city's 40,000 in 30 days). One transaction. Does nothing
    (and says so) when history tasks exist, unless ``replace``, which deletes them (and their claims) first. The
    moment ``now`` (default: the present) decides which tasks are over and which claims are confirmed.
    """
    report = progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    now = now or timezone.now()
    end = end or timezone.localtime(now, LOCAL).date()
    if not 1 <= days <= 366:
        raise DomainError("invalid_days", "a history covers 1 to 366 days", "days")
    if not 0 < scale <= 10:
        raise DomainError("invalid_scale", "the scale is more than 0 and at most 10", "scale")
    first = end - dt.timedelta(days=days - 1)
    with transaction.atomic():
        existing = history_tasks().count()
        if existing:
            if not replace:
                return HistorySummary(False, f"a volunteer history of {existing:,} tasks exists; nothing done "
                                             "(--replace rebuilds it)", seed)
            delete_history()
        communities = _communities(end.year)
        if not communities:
            raise DomainError("no_city", "build the city first (wuyi city generate)")
        vendor = connection.vendor
        clock = _Clock(vendor)
        ids = _first_ids()
        rows: dict[str, list[tuple]] = {t: [] for t in TABLES}
        joined = _minute(dt.datetime.combine(first, dt.time(9), LOCAL))
        new_volunteers = _volunteers(communities, seed, ids, rows, clock, joined)
        report("volunteers", len(rows["volunteer"]), len(rows["volunteer"]))
        teams = _teams(communities, random.Random(f"{seed}:teams"), ids, rows, clock, joined)
        rng = random.Random(f"{seed}:tasks")
        summary = _tasks_and_claims(communities, seed, rng, first, days, scale, _minute(now), ids, rows, clock, report)
        written = _write(vendor, rows)
        report("written", written, written)
        stats.roll_up(first, end, now)  # so that the statistics page's first reader does not wait for it
    return HistorySummary(
        built=True,
        message=(f"{summary['tasks']:,} tasks and {summary['participations']:,} participations from {first} to {end}"
                 + (f"; {existing:,} earlier history tasks replaced" if existing else "")),
        seed=seed, first=first, last=end,
        volunteers=sum(len(c.volunteers) for c in communities), new_volunteers=new_volunteers, teams=teams,
        tasks=summary["tasks"], claims=summary["claims"], participations=summary["participations"],
        hours=summary["hours"], by_kind=summary["by_kind"], seconds=round(time.perf_counter() - started, 2),
    )


def _first_ids() -> dict[str, int]:
    with connection.cursor() as cursor:
        first = {}
        for name, model in TABLES.items():
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
            first[name] = cursor.fetchone()[0]
    return first


def _next(ids: dict[str, int], table: str) -> int:
    pk = ids[table]
    ids[table] += 1
    return pk


def _volunteers(communities: list[_Community], seed: int, ids: dict, rows: dict, clock: _Clock, joined: int) -> int:
    """Choose each community's volunteers among its eligible residents; a row for those without one. The choice
    has a random stream of its own, so the same people are chosen whoever was a volunteer before."""
    existing = dict(Volunteer.objects.values_list("person_id", "id"))
    skills = list(Skill.values)
    pick, rng = random.Random(f"{seed}:volunteers"), random.Random(f"{seed}:profiles")
    for c in communities:
        chosen = sorted(pick.sample(c.residents, round(VOLUNTEER_SHARE * len(c.residents))))
        for person in chosen:
            pk = existing.get(person)
            if pk is None:
                pk = _next(ids, "volunteer")
                languages = [code for code, share in LANGUAGES if rng.random() < share]
                own = [s for s in skills if rng.random() < SKILL_SHARE]
                weekend = rng.random() < 0.5
                availability = {str(d): [[8, 20]] for d in ((5, 6) if weekend else range(7))}
                rows["volunteer"].append((
                    pk, person, c.id, json.dumps(own), json.dumps(languages),
                    json.dumps(availability, separators=(",", ":")), rng.random() < PARTY_MEMBER_SHARE,
                    clock[joined - rng.randrange(60 * 24 * 60)],
                ))
            c.volunteers.append(pk)
    return len(rows["volunteer"])


def _teams(communities: list[_Community], rng: random.Random, ids: dict, rows: dict, clock: _Clock,
           joined: int) -> int:
    """The teams of each community (those already there by name are taken again, with their active members)."""
    existing = {(community, name): pk for pk, community, name in Team.objects.values_list("id", "community_id", "name")}
    members: dict[int, list[int]] = defaultdict(list)
    leaders = dict(Team.objects.values_list("id", "leader_id"))
    for team, volunteer in TeamMember.objects.filter(status="active").order_by("pk").values_list("team_id",
                                                                                                  "volunteer_id"):
        members[team].append(volunteer)
    count = 0
    for c in communities:
        if len(c.volunteers) < TEAM_SIZE[1]:
            continue
        for name in TEAM_NAMES[:TEAMS_PER_COMMUNITY]:
            full_name = f"{c.name}{name}"[:60]
            pk = existing.get((c.id, full_name))
            crew = rng.sample(c.volunteers, rng.randint(*TEAM_SIZE))
            if pk is None:
                pk = _next(ids, "team")
                since = joined - rng.randrange(30 * 24 * 60)
                rows["team"].append((pk, full_name, crew[0], c.id, clock[since]))
                for volunteer in crew:
                    rows["teammember"].append((_next(ids, "teammember"), pk, volunteer, "active", clock[since]))
                c.teams.append((pk, crew[0], crew))
            elif len(members[pk]) >= TEAM_SLOTS[0]:
                c.teams.append((pk, leaders[pk], members[pk]))
            count += 1
    return count


def _day_weights(first: dt.date, days: int, rng: random.Random) -> list[float]:
    return [(WEEKEND_FACTOR if (first + dt.timedelta(days=i)).weekday() >= 5 else 1.0) * rng.uniform(0.9, 1.1)
            for i in range(days)]


def _tasks_and_claims(communities: list[_Community], seed: int, rng: random.Random, first: dt.date, days: int,
                      scale: float, now: int, ids: dict, rows: dict, clock: _Clock, report: Progress) -> dict:
    total = max(1, round(TASKS_PER_DAY * days * scale))
    per_day = split(total, _day_weights(first, days, rng))
    weights = [c.population for c in communities]
    kind_weights = list(itertools.accumulate(k.share for k in KINDS))
    tasks, claims = rows["task"], rows["claim"]
    figures = {"tasks": 0, "participations": 0, "hours": Decimal(0), "by_kind": defaultdict(int), "seed": seed,
               "key": _token_key(), "skills": {k.kind: json.dumps(list(k.skills)) for k in KINDS}}
    draw = _Draw(rng)
    for d, n_day in enumerate(per_day):
        day = first + dt.timedelta(days=d)
        midnight = _minute(dt.datetime.combine(day, dt.time(0), LOCAL))
        for c, n in zip(communities, split(n_day, [w * rng.uniform(0.8, 1.2) for w in weights])):
            if n == 0:
                continue
            pool = list(c.volunteers)
            rng.shuffle(pool)
            cursor = 0
            for kind in sorted(rng.choices(KINDS, cum_weights=kind_weights, k=n), key=KINDS.index):
                cursor = _task(c, kind, draw, midnight, now, pool, cursor, ids, tasks, claims, clock, figures)
        report("days", d + 1, days)
    return {"tasks": figures["tasks"], "claims": len(claims), "participations": figures["participations"],
            "hours": figures["hours"], "by_kind": dict(figures["by_kind"])}


def _task(c: _Community, kind: KindPlan, draw: _Draw, midnight: int, now: int, pool: list[int], cursor: int,
          ids: dict, tasks: list, claims: list, clock: _Clock, figures: dict) -> int:
    """One task of ``kind`` in community ``c`` on the day starting at ``midnight`` (minutes), with its claims.
    Volunteers come from ``pool`` in turn from ``cursor``; returns where the next task goes on."""
    rand, between, pick = draw.random, draw.int, draw.pick
    pk = _next(ids, "task")
    start_hour, end_hour = pick(kind.shifts)
    starts, ends = midnight + 60 * start_hour, midnight + 60 * end_hour
    compound_id = gate_id = centre_id = None
    if kind.place == "gate" and c.gates:
        gate_id, compound_id, place = pick(c.gates)
    elif kind.place in ("gate", "compound"):
        compound_id, place = pick(c.compounds)
    else:
        centre_id, place = c.centre_id, c.name
    capacity = between(*kind.capacity)
    published = min(starts - 60 * between(*PUBLISHED_BEFORE_HOURS), now - between(10, 120))
    last_claim = max(published + 1, min(starts - 30, now))
    cancelled_task = rand() < CANCELLED_TASK_SHARE
    if cancelled_task:
        wanted = 0
    elif rand() < FULL_SHARE * (1.0 if ends <= now else 0.5):
        wanted = capacity
    else:
        wanted = max(1, round(capacity * _uniform(rand, 0.5 if ends <= now else 0.2, 0.99)))

    def next_free() -> int | None:
        nonlocal cursor
        for _ in range(len(pool)):
            volunteer = pool[cursor % len(pool)]
            cursor += 1
            if volunteer not in busy:
                busy.add(volunteer)
                return volunteer
        return None

    # Live claims: a team's block of slots first, then volunteers one by one; then claims cancelled in time.
    busy: set[int] = set()
    blocks: list[tuple[int, int | None, int]] = []  # (volunteer, team, slots)
    if wanted >= 3 and c.teams and rand() < TEAM_CLAIM_SHARE:
        team, leader, crew = pick(c.teams)
        if leader not in busy:
            slots = min(between(*TEAM_SLOTS), len(crew), wanted)
            blocks.append((leader, team, slots))
            busy.update(crew)
    remaining = wanted - sum(slots for _v, _t, slots in blocks)
    while remaining > 0:
        volunteer = next_free()
        if volunteer is None:
            break
        blocks.append((volunteer, None, 1))
        remaining -= 1
    taken = active = 0
    for volunteer, team, slots in blocks:
        claimed = published + int(rand() * (last_claim - published))
        if cancelled_task:
            claims.append((_next(ids, "claim"), pk, volunteer, team, slots, ClaimStatus.CANCELLED, clock[claimed],
                           clock[min(starts - 60 * between(3, 12), now)], None, None, None, NO_HOURS, 0))
            continue
        taken += slots
        checked_in = checked_out = confirmed = None
        hours, participations = NO_HOURS, 0
        confirm_at = ends + between(*CONFIRM_AFTER_MINUTES)
        no_show = rand() < NO_SHOW_SHARE
        if not no_show and rand() < CHECKED_SHARE and starts - 30 <= now:
            checked_in = starts - between(0, 20)
            if ends + 30 <= now:
                checked_out = ends + between(-30, 15)
        if confirm_at > now:
            status = ClaimStatus.ACTIVE
            active += 1
        elif no_show:
            status, confirmed, checked_in, checked_out = ClaimStatus.NO_SHOW, confirm_at, None, None
        else:
            status, confirmed = ClaimStatus.DONE, confirm_at
            minutes = max(0, min(checked_out or ends, ends) - max(checked_in or starts, starts)) * slots
            hours, participations = _hours(minutes), slots
            figures["hours"] += hours
            figures["participations"] += slots
        claims.append((_next(ids, "claim"), pk, volunteer, team, slots, status, clock[claimed], None,
                       clock[checked_in], clock[checked_out], clock[confirmed], hours, participations))
        if rand() < CANCELLED_CLAIM_SHARE:
            other = next_free()
            if other is not None:
                cancelled = min(starts - 60 * between(3, 24), now)
                before = max(published, min(claimed, cancelled - 1))
                claims.append((_next(ids, "claim"), pk, other, None, 1, ClaimStatus.CANCELLED, clock[before],
                               clock[cancelled], None, None, None, NO_HOURS, 0))
    if cancelled_task:
        status = TaskStatus.CANCELLED
    elif ends > now:
        status = TaskStatus.OPEN
    else:
        status = TaskStatus.CLOSED if active else TaskStatus.DONE
    figures["tasks"] += 1
    tasks.append((
        pk, kind.kind, kind.title.format(place=place)[:100], "", c.id, compound_id, gate_id, centre_id,
        clock[starts], clock[ends], capacity, taken, status, figures["skills"][kind.kind], "", "", 2,
        _token(figures["key"], figures["seed"], figures["tasks"]), None, None, "", clock[published],
    ))
    figures["by_kind"][kind.kind] += 1
    return cursor


def _uniform(rand, low: float, high: float) -> float:
    return low + (high - low) * rand()


# ----------------------------------------------------------------------------------------------- writing

COLUMNS = {name: tuple(f.column for f in model._meta.concrete_fields) for name, model in TABLES.items()}
ORDER = ("volunteer", "team", "teammember", "task", "claim")


def _write(vendor: str, rows: dict[str, list[tuple]]) -> int:
    written = 0
    with connection.cursor() as cursor:
        for name in ORDER:
            table, columns = TABLES[name]._meta.db_table, COLUMNS[name]
            batch = rows[name]
            if not batch:
                continue
            if vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            elif vendor == "sqlite":  # multi-row INSERTs: a fifth of the time of one row per statement
                packed = pack(batch)
                one = "(" + ", ".join("?" * len(columns)) + ")"
                insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                cursor.connection.executemany(insert + ", ".join([one] * ROWS_PER_INSERT), packed.chunks)
                if packed.rest:
                    cursor.connection.executemany(insert + one, packed.rest)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)
            written += len(batch)
        if vendor == "postgresql":
            for model in TABLES.values():
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), "
                               f"MAX(id) IS NOT NULL) FROM {table}")
    return written
