"""The access log: batch ingestion (idempotent by event), hourly counts, purging past the retention period.

Ingestion validates every event on its own: a bad one gets an error (index, event id, code, message, field)
and the good ones of the batch are stored anyway. An event's identity is its district, its moment and its
client-made UUID (the key of the partitioned table). A gate kit never changes an event's moment, so a repeated
upload of the same event is reported as a duplicate and changes nothing, also when two uploads race: the batch
is written with INSERT … ON CONFLICT DO NOTHING RETURNING, and what was not returned was already stored. The
same UUID sent with another moment is another key, and is stored as another event; within one batch, a
repeated UUID is a duplicate whatever its moment.

On PostgreSQL each local day (Asia/Shanghai) is a partition, made when the first event of that day arrives
and dropped whole by ``purge``.
"""

from __future__ import annotations

import datetime as dt
import operator
import uuid
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import Count, DateTimeField, Q, UUIDField
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wuyi.access.models import AccessEvent, CodeKind, DirectionChoice, Source, Visit
from wuyi.health.colour_rules import CHINA_STANDARD_TIME
from wuyi.places.models import CODE_LENGTH, Gate, Level
from wuyi.text import printable

SHANGHAI = ZoneInfo("Asia/Shanghai")  # by name: the databases' own time-zone functions need one
RETENTION_DAYS = 28  # DESIGN.md §4: access events older than this are purged
FUTURE_SLACK = dt.timedelta(minutes=10)  # a gate kit's clock may run a little fast
MAX_BATCH = 5_000
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))
TABLE = AccessEvent._meta.db_table
SQLITE_MAX_VARIABLE_NUMBER = 32_766  # parameters in one statement, since SQLite 3.32 (RETURNING: 3.35)
_DIRECTIONS = frozenset(DirectionChoice.values)
_HOLDER_KINDS = frozenset(CodeKind.values)
_partitions_made: set[dt.date] = set()


def retention_days() -> int:
    return int(getattr(settings, "WUYI_ACCESS_RETENTION_DAYS", RETENTION_DAYS))


@dataclass
class EventError:
    index: int
    event_id: str | None
    code: str
    message: str
    field: str | None


@dataclass
class Ingested:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[EventError] = field(default_factory=list)


class _Bad(Exception):
    def __init__(self, code: str, message: str, field_name: str):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field_name


def _text(raw: dict, name: str, max_length: int, required: bool = True) -> str:
    value = raw.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _Bad("invalid", f"{name} must be text", name)
    if required and not value:
        raise _Bad("required", f"{name} is required", name)
    if len(value) > max_length or not printable(value):
        raise _Bad("invalid", f"{name} must be at most {max_length} printable characters", name)
    return value


def _one_of(raw: dict, name: str, choices: Container[str], max_length: int, code: str, message: str,
            required: bool = True) -> str:
    """A text that must be one of ``choices`` (or empty, when not required); a known one needs no other check."""
    value = raw.get(name)
    if type(value) is str and value in choices:
        return value
    value = _text(raw, name, max_length, required)
    if value:
        raise _Bad(code, message, name)
    return value


