"""Benchmark: the volunteer statistics page on the demo's 30-day history, beside the raw grouped query.

    .venv/bin/python bench/volunteer_stats.py [--backend both|sqlite|postgresql] [--runs N] [--seed N] [--keep]

The history is the demo's whatever --scale says (other options, such as bench/run.py's --scale, are ignored). For
each backend, in a fresh database (SQLite in a temporary WUYI_VAR; PostgreSQL in a database
`wuyi_bench_vstats`, created and dropped):
1. `wuyi migrate`, `wuyi city generate --scale demo --seed N`, then `wuyi city volunteers --seed N`: 30 days
   ending today, ~40,000 tasks and ~220,000 participations (timed: the target for the history is < 30 s on SQLite).
   On PostgreSQL a VACUUM ANALYZE follows (what autovacuum does after a load; this server runs with it off).
2. In a child process with Django on that database, through Django's test client (middleware, session, view,
   template: the whole response, no network), as a city administrator (the whole city) and as a district worker:
   - first: one GET of /volunteers/stats/ after the rollup is deleted (the rollup of 28 settled days is made);
   - then one untimed GET and RUNS timed GETs: median, p95 and slowest;
   - the Excel export of the city, once.
3. Baseline, in the same child: the query the page would need without the rollup, raw through the driver on a
   connection opened once: done claims grouped by the task's community and the local day of confirmation over
   the 30 days (SQLite: date(confirmed_at, '+28800 seconds'); PostgreSQL: AT TIME ZONE 'Asia/Shanghai').
   Its participations must add up to the page's total. ratio = page median ÷ baseline median.

Target: the city page's median ≤ 300 ms, on each backend run. Beside each figure: the 1-minute load average
(other work on the machine slows every figure alike). Results go to bench/results/volunteer_stats.json (with the
backend in the name when only one was run).
"""

import argparse
import datetime as dt
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from health_recompute import each_backend, measured, wuyi  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

TARGET_MS = 300
HISTORY_TARGET_SECONDS = 30
PG_DATABASE = "wuyi_bench_vstats"
URL = "/volunteers/stats/"


def timings(function, runs: int) -> dict:
    function()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    ordered = sorted(seconds)
    return {"median_ms": statistics.median(seconds) * 1000,
            "p95_ms": ordered[max(0, math.ceil(0.95 * runs) - 1)] * 1000,
            "max_ms": ordered[-1] * 1000, "min_ms": ordered[0] * 1000, "runs": runs}


