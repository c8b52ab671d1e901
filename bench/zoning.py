"""Benchmark: publishing the risk list of every district and street for one date, beside a raw GROUP BY.

    .venv/bin/python bench/zoning.py [--scale demo|district|city|tiny] [--backend sqlite|postgresql|both]
                                     [--runs N] [--seed N] [--keep]

Zoning reads only the case rows and the units (the 10 districts and 74 streets, present at every scale but
district), so the default scale is demo; `--scale city` zones over the whole city's households. For each
backend, in a fresh database (SQLite in a temporary WUYI_VAR; PostgreSQL in a database `wuyi_bench_zoning`,
created and dropped), after `wuyi migrate` and `wuyi city generate --scale …`, and for each load of cases:
- 451 cases, the count issue 3 gives for Shenzhen in 2020;
- 50,000 cases, a stress load;
written in bulk with the driver: 90 % confirmed, 10 % asymptomatic, in households drawn at random across
the city, reported from 2020-01-19 on an epidemic curve that peaks two weeks in (some after the list's date,
which zoning must leave out); 30 % of outbreaks are confirmed household clusters of 2 to 4 cases in a week.
Then, in a child process with Django set up on that database, each timed RUNS times after one untimed run
and reported as the median (and the slowest):
- ours: `zoning_service.publish(2020-02-20, "cn-2020-02")`: one read of the cases, the rule over every
  district and street, the list stored in its transaction;
- its parts: the read (`case_records`) and the pure rule (`zoning.zone(...)` on the records read);
- baseline: one raw `SELECT district_id, COUNT(*), SUM(reported within 14 days) … GROUP BY district_id` over
  the confirmed cases with the driver (sqlite3 / psycopg), on a connection opened once. Its counts must equal
  the published districts' `cases_in_all` and `cases_within_14_days`.
ratio = ours ÷ baseline (no target: the baseline decides nothing and stores nothing).

Target: publish ≤ 100 ms (median) for both loads on each backend. Results go to
bench/results/zoning-<scale>.json (with the backend in the name when only one was run).
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from health_recompute import PostgreSQL, SQLite, each_backend, measured, wuyi  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

DAY = dt.date(2020, 2, 20)
RULE_ID = "cn-2020-02"
WINDOW_DAYS = 14  # the rule's window (zoning.WINDOW_DAYS)
LOADS = (451, 50_000)
FIRST_REPORT = dt.date(2020, 1, 19)  # Shenzhen's first confirmed case
CURVE_DAYS, CURVE_PEAK = 72, 14  # reports until the end of March, most around two weeks in
ASYMPTOMATIC_SHARE = 0.10
CLUSTER_SHARE = 0.30
CLUSTER_SIZES = (2, 3, 4)
TARGET_MS = 100
PG_DATABASE = "wuyi_bench_zoning"


def random_households(backend, cursor, rng: random.Random, count: int) -> list[tuple[int, str]]:
    """``count`` households (id, code) drawn at random among those stored, whose ids have gaps."""
    cursor.execute("SELECT MIN(id), MAX(id) FROM places_household")
    first, last = cursor.fetchone()
    found: list[tuple[int, str]] = []
    while len(found) < count:
        wanted = sorted({rng.randint(first, last) for _ in range(2 * (count - len(found)))})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join([backend.mark] * len(chunk))
            cursor.execute(f"SELECT id, code FROM places_household WHERE id IN ({marks}) ORDER BY id", chunk)
            found += cursor.fetchall()
    rng.shuffle(found)
    return found[:count]


def write_cases(backend, count: int, seed: int) -> dict:
    """Replace every case, cluster and risk list with ``count`` cases (see the docstring), in bulk."""
    rng = random.Random(seed)
    db = backend.connect()
    cursor = db.cursor()
    for table in ("health_risklistentry", "health_risklist", "health_case", "health_cluster"):
        cursor.execute(f"DELETE FROM {table}")
    cursor.execute("SELECT code, id FROM places_area WHERE level IN ('district', 'compound')")
    areas = dict(cursor.fetchall())
    draws = iter(random_households(backend, cursor, rng, count))
    stamp = backend.stamp(dt.datetime(2020, 4, 1, tzinfo=dt.UTC))
    cases, clusters = [], []
    while len(cases) < count:
        household, code = next(draws)
        reported = FIRST_REPORT + dt.timedelta(days=int(rng.triangular(0, CURVE_DAYS, CURVE_PEAK)))
        size = rng.choice(CLUSTER_SIZES) if rng.random() < CLUSTER_SHARE else 1
        size = min(size, count - len(cases))
        cluster_id = None
        days = sorted(reported + dt.timedelta(days=rng.randint(0, 6)) for _ in range(size))
        if size > 1:
            cluster_id = len(clusters) + 1
            confirmed_at = backend.stamp(dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(2),
                                                             dt.UTC))
            clusters.append((cluster_id, "household", code, "confirmed", confirmed_at, stamp,
                             areas[code[:15]]))
        for day in days:
            kind = "asymptomatic" if rng.random() < ASYMPTOMATIC_SHARE else "confirmed"
            cases.append((len(cases) + 1, kind, day.isoformat(), household, areas[code[:15]], areas[code[:6]],
                          False, "under_treatment", cluster_id, stamp))
    backend.write(db, "health_cluster",
                  ("id", "setting", "place", "status", "confirmed_at", "created_at", "compound_id"), clusters)
    case_columns = ("id", "kind", "reported_on", "household_id", "compound_id", "district_id", "imported",
                    "outcome", "cluster_id", "recorded_at")
    backend.write(db, "health_case", case_columns, cases)
    if backend.name == "postgresql":
        for table, n in (("health_case", len(cases)), ("health_cluster", len(clusters))):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {max(n, 1)})")
    db.commit()
    if backend.name == "postgresql":
        db.autocommit = True
        db.execute("VACUUM ANALYZE")  # what autovacuum does after a load; this server runs with it off
    db.close()
    return {
        "cases": len(cases), "clusters": len(clusters), "cases_in_clusters": sum(1 for c in cases if c[8]),
        "reported_up_to_day": sum(1 for c in cases if c[2] <= DAY.isoformat()),
    }


def timings(function, runs: int) -> dict:
    function()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return {"median_ms": statistics.median(seconds) * 1000, "max_ms": max(seconds) * 1000,
            "min_ms": min(seconds) * 1000, "runs": runs}


def measure(runs: int) -> dict:
    """In a child process whose environment names the database: time publish, its parts and the baseline."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuyi.settings")
    django.setup()
    from django.db import connection

    from wuyi.health import zoning, zoning_service
    from wuyi.places.models import Area

    units = [code for code, _level in sorted(
        Area.objects.filter(level__in=zoning_service.UNIT_LEVELS).values_list("code", "level"),
        key=lambda unit: (zoning_service.UNIT_LEVELS.index(unit[1]), unit[0]),
    )]
    records = zoning_service.case_records(DAY)
    result = {
        "units": len(units),
        "publish": timings(lambda: zoning_service.publish(DAY, RULE_ID), runs),
        "read": timings(lambda: zoning_service.case_records(DAY), runs),
        "zone": timings(lambda: zoning.zone(records, DAY, units, RULE_ID), runs),
        "records": len(records),
    }
    if connection.vendor == "postgresql":
        backend = PostgreSQL(PG_DATABASE)
    else:
        backend = SQLite(Path(os.environ["WUYI_VAR"]))
    m = backend.mark
    sql = (f"SELECT district_id, COUNT(*), SUM(CASE WHEN reported_on >= {m} THEN 1 ELSE 0 END) "
           f"FROM health_case WHERE reported_on <= {m} AND kind = 'confirmed' GROUP BY district_id")
    params = [backend.stamp_date(DAY - dt.timedelta(days=WINDOW_DAYS - 1)), backend.stamp_date(DAY)]
    db = backend.connect()
    rows = []

    def grouped() -> None:
        cursor = db.cursor()
        cursor.execute(sql, params)
        rows[:] = cursor.fetchall()

    result["baseline"] = timings(grouped, runs)
    result["baseline"]["sql"] = sql
    db.close()
    codes = dict(Area.objects.filter(level="district").values_list("pk", "code"))
    raw = {codes[district]: (n, int(within or 0)) for district, n, within in rows}
    risk_list = zoning_service.list_for(DAY, RULE_ID)
    published = {
        code: (n, within)
        for code, n, within in risk_list.entries.filter(unit_code__in=codes.values())
        .values_list("unit_code", "cases_in_all", "cases_within_14_days")
        if n
    }
    result["counts_agree"] = raw == published
    result["levels"] = dict(
        risk_list.entries.filter(unit_code__in=codes.values()).values_list("unit_code", "level")
    )
    return result