def _event(raw: object, gates: dict[str, str], only_gate: str | None, now: dt.datetime, oldest: dt.datetime,
           latest: dt.datetime, source: str, device: str) -> dict:
    """The values of an AccessEvent, by field name (no model instance: making 5,000 of them costs more than
    writing them)."""
    if not isinstance(raw, dict):
        raise _Bad("invalid", "an event is an object", "")
    try:
        event_id = uuid.UUID(str(raw.get("event_id", "")))
    except ValueError:
        raise _Bad("invalid", "event_id must be a UUID", "event_id") from None
    moment = raw.get("occurred_at")
    try:
        occurred_at = parse_datetime(moment) if isinstance(moment, str) else None
    except ValueError:  # well formed, but no such moment (a 13th month)
        occurred_at = None
    if occurred_at is None:
        raise _Bad("invalid", "occurred_at must be an ISO 8601 moment", "occurred_at")
    if timezone.is_naive(occurred_at):
        raise _Bad("naive_time", "occurred_at needs its offset, e.g. +08:00", "occurred_at")
    if occurred_at > latest:
        raise _Bad("future", "occurred_at is in the future: check the gate's clock", "occurred_at")
    if occurred_at < oldest:
        raise _Bad("too_old", f"occurred_at is older than the {retention_days()}-day retention", "occurred_at")
    gate_code = _one_of(raw, "gate", gates, 20, "unknown_gate", "no gate has this code")
    if only_gate is not None and gate_code != only_gate:
        raise _Bad("not_your_gate", "this device uploads for another gate", "gate")
    direction = _one_of(raw, "direction", _DIRECTIONS, 3, "invalid", "direction must be in or out")
    allowed = raw.get("allowed")
    if not isinstance(allowed, bool):
        raise _Bad("invalid", "allowed must be true or false", "allowed")
    holder_kind = _one_of(raw, "holder_kind", _HOLDER_KINDS, 10, "invalid",
                          "holder_kind must be resident, worker, visitor or paper", required=False)
    temperature = raw.get("temperature")
    if temperature is not None:
        try:
            temperature = Decimal(str(temperature)).quantize(Decimal("0.1"))
        except InvalidOperation:
            raise _Bad("invalid", "temperature must be a number of degrees Celsius", "temperature") from None
        if not (temperature.is_finite() and TEMPERATURE_RANGE[0] <= temperature <= TEMPERATURE_RANGE[1]):
            raise _Bad("invalid", "temperature must lie between 34.0 and 43.0 °C", "temperature")
    compound = gates[gate_code]
    return dict(
        event_id=event_id, occurred_at=occurred_at, received_at=now,
        district_code=compound[: CODE_LENGTH[Level.DISTRICT]], compound_code=compound, gate_code=gate_code,
        direction=direction, allowed=allowed, reason=_text(raw, "reason", 40),
        next_step=_text(raw, "next_step", 40, required=False), policy=_text(raw, "policy", 40, required=False),
        pseudonym=_text(raw, "pseudonym", 32, required=False), holder_kind=holder_kind,
        temperature=temperature, source=source, device=device[:64],
    )


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA_STANDARD_TIME).date()


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), CHINA_STANDARD_TIME)


