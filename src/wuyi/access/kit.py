"""The gate kit: a gate's decisions with or without the network (DESIGN.md §4 and §5).

A kit is a tablet or a small computer at one gate, with a handheld scanner that types each code and Enter. It
keeps a local SQLite file holding the signed trust list, the signed revocation list, the gate's policy for the
coming week and a queue of its decisions. It verifies a code with ``codec.verify`` against the local lists and
decides with ``gate_policy.decide``, so the gate works the same when the network or the server is down; a
background thread uploads the queue to ``POST /api/access/events`` whenever the server answers, and refreshes the
lists and the policy every few minutes.

Nothing a gate saw is lost or stored twice:

1. The kit makes each event's UUID when it decides, and commits the event to the queue in its own transaction
   (SQLite, WAL, ``synchronous=FULL``) before the decision is shown: what the guard saw is on disk.
2. An event leaves the queue only by being marked: ``uploaded`` when the server's answer lists its id as accepted
   or duplicate, ``rejected`` (with the server's code and message) when the answer holds an error for it. Rows
   are never deleted. A rejection that can pass (:data:`RETRIED_ERRORS`: the kit's clock ran fast, the gate is
   not on the server yet, the guard's account was moved) goes back to ``pending`` at each refresh of the lists
   and is sent again, until the server takes it or refuses it for good (past the retention period: too_old).
3. Whatever goes wrong between sending a batch and marking it (a timeout, the kit killed, the server killed), the
   events stay ``pending`` and are sent again; the server stores an event once by its UUID (``events.ingest``)
   and answers "duplicate" to the second sending, and the kit marks it then.
4. Uploads retry with exponential backoff (capped at :data:`BACKOFF_CAP` seconds, with jitter).

What a kit cannot know offline, it says so: the exit quota needs the household's last exit, which the server
holds, so the kit does not apply it (a decision it would have concerned carries a note); a visitor's one entry
is remembered for the entries at this kit only.

A new trust list is accepted only when a key the kit already trusts signed it (``keys.open_document``); the
first one, at setup, is trusted as it comes (over TLS, with the kit's token): that is the kit's provisioning.
A revocation list must be signed by a trusted key and be no older than the one the kit has.

The kit's entry points: :meth:`Kit.record` (one decision), :meth:`Kit.upload_once` (one batch),
:meth:`Kit.drain` (upload until the queue is empty), :class:`Uploader` (the background thread) and
:meth:`Kit.simulate` (synthetic decisions, for tests and benchmarks); ``wuyi gate run`` wraps them.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import re
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from wuyi.access import codec, gate_policy, keys
from wuyi.health.colour_rules import CHINA_STANDARD_TIME, local_date

BATCH_SIZE = 500
BACKOFF_BASE = 0.5  # seconds before the first retry (before jitter)
BACKOFF_CAP = 30.0  # the longest wait between two attempts
REFRESH_EVERY = 300.0  # seconds between two downloads of the lists and the policy when online
REFRESH_RETRY = 30.0  # after a failed refresh
IDLE_WAIT = 2.0  # an idle uploader looks at the queue at least this often
HTTP_TIMEOUT = 10.0
TRUST_KIND = "wuyi-trust-list"
REVOCATION_KIND = "wuyi-revocation-list"
TRAILING_TEMPERATURE = re.compile(r"^(.*\S)\s+(\d{1,3}(?:\.\d{1,2})?)$")
EXIT_QUOTA_NOTE = "exit quota not checked: the kit does not know the household's last exit"
# The server's refusals of an event that may pass later (events.ingest): sent again after each refresh.
RETRIED_ERRORS = ("future", "unknown_gate", "not_your_gate")

SCHEMA = """
CREATE TABLE IF NOT EXISTS setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS event (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'uploaded', 'rejected')),
    error_code TEXT,
    error_message TEXT,
    error_field TEXT,
    settled_at TEXT
);
CREATE INDEX IF NOT EXISTS event_state ON event (state, seq);
CREATE TABLE IF NOT EXISTS visitor_entry (pseudonym TEXT PRIMARY KEY, entered_at TEXT NOT NULL);
"""


# ---- talking to the server -----------------------------------------------------------------------------------


class Unreachable(Exception):
    """The server did not answer usefully: no connection, a timeout, a 5xx, or a body that is not ours."""


class Refused(Exception):
    """The server answered with a 4xx (a revoked token, a guard moved to another gate…)."""

    def __init__(self, status: int, body: object):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class NotProvisioned(Exception):
    """The kit has never downloaded its trust list and policy: it cannot decide yet."""


class Transport(Protocol):
    def get(self, path: str) -> object: ...

    def post(self, path: str, payload: dict) -> object: ...


@dataclass
class HttpTransport:
    """JSON over HTTP(S) with the standard library, a bearer token and a timeout on every request."""

    server: str
    token: str
    timeout: float = HTTP_TIMEOUT

    def _call(self, method: str, path: str, payload: dict | None = None) -> object:
        data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        request = urllib.request.Request(self.server.rstrip("/") + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as e:
            status = e.code
            try:
                detail = json.loads(e.read() or b"null")
            except (ValueError, OSError, http.client.HTTPException):
                detail = None
            if 400 <= status < 500:
                raise Refused(status, detail) from None
            raise Unreachable(f"HTTP {status}") from None
        except (OSError, http.client.HTTPException) as e:  # URLError, refused, reset, timeout, cut short
            raise Unreachable(f"{e.__class__.__name__}: {e}") from None
        try:
            return json.loads(body)
        except ValueError:
            raise Unreachable("the answer is not JSON") from None

    def get(self, path: str) -> object:
        return self._call("GET", path)

    def post(self, path: str, payload: dict) -> object:
        return self._call("POST", path, payload)


# ---- decisions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """A decision as recorded and shown: the event sent to the server, and what only the screen shows."""

    event: dict
    decision: gate_policy.Decision
    masked_name: str
    colour: str | None
    holder_kind: str
    note: str = ""

    @property
    def event_id(self) -> str:
        return self.event["event_id"]

    def line(self) -> str:
        """One line for the guard: ALLOW/DENY, reason, next step, masked name, what to do."""
        d = self.decision
        words = d.texts[1] + (f" ({self.note})" if self.note else "")
        return "\t".join(["ALLOW" if d.allow else "DENY", d.reason, d.next_step.value, self.masked_name or "-", words])


@dataclass
class Uploaded:
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    left: int = 0  # still pending after this batch

    @property
    def answered_nothing(self) -> bool:
        """Events were sent and the answer settled none of them (a proxy's page, another server version):
        waited on like a server that is down, not sent again at once."""
        return self.sent > 0 and self.accepted + self.duplicates + self.rejected == 0


@dataclass(frozen=True)
class _Lists:
    """What the kit decides from, loaded from its file: replaced whole when a refresh brings something new."""

    trust: codec.TrustList | None = None
    trust_issued_at: int = 0
    revoked: dict[str, int] = field(default_factory=dict)
    revoked_issued_at: int = 0
    compound: str | None = None
    policies: dict[dt.date, str] = field(default_factory=dict)


class BadList(Exception):
    """A downloaded list the kit does not take: its signature, its kind or its age is wrong."""


@dataclass
class Backoff:
    """Exponential backoff with jitter: the n-th wait lies in [d/2, d], d = min(cap, base · 2**n)."""

    base: float = BACKOFF_BASE
    cap: float = BACKOFF_CAP
    rng: Callable[[], float] = random.random
    attempts: int = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.base * 2 ** min(self.attempts, 32))
        self.attempts += 1
        return ceiling / 2 + self.rng() * ceiling / 2

    def reset(self) -> None:
        self.attempts = 0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Kit:
    """One gate's kit over its SQLite file. ``record`` is called from one thread (the scanner's), the uploads from
    another; each thread has its own connection."""

    def __init__(self, gate: str, path: str | Path, *, transport: Transport | None = None,
                 batch_size: int = BATCH_SIZE, ack_delay: float = 0.0, device: str = "",
                 clock: Callable[[], dt.datetime] = _now, log: Callable[[str], None] = _stderr):
        self.gate = gate
        self.path = Path(path)
        self.transport = transport
        self.batch_size = batch_size
        # Seconds between the server's answer and marking the batch: 0 in use; fault tests widen the window in
        # which a crash leaves acknowledged events unmarked.
        self.ack_delay = ack_delay
        self.device = device or f"kit-{gate}"
        self.clock = clock
        self.log = log
        self.wake = threading.Event()  # set when an event is recorded: the uploader need not wait
        self._local = threading.local()
        self._lists_lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db().executescript(SCHEMA)
        self._lists = self._load_lists()

    # ---- the local file ----

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=True)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a decision shown survives a power cut, not only a crash
            self._local.db = db
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _write(self, statements: Callable[[sqlite3.Connection], object]) -> object:
        """Run ``statements`` in one IMMEDIATE transaction (other writers wait for it)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            result = statements(db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return result

    def _setting(self, name: str) -> str | None:
        row = self._db().execute("SELECT value FROM setting WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _set(self, db: sqlite3.Connection, name: str, value: str) -> None:
        db.execute("INSERT INTO setting (name, value) VALUES (?, ?) "
                   "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))

    def _load_lists(self) -> _Lists:
        trust_text, revoked_text, policy_text = (self._setting(n) for n in ("trust", "revocations", "policy"))
        trust, trust_issued, revoked, revoked_issued, compound, policies = None, 0, {}, 0, None, {}
        if trust_text:
            document = json.loads(trust_text)["document"]
            trust, trust_issued = keys.trust_list_from_document(document), document["issued_at"]
        if revoked_text:
            document = json.loads(revoked_text)["document"]
            revoked, revoked_issued = document["revoked"], document["issued_at"]
        if policy_text:
            policy = json.loads(policy_text)
            compound = policy["compound_code"]
            policies = {dt.date.fromisoformat(d["date"]): d["policy"] for d in policy["days"]}
        return _Lists(trust, trust_issued, revoked, revoked_issued, compound, policies)

    @property
    def lists(self) -> _Lists:
        """The trust list, the revocations and the policy the kit decides from now."""
        return self._lists

    @property
    def provisioned(self) -> bool:
        lists = self._lists
        return lists.trust is not None and lists.compound is not None

    # ---- refreshing the lists and the policy ----

    def refresh(self) -> None:
        """Download the trust list, the revocation list and the policy, and keep what checks out.

        Unreachable or Refused when the server does not give them; BadList when a list fails its checks (the
        kit keeps the ones it had)."""
        if self.transport is None:
            raise Unreachable("no server configured")
        self._take_trust(self.transport.get("/api/access/trust-list"))
        self._take_revocations(self.transport.get("/api/access/revocation-list"))
        self._take_policy(self.transport.get(f"/api/access/gates/{self.gate}/policy"))
        self._write(lambda db: db.execute(
            f"UPDATE event SET state = 'pending' WHERE state = 'rejected' "
            f"AND error_code IN ({', '.join('?' * len(RETRIED_ERRORS))})", RETRIED_ERRORS))

    def _open(self, signed: object, trust: codec.TrustList, kind: str, issued_before: int) -> dict:
        """The document of ``signed`` if a key of ``trust`` signed it (itself, or in a cross-signature)."""
        if not isinstance(signed, dict):
            raise BadList(f"the {kind} is not a signed document")
        cross = signed.get("cross_signatures")
        signatures = [signed, *(cross if isinstance(cross, list) else [])]
        for signature in signatures:
            try:
                document = keys.open_document({**signature, "document": signed.get("document")}, trust)
                break
            except (keys.BadDocument, TypeError) as e:
                problem = e
        else:
            raise BadList(f"the {kind} is not signed by a trusted key: {problem}")
        if not isinstance(document, dict) or document.get("kind") != kind:
            raise BadList(f"not a {kind}")
        issued_at = document.get("issued_at")
        if not isinstance(issued_at, int) or isinstance(issued_at, bool):
            raise BadList(f"the {kind} has no moment of issue")
        if issued_at < issued_before:
            raise BadList(f"the {kind} is older than the one the kit has")
        return document

    def _take_trust(self, signed: object) -> None:
        lists = self._lists
        current = lists.trust
        if current is None:  # provisioning: the first list is trusted if it is signed by one of its own keys
            try:
                current = keys.trust_list_from_document(signed["document"])  # type: ignore[index]
            except (KeyError, TypeError, ValueError) as e:
                raise BadList(f"the first trust list cannot be read: {e}") from None
        document = self._open(signed, current, TRUST_KIND, lists.trust_issued_at)
        try:
            trust = keys.trust_list_from_document(document)
        except (KeyError, TypeError, ValueError) as e:
            raise BadList(f"the trust list cannot be read: {e}") from None
        self._write(lambda db: self._set(db, "trust", json.dumps(signed)))
        with self._lists_lock:
            self._lists = replace(self._lists, trust=trust, trust_issued_at=document["issued_at"])

    def _take_revocations(self, signed: object) -> None:
        lists = self._lists
        if lists.trust is None:
            raise NotProvisioned("no trust list to check the revocation list against")
        document = self._open(signed, lists.trust, REVOCATION_KIND, lists.revoked_issued_at)
        revoked = document.get("revoked")
        if not isinstance(revoked, dict) or not all(
                isinstance(k, str) and isinstance(v, int) for k, v in revoked.items()):
            raise BadList("the revocation list's entries are not pseudonym → moment")
        self._write(lambda db: self._set(db, "revocations", json.dumps(signed)))
        with self._lists_lock:
            self._lists = replace(self._lists, revoked=revoked, revoked_issued_at=document["issued_at"])

    def _take_policy(self, policy: object) -> None:
        try:
            compound = policy["compound_code"]  # type: ignore[index]
            days = {dt.date.fromisoformat(d["date"]): d["policy"] for d in policy["days"]}  # type: ignore[index]
        except (KeyError, TypeError, ValueError) as e:
            raise BadList(f"the gate policy cannot be read: {e}") from None
        if not isinstance(compound, str) or policy.get("gate_code") != self.gate:  # type: ignore[union-attr]
            raise BadList("the policy is not this gate's")
        days = {day: rule for day, rule in days.items() if rule in gate_policy.RULES}
        self._write(lambda db: self._set(db, "policy", json.dumps(policy)))
        with self._lists_lock:
            self._lists = replace(self._lists, compound=compound, policies=days)

    def policy_on(self, day: dt.date) -> str:
        """The compound's policy on ``day`` as last downloaded; past the days known, the last one known; with
        nothing known, the city's default on that day."""
        policies = self._lists.policies
        if day in policies:
            return policies[day]
        known = [d for d in policies if d <= day]
        if known:
            return policies[max(known)]
        try:
            return gate_policy.rules_on(day).id
        except gate_policy.NoPolicyInForce:
            return gate_policy.STRICT

    # ---- deciding ----

    def record(self, text: str, direction: str = "in", temperature: float | None = None, *,
               now: dt.datetime | None = None) -> Decided:
        """Verify and decide one passage, commit it to the queue, and only then return it to be shown."""
        lists = self._lists
        if lists.trust is None or lists.compound is None:
            raise NotProvisioned("the kit has no trust list or policy yet: connect it to the server once")
        now = now or self.clock()
        direction = gate_policy.Direction(direction)
        rule_id = self.policy_on(local_date(now))
        claims, error = None, None
        try:
            verified = codec.verify((text or "").strip(), lists.trust, now, revoked=lists.revoked)
            claims = gate_policy.CodeClaims(sub=verified.sub, colour=verified.col, compounds=verified.cmp,
                                            masked_name=verified.nm, kind=verified.kind, role=verified.role)
        except codec.CodeError as e:
            error = e.code
        except ValueError:  # signed by us, yet a colour or a role this version does not know
            error = "malformed"
        typed = None if temperature is None else round(float(temperature), 1)
        event_id = str(uuid.uuid4())
        occurred_at = now.astimezone(CHINA_STANDARD_TIME).isoformat()

        def decide_and_queue(db: sqlite3.Connection) -> Decided:
            used = claims is not None and claims.kind is gate_policy.HolderKind.VISITOR and db.execute(
                "SELECT 1 FROM visitor_entry WHERE pseudonym = ?", (claims.sub,)).fetchone() is not None
            decision = gate_policy.decide(gate_policy.GateInput(
                compound=lists.compound, direction=direction, at=now, code=claims, verification_error=error,
                temperature=typed, visitor_entry_used=used), rule_id)
            event = {
                "event_id": event_id, "occurred_at": occurred_at, "gate": self.gate, "direction": direction.value,
                "allowed": decision.allow, "reason": decision.reason, "next_step": decision.next_step.value,
                "policy": decision.rule_id, "pseudonym": claims.sub if claims else "",
                "holder_kind": claims.kind.value if claims else "",
                # a reading that is no body temperature is a typing error: the reason says so, the log keeps none
                "temperature": typed if typed is not None and gate_policy.plausible(typed) else None,
            }
            db.execute("INSERT INTO event (event_id, occurred_at, body) VALUES (?, ?, ?)",
                       (event_id, occurred_at, json.dumps(event, ensure_ascii=False)))
            if (claims is not None and claims.kind is gate_policy.HolderKind.VISITOR and decision.allow
                    and direction is gate_policy.Direction.IN):
                db.execute("INSERT OR IGNORE INTO visitor_entry (pseudonym, entered_at) VALUES (?, ?)",
                           (claims.sub, occurred_at))
            note = ""
            if (rule_id.endswith("+" + gate_policy.EXIT_QUOTA) and direction is gate_policy.Direction.OUT
                    and claims is not None and claims.kind in gate_policy.HOUSEHOLD_KINDS and decision.allow):
                note = EXIT_QUOTA_NOTE
            return Decided(event, decision, claims.masked_name if claims else "",
                           claims.colour.value if claims else None, claims.kind.value if claims else "", note)

        decided = self._write(decide_and_queue)
        self.wake.set()
        return decided

    def simulate(self, count: int, codes: Iterable[str] = (), *, temperature: float = 36.5) -> list[str]:
        """Record ``count`` decisions of the ``codes`` given ("CODE" or "CODE 36.6" each), in turn, going in on
        the first round, out on the second, and so on; without codes, unreadable ones (each a denial). Returns
        the event ids recorded."""
        lines = [line.strip() for line in codes if line.strip()] or [f"WY1:SIMULATED{n}" for n in range(10)]
        read = [self.read_line(line) for line in lines]
        ids = []
        for n in range(count):
            text, typed = read[n % len(read)]
            direction = "in" if (n // len(lines)) % 2 == 0 else "out"
            ids.append(self.record(text, direction, typed if typed is not None else temperature).event_id)
        return ids

    def read_line(self, line: str) -> tuple[str, float | None]:
        """The code and the typed temperature of a scanner's line, "CODE" or "CODE 36.6".

        Base45 holds the space and the digits, so a code may itself end in " 36": a line whose whole text is a
        code our keys signed is that code, and only otherwise is a trailing number read as the temperature."""
        line = line.strip()
        found = TRAILING_TEMPERATURE.match(line)
        if found is None or self._signed(line):
            return line, None
        return found.group(1), float(found.group(2))

    def _signed(self, text: str) -> bool:
        """Whether ``text`` is a code a trusted key signed (expired, revoked or not)."""
        lists = self._lists
        if lists.trust is None:
            return False
        try:
            codec.verify(text, lists.trust, self.clock())
        except (codec.Malformed, codec.UnknownPrefix, codec.UnknownKey, codec.BadSignature):
            return False
        except codec.CodeError:
            return True
        return True

    # ---- uploading ----

    def counts(self) -> dict[str, int]:
        rows = self._db().execute("SELECT state, count(*) FROM event GROUP BY state").fetchall()
        return {"pending": 0, "uploaded": 0, "rejected": 0, **dict(rows)}

    def pending(self) -> int:
        return self._db().execute("SELECT count(*) FROM event WHERE state = 'pending'").fetchone()[0]

    def upload_once(self) -> Uploaded:
        """Send one batch of pending events (oldest first) and mark what the server's answer names.

        Unreachable or Refused when the server gives no answer to go by: then nothing is marked."""
        if self.transport is None:
            raise Unreachable("no server configured")
        rows = self._db().execute(
            "SELECT event_id, body FROM event WHERE state = 'pending' ORDER BY seq LIMIT ?", (self.batch_size,)
        ).fetchall()
        if not rows:
            return Uploaded()
        batch = [json.loads(body) for _, body in rows]
        answer = self.transport.post("/api/access/events", {"events": batch, "device": self.device})
        try:
            acknowledged = set(answer["accepted"]) | set(answer["duplicates"])  # type: ignore[index]
            errors = [(e["index"], e["event_id"], e["code"], e["message"], e["field"])  # type: ignore[index]
                      for e in answer["errors"]]  # type: ignore[index]
        except (KeyError, TypeError) as e:
            raise Unreachable(f"an answer that is not an upload result: {e}") from None
        if self.ack_delay:
            self.log(f"batch of {len(batch)} answered; marking in {self.ack_delay:g} s")
            time.sleep(self.ack_delay)
        sent = [event_id for event_id, _ in rows]
        uploaded = [event_id for event_id in sent if event_id in acknowledged]
        # an error counts only if it names an event of this batch by its place and id (a batch-wide error
        # names none: the batch stays pending)
        rejected = [(code, message, field_, sent[index]) for index, event_id, code, message, field_ in errors
                    if isinstance(index, int) and 0 <= index < len(sent) and event_id == sent[index]
                    and sent[index] not in acknowledged]
        settled_at = self.clock().isoformat()

        def mark(db: sqlite3.Connection) -> None:
            db.executemany("UPDATE event SET state = 'uploaded', settled_at = ? WHERE event_id = ? "
                           "AND state = 'pending'", [(settled_at, event_id) for event_id in uploaded])
            db.executemany("UPDATE event SET state = 'rejected', error_code = ?, error_message = ?, "
                           "error_field = ?, settled_at = ? WHERE event_id = ? AND state = 'pending'",
                           [(code, message, field_, settled_at, event_id)
                            for code, message, field_, event_id in rejected])

        self._write(mark)
        accepted = len(set(answer["accepted"]) & set(sent))  # type: ignore[index]
        return Uploaded(sent=len(sent), accepted=accepted, duplicates=len(uploaded) - accepted,
                        rejected=len(rejected), left=self.pending())

    def drain(self, *, stop: threading.Event | None = None, backoff: Backoff | None = None,
              sleep: Callable[[float], object] | None = None) -> bool:
        """Upload until the queue is empty, retrying with backoff; False if ``stop`` was set first."""
        stop = stop or threading.Event()
        backoff = backoff or Backoff()
        sleep = sleep or stop.wait
        while not stop.is_set():
            try:
                result = self.upload_once()
            except (Unreachable, Refused) as e:
                delay = backoff.next()
                self.log(f"upload failed ({e}); {self.pending()} pending; next try in {delay:.1f} s")
                sleep(delay)
                continue
            if result.answered_nothing:
                delay = backoff.next()
                self.log(f"the server's answer settled none of {result.sent} events; next try in {delay:.1f} s")
                sleep(delay)
                continue
            backoff.reset()
            if result.sent == 0 or result.left == 0:
                return True
        return False


class Uploader(threading.Thread):
    """The background thread: uploads whenever there is something to send and the server answers, with
    backoff when it does not, and refreshes the lists every :data:`REFRESH_EVERY` seconds."""

    def __init__(self, kit: Kit, *, refresh_every: float = REFRESH_EVERY, idle_wait: float = IDLE_WAIT,
                 backoff: Backoff | None = None):
        super().__init__(name=f"uploader-{kit.gate}", daemon=True)
        self.kit = kit
        self.refresh_every = refresh_every
        self.idle_wait = idle_wait
        self.backoff = backoff or Backoff()
        self.stopping = threading.Event()
        self.next_refresh = time.monotonic() + refresh_every

    def stop(self, timeout: float | None = None) -> None:
        self.stopping.set()
        self.kit.wake.set()
        self.join(timeout)

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.step()
        finally:
            self.kit.close()

    def step(self) -> None:
        kit = self.kit
        if time.monotonic() >= self.next_refresh:
            try:
                kit.refresh()
                self.next_refresh = time.monotonic() + self.refresh_every
            except Exception as e:  # Unreachable, Refused, BadList…: the thread lives on with the lists it has
                kit.log(f"lists not refreshed ({e.__class__.__name__}: {e}); working from those of the last refresh")
                self.next_refresh = time.monotonic() + REFRESH_RETRY
        kit.wake.clear()
        try:
            result = kit.upload_once()
        except Exception as e:  # Unreachable, Refused, or anything else: the thread lives on, the queue waits
            delay = self.backoff.next()
            kit.log(f"upload failed ({e.__class__.__name__}: {e}); {kit.pending()} pending; "
                    f"next try in {delay:.1f} s")
            self.stopping.wait(delay)
            return
        if result.answered_nothing:
            delay = self.backoff.next()
            kit.log(f"the server's answer settled none of {result.sent} events; next try in {delay:.1f} s")
            self.stopping.wait(delay)
            return
        self.backoff.reset()
        if result.sent == 0 or result.left == 0:
            kit.wake.wait(self.idle_wait)


# ---- the scanner's lines --------------------------------------------------------------------------------------


def run_lines(kit: Kit, lines: Iterable[str], out: Callable[[str], None]) -> int:
    """Decide each line a scanner types: a code, with an optional temperature; "in" or "out" switches the
    direction. One line out per decision. Returns the number of decisions."""
    direction, decided = "in", 0
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.lower() in ("in", "out"):
            direction = line.lower()
            out(f"direction {direction}")
            continue
        text, temperature = kit.read_line(line)
        out(kit.record(text, direction, temperature).line())
        decided += 1
    return decided
