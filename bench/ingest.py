"""Benchmark: gate events per second through `events.ingest`, beside a raw bulk insert of the same events.

    .venv/bin/python bench/ingest.py [--backend sqlite|postgresql|both] [--events N] [--batch B] [--rounds R]
                                     [--prefill P] [--no-http]

For each backend, in a fresh database (SQLite in a temporary WUYI_VAR; PostgreSQL in a database
`wuyi_bench_ingest`, created and dropped), after `wuyi migrate`, in a child process with Django set up on it:

1. Ten gates in two districts, and N events as gate kits upload them (a client-made UUID, a moment within
   the last hour, so one day's partition on PostgreSQL, a gate, a direction, a decision, a pseudonym, a
   temperature).
2. Ours: `events.ingest(batch, source="kit")` over the N events in batches of B (the kit's default, 500):
   every event validated, the batch written with `INSERT … ON CONFLICT DO NOTHING RETURNING` (PostgreSQL:
   binary COPY into a temporary table, then one INSERT … SELECT from it), what is not returned being a
   duplicate, one transaction per batch.
3. Raw, in the same run: the rows ours stored, read back in the database's own form, emptied, then written
   again into the same table in the same batches, one transaction each, with the driver: `executemany` of
   an INSERT (sqlite3, Django's pragmas) or `COPY … FROM STDIN` (psycopg). Only the writing and the commits
   are timed.
4. The two alternate over R rounds on an emptied table (so that other work on the machine slows both alike);
   each rate is the median of its rounds, and ratio = ours ÷ raw.
5. The same into a table already holding P other events of the same gates and hour (default 200,000, written
   raw beforehand; a city's access log holds tens of millions a day): both write into a larger key index
   there. One round each; the rows of each are removed before the other.
6. Unless --no-http: `wuyi serve` (gunicorn, 2 workers) on the same database, and one client POSTing the N
   events (new ids) to /api/access/events in batches of B with a city administrator's token, one after the
   other: the whole path a kit's upload takes (JSON, authentication, ingestion), for the record; no target.

Target: ratio ≥ 0.5 on each backend, on the empty and on the filled table. 70 M passages a day (DESIGN.md §6) are 810 events a second on average.
Results go to bench/results/ingest.json (ingest-<backend>.json when only one backend is run).
"""

import argparse
import datetime as dt
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