def partition_name(day: dt.date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def ensure_partitions(days: set[dt.date]) -> None:
    """On PostgreSQL, the partition of each local day (made once; a no-op elsewhere)."""
    if connection.vendor != "postgresql":
        return
    missing = sorted(days - _partitions_made)
    if not missing:
        return
    with connection.cursor() as cursor:
        for day in missing:
            try:
                with transaction.atomic():  # a savepoint: another process may make the same partition at once
                    cursor.execute(
                        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF {TABLE} "
                        "FOR VALUES FROM (%s) TO (%s)",
                        [day_start(day), day_start(day + dt.timedelta(days=1))],
                    )
            except (IntegrityError, ProgrammingError):
                pass  # it exists now
    # remembered only once committed: a rolled-back transaction takes its partitions with it
    transaction.on_commit(lambda: _partitions_made.update(missing))


def ingest(batch: list, *, source: str = Source.KIT, device: str = "", only_gate: str | None = None,
           now: dt.datetime | None = None) -> Ingested:
    """Store the valid events of ``batch`` once each; report the duplicates and an error for each bad one."""
    now = now or timezone.now()
    result = Ingested()
    if len(batch) > MAX_BATCH:
        result.errors.append(EventError(0, None, "batch_too_large", f"at most {MAX_BATCH} events per batch", "events"))
        return result
    codes = {raw.get("gate") for raw in batch if isinstance(raw, dict) and isinstance(raw.get("gate"), str)}
    gates = dict(Gate.objects.filter(code__in=codes).values_list("code", "compound__code"))
    oldest, latest = now - dt.timedelta(days=retention_days()), now + FUTURE_SLACK
    events: list[dict] = []
    seen: set[uuid.UUID] = set()
    for index, raw in enumerate(batch):
        try:
            event = _event(raw, gates, only_gate, now, oldest, latest, source, device)
        except _Bad as bad:
            event_id = raw.get("event_id") if isinstance(raw, dict) else None
            result.errors.append(EventError(index, str(event_id) if event_id is not None else None, bad.code,
                                            bad.message, bad.field or None))
            continue
        if event["event_id"] in seen:
            result.duplicates.append(str(event["event_id"]))
            continue
        seen.add(event["event_id"])
        events.append(event)
    if not events:
        return result
    if connection.vendor == "postgresql":  # every day from the batch's first to its last: cheaper than each event's
        moments = [e["occurred_at"] for e in events]
        first, last = local_day(min(moments)), local_day(max(moments))
        ensure_partitions({first + dt.timedelta(days=n) for n in range((last - first).days + 1)})
    native_uuid = connection.features.has_native_uuid_field
    with transaction.atomic():
        written = _insert(events)
        new = [e for e in events if (e["event_id"] if native_uuid else e["event_id"].hex) in written]
        _use_visitor_entries(new)
    new_ids = {e["event_id"] for e in new}
    for e in events:
        (result.accepted if e["event_id"] in new_ids else result.duplicates).append(str(e["event_id"]))
    return result


def _use_visitor_entries(events: list[dict]) -> None:
    """A visitor's one entry admitted at a gate kit is used up here too, so that the online check refuses a
    second one (a few rows: visitors are a small share of the passages)."""
    first: dict[str, dt.datetime] = {}
    for e in events:
        if e["holder_kind"] == CodeKind.VISITOR and e["allowed"] and e["direction"] == "in" and e["pseudonym"]:
            first[e["pseudonym"]] = min(e["occurred_at"], first.get(e["pseudonym"], e["occurred_at"]))
    for pseudonym, entered_at in first.items():
        Visit.objects.filter(code__pseudonym=pseudonym, entered_at__isnull=True).update(entered_at=entered_at)


def _sqlite_moment() -> Callable[[dt.datetime], str]:
    """A moment as Django writes it to SQLite (UTC text), converted once for a run of the same moment (the
    received_at of a batch)."""
    in_utc = connection.timezone
    last: list = [None, None]

    def convert(moment: dt.datetime) -> str:
        if moment is not last[0]:
            last[:] = moment, moment.astimezone(in_utc).replace(tzinfo=None).isoformat(" ")
        return last[1]

    return convert


def _insert(events: list[dict]) -> set:
    """Write the events that are not stored yet (``INSERT … ON CONFLICT DO NOTHING``) and return the ids of
    those written, as the database gives them back (a UUID on PostgreSQL, its 32 hex digits on SQLite).

    On PostgreSQL the rows go by binary ``COPY`` straight into the log (see ``_insert_postgresql``);
    on SQLite by multi-row INSERTs straight through the driver, each value turned into the form Django gives
    it. Both bypass Django's query compiler and cursor wrapper: they cost more than the writing itself
    (bench/ingest.py)."""
    fields = AccessEvent._meta.concrete_fields
    values = operator.itemgetter(*(f.attname for f in fields))
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(TABLE)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return _insert_postgresql(events, fields, values, names, table)
    conversions = [(at, (lambda value: value.hex) if isinstance(f, UUIDField) else _sqlite_moment())
                   for at, f in enumerate(fields) if isinstance(f, UUIDField | DateTimeField)]
    rows = []
    for event in events:
        row = list(values(event))
        for at, convert in conversions:
            row[at] = convert(row[at])
        rows.append(row)
    stored = set()
    one_row = f"({', '.join('?' * len(fields))})"
    per_statement = SQLITE_MAX_VARIABLE_NUMBER // len(fields)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        stored.update(event_id for (event_id,) in connection.connection.execute(
            f"INSERT INTO {table} ({names}) VALUES {', '.join([one_row] * len(chunk))} "
            "ON CONFLICT DO NOTHING RETURNING event_id", [value for row in chunk for value in row]))
    return stored


