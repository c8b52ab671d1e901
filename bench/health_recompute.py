"""Benchmark: `wuyi health recompute` over the city, on SQLite and PostgreSQL, beside a raw set-based write.

    .venv/bin/python bench/health_recompute.py [--scale city|district|demo|tiny]
                                               [--backend sqlite|postgresql|both] [--seed N] [--keep]

For each backend, in a fresh database (SQLite in a temporary WUYI_VAR; PostgreSQL in a database
`wuyi_bench_health`, created and dropped):
1. `wuyi migrate`, then `wuyi city generate --scale … --json` as a child process; its wall time is reported
   (the load).
2. People with facts, written in bulk with the driver (not through the one-by-one services): every 200th
   resident (0.5 %); of each 20 of them, the first is a case reported on a day between 2020-01-19 and the
   moment (discharged 21 days later when that day has passed), the other 19 its close contacts, each under
   a centralized (80 %) or home quarantine order from that day, released with the contact 14 days later when
   that day has passed. On PostgreSQL, then a VACUUM ANALYZE of the database (what autovacuum does after a
   load; this server runs with autovacuum off), not timed.
3. Timed, each after a checkpoint (on PostgreSQL also a VACUUM ANALYZE of the colour table) so that no step
   pays for the writes of the one before:
   - baseline insert: `INSERT INTO health_personcolour … SELECT … FROM people_person`, the default colour
     for everyone, one statement and its commit with the driver (sqlite3 with Django's pragmas, or psycopg);
     the table is then emptied (not timed);
   - ours, first run: `wuyi health recompute --at … --no-progress` as a child process, every colour
     inserted (wall time: Python start-up and Django set-up included);
   - ours, second run: the same command an hour later, every colour updated;
   - baseline update: `UPDATE health_personcolour SET rule_id, colour, reasons, next_change, computed_at`
     over every row, to a moment an hour after the second run's, one statement and its commit (every row's
     values change, as in ours: SQLite leaves a page untouched when a row is rewritten with the values it holds,
     so an UPDATE to the moment already stored cost it a third of a real one).
   After each of ours, every person must have a colour computed at that moment.
4. ratio = our seconds ÷ baseline seconds for the same writes.

Targets: ratio ≤ 2 for each run on each backend; on PostgreSQL at city scale, each run ≤ 2 minutes.
Beside each figure: the 1-minute load average when it started and the share of both cores busy during it
(ours and anyone else's). Results go to bench/results/health_recompute-<scale>.json (with the backend in
the name when only one was run).
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import psycopg  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from wuyi.health import colour_rules  # noqa: E402

ID_KEY = "bench-id-key"
# A moment when the two-colour code gd-2020-03 was in force, two months into Shenzhen's epidemic.
AT = dt.datetime(2020, 3, 20, 10, 0, tzinfo=colour_rules.CHINA_STANDARD_TIME)
AT_SECOND = AT + dt.timedelta(hours=1)
AT_BASELINE_UPDATE = AT_SECOND + dt.timedelta(hours=1)  # a moment no row holds yet
RULE_ID = "gd-2020-03"
FIRST_REPORT = dt.date(2020, 1, 19)  # Shenzhen's first confirmed case
FACT_EVERY = 200  # one resident in 200 (0.5 %) has facts
GROUP = 20  # a case and its 19 close contacts
CASE_KINDS = (("confirmed", 0.80), ("asymptomatic", 0.15), ("suspected", 0.05))
CENTRALIZED_SHARE = 0.8
DISCHARGE_DAYS = 21
QUARANTINE_DAYS = 14
TARGET_RATIO = 2.0
TARGET_SECONDS = {("postgresql", "city"): 120}
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "wuyi_bench_health"
COLOUR_COLUMNS = "person_id, rule_id, colour, reasons, next_change, computed_at"


# --- the two databases -----------------------------------------------------------------------------------


class SQLite:
    name = "sqlite"
    mark = "?"
    json_mark = "?"

    def __init__(self, var: Path) -> None:
        self.var = var
        self.path = var / "wuyi.sqlite3"

    def env(self) -> dict[str, str]:
        env = dict(os.environ, WUYI_VAR=str(self.var), WUYI_ID_KEY=ID_KEY)
        env.pop("DATABASE_URL", None)
        return env

    def create(self) -> None:
        pass

    def drop(self) -> None:
        pass

    def where(self) -> str:
        return str(self.path)

    def connect(self):
        """A connection set up as Django sets up its own (settings.py)."""
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def stamp(self, moment: dt.datetime) -> str:
        """A moment as Django's SQLite backend stores it: naive UTC."""
        return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    def stamp_date(self, day: dt.date) -> str:
        return day.isoformat()

    def after_load(self) -> None:
        pass

    def settle(self) -> None:
        with self.connect() as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()

    def empty_colours(self) -> None:
        db = self.connect()
        db.execute("DELETE FROM health_personcolour")
        db.commit()
        db.close()

    def write(self, db, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        marks = ", ".join("?" * len(columns))
        db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.var.glob("wuyi.sqlite3*"))

    def settings(self) -> dict[str, str]:
        return {"sqlite_version": sqlite3.sqlite_version, "journal_mode": "wal", "synchronous": "normal"}