def bench_backend(backend, scale: str, seed: int, runs: int, console: Console) -> dict:
    console.print(f"[bold]{backend.name}[/]: city generate --scale {scale} into {backend.where()} …")
    backend.create()
    wuyi(backend, "migrate", "-v0")
    city: dict = {}
    with measured(city):
        out = wuyi(backend, "city", "generate", "--scale", scale, "--seed", str(seed), "--json")
    city["summary"] = json.loads(out.strip().splitlines()[-1])
    loads = []
    for count in LOADS:
        cases = write_cases(backend, count, seed)
        env = dict(backend.env(), DJANGO_SETTINGS_MODULE="wuyi.settings")
        load = {"load": os.getloadavg()[0]}
        out = subprocess.run([sys.executable, __file__, "--measure", "--runs", str(runs)], env=env,
                             check=True, capture_output=True, text=True).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        publish = figures["publish"]["median_ms"]
        passed = publish <= TARGET_MS and figures["counts_agree"]
        loads.append({"cases": cases, **load, **figures,
                      "ratio": publish / figures["baseline"]["median_ms"], "passed": passed})
        console.print(f"  {count:,} cases: publish {publish:.1f} ms, baseline "
                      f"{figures['baseline']['median_ms']:.2f} ms")
    return {"city": city, "settings": backend.settings(), "loads": loads}