def _insert_postgresql(events: list[dict], fields, values, names: str, table: str) -> set:
    """Binary ``COPY`` straight into the log, in a savepoint: a batch with no event stored before (nearly every
    batch) costs what a raw COPY costs. When one is (a repeated upload, or another upload of the same events
    racing this one: COPY waits for it, then fails), the savepoint is rolled back and the batch goes by COPY into
    a temporary table, and from there into the log with ``INSERT … ON CONFLICT DO NOTHING RETURNING``.
    Multi-row INSERTs, or arrays through ``unnest``, took three to five times longer (bench/ingest.py)."""
    import psycopg.errors

    types = [f.db_type(connection).split("(")[0] for f in fields]  # "varchar(6)": varchar

    def copy_into(cursor, target: str) -> None:
        with cursor.copy(f"COPY {target} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for event in events:
                copy.write_row(values(event))

    try:
        with transaction.atomic(), connection.connection.cursor() as cursor:
            copy_into(cursor, table)
        return {event["event_id"] for event in events}
    except psycopg.errors.UniqueViolation:
        pass
    with connection.connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS access_upload (LIKE {table}) ON COMMIT DELETE ROWS")
        copy_into(cursor, "access_upload")
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM access_upload "
                       "ON CONFLICT DO NOTHING RETURNING event_id")
        stored = {event_id for (event_id,) in cursor.fetchall()}
        cursor.execute("DELETE FROM access_upload")  # now: ingest may run inside a longer transaction
    return stored


@dataclass(frozen=True)
class HourRow:
    hour: int
    entries: int
    exits: int
    refusals: int
    refusals_by_reason: dict[str, int]


def hourly(*, day: dt.date, compound_code: str | None = None, gate_code: str | None = None) -> list[HourRow]:
    """Entries and exits allowed, and refusals by reason, for each local hour of ``day``: one grouped query."""
    where = Q(occurred_at__gte=day_start(day), occurred_at__lt=day_start(day + dt.timedelta(days=1)))
    if compound_code:
        where &= Q(compound_code=compound_code)
    if gate_code:
        where &= Q(gate_code=gate_code)
    rows = (
        AccessEvent.objects.filter(where)
        .annotate(hour=ExtractHour("occurred_at", tzinfo=SHANGHAI))
        .values("hour", "direction", "allowed", "reason").annotate(n=Count("*")).order_by()
    )
    entries: Counter = Counter()
    exits: Counter = Counter()
    refusals: dict[int, Counter] = {}
    for row in rows:
        hour = row["hour"]
        if row["allowed"]:
            (entries if row["direction"] == DirectionChoice.IN else exits)[hour] += row["n"]
        else:
            refusals.setdefault(hour, Counter())[row["reason"]] += row["n"]
    return [
        HourRow(hour, entries[hour], exits[hour], sum(refusals.get(hour, Counter()).values()),
                dict(refusals.get(hour, Counter())))
        for hour in range(24)
    ]


def purge(now: dt.datetime | None = None) -> int:
    """Remove the events older than the retention period: whole day partitions on PostgreSQL, then any rows left
    before the cut. Returns the number of events removed."""
    now = now or timezone.now()
    cut_day = local_day(now - dt.timedelta(days=retention_days()))
    cut = day_start(cut_day)
    removed = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s", [TABLE])
                for (name,) in cursor.fetchall():
                    day = dt.datetime.strptime(name.rsplit("_p", 1)[1], "%Y%m%d").date()
                    if day < cut_day:
                        cursor.execute(f"SELECT count(*) FROM {name}")
                        removed += cursor.fetchone()[0]
                        cursor.execute(f"DROP TABLE {name}")
                        _partitions_made.discard(day)
        deleted, _ = AccessEvent.objects.filter(occurred_at__lt=cut).delete()
    return removed + deleted
