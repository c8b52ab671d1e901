"""Build the synthetic city in the database: `generate()` and the bulk writers behind it.

Rows come from `wuyi.synth.generator` as tuples and go into Django's own tables with raw
`executemany` (SQLite) or `COPY … FROM STDIN` (PostgreSQL), in batches, with primary keys
assigned here so that memberships point at people without reading them back. At full size on
SQLite the secondary indexes of the big tables are dropped during the load and rebuilt after it,
which is cheaper than keeping a random-order index (the ID HMAC) up to date row by row.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from queue import Empty

from django.conf import settings
from django.db import OperationalError, connections, models, transaction

from wuyi.errors import DomainError
from wuyi.people.models import Membership, Person
from wuyi.places.models import Area, Building, Checkpoint, Gate, Household, ServiceCentre
from wuyi.synth.generator import BULK_TABLES, COLUMNS, PLACE_TABLES, SCALES, CityRows, plan_city

MODELS: dict[str, type[models.Model]] = {
    "area": Area,
    "gate": Gate,
    "checkpoint": Checkpoint,
    "service_centre": ServiceCentre,
    "building": Building,
    "household": Household,
    "person": Person,
    "membership": Membership,
}
# Deleted children first.
DELETE_ORDER = ("membership", "person", "household", "building", "gate", "checkpoint", "service_centre", "area")
BATCH_SIZE = 50_000
HELPERS = 2  # generating processes at full scale; the machine has two cores
ROWS_PER_INSERT = 500  # 500 rows × 9 columns stays well under SQLite's 32,766 parameters
# Every generated person was registered on the day Shenzhen's first case was confirmed, so that the
# same seed gives the same rows whenever it runs.
CREATED_AT = "2020-01-19 00:00:00"
SQLITE_CACHE_KIB = 1024 * 1024


class CityExists(DomainError):
    def __init__(self) -> None:
        super().__init__("city_exists", "a city is already built; pass --replace to delete it and build a new one")


class CityInUse(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__("city_in_use", message)


@dataclass
class Timer:
    started: float

    @property
    def seconds(self) -> float:
        return round(time.perf_counter() - self.started, 2)


def generate(
    scale: str = "demo",
    seed: int = 1,
    district: str | None = None,
    progress: bool = True,
    replace: bool = False,
    using: str = "default",
    batch_size: int = BATCH_SIZE,
) -> dict:
    """Build the synthetic city of `scale` and return a summary: rows written per table, seconds, residents.

    The same scale, seed and district always give the same rows (primary keys aside, which start
    after the highest key in each table). Raises CityExists when any area is already stored, unless
    `replace`, which first deletes every area, building, household, gate, checkpoint, service
    centre and person (and what refers to them; see `delete_city`).
    """
    if scale not in SCALES:
        raise DomainError("bad_scale", f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}", "scale")
    try:
        plan = plan_city(scale, seed=seed, district=district)
    except ValueError as e:
        raise DomainError("bad_district", str(e), "district") from None
    connection = connections[using]
    _check_columns()
    timer = Timer(time.perf_counter())
    vendor = connection.vendor
    full = SCALES[scale].census
    written = {t: 0 for t in COLUMNS}
    with _progress(progress) as bar, _sqlite_bulk_mode(connection, full), _no_cyclic_gc():
        with transaction.atomic(using=using):
            if Area.objects.using(using).exists():
                if not replace:
                    raise CityExists()
                task = bar.add_task("Deleting the old city", total=None) if bar else None
                from wuyi.synth.epidemic import delete_epidemic

                delete_epidemic()  # the synthetic epidemic goes with its city; recorded cases still protect it
                delete_city(using)
                if bar:
                    bar.update(task, total=1, completed=1)
            first_ids = _first_ids(connection)
            rows = CityRows(plan, settings.WUYI_ID_KEY, _created_at(vendor), first_ids)
            dropped = _drop_indexes(connection) if full and vendor == "sqlite" else []
            with connection.cursor() as cursor:
                places = rows.place_rows()
                for table in PLACE_TABLES:
                    written[table] += _write(cursor, vendor, table, places[table])
                task = bar.add_task("Residents", total=plan.population) if bar else None
                stream = _in_background(rows, batch_size, vendor) if full else rows.resident_batches(batch_size)
                for batch in stream:
                    for table in BULK_TABLES:
                        written[table] += _write(cursor, vendor, table, batch[table])
                    if bar:
                        bar.update(task, advance=len(batch["person"]))
                if dropped:
                    task = bar.add_task("Rebuilding indexes", total=len(dropped)) if bar else None
                    for sql in dropped:
                        cursor.execute(sql)
                        if bar:
                            bar.update(task, advance=1)
                if vendor == "postgresql":
                    _reset_sequences(cursor)
    return {
        "scale": scale,
        "seed": seed,
        "district": plan.districts[0].code if scale == "district" else None,
        "residents": written["person"],
        "rows": written,
        "rows_total": sum(written.values()),
        "seconds": timer.seconds,
        "plan": plan.counts(),
    }


def delete_city(using: str = "default") -> dict[str, int]:
    """Delete every area, building, household, gate, checkpoint, service centre and person, set-based.

    Rows of other tables that point at them are handled as their foreign keys say: CASCADE rows
    are deleted, SET_NULL ones set to null. A PROTECT or RESTRICT reference (a user account held
    on an area, a pass for a compound) stops the deletion with CityInUse naming it, so that
    nothing is removed behind its owner's back. Returns the rows deleted per table.
    """
    ours = set(MODELS.values())
    for model in MODELS.values():
        for rel in model._meta.related_objects:
            other = rel.related_model
            if other in ours or rel.many_to_many:
                continue
            field = rel.field
            refs = other._default_manager.using(using).filter(**{f"{field.name}__isnull": False})
            on_delete = field.remote_field.on_delete
            if on_delete is models.CASCADE:
                refs.delete()
            elif on_delete is models.SET_NULL:
                refs.update(**{field.name: None})
            elif on_delete is models.DO_NOTHING:
                continue
            elif refs.exists():
                raise CityInUse(
                    f"{refs.count()} {other._meta.verbose_name_plural} refer to the city's "
                    f"{model._meta.verbose_name_plural} ({other._meta.label}.{field.name}); remove them first"
                )
    deleted = {}
    with connections[using].cursor() as cursor:
        for table in DELETE_ORDER:
            cursor.execute(f"DELETE FROM {MODELS[table]._meta.db_table}")
            deleted[table] = cursor.rowcount
    return deleted


def _check_columns() -> None:
    for table, columns in COLUMNS.items():
        actual = tuple(f.column for f in MODELS[table]._meta.concrete_fields)
        if actual != columns:
            raise RuntimeError(f"the generator's {table} columns {columns} differ from the model's {actual}")


def _created_at(vendor: str) -> str:
    return CREATED_AT + ("+00" if vendor == "postgresql" else "")


def _first_ids(connection) -> dict[str, int]:
    first = {}
    with connection.cursor() as cursor:
        for table, model in MODELS.items():
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
            first[table] = cursor.fetchone()[0]
    return first


def _write(cursor, vendor: str, table: str, rows: list[tuple] | Packed) -> int:
    if not rows:
        return 0
    db_table = MODELS[table]._meta.db_table
    columns = COLUMNS[table]
    if isinstance(rows, Packed):
        one = "(" + ", ".join("?" * len(columns)) + ")"
        insert = f"INSERT INTO {db_table} ({', '.join(columns)}) VALUES "
        cursor.connection.executemany(insert + ", ".join([one] * ROWS_PER_INSERT), rows.chunks)
        if rows.rest:
            cursor.connection.executemany(insert + one, rows.rest)
    elif vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    elif vendor == "sqlite":
        marks = ", ".join("?" * len(columns))
        cursor.connection.executemany(f"INSERT INTO {db_table} ({', '.join(columns)}) VALUES ({marks})", rows)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {db_table} ({', '.join(columns)}) VALUES ({marks})", rows)
    return len(rows)


def _drop_indexes(connection) -> list[str]:
    """Drop the droppable secondary indexes of the big tables; return the SQL that recreates them."""
    tables = [MODELS[t]._meta.db_table for t in BULK_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({})".format(
                ", ".join(["%s"] * len(tables))
            ),
            tables,
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _reset_sequences(cursor) -> None:
    for model in MODELS.values():
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
            f"FROM {table}"
        )


def _in_background(rows: CityRows, batch_size: int, vendor: str) -> Iterator[dict[str, list[tuple]]]:
    """`rows.resident_batches()` computed in forked helper processes, the districts shared between
    them by population, so that generating (Python) and writing (SQLite) keep both cores busy.
    Batches arrive in no fixed order; their rows (ids included) are those of the in-process path.
    For SQLite they come packed (see `Packed`)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=4)
    shares: list[list[str]] = [[] for _ in range(HELPERS)]
    load = [0] * HELPERS
    for d in sorted(rows.plan.districts, key=lambda d: -d.population):
        i = load.index(min(load))
        shares[i].append(d.code)
        load[i] += d.population
    helpers = [
        context.Process(target=_produce, args=(rows, batch_size, share, vendor == "sqlite", queue), daemon=True)
        for share in shares
        if share
    ]
    for helper in helpers:
        helper.start()
    running = len(helpers)
    try:
        while running:
            try:
                item = queue.get(timeout=5)
            except Empty:
                if any(h.exitcode not in (None, 0) for h in helpers):
                    raise RuntimeError("a generating process stopped") from None
                continue
            if item is None:
                running -= 1
            elif isinstance(item, str):
                raise RuntimeError(f"a generating process failed:\n{item}")
            else:
                yield item
        for helper in helpers:
            helper.join()
    finally:
        for helper in helpers:
            if helper.is_alive():
                helper.terminate()
                helper.join()


