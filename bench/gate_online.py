"""Benchmark: online verification at a gate under load, from a second process (issue 4).

    .venv/bin/python bench/gate_online.py [--concurrency 200] [--seconds 10] [--rounds 2] [--codes 1000]
                                          [--workers 3] [--threads 4]

1. A temporary WUYI_VAR (SQLite in WAL mode; or, with --database-url, an empty PostgreSQL database), `wuyi migrate`, then through the services (`wuyi shell -c`): a
   compound with a gate, the gate's guard with an API token, and N residents, each with a pass and a code.
2. `wuyi serve` (gunicorn, W workers × T threads, its defaults) as a child process.
3. From this process, C connections (asyncio, raw HTTP/1.1 with keep-alive, standard library only), each
   sending its next request as soon as the last one is answered, for S seconds after a warm-up of S/5
   (the warm-up's requests are not counted): `POST /api/access/check` with the guard's bearer token, the
   residents' codes in turn, direction in, 36.5 °C.
   Each check authenticates the token, verifies the code, decides under the compound's policy and writes an
   access event (SQLite: one writer at a time). Latency of each request sent within the window: p50, p99;
   throughput; errors (a connection error, a status other than 200, or a decision other than "admitted").
   Then every 200 is matched with an access event in the database.
4. Baselines in the same run: `GET /api/health` (a request and a `SELECT 1`) at the same concurrency, the
   server's floor, alternated with the check over R rounds (so that other work on the machine slows both
   alike; latencies pooled over the rounds); and `codec.verify` of the same codes in this process (one
   core, no server, no database).

The machine's cores and load are recorded, and the CPU the server and this client used during each phase
(the client shares the machine: on 2 cores it takes part of what the server could use); the server's CPU
per request depends less on other work on the machine than the rates do. Target: no errors.
Results also go to bench/results/gate_online.json (gate_online-postgresql.json with --database-url).
"""

import argparse
import asyncio
import base64
import json
import os
import resource
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from wuyi.access import codec  # noqa: E402  (plain module, no Django)

HOST = "127.0.0.1"
TEMPERATURE = 36.5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Run by `wuyi shell -c` in the bench's WUYI_VAR: the city through the services; prints one JSON line.
SETUP = """
import json
from django.db import transaction
from wuyi.access import keys, services
from wuyi.accounts.models import ApiToken, Role, User
from wuyi.people.models import Membership, Person, Relation
from wuyi.people.services import issue_pass
from wuyi.places.models import Area, Building, CompoundKind, Gate, Household, Level

n = {codes}
with transaction.atomic():
    city = Area.objects.create(code="440300", name="深圳市", level=Level.CITY)
    district = Area.objects.create(code="440304", name="福田区", level=Level.DISTRICT, parent=city)
    street = Area.objects.create(code="440304001", name="园岭街道", level=Level.STREET, parent=district)
    community = Area.objects.create(code="440304001001", name="园东社区", level=Level.COMMUNITY, parent=street)
    compound = Area.objects.create(code="440304001001001", name="百花园", level=Level.COMPOUND, parent=community,
                                   kind=CompoundKind.GARDEN_ESTATE)
    building = Building.objects.create(code=compound.code + "001", compound=compound, name="1栋")
    households = Household.objects.bulk_create(
        [Household(code=building.code + f"{{i:04d}}", building=building, room=str(i)) for i in range(n)])
    people = Person.objects.bulk_create(
        [Person(name=f"居民{{i}}", phone=f"139{{i:08d}}", verified=True) for i in range(n)])
    Membership.objects.bulk_create([Membership(person=p, household=h, relation=Relation.OWNER)
                                    for p, h in zip(people, households)])
    gate = Gate.objects.create(code=compound.code + "G1", compound=compound, name="百花园东门")
    guard = User(username="guard", role=Role.GATE_GUARD, gate=gate)
    guard.set_unusable_password()
    guard.save()
    _, token = ApiToken.issue(guard, "bench")
    worker = User.objects.create(username="community", role=Role.COMMUNITY_WORKER, area=community)
for person in people:
    issue_pass(person, compound, by=worker)
codes = [services.my_code(person).text for person in people]
print(json.dumps({{"token": token, "gate": gate.code, "codes": codes,
                  "trust": [k["public_key"] for k in keys.trust_document()["keys"]]}}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def build_city(env: dict, codes: int) -> dict:
    wuyi = str(Path(sys.executable).parent / "wuyi")
    subprocess.run([wuyi, "migrate", "-v0"], env=env, check=True)
    out = subprocess.run([wuyi, "shell", "-v0", "-c", SETUP.format(codes=codes)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_server(env: dict, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    wuyi = str(Path(sys.executable).parent / "wuyi")
    with log.open("wb") as out:
        server = subprocess.Popen([wuyi, "serve", "--addr", f"{HOST}:{port}", "--workers", str(workers),
                                   "--threads", str(threads)], env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"wuyi serve exited with {server.returncode}: see {log}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/health", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("wuyi serve did not answer /api/health within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children (gunicorn's master and workers)."""
    total = 0.0
    pids = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        return 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return total


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the load: C keep-alive connections, each one request after another ------------------------------------


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body and whether the connection stays open, of one HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    if b"content-length" in headers:
        body = await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding") == b"chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(p[:-2] for p in parts)
    else:
        return status, await reader.read(), False
    return status, body, headers.get(b"connection") != b"close"