def show(results: dict, scale: str, runs: int, console: Console) -> None:
    table = Table(title=f"zoning publish {DAY} {RULE_ID}, every district and street (--scale {scale}; "
                        f"median of {runs})")
    for column in ("backend", "cases", "units", "publish ms (≤ 100)", "slowest ms", "read ms", "zone ms",
                   "baseline ms", "ratio", "counts agree", "load"):
        table.add_column(column, justify="left" if column == "backend" else "right")
    for name, result in results.items():
        for load in result["loads"]:
            mark = "[green]" if load["passed"] else "[red]"
            table.add_row(
                name, f"{load['cases']['cases']:,}", str(load["units"]),
                f"{mark}{load['publish']['median_ms']:.1f}", f"{load['publish']['max_ms']:.1f}",
                f"{load['read']['median_ms']:.1f}", f"{load['zone']['median_ms']:.1f}",
                f"{load['baseline']['median_ms']:.2f}", f"{load['ratio']:.0f}",
                "yes" if load["counts_agree"] else "[red]no", f"{load['load']:.2f}",
            )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo", choices=["city", "district", "demo", "tiny"])
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the databases (and say where they are)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    if args.measure:
        print(json.dumps(measure(args.runs)))
        return 0
    console = Console(width=160)
    names = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    started = time.perf_counter()
    results = each_backend(names, "wuyi-bench-zoning-", args.keep, console,
                           lambda backend: bench_backend(backend, args.scale, args.seed, args.runs, console), PG_DATABASE)
    show(results, args.scale, args.runs, console)
    passed = all(load["passed"] for result in results.values() for load in result["loads"])
    console.print(f"whole benchmark {time.perf_counter() - started:.0f} s")
    console.print("[green]targets met[/]" if passed else "[red]targets missed[/]")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    suffix = "" if args.backend == "both" else f"-{args.backend}"
    (out / f"zoning-{args.scale}{suffix}.json").write_text(json.dumps({
        "command": f"bench/zoning.py --scale {args.scale} --backend {args.backend} --runs {args.runs} "
                   f"--seed {args.seed}",
        "day": DAY.isoformat(), "rule_id": RULE_ID, "target_ms": TARGET_MS,
        "machine": {"cores": os.cpu_count()}, "backends": results, "passed": passed,
    }, indent=2, default=str))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
