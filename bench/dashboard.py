"""Benchmark: the city dashboard page over the whole area tree, with campaign data of the size Shenzhen reported,
beside the same SQL run bare.

    .venv/bin/python bench/dashboard.py [--backend both|sqlite|postgresql] [--runs N] [--seed N]
                                        [--refusals N] [--keep]

Other options (such as bench/run.py's --scale) are ignored: the city is always the "areas" scale. For each backend,
in a fresh database (SQLite in a temporary WUYI_VAR; PostgreSQL in a database `wuyi_dash_bench`, created and
dropped):
1. `wuyi migrate`; `wuyi city generate --scale areas` (the city scale's whole area tree: 10 districts, 74
   streets, 720 communities, 7,270 compounds and their 18,601 gates, with 20,000 residents instead of 17.5 M);
   `wuyi city epidemic` (the 2020 epidemic: cases, contacts and 73 daily risk lists); `wuyi city volunteers`
   (30 days ending today: ~40,000 tasks and ~220,000 participations, DESIGN.md §6).
2. In a child process with Django, written in bulk (timed, not a target), on the data's own scale:
   - workforce (POLICY.md §1d): 37,000 cadres and 80,000 other workers (social workers, volunteers, property
     staff, medical workers, police), each deployed to a community drawn at random; 1,737 temporary Party
     organisations set up between 2020-02-01 and 03-16;
   - every compound inspected against the catalogue sz-2020-02 between 02-10 and 02-29, 60 % again between
     03-01 and 03-20 (scores 0.6 to 1.0, 35 % fully compliant); an open rectification on 15 % of the latest
     inspections that are not fully compliant;
   - demonstration compounds: one approved in 85 % of the communities, 400 more pending;
   - ``--refusals`` refusals at gates today (default 280,000: 0.4 % of the ~70 M gate passages of a day,
     DESIGN.md §6; no refusal rate was published), at random gates, by reason. Only refusals are written:
     the allowed passages of the day are not.
   On PostgreSQL a VACUUM ANALYZE follows (what autovacuum does after a load; this server runs with it off).
3. In a child process with Django on that database, through Django's test client (middleware, session, view,
   template: the whole response, no network), as a leader of the city and as a leader of 福田区: one GET to
   warm up (it also makes the volunteer rollup of the settled days), then RUNS timed GETs of /dashboard/:
   median, p95 and slowest; the city's six Excel exports, once each.
4. Baseline, in the same child: every SELECT the city page ran (captured from one GET, parameters in place) run
   bare through the driver on a connection opened once, one after the other. ratio = page median ÷ baseline
   median: what Django, the panels' Python (the compound-status rule per compound with events, the sums) and
   the template add to the SQL.

Target: the city page's median ≤ 500 ms, on each backend. Beside each figure: the 1-minute load average (other
work on the machine slows every figure alike). Results go to bench/results/dashboard.json (with the backend in
the name when only one was run).
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from health_recompute import each_backend, measured, wuyi  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from volunteer_stats import timings  # noqa: E402

TARGET_MS = 500
PG_DATABASE = "wuyi_dash_bench"
URL = "/dashboard/"
CADRES = 37_000  # POLICY.md §1d
OTHER_WORKERS = 80_000
PARTY_ORGANISATIONS = 1_737
OTHER_KINDS = ("social_worker", "volunteer", "property_staff", "medical", "police")
REFUSALS = 280_000
REFUSAL_REASONS = {"outsider_not_admitted": 30, "service_worker_not_admitted": 25, "not_for_this_compound": 15,
                   "expired": 10, "no_temperature": 8, "fever": 4, "yellow_code": 4, "red_code": 2, "malformed": 2}
BATCH = 5_000


def load(seed: int, refusals: int) -> dict:
    """In a child process with Django: the campaign data of step 2, in bulk."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuyi.settings")
    django.setup()
    from django.db import transaction

    from wuyi.access import events
    from wuyi.access.models import AccessEvent
    from wuyi.campaign.models import (
        Demonstration,
        Inspection,
        InspectionResult,
        MeasureCatalogue,
        Rectification,
    )
    from wuyi.dashboard.panels import LOCAL, local_today
    from wuyi.places.models import Area, Gate, Level
    from wuyi.workforce.models import Front, PartyOrganisation, Worker

    rng = random.Random(seed)
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code").values_list("id", flat=True))
    compounds = list(Area.objects.filter(level=Level.COMPOUND).order_by("code").values_list("id", "parent_id"))
    today = local_today()

    def day(first: dt.date, days: int) -> dt.date:
        return first + dt.timedelta(days=rng.randrange(days))

    with transaction.atomic():
        Worker.objects.bulk_create(
            [Worker(name=f"干部{i:05d}", kind="cadre", area_id=rng.choice(communities), party_member=True)
             for i in range(CADRES)]
            + [Worker(name=f"工作人员{i:05d}", kind=rng.choice(OTHER_KINDS), area_id=rng.choice(communities))
               for i in range(OTHER_WORKERS)], batch_size=BATCH)
        PartyOrganisation.objects.bulk_create(
            [PartyOrganisation(name=f"临时党支部{i:04d}", area_id=rng.choice(communities), front=rng.choice(Front.values),
                               set_up_on=day(dt.date(2020, 2, 1), 45)) for i in range(PARTY_ORGANISATIONS)],
            batch_size=BATCH)

        catalogue = MeasureCatalogue.objects.get(code="sz-2020-02")
        measures = list(catalogue.measures.values_list("id", flat=True))

        def inspection(compound: int, on: dt.date) -> Inspection:
            full = rng.random() < 0.35
            return Inspection(compound_id=compound, catalogue=catalogue, inspected_on=on, passed=0, failed=0,
                              score=1.0 if full else round(rng.uniform(0.6, 0.99), 2), fully_compliant=full)

        first = Inspection.objects.bulk_create(
            [inspection(c, day(dt.date(2020, 2, 10), 20)) for c, _p in compounds], batch_size=BATCH)
        again = Inspection.objects.bulk_create(
            [inspection(c, day(dt.date(2020, 3, 1), 20)) for c, _p in compounds if rng.random() < 0.6],
            batch_size=BATCH)
        latest = {i.compound_id: i for i in first}
        latest.update({i.compound_id: i for i in again})
        failing = [i for i in latest.values() if not i.fully_compliant and rng.random() < 0.15]
        results = InspectionResult.objects.bulk_create(
            [InspectionResult(inspection=i, measure_id=measures[0], result="failed", note="待整改") for i in failing],
            batch_size=BATCH)
        Rectification.objects.bulk_create(
            [Rectification(inspection=i, result=r, compound_id=i.compound_id, measure_id=measures[0],
                           description="待整改", due_on=i.inspected_on + dt.timedelta(days=7))
             for i, r in zip(failing, results)], batch_size=BATCH)

        by_community: dict[int, list[int]] = {}
        for compound, community in compounds:
            by_community.setdefault(community, []).append(compound)
        demonstrations, pending = [], 0
        for community, theirs in by_community.items():
            if rng.random() < 0.85:
                approved = dt.datetime.combine(day(dt.date(2020, 3, 10), 20), dt.time(10), LOCAL)
                demonstrations.append(Demonstration(compound_id=theirs[0], community_id=community, status="approved",
                                                    nominated_at=approved - dt.timedelta(days=7), approved_at=approved))
            if pending < 400 and len(theirs) > 1:
                pending += 1
                demonstrations.append(Demonstration(
                    compound_id=theirs[1], community_id=community, status="nominated",
                    nominated_at=dt.datetime.combine(dt.date(2020, 3, 25), dt.time(10), LOCAL)))
        Demonstration.objects.bulk_create(demonstrations, batch_size=BATCH)

    gates = list(Gate.objects.values_list("code", "compound__code"))
    start = dt.datetime.combine(today, dt.time(0), LOCAL)
    events.ensure_partitions({today})
    reasons, weights = list(REFUSAL_REASONS), list(REFUSAL_REASONS.values())
    now = dt.datetime.now(dt.UTC)
    seconds = max(60, int((now - start).total_seconds()))  # the day so far
    with transaction.atomic():
        for offset in range(0, refusals, BATCH):
            rows = []
            for _ in range(min(BATCH, refusals - offset)):
                gate, compound = rng.choice(gates)
                moment = start + dt.timedelta(seconds=rng.randrange(seconds))
                rows.append(AccessEvent(
                    event_id=uuid.UUID(int=rng.getrandbits(128)), occurred_at=moment, received_at=moment,
                    district_code=compound[:6], compound_code=compound, gate_code=gate, direction="in",
                    allowed=False, reason=rng.choices(reasons, weights)[0], source="kit"))
            AccessEvent.objects.bulk_create(rows)
    return {"workers": CADRES + OTHER_WORKERS, "party_organisations": PARTY_ORGANISATIONS,
            "inspections": len(first) + len(again), "rectifications": len(failing),
            "demonstrations": len(demonstrations), "refusals": refusals}


