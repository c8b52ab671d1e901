"""Issue 4's done-when: a gate kit is killed with SIGKILL in the middle of an upload and the server is restarted;
after recovery the server holds exactly the events the kit recorded, none lost, none twice.

Real processes throughout. The server is ``wuyi serve`` (gunicorn) on a free port over a database of its own: a
SQLite file under a temporary WUYI_VAR, or, when the tests run on PostgreSQL (DATABASE_URL), a database made for
this test beside the test database and dropped after it. The kit is ``wuyi gate run`` with its own SQLite file,
and waits ``--ack-delay`` seconds between the server's answer to a batch and marking it, so that the test can kill
it where a crash hurts most: the server holds the batch, the kit has not marked it.

1. The kit records 5,000 decisions and uploads them in batches of 100; it is killed with SIGKILL while a batch
   is answered but not yet marked.
2. A second kit run (``--once``) uploads the rest; the server is killed with SIGKILL after one of its batches, and
   restarted once the kit has seen it down. The kit backs off, then uploads the rest and exits.
3. The server's events of the gate are exactly the kit's recorded events: the same ids, each stored once; every
   event in the kit's file is marked uploaded, none rejected.
"""

import json
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]
WUYI = str(Path(sys.executable).parent / "wuyi")
EVENTS = 5_000
BATCH = 100
ACK_DELAY = 2.0  # seconds: the kit holds an answered batch unmarked this long, the window the test kills it in
WAIT = 300  # seconds: the longest any step may take on a slow machine

SETUP = """
import json
import django
django.setup()
from tests.world import build_world
from wuyi.access import services
from wuyi.people.services import issue_pass

w = build_world()
codes = []
for person in w.people[:2]:
    issue_pass(person, w.compounds[0], by=None)
    codes.append(services.my_code(person).text)
print(json.dumps({"gate": w.gates[0].code, "codes": codes}))
"""

STORED = """
import json
import django
django.setup()
from wuyi.access.models import AccessEvent
print(json.dumps([str(i) for i in AccessEvent.objects.filter(gate_code={gate!r}).values_list("event_id", flat=True)]))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_env(tmp_path):
    """The environment of the server's processes: its own WUYI_VAR and its own database."""
    env = dict(os.environ, WUYI_VAR=str(tmp_path / "server"), DJANGO_SETTINGS_MODULE="wuyi.settings")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_kit_fault_{os.getpid()}"[:63]
    admin = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432, "user": config["USER"],
             "password": config["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    yield env
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env: dict, *args: str) -> str:
    return subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=WAIT).stdout


class Server:
    """``wuyi serve`` in a session of its own, so that SIGKILL reaches gunicorn's master and its workers."""

    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [WUYI, "serve", "--addr", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "2"],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the server did not start: " + self.log.read_text()[-3000:])

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(WAIT)
        self.process = None


class KitProcess:
    """``wuyi gate run`` with its log lines (stderr) read as they come."""

    def __init__(self, env: dict, *args: str):
        self.process = subprocess.Popen([WUYI, "gate", "run", *args], env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("")  # the end

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
            if not line:
                raise AssertionError(f"the kit ended before {text!r}:\n" + "\n".join(self.seen[-50:]))
        raise AssertionError(f"no {text!r} from the kit:\n" + "\n".join(self.seen[-50:]))

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(WAIT)


def kit_file(path: Path) -> dict[str, str]:
    """event id → state, from the kit's own file."""
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT event_id, state FROM event"))


def stored_ids(env: dict, gate: str) -> list[str]:
    return json.loads(run(env, sys.executable, "-c", STORED.format(gate=gate)))


def test_a_kit_killed_mid_upload_and_a_server_killed_lose_nothing_and_store_nothing_twice(server_env, tmp_path):
    run(server_env, WUYI, "migrate", "-v0")
    world = json.loads(run(server_env, sys.executable, "-c", SETUP))
    gate = world["gate"]
    token = run(server_env, WUYI, "gate", "provision", "--gate", gate).strip()
    codes = tmp_path / "codes.txt"
    codes.write_text("".join(f"{code} 36.5\n" for code in world["codes"]))
    kit_db = tmp_path / "kit" / "gate.sqlite3"
    kit_env = {k: v for k, v in server_env.items() if k != "DATABASE_URL"}
    kit_env.update(WUYI_VAR=str(tmp_path / "kit"), WUYI_GATE_TOKEN=token)
    server = Server(server_env, free_port(), tmp_path / "server.log")
    kits: list[KitProcess] = []

    def kit(*args: str) -> KitProcess:
        kits.append(KitProcess(kit_env, "--gate", gate, "--server", server.url, "--db", str(kit_db),
                               "--batch-size", str(BATCH), *args))
        return kits[-1]

    try:
        server.start()
        # 1. the kit records every decision, then is killed while a batch is answered but not marked
        first = kit("--simulate", str(EVENTS), "--codes", str(codes), "--ack-delay", str(ACK_DELAY))
        first.wait_for(f"recorded {EVENTS} decisions")
        first.wait_for("answered; marking")
        first.kill()
        recorded = kit_file(kit_db)
        assert len(recorded) == EVENTS
        on_server = set(stored_ids(server_env, gate))
        pending = {event_id for event_id, state in recorded.items() if state == "pending"}
        assert 0 < len(on_server) < EVENTS
        assert pending & on_server, "the kit was killed with an answered batch unmarked"

        # 2. the kit runs again; the server is killed under it and restarted once the kit has seen it down
        second = kit("--once", "--ack-delay", "0.2")
        second.wait_for("answered; marking")
        server.kill()
        second.wait_for("upload failed")
        server.start()
        second.wait_for("queue empty")
        assert second.process.wait(WAIT) == 0
        while any(state == "pending" for state in kit_file(kit_db).values()):  # a run that stopped short: again
            assert len(kits) < 5, "the queue does not empty"
            again = kit("--once")
            assert again.process.wait(WAIT) == 0

        # 3. exactly the kit's events, each once
        final = kit_file(kit_db)
        assert set(final) == set(recorded)
        assert set(final.values()) == {"uploaded"}
        stored = stored_ids(server_env, gate)
        assert len(stored) == len(set(stored)) == EVENTS
        assert set(stored) == set(recorded)
    finally:
        for process in kits:
            process.kill()
        server.kill()