@dataclass
class Packed:
    """Rows ready for multi-row INSERTs: `chunks` of ROWS_PER_INSERT rows flattened into one tuple each,
    then the `rest`. One statement per chunk instead of per row spares SQLite most of its
    per-statement work (the AUTOINCREMENT bookkeeping of Django's tables among it)."""

    chunks: list[tuple]
    rest: list[tuple]

    def __len__(self) -> int:
        return len(self.chunks) * ROWS_PER_INSERT + len(self.rest)


def pack(rows: list[tuple]) -> Packed:
    whole = len(rows) - len(rows) % ROWS_PER_INSERT
    chain = itertools.chain.from_iterable
    chunks = [tuple(chain(rows[i : i + ROWS_PER_INSERT])) for i in range(0, whole, ROWS_PER_INSERT)]
    return Packed(chunks, rows[whole:])


def _produce(rows: CityRows, batch_size: int, districts: list[str], packed: bool, queue) -> None:
    gc.disable()  # millions of short-lived tuples: the cyclic collector would spend a fifth of the time
    try:
        for batch in rows.resident_batches(batch_size, districts):
            queue.put({t: pack(r) for t, r in batch.items()} if packed else batch)
        queue.put(None)
    except BaseException:  # reported to the parent, which raises it
        queue.put(traceback.format_exc())


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The rows are tuples of strings and numbers, never cycles; collecting them is wasted time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _sqlite_bulk_mode(connection, full: bool) -> Iterator[None]:
    """On SQLite, no fsync and a large page cache while loading; the settings come back afterwards.

    Inside a caller's transaction nothing is changed (SQLite refuses). At full size foreign keys are not checked row by row
    (the generator makes every reference by construction) and the rollback journal replaces the WAL
    for the load: new pages appended to the file need no journal, whereas the WAL would write them
    twice. Both come back when the load ends.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:  # pragmas stay as the caller set them
        yield
        return
    connection.ensure_connection()
    alone = full
    with connection.cursor() as cursor:
        saved = {}
        for pragma in ("synchronous", "cache_size", "foreign_keys", "journal_mode"):
            cursor.execute(f"PRAGMA {pragma}")
            saved[pragma] = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous = OFF")
        if full:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            cursor.execute("PRAGMA threads = 2")
        if alone:
            cursor.execute("PRAGMA foreign_keys = OFF")
            try:
                cursor.execute("PRAGMA journal_mode = DELETE")
            except OperationalError:  # another connection holds the database: stay in WAL
                pass
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if alone:
                cursor.execute(f"PRAGMA journal_mode = {saved['journal_mode']}")
                cursor.execute(f"PRAGMA foreign_keys = {int(saved['foreign_keys'])}")
            cursor.execute(f"PRAGMA synchronous = {int(saved['synchronous'])}")
            cursor.execute(f"PRAGMA cache_size = {int(saved['cache_size'])}")
            if full:
                cursor.execute("PRAGMA optimize")


def _progress(enabled: bool):
    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
    )