class PostgreSQL:
    name = "postgresql"
    mark = "%s"
    json_mark = "CAST(%s AS jsonb)"

    def __init__(self, database: str = PG_DATABASE) -> None:
        self.database = database
        self.url = f"{PG_SERVER}/{database}"

    def env(self) -> dict[str, str]:
        return dict(os.environ, DATABASE_URL=self.url, WUYI_ID_KEY=ID_KEY)

    def _server(self, sql: str) -> None:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as db:
            db.execute(sql)

    def create(self) -> None:
        self.drop()
        self._server(f"CREATE DATABASE {self.database}")

    def drop(self) -> None:
        self._server(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")

    def where(self) -> str:
        return self.url

    def connect(self):
        return psycopg.connect(self.url)

    def stamp(self, moment: dt.datetime) -> dt.datetime:
        return moment

    def stamp_date(self, day: dt.date) -> dt.date:
        return day

    def after_load(self) -> None:
        """What autovacuum does after a load; this server runs with autovacuum off."""
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute("VACUUM ANALYZE")

    def settle(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute("VACUUM ANALYZE health_personcolour")
            db.execute("CHECKPOINT")

    def empty_colours(self) -> None:
        with self.connect() as db:
            db.execute("TRUNCATE health_personcolour")

    def write(self, db, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        with db.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def size(self) -> int:
        with self.connect() as db:
            return db.execute("SELECT pg_database_size(current_database())").fetchone()[0]

    def settings(self) -> dict[str, str]:
        with self.connect() as db:
            return dict(db.execute(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name IN ("
                "'server_version', 'shared_buffers', 'work_mem', 'max_wal_size', 'autovacuum', "
                "'synchronous_commit', 'max_parallel_workers_per_gather')"
            ).fetchall())


# --- measuring ---------------------------------------------------------------------------------------------


def _cpu() -> tuple[int, int]:
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]  # total, idle + iowait


@contextmanager
def measured(record: dict):
    """Wall seconds, 1-minute load average before, and share of all cores busy during the block."""
    load = os.getloadavg()[0]
    total, idle = _cpu()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    yield record
    record["seconds"] = time.perf_counter() - started
    after_total, after_idle = _cpu()
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    record["load_before"] = load
    record["cores_busy"] = 1 - (after_idle - idle) / max(1, after_total - total)
    record["child_cpu_seconds"] = (after_children.ru_utime - children.ru_utime) + (
        after_children.ru_stime - children.ru_stime
    )



def each_backend(names, prefix: str, keep: bool, console, run, pg_database: str | None = None) -> dict:
    """``run(backend)`` on a fresh SQLite (a temporary WUYI_VAR) and/or PostgreSQL database, by name; each is
    removed afterwards unless ``keep``. The benchmarks of bench/ share this loop."""
    results = {}
    for name in names:
        if name == "sqlite":
            var = Path(tempfile.mkdtemp(prefix=prefix))
            backend = SQLite(var)
        else:
            var, backend = None, PostgreSQL(pg_database) if pg_database else PostgreSQL()
        try:
            results[name] = run(backend)
        finally:
            if keep:
                console.print(f"kept {backend.where()}")
            elif var is not None:
                shutil.rmtree(var)
            else:
                backend.drop()
    return results

def wuyi(backend, *args: str) -> str:
    command = [str(Path(sys.executable).parent / "wuyi"), *args]
    env = dict(backend.env(), COLUMNS="200")
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def load_city(backend, scale: str, seed: int) -> dict:
    backend.create()
    wuyi(backend, "migrate", "-v0")
    record: dict = {}
    with measured(record):
        out = wuyi(backend, "city", "generate", "--scale", scale, "--seed", str(seed), "--json")
    record["summary"] = json.loads(out.strip().splitlines()[-1])
    return record


def add_facts(backend, seed: int) -> dict:
    """Cases, close contacts and quarantine orders for every FACT_EVERY-th resident, in bulk (see above)."""
    record: dict = {}
    with measured(record):
        db = backend.connect()
        cursor = db.cursor()
        cursor.execute(
            "SELECT m.person_id, m.household_id, h.code FROM people_membership m "
            "JOIN places_household h ON h.id = m.household_id "
            f"WHERE m.person_id % {FACT_EVERY} = 0 AND m.moved_out IS NULL ORDER BY m.person_id"
        )
        sample = cursor.fetchall()
        cursor.execute("SELECT code, id FROM places_area WHERE level IN ('district', 'compound')")
        areas = dict(cursor.fetchall())
        rng = random.Random(seed)
        today = AT.date()
        days = (today - FIRST_REPORT).days + 1
        recorded_at = backend.stamp(AT - dt.timedelta(days=1))
        cases, contacts, orders = [], [], []
        for start in range(0, len(sample), GROUP):
            (case_person, household_id, code), *exposed = sample[start : start + GROUP]
            case_id = len(cases) + 1
            reported = FIRST_REPORT + dt.timedelta(days=rng.randrange(days))
            kind = rng.choices([k for k, _ in CASE_KINDS], [w for _, w in CASE_KINDS])[0]
            outcome, outcome_on = "under_treatment", None
            if reported + dt.timedelta(days=DISCHARGE_DAYS) <= today:
                outcome = "ruled_out" if kind == "suspected" else "discharged"
                outcome_on = (reported + dt.timedelta(days=DISCHARGE_DAYS)).isoformat()
            cases.append((
                case_id, case_person, kind, (reported - dt.timedelta(days=3)).isoformat(),
                (reported - dt.timedelta(days=1)).isoformat(), reported.isoformat(), household_id,
                areas[code[:15]], areas[code[:6]], False, outcome, outcome_on, recorded_at,
            ))
            end = reported + dt.timedelta(days=QUARANTINE_DAYS)
            released = end <= today
            released_at = backend.stamp(dt.datetime.combine(end, AT.timetz())) if released else None
            for person_id, _household, _code in exposed:
                exposure = reported - dt.timedelta(days=rng.randint(0, 3))
                contacts.append((case_id, person_id, "close", exposure.isoformat(), reported.isoformat(),
                                 end.isoformat() if released else None))
                centralized = rng.random() < CENTRALIZED_SHARE
                order_kind = "centralized_quarantine" if centralized else "home_quarantine"
                orders.append((person_id, order_kind, reported.isoformat(), end.isoformat(), released_at,
                               recorded_at))
        backend.write(db, "health_case", (
            "id", "person_id", "kind", "onset_on", "sampled_on", "reported_on", "household_id", "compound_id",
            "district_id", "imported", "outcome", "outcome_on", "recorded_at"), cases)
        backend.write(db, "health_closecontact", (
            "case_id", "person_id", "degree", "last_exposure_on", "identified_on", "released_on"), contacts)
        backend.write(db, "health_quarantineorder", (
            "person_id", "kind", "start", "planned_end", "released_at", "issued_at"), orders)
        if backend.name == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('health_case', 'id'), %s)", [len(cases)])
        db.commit()
        db.close()
    record.update(people=len(sample), cases=len(cases), contacts=len(contacts), orders=len(orders))
    return record


def default_colour(at: dt.datetime) -> tuple[str, str]:
    result = colour_rules.decide_colour(colour_rules.PersonFacts(), at, RULE_ID)
    return result.colour.value, json.dumps([list(reason) for reason in result.reasons], ensure_ascii=False)


def baseline(backend, sql: str, params: list) -> dict:
    backend.settle()
    record: dict = {"sql": sql}
    with measured(record):
        db = backend.connect()
        cursor = db.cursor()
        cursor.execute(sql, params)
        record["rows"] = cursor.rowcount
        db.commit()
        db.close()  # as when our command ends: SQLite checkpoints the WAL when its last connection closes
    return record


def baseline_insert(backend) -> dict:
    colour, reasons = default_colour(AT)
    m = backend.mark
    sql = (f"INSERT INTO health_personcolour ({COLOUR_COLUMNS}) "
           f"SELECT id, {m}, {m}, {backend.json_mark}, NULL, {m} FROM people_person")
    return baseline(backend, sql, [RULE_ID, colour, reasons, backend.stamp(AT)])


def baseline_update(backend) -> dict:
    colour, reasons = default_colour(AT_BASELINE_UPDATE)
    m = backend.mark
    sql = (f"UPDATE health_personcolour SET rule_id = {m}, colour = {m}, reasons = {backend.json_mark}, "
           f"next_change = NULL, computed_at = {m}")
    return baseline(backend, sql, [RULE_ID, colour, reasons, backend.stamp(AT_BASELINE_UPDATE)])


def ours(backend, at: dt.datetime) -> dict:
    backend.settle()
    record: dict = {"command": f"wuyi health recompute --at {at.isoformat()} --no-progress"}
    with measured(record):
        out = wuyi(backend, "health", "recompute", "--at", at.isoformat(), "--no-progress")
    found = re.search(r"([\d,]+) given the default colour, ([\d,]+) decided by the rules", out)
    if found:
        record["default_people"], record["fact_people"] = (int(n.replace(",", "")) for n in found.groups())
    db = backend.connect()
    cursor = db.cursor()
    cursor.execute("SELECT colour, COUNT(*) FROM health_personcolour GROUP BY colour ORDER BY colour")
    record["colours"] = dict(cursor.fetchall())
    cursor.execute(f"SELECT COUNT(*) FROM health_personcolour WHERE computed_at = {backend.mark}",
                   [backend.stamp(at)])
    record["rows"] = cursor.fetchone()[0]
    db.close()
    return record


def bench_backend(backend, scale: str, seed: int, console: Console) -> dict:
    console.print(f"[bold]{backend.name}[/]: city generate --scale {scale} into {backend.where()} …")
    city = load_city(backend, scale, seed)
    people = city["summary"]["residents"]
    console.print(f"  {people:,} residents loaded in {city['seconds']:.1f} s; adding facts …")
    facts = add_facts(backend, seed)
    with measured(facts.setdefault("after_load", {})):
        backend.after_load()
    console.print(f"  {facts['people']:,} people with facts ({facts['cases']:,} cases, {facts['contacts']:,} "
                  f"contacts, {facts['orders']:,} orders) in {facts['seconds']:.1f} s; baseline insert …")
    raw_insert = baseline_insert(backend)
    backend.empty_colours()
    console.print(f"  baseline insert {raw_insert['seconds']:.1f} s; recompute, first run …")
    first = ours(backend, AT)
    console.print(f"  first run {first['seconds']:.1f} s; second run …")
    second = ours(backend, AT_SECOND)
    console.print(f"  second run {second['seconds']:.1f} s; baseline update …")
    raw_update = baseline_update(backend)
    console.print(f"  baseline update {raw_update['seconds']:.1f} s")
    runs = []
    for name, mine, raw in (("insert", first, raw_insert), ("update", second, raw_update)):
        target = TARGET_SECONDS.get((backend.name, scale))
        ratio = mine["seconds"] / raw["seconds"]
        complete = mine["rows"] == people and raw["rows"] == people
        runs.append({
            "run": name, "people": people, "ours": mine, "baseline": raw, "ratio": ratio,
            "rows_per_s": people / mine["seconds"], "baseline_rows_per_s": people / raw["seconds"],
            "target_seconds": target, "complete": complete,
            "passed": complete and ratio <= TARGET_RATIO and (target is None or mine["seconds"] <= target),
        })
    return {"city": city, "facts": facts, "db_bytes": backend.size(), "settings": backend.settings(),
            "runs": runs}


def show(results: dict, scale: str, console: Console) -> None:
    title = f"wuyi health recompute, --scale {scale}: ours beside a raw set-based write of the same rows"
    table = Table(title=title)
    for column in ("backend", "run", "rows", "seconds", "rows/s", "baseline s", "baseline rows/s",
                   "ratio (≤ 2)", "target", "load · cores busy"):
        table.add_column(column, justify="left" if column in ("backend", "run", "target") else "right")
    for name, result in results.items():
        for run in result["runs"]:
            mine, raw = run["ours"], run["baseline"]
            target = f"≤ {run['target_seconds']} s" if run["target_seconds"] else ""
            mark = "[green]" if run["passed"] else "[red]"
            table.add_row(
                name, run["run"], f"{mine['rows']:,}", f"{mine['seconds']:.1f}", f"{run['rows_per_s']:,.0f}",
                f"{raw['seconds']:.1f}", f"{run['baseline_rows_per_s']:,.0f}", f"{mark}{run['ratio']:.2f}",
                target, f"{mine['load_before']:.2f} · {mine['cores_busy']:.0%}",
            )
    console.print(table)
    for name, result in results.items():
        city, facts = result["city"], result["facts"]
        console.print(
            f"{name}: city loaded in {city['seconds']:.1f} s ({city['summary']['rows_total']:,} rows, "
            f"database {result['db_bytes'] / 2**30:.2f} GiB); facts: {facts['people']:,} people "
            f"({facts['cases']:,} cases, {facts['contacts']:,} contacts, {facts['orders']:,} orders) in "
            f"{facts['seconds']:.1f} s (after it {facts['after_load']['seconds']:.1f} s); "
            f"colours after the second run: {result['runs'][1]['ours']['colours']}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="city", choices=["city", "district", "demo", "tiny"])
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the databases (and say where they are)")
    args, _unknown = parser.parse_known_args(argv)
    console = Console(width=160)
    names = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    started = time.perf_counter()
    load_at_start = os.getloadavg()
    results = each_backend(names, "wuyi-bench-health-", args.keep, console,
                           lambda backend: bench_backend(backend, args.scale, args.seed, console))
    wall = time.perf_counter() - started
    show(results, args.scale, console)
    passed = all(run["passed"] for result in results.values() for run in result["runs"])
    console.print(f"whole benchmark {wall:.0f} s; load average at start {load_at_start[0]:.2f}")
    console.print("[green]targets met[/]" if passed else "[red]targets missed[/]")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    suffix = "" if args.backend == "both" else f"-{args.backend}"
    (out / f"health_recompute-{args.scale}{suffix}.json").write_text(json.dumps({
        "command": f"bench/health_recompute.py --scale {args.scale} --backend {args.backend} "
                   f"--seed {args.seed}",
        "at": AT.isoformat(), "second_at": AT_SECOND.isoformat(), "rule_id": RULE_ID,
        "machine": {"cores": os.cpu_count(), "load_average_at_start": load_at_start},
        "wall_seconds": wall, "backends": results, "target_ratio": TARGET_RATIO, "passed": passed,
    }, indent=2, default=str))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