class Load:
    """Closed-loop load: every connection sends its next request when its last one is answered."""

    def __init__(self, port: int, requests, accept, concurrency: int, warmup: float, seconds: float):
        self.port, self.requests, self.accept = port, requests, accept
        self.concurrency, self.warmup, self.seconds = concurrency, warmup, seconds
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.ok_total = 0  # every 200, warm-up and tail included (for the events written)
        self.answered = 0  # every response, warm-up and tail included (for the server's CPU per request)

    def _error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def _connection(self, start: float, end: float) -> None:
        writer = None
        while time.perf_counter() < end:
            if writer is None:
                try:
                    reader, writer = await asyncio.open_connection(HOST, self.port)
                except OSError:
                    self._error("connect")
                    await asyncio.sleep(0.05)
                    continue
            request = next(self.requests)
            sent = time.perf_counter()
            try:
                writer.write(request)
                status, body, keep = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                if sent >= start:
                    self._error("connection")
                writer.close()
                writer = None
                continue
            answered = time.perf_counter()
            self.answered += 1
            if status == 200:
                self.ok_total += 1
            if start <= sent < end:
                self.latencies.append(answered - sent)
                if status != 200:
                    self._error(f"http {status}")
                elif not self.accept(body):
                    self._error("unexpected answer")
            if not keep:
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    async def _run(self) -> None:
        start = time.perf_counter() + self.warmup
        end = start + self.seconds
        await asyncio.gather(*(self._connection(start, end) for _ in range(self.concurrency)))

    def run(self) -> "Load":
        asyncio.run(self._run())
        return self


def requests_for_check(port: int, token: str, gate: str, codes: list[str]):
    heads = f"Host: {HOST}:{port}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
    prepared = []
    for text in codes:
        body = json.dumps({"gate_code": gate, "code": text, "direction": "in", "temperature": TEMPERATURE}).encode()
        prepared.append(f"POST /api/access/check HTTP/1.1\r\n{heads}Content-Length: {len(body)}\r\n\r\n".encode()
                        + body)
    while True:
        yield from prepared


def requests_for_health(port: int):
    request = f"GET /api/health HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    while True:
        yield request


def admitted(body: bytes) -> bool:
    answer = json.loads(body)
    return answer.get("allow") is True and answer.get("reason") == "admitted"


def healthy(body: bytes) -> bool:
    return json.loads(body).get("ok") is True


class Phase:
    """The loads of one kind over the rounds, and the CPU the server and this client used while they ran."""

    def __init__(self):
        self.loads: list[Load] = []
        self.wall = self.server_cpu = self.client_cpu = 0.0
        self.load_average: list[float] = []

    def run(self, server: subprocess.Popen, load: Load) -> None:
        server_cpu, client_cpu, started = cpu_seconds(server.pid), own_cpu_seconds(), time.perf_counter()
        self.loads.append(load.run())
        self.wall += time.perf_counter() - started
        self.server_cpu += cpu_seconds(server.pid) - server_cpu
        self.client_cpu += own_cpu_seconds() - client_cpu
        self.load_average.append(os.getloadavg()[0])

    def figures(self) -> dict:
        lat = sorted(x for load in self.loads for x in load.latencies)
        errors: dict[str, int] = {}
        for load in self.loads:
            for kind, n in load.errors.items():
                errors[kind] = errors.get(kind, 0) + n
        quantiles = statistics.quantiles(lat, n=100, method="inclusive")
        measured = sum(load.seconds for load in self.loads)
        return {
            "requests": len(lat), "per_second": len(lat) / measured, "errors": errors,
            "error_count": sum(errors.values()), "p50_ms": quantiles[49] * 1000, "p99_ms": quantiles[98] * 1000,
            "max_ms": lat[-1] * 1000, "ok_total": sum(load.ok_total for load in self.loads),
            "per_second_by_round": [len(load.latencies) / load.seconds for load in self.loads],
            "server_cores": self.server_cpu / self.wall, "client_cores": self.client_cpu / self.wall,
            "server_cpu_ms_per_request": self.server_cpu * 1000 / sum(load.answered for load in self.loads),
            "load_average_after_each_round": self.load_average,
        }


def verify_rate(codes: list[str], trust_der: list[str], seconds: float) -> dict:
    """codec.verify of the same codes, one after another, in this process (one core)."""
    trust = codec.TrustList()
    for der in trust_der:
        trust.add_der(base64.b64decode(der))
    now = time.time()
    for text in codes:
        codec.verify(text, trust, now)  # each must verify
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for text in codes:
            codec.verify(text, trust, now)
        done += len(codes)
    return {"verifications": done, "per_second": done / elapsed}