TARGET_RATIO = 0.5
PASSAGES_PER_SECOND = 70_000_000 / 86_400
PG_SERVER = os.environ.get("WUYI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "wuyi_bench_ingest"
WUYI = str(Path(sys.executable).parent / "wuyi")
GATES_PER_DISTRICT = 5
REASONS = (("in", True, "admitted", "let_in"), ("out", True, "may_leave", "let_out"),
           ("in", False, "no_temperature", "take_temperature"), ("in", False, "expired", "ask_for_paper_pass"))


# ---- the parent: databases, children, the table --------------------------------------------------------------


def backend_env(backend: str, var: Path) -> dict[str, str]:
    env = dict(os.environ, WUYI_VAR=str(var))
    if backend == "postgresql":
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        env.pop("DATABASE_URL", None)
    return env


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as db:
        db.execute(sql)


def measure(backend: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="wuyi-bench-ingest-") as tmp:
        var = Path(tmp)
        env = backend_env(backend, var)
        if backend == "postgresql":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {PG_DATABASE}")
        try:
            subprocess.run([WUYI, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
            child = [sys.executable, __file__, "--child", backend, "--events", str(args.events), "--batch",
                     str(args.batch), "--rounds", str(args.rounds), "--prefill", str(args.prefill)]
            child += ["--no-http"] if args.no_http else []
            out = subprocess.run(child, env=env, check=True, cwd=ROOT, capture_output=True, text=True).stdout
        finally:
            if backend == "postgresql":
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prefill", type=int, default=200_000)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        print(json.dumps(child(args)))
        return 0
    console = Console()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    load = os.getloadavg()[0]
    results = {}
    for backend in backends:
        console.print(f"[bold]{backend}[/]: {args.events:,} events in batches of {args.batch}, "
                      f"{args.rounds} rounds …")
        try:
            results[backend] = measure(backend, args)
        except Exception as e:  # PostgreSQL not running: say so, measure the rest
            if backend != "postgresql":
                raise
            console.print(f"[yellow]PostgreSQL skipped[/]: {e}")
    table = Table(title=f"events.ingest per second ({args.events:,} events, batches of {args.batch})")
    table.caption = "raw: " + "; ".join(f"{backend} {r['raw_method']}" for backend, r in results.items())
    for column in ("backend", "table", "ours / s", "raw / s", "ratio", "target", "HTTP / s"):
        table.add_column(column, justify="right" if "/" in column or column == "ratio" else "left")
    passed = bool(results)
    for backend, r in results.items():
        for scenario, label in (("empty", "empty at start"), ("filled", f"holding {args.prefill:,}")):
            figures = r[scenario]
            ok = figures["ratio"] >= TARGET_RATIO
            passed &= ok
            table.add_row(backend, label, f"{figures['ours_per_s']:,.0f}", f"{figures['raw_per_s']:,.0f}",
                          f"[{'green' if ok else 'red'}]{figures['ratio']:.2f}[/]",
                          f"≥ {TARGET_RATIO}",
                          f"{r['http_per_s']:,.0f}" if r.get("http_per_s") and scenario == "empty" else "")
    console.print(table)
    console.print(f"a city's average: {PASSAGES_PER_SECOND:,.0f} events/s; 1-minute load at start {load:.2f}")
    console.print("[green]targets met[/]" if passed else "[red]targets missed[/]")
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    name = "ingest.json" if args.backend == "both" else f"ingest-{args.backend}.json"
    command = (f"bench/ingest.py --backend {args.backend} --events {args.events} --batch {args.batch} "
               f"--rounds {args.rounds} --prefill {args.prefill}" + (" --no-http" if args.no_http else ""))
    (results_dir / name).write_text(json.dumps({
        "command": command, "load_average_1min_at_start": load, "target_ratio": TARGET_RATIO,
        "backends": results, "passed": passed}, indent=2) + "\n")
    return 0 if passed else 1


# ---- the child: Django on one backend ------------------------------------------------------------------------


def make_gates() -> list[str]:
    from wuyi.places.models import Area, CompoundKind, Gate, Level

    city = Area.objects.create(code="440300", name="深圳市", level=Level.CITY)
    gates = []
    for district_code in ("440304", "440306"):
        district = Area.objects.create(code=district_code, name=district_code, level=Level.DISTRICT, parent=city)
        street = Area.objects.create(code=district_code + "001", name="街道", level=Level.STREET, parent=district)
        community = Area.objects.create(code=street.code + "001", name="社区", level=Level.COMMUNITY, parent=street)
        for n in range(1, GATES_PER_DISTRICT + 1):
            compound = Area.objects.create(code=community.code + f"{n:03d}", name=f"小区{n}", level=Level.COMPOUND,
                                           parent=community, kind=CompoundKind.GARDEN_ESTATE)
            gates.append(Gate.objects.create(code=compound.code + "G1", compound=compound, name="东门").code)
    return gates


def make_events(count: int, gates: list[str], now: dt.datetime) -> list[dict]:
    events = []
    for n in range(count):
        direction, allowed, reason, next_step = REASONS[n % len(REASONS)]
        moment = now - dt.timedelta(seconds=3600 * (n + 1) / (count + 1))
        events.append({
            "event_id": str(uuid.uuid4()), "occurred_at": moment.isoformat(), "gate": gates[n % len(gates)],
            "direction": direction, "allowed": allowed, "reason": reason, "next_step": next_step,
            "policy": "relaxed-2020-03-29", "pseudonym": f"p{n:015d}", "holder_kind": "resident",
            "temperature": 36.5 if allowed else None,
        })
    return events


def batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def child(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuyi.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from wuyi.access import events
    from wuyi.access.models import AccessEvent

    table = events.TABLE
    columns = [f.column for f in AccessEvent._meta.concrete_fields]
    gates = make_gates()
    now = timezone.now()
    batch_events = make_events(args.events, gates, now)
    postgres = connection.vendor == "postgresql"

    def remove(device: str | None = None) -> None:
        with connection.cursor() as cursor:
            if device:
                cursor.execute(f"DELETE FROM {table} WHERE device = %s", [device])
            else:
                cursor.execute(f"TRUNCATE {table}" if postgres else f"DELETE FROM {table}")

    def ours(expected: int) -> float:
        started = time.perf_counter()
        accepted = 0
        for batch in batches(batch_events, args.batch):
            accepted += len(events.ingest(batch, source="kit", device="bench", now=now).accepted)
        seconds = time.perf_counter() - started
        assert accepted == args.events and AccessEvent.objects.count() == expected, (accepted, args.events)
        return seconds

    def stored_rows() -> list[tuple]:
        """The rows of the table in the database's own form, for raw."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
            return cursor.fetchall()

    ours(args.events)  # a warm-up, and the rows raw writes
    rows = stored_rows()
    remove()
    connection.close()

    if postgres:
        import psycopg

        raw_db = psycopg.connect(os.environ["DATABASE_URL"])
        raw_method = "COPY FROM STDIN (psycopg)"

        def write(batch: list[tuple]) -> None:
            with raw_db.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
            raw_db.commit()
    else:
        from django.conf import settings

        raw_db = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30, isolation_level=None)
        raw_db.execute("PRAGMA journal_mode=WAL")
        raw_db.execute("PRAGMA synchronous=NORMAL")
        raw_method = "executemany INSERT (sqlite3)"
        insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"

        def write(batch: list[tuple]) -> None:
            raw_db.execute("BEGIN IMMEDIATE")
            raw_db.executemany(insert, batch)
            raw_db.execute("COMMIT")

    def raw(these: list[tuple], expected: int) -> float:
        started = time.perf_counter()
        for batch in batches(these, args.batch):
            write(batch)
        seconds = time.perf_counter() - started
        assert AccessEvent.objects.count() == expected
        return seconds

    def figures(ours_seconds: list[float], raw_seconds: list[float]) -> dict:
        ours_rate = args.events / statistics.median(ours_seconds)
        raw_rate = args.events / statistics.median(raw_seconds)
        return {"ours_per_s": ours_rate, "raw_per_s": raw_rate, "ratio": ours_rate / raw_rate,
                "ours_seconds": ours_seconds, "raw_seconds": raw_seconds}

    ours_seconds, raw_seconds = [], []
    for _ in range(args.rounds):
        ours_seconds.append(ours(args.events))
        remove()
        raw_seconds.append(raw(rows, args.events))
        remove()
    result = {"events": args.events, "batch": args.batch, "rounds": args.rounds, "raw_method": raw_method,
              "empty": figures(ours_seconds, raw_seconds), "prefill": args.prefill}

    # the filled table: P other events of the same gates and hour, written raw
    filler = make_events(args.prefill, gates, now)
    events.ingest(filler[:1], device="prefill", now=now)  # one through ingest, for its form …
    template = stored_rows()[0]
    remove()
    id_at, moment_at, pseudonym_at, device_at = (columns.index(c) for c in
                                                 ("event_id", "occurred_at", "pseudonym", "device"))
    filled = []
    for n, extra in enumerate(filler):  # … and the others in the same form, with their own ids and moments
        row = list(template)
        event_id = uuid.UUID(extra["event_id"])
        row[id_at] = event_id if postgres else event_id.hex
        moment = dt.datetime.fromisoformat(extra["occurred_at"])
        row[moment_at] = moment if postgres else connection.ops.adapt_datetimefield_value(moment)
        row[pseudonym_at], row[device_at] = f"f{n:015d}", "prefill"
        filled.append(tuple(row))
    connection.close()
    raw(filled, args.prefill)
    into_filled_ours = ours(args.prefill + args.events)
    remove("bench")
    into_filled_raw = raw(rows, args.prefill + args.events)
    remove()
    raw_db.close()
    result["filled"] = figures([into_filled_ours], [into_filled_raw])
    if not args.no_http:
        result["http_per_s"] = http_upload(args, gates)
    return result


def http_upload(args, gates: list[str]) -> float:
    from django.db import connection
    from django.utils import timezone

    from wuyi.access.models import AccessEvent
    from wuyi.accounts.models import ApiToken, Role, User

    admin = User.objects.create(username="bench-admin", role=Role.CITY_ADMIN)
    _token, key = ApiToken.issue(admin, "bench")
    connection.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([WUYI, "serve", "--addr", f"127.0.0.1:{port}", "--workers", "2"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/api/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        uploads = make_events(args.events, gates, timezone.now())
        started = time.perf_counter()
        for batch in batches(uploads, args.batch):
            request = urllib.request.Request(url + "/api/access/events", method="POST",
                                             data=json.dumps({"events": batch}).encode(),
                                             headers={"Authorization": f"Bearer {key}",
                                                      "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as answer:
                assert len(json.loads(answer.read())["accepted"]) == len(batch)
        seconds = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    assert AccessEvent.objects.count() == args.events
    return args.events / seconds


if __name__ == "__main__":
    sys.exit(main())