def measure(runs: int) -> dict:
    """In a child process with Django: the page, the exports and the baseline (step 3 and 4)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuyi.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wuyi.access.models import AccessEvent
    from wuyi.accounts.models import Role, User
    from wuyi.campaign.models import Inspection
    from wuyi.dashboard.panels import PANELS
    from wuyi.places.models import Area, Level
    from wuyi.workforce.models import Worker

    city = Area.objects.get(level=Level.CITY)
    district = Area.objects.get(code="440304")
    clients = {}
    for name, area in (("bench-city", city), ("bench-district", district)):
        user, _ = User.objects.update_or_create(username=name, defaults={"role": Role.LEADER, "area": area})
        clients[name] = Client()
        clients[name].force_login(user)

    def get(name: str, url: str = URL):
        response = clients[name].get(url)
        assert response.status_code == 200, response.status_code
        return response

    started = time.perf_counter()
    html = get("bench-city").content.decode()
    result: dict = {"first_ms": (time.perf_counter() - started) * 1000}
    shown = dict(re.findall(r'data-total="([^"]+)" data-value="([^"]*)"', html))
    refusals = re.search(r'id="table-refusals">.*?<tr class="total" data-code=""><td>[^<]*</td>'
                         r'<td class="num" data-key="refusals" data-value="(\d+)"', html, re.S)
    inspected = re.search(r'id="table-compliance">.*?<tr class="total".*?data-key="inspected" data-value="(\d+)"',
                          html, re.S)
    result["page"] = {"workers": int(shown["workers"]), "party_organisations": int(shown["party_organisations"]),
                      "communities": int(shown["communities"]), "tasks": int(shown["tasks"]),
                      "participations": int(shown["participations"]),
                      "refusals": int(refusals.group(1)), "inspected": int(inspected.group(1))}
    result["counts_agree"] = (
        result["page"]["workers"] == Worker.objects.filter(active=True).count()
        and result["page"]["refusals"] == AccessEvent.objects.filter(allowed=False).count()
        and result["page"]["inspected"] == Inspection.objects.values("compound").distinct().count()
        and result["page"]["communities"] == Area.objects.filter(level=Level.COMMUNITY).count()
    )
    result["city"] = timings(lambda: get("bench-city"), runs)
    result["district"] = timings(lambda: get("bench-district"), runs)
    result["export_ms"] = {}
    for panel in PANELS:
        started = time.perf_counter()
        get("bench-city", f"{URL}{city.code}/{panel}.xlsx")
        result["export_ms"][panel] = (time.perf_counter() - started) * 1000

    with CaptureQueriesContext(connection) as captured:
        get("bench-city")
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    if connection.vendor == "postgresql":
        import psycopg

        db = psycopg.connect(os.environ["DATABASE_URL"])
    else:
        import sqlite3

        db = sqlite3.connect(os.environ["WUYI_VAR"] + "/wuyi.sqlite3")
        db.execute("PRAGMA journal_mode=WAL")
    each: dict[int, float] = {}

    def bare() -> None:
        cursor = db.cursor()
        for i, sql in enumerate(statements):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            each[i] = time.perf_counter() - started

    result["baseline"] = timings(bare, runs)
    result["baseline"]["statements"] = len(statements)
    result["queries"] = len(captured.captured_queries)
    slowest = sorted(each, key=each.get, reverse=True)[:5]
    result["baseline"]["slowest"] = [{"ms": each[i] * 1000, "sql": statements[i][:300]} for i in slowest]
    db.close()
    return result


def bench_backend(backend, seed: int, runs: int, refusals: int, console: Console) -> dict:
    console.print(f"[bold]{backend.name}[/]: the city's area tree, its epidemic, volunteers and campaign data into "
                  f"{backend.where()} …")
    backend.create()
    wuyi(backend, "migrate", "-v0")
    build: dict = {}
    with measured(build):
        wuyi(backend, "city", "generate", "--scale", "areas", "--seed", str(seed), "--json")
        wuyi(backend, "city", "epidemic", "--seed", str(seed))
        wuyi(backend, "city", "volunteers", "--seed", str(seed))
    env = dict(backend.env(), DJANGO_SETTINGS_MODULE="wuyi.settings")
    loaded: dict = {}
    with measured(loaded):
        out = subprocess.run([sys.executable, __file__, "--load", "--seed", str(seed), "--refusals", str(refusals)],
                             env=env, check=True, capture_output=True, text=True).stdout
    loaded["rows"] = json.loads(out.strip().splitlines()[-1])
    backend.after_load()
    console.print(f"  city, epidemic and volunteers {build['seconds']:.0f} s, campaign data {loaded['seconds']:.0f} s;"
                  " measuring …")
    load = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, "--measure", "--runs", str(runs)], env=env, check=True,
                         capture_output=True, text=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    median = figures["city"]["median_ms"]
    return {"build": build, "campaign_data": loaded, "load": load, **figures,
            "ratio": median / figures["baseline"]["median_ms"],
            "passed": median <= TARGET_MS and figures["counts_agree"], "settings": backend.settings()}


def show(results: dict, runs: int, console: Console) -> None:
    table = Table(title=f"city dashboard, whole area tree, campaign data of 2020's size (median of {runs} GETs)")
    for column in ("backend", "queries", "first ms", f"city ms (≤ {TARGET_MS})", "p95 ms", "district ms",
                   "baseline ms", "ratio", "exports ms", "agree", "load"):
        table.add_column(column, justify="left" if column == "backend" else "right")
    for name, r in results.items():
        mark = "[green]" if r["passed"] else "[red]"
        table.add_row(
            name, str(r["queries"]), f"{r['first_ms']:.0f}", f"{mark}{r['city']['median_ms']:.1f}",
            f"{r['city']['p95_ms']:.1f}", f"{r['district']['median_ms']:.1f}", f"{r['baseline']['median_ms']:.1f}",
            f"{r['ratio']:.2f}", f"{sum(r['export_ms'].values()):.0f}", "yes" if r["counts_agree"] else "[red]no",
            f"{r['load']:.2f}",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--refusals", type=int, default=REFUSALS)
    parser.add_argument("--keep", action="store_true", help="keep the databases (and say where they are)")
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    if args.load:
        print(json.dumps(load(args.seed, args.refusals)))
        return 0
    if args.measure:
        print(json.dumps(measure(args.runs)))
        return 0
    console = Console(width=160)
    names = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    started = time.perf_counter()
    results = each_backend(names, "wuyi-bench-dash-", args.keep, console,
                           lambda backend: bench_backend(backend, args.seed, args.runs, args.refusals, console),
                           PG_DATABASE)
    show(results, args.runs, console)
    passed = all(r["passed"] for r in results.values())
    console.print(f"whole benchmark {time.perf_counter() - started:.0f} s")
    console.print("[green]target met[/]" if passed else "[red]target missed[/]")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    suffix = "" if args.backend == "both" else f"-{args.backend}"
    (out / f"dashboard{suffix}.json").write_text(json.dumps({
        "command": f"bench/dashboard.py --backend {args.backend} --runs {args.runs} --seed {args.seed} "
                   f"--refusals {args.refusals}",
        "target_ms": TARGET_MS, "machine": {"cores": os.cpu_count()}, "backends": results, "passed": passed,
    }, indent=2, default=str))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