def events_written(var: Path, database_url: str | None) -> int:
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as db:
            return db.execute("SELECT count(*) FROM access_accessevent").fetchone()[0]
    db = sqlite3.connect(f"file:{var / 'wuyi.sqlite3'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT count(*) FROM access_accessevent").fetchone()[0]
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase and round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the two phases, alternated")
    parser.add_argument("--codes", type=int, default=1000, help="residents, each with a code")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (wuyi serve's default)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (wuyi serve's default)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use instead of SQLite")
    args, _ = parser.parse_known_args(argv)  # bench/run.py passes the same options to every bench
    console = Console(width=None if sys.stdout.isatty() else 120)
    warmup = max(1.0, args.seconds / 5)
    database = "PostgreSQL" if args.database_url else "SQLite"
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="wuyi-bench-") as tmp:
        var = Path(tmp)
        env = dict(os.environ, WUYI_VAR=str(var))
        for name in ("DATABASE_URL", "DEBUG"):
            env.pop(name, None)
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        where = "the PostgreSQL database given" if args.database_url else f"{var}/wuyi.sqlite3"
        console.print(f"[bold]gate online check[/]: {args.codes} residents with codes in {where} …")
        city = build_city(env, args.codes)
        port = free_port()
        console.print(f"wuyi serve --workers {args.workers} --threads {args.threads} on {HOST}:{port} …")
        server = start_server(env, port, args.workers, args.threads, var / "serve.log")
        health, check = Phase(), Phase()
        try:
            for round_ in range(1, args.rounds + 1):  # alternated, so that other work on the machine slows both alike
                console.print(f"round {round_}/{args.rounds}: GET /api/health, then POST /api/access/check, "
                              f"{args.concurrency} connections, {args.seconds:g} s each …")
                health.run(server, Load(port, requests_for_health(port), healthy, args.concurrency, warmup,
                                        args.seconds))
                check.run(server, Load(port, requests_for_check(port, city["token"], city["gate"], city["codes"]),
                                       admitted, args.concurrency, warmup, args.seconds))
        finally:
            stop_server(server)
        health, check = health.figures(), check.figures()
        written = events_written(var, args.database_url)
    console.print("codec.verify in this process …")
    verify = verify_rate(city["codes"], city["trust"], min(args.seconds, 5.0))

    table = Table(title=f"Online check at a gate, {args.concurrency} concurrent connections, {database}, "
                        f"gunicorn {args.workers}×{args.threads}, {os.cpu_count()} cores",
                  caption="check: POST /api/access/check; health: GET /api/health; codec.verify: in this process")
    for column in ("", "requests", "per second", "p50 ms", "p99 ms", "max ms", "errors", "server cores",
                   "server CPU ms/req", "client cores"):
        table.add_column(column, justify="left" if not column else "right")
    for name, r in (("check", check), ("health (baseline)", health)):
        table.add_row(name, f"{r['requests']:,}", f"{r['per_second']:,.0f}", f"{r['p50_ms']:.0f}",
                      f"{r['p99_ms']:.0f}", f"{r['max_ms']:.0f}", f"{r['error_count']:,}",
                      f"{r['server_cores']:.2f}", f"{r['server_cpu_ms_per_request']:.2f}", f"{r['client_cores']:.2f}")
    table.add_row("codec.verify (baseline)", f"{verify['verifications']:,}",
                  f"{verify['per_second']:,.0f}", "", "", "", "0", "", f"{1000 / verify['per_second']:.3f}", "1 core")
    console.print(table)
    events_match = written == check["ok_total"]
    console.print(f"access events written {written:,}, checks answered 200: {check['ok_total']:,}"
                  + ("" if events_match else " [red](they differ)[/]"))
    console.print(f"check ÷ health throughput {check['per_second'] / health['per_second']:.2f}; "
                  f"check ÷ in-process verify {check['per_second'] / verify['per_second']:.3f}; "
                  f"load average before {load_before[0]:.2f}, after each round "
                  + ", ".join(f"{x:.2f}" for x in check["load_average_after_each_round"]))
    if check["errors"] or health["errors"]:
        console.print(f"[red]errors[/]: check {check['errors']} health {health['errors']}")
    passed = not check["errors"] and not health["errors"] and events_match
    console.print("[green]targets met[/]" if passed else "[red]targets missed[/]")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / ("gate_online-postgresql.json" if args.database_url else "gate_online.json")).write_text(json.dumps({
        "command": f"bench/gate_online.py --concurrency {args.concurrency} --seconds {args.seconds:g} "
                   f"--rounds {args.rounds} " + ("--database-url … " if args.database_url else "") +
                   f"--codes {args.codes} --workers {args.workers} --threads {args.threads}",
        "database": database, "cores": os.cpu_count(), "load_before": load_before,
        "check": check, "health": health, "verify": verify, "events_written": written, "passed": passed,
    }, indent=2))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