def measure(runs: int) -> dict:
    """In a child process whose environment names the database: the page, the export and the baseline."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuyi.settings")
    django.setup()
    from django.db import connection
    from django.db.models import Count, Sum
    from django.test import Client

    from wuyi.accounts.models import Role, User
    from wuyi.places.models import Area, Level
    from wuyi.volunteers import stats
    from wuyi.volunteers.models import Claim, DailyFigures, Task

    city = Area.objects.get(level=Level.CITY)
    district = Area.objects.get(code="440304")
    users = {}
    for name, role, area in (("bench-city", Role.CITY_ADMIN, city), ("bench-district", Role.DISTRICT_WORKER,
                                                                      district)):
        users[name], _ = User.objects.update_or_create(username=name, defaults={"role": role, "area": area})
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    last = stats.local_today()
    first = last - dt.timedelta(days=29)
    done = Claim.objects.filter(status="done")
    data = {
        "window": [first.isoformat(), last.isoformat()],
        "tasks": Task.objects.count(),
        "claims": Claim.objects.count(),
        **done.aggregate(done_claims=Count("id"), participations=Sum("participations")),
    }

    def get(name: str, url: str = URL):
        response = clients[name].get(url)
        assert response.status_code == 200, response.status_code
        return response

    DailyFigures.objects.all().delete()
    started = time.perf_counter()
    response = get("bench-city")
    result = {"data": data, "first_ms": (time.perf_counter() - started) * 1000,
              "rollup_rows": DailyFigures.objects.count()}
    html = response.content.decode()
    page = {name: re.search(rf'data-total-{name}="([^"]*)"', html).group(1)
            for name in ("tasks", "participations", "hours")}
    result["page_total"] = page
    result["city"] = timings(lambda: get("bench-city"), runs)
    result["district"] = timings(lambda: get("bench-district"), runs)
    started = time.perf_counter()
    get("bench-city", URL + "export.xlsx")
    result["export_ms"] = (time.perf_counter() - started) * 1000

    start, stop = stats.window(first, last)
    if connection.vendor == "postgresql":
        import psycopg

        db = psycopg.connect(os.environ["DATABASE_URL"])
        day = "(c.confirmed_at AT TIME ZONE 'Asia/Shanghai')::date"
        mark, params = "%s", [start, stop]
    else:
        import sqlite3

        db = sqlite3.connect(os.environ["WUYI_VAR"] + "/wuyi.sqlite3")
        day = "date(c.confirmed_at, '+28800 seconds')"
        mark = "?"
        params = [moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ") for moment in (start, stop)]
    sql = (f"SELECT t.community_id, {day} AS day, SUM(c.participations), SUM(c.hours) "
           f"FROM volunteers_claim c JOIN volunteers_task t ON t.id = c.task_id "
           f"WHERE c.status = 'done' AND c.confirmed_at >= {mark} AND c.confirmed_at < {mark} GROUP BY 1, 2")
    rows: list = []

    def grouped() -> None:
        cursor = db.cursor()
        cursor.execute(sql, params)
        rows[:] = cursor.fetchall()

    result["baseline"] = timings(grouped, runs)
    result["baseline"]["sql"] = sql
    result["baseline"]["groups"] = len(rows)
    db.close()
    result["counts_agree"] = sum(r[2] for r in rows) == int(page["participations"])
    return result


def bench_backend(backend, seed: int, runs: int, console: Console) -> dict:
    console.print(f"[bold]{backend.name}[/]: demo city and its volunteer history into {backend.where()} …")
    backend.create()
    wuyi(backend, "migrate", "-v0")
    city: dict = {}
    with measured(city):
        wuyi(backend, "city", "generate", "--scale", "demo", "--seed", str(seed), "--json")
    history: dict = {}
    with measured(history):
        out = wuyi(backend, "city", "volunteers", "--seed", str(seed))
    history["output"] = out.strip().splitlines()[-3:]
    backend.after_load()
    console.print(f"  city {city['seconds']:.1f} s, history {history['seconds']:.1f} s; measuring …")
    env = dict(backend.env(), DJANGO_SETTINGS_MODULE="wuyi.settings")
    load = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, "--measure", "--runs", str(runs)], env=env, check=True,
                         capture_output=True, text=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    median = figures["city"]["median_ms"]
    passed = median <= TARGET_MS and figures["counts_agree"]
    if backend.name == "sqlite":
        passed = passed and history["seconds"] < HISTORY_TARGET_SECONDS
    return {"city_build": city, "history_build": history, "load": load, **figures,
            "ratio": median / figures["baseline"]["median_ms"], "passed": passed, "settings": backend.settings()}


def show(results: dict, runs: int, console: Console) -> None:
    table = Table(title=f"volunteer statistics page, demo history (30 days ending today; median of {runs} GETs)")
    for column in ("backend", "tasks", "particip.", "history s", "first ms", "city ms (≤ 300)", "p95 ms",
                   "district ms", "export ms", "baseline ms", "ratio", "agree", "load"):
        table.add_column(column, justify="left" if column == "backend" else "right")
    for name, r in results.items():
        mark = "[green]" if r["passed"] else "[red]"
        table.add_row(
            name, f"{r['data']['tasks']:,}", f"{r['data']['participations']:,}",
            f"{r['history_build']['seconds']:.1f}", f"{r['first_ms']:.0f}", f"{mark}{r['city']['median_ms']:.1f}",
            f"{r['city']['p95_ms']:.1f}", f"{r['district']['median_ms']:.1f}", f"{r['export_ms']:.0f}",
            f"{r['baseline']['median_ms']:.1f}", f"{r['ratio']:.2f}", "yes" if r["counts_agree"] else "[red]no",
            f"{r['load']:.2f}",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--keep", action="store_true", help="keep the databases (and say where they are)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    if args.measure:
        print(json.dumps(measure(args.runs)))
        return 0
    console = Console(width=160)
    names = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    started = time.perf_counter()
    results = each_backend(names, "wuyi-bench-vstats-", args.keep, console,
                           lambda backend: bench_backend(backend, args.seed, args.runs, console), PG_DATABASE)
    show(results, args.runs, console)
    passed = all(r["passed"] for r in results.values())
    console.print(f"whole benchmark {time.perf_counter() - started:.0f} s")
    console.print("[green]targets met[/]" if passed else "[red]targets missed[/]")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    suffix = "" if args.backend == "both" else f"-{args.backend}"
    (out / f"volunteer_stats{suffix}.json").write_text(json.dumps({
        "command": f"bench/volunteer_stats.py --backend {args.backend} --runs {args.runs} --seed {args.seed}",
        "target_ms": TARGET_MS, "history_target_seconds": HISTORY_TARGET_SECONDS,
        "machine": {"cores": os.cpu_count()}, "backends": results, "passed": passed,
    }, indent=2, default=str))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
