"""Benchmark: `wuyi city generate` into a fresh SQLite, beside the raw SQLite insert rate of the same rows.

    .venv/bin/python bench/city_generate.py [--scale city|district|demo] [--district CODE] [--seed N]

1. A temporary WUYI_VAR, `wuyi migrate`, then `wuyi city generate --scale … --json` as a child
   process: wall time, rows written per table, peak RSS (the largest of the child and its helper
   processes, from getrusage(RUSAGE_CHILDREN)).
2. The baseline, in this process: the same generator, seed and HMAC key give the same tuples, which
   go into bare tables with the same columns (no types, no constraints, no indexes, no Django) in
   one transaction with plain `sqlite3` `executemany`, synchronous=OFF and the same page cache.
   Only the time inside executemany counts: the raw insert rate, generation excluded.
3. ratio = our rows/s (whole command, generation, index rebuilds and commit included) ÷ raw rows/s.

Targets: the whole city in ≤ 10 minutes, ratio ≥ 0.5. Results also go to bench/results/.
"""

import argparse
import gc
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from wuyi.synth.generator import BULK_TABLES, COLUMNS, PLACE_TABLES, CityRows, plan_city  # noqa: E402

ID_KEY = "bench-id-key"
CREATED_AT = "2020-01-19 00:00:00"  # what the command writes on SQLite
TARGET_SECONDS = {"city": 600}
TARGET_RATIO = 0.5
CACHE_KIB = 1024 * 1024


def run_command(scale: str, seed: int, district: str | None, var: Path) -> dict:
    env = dict(os.environ, WUYI_VAR=str(var), WUYI_ID_KEY=ID_KEY)
    env.pop("DATABASE_URL", None)
    wuyi = str(Path(sys.executable).parent / "wuyi")
    subprocess.run([wuyi, "migrate", "-v0"], env=env, check=True)
    args = [wuyi, "city", "generate", "--scale", scale, "--seed", str(seed), "--json"]
    if district:
        args += ["--district", district]
    started = time.perf_counter()
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    summary = json.loads(out.strip().splitlines()[-1])
    summary["wall_seconds"] = wall
    summary["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary["db_bytes"] = sum(p.stat().st_size for p in var.glob("wuyi.sqlite3*"))
    return summary


def raw_baseline(scale: str, seed: int, district: str | None, path: Path) -> dict:
    gc.disable()
    started = time.perf_counter()
    rows = CityRows(plan_city(scale, seed=seed, district=district), ID_KEY.encode(), CREATED_AT)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    inserts = {}
    for table, columns in COLUMNS.items():
        db.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
        inserts[table] = f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})"
    written = {t: 0 for t in COLUMNS}
    inserting = 0.0

    def insert(table: str, batch: list[tuple]) -> None:
        nonlocal inserting
        t = time.perf_counter()
        db.executemany(inserts[table], batch)
        inserting += time.perf_counter() - t
        written[table] += len(batch)

    db.execute("BEGIN")
    places = rows.place_rows()
    for table in PLACE_TABLES:
        insert(table, places[table])
    for batch in rows.resident_batches():
        for table in BULK_TABLES:
            insert(table, batch[table])
    t = time.perf_counter()
    db.execute("COMMIT")
    inserting += time.perf_counter() - t
    db.close()
    gc.enable()
    return {"rows": written, "insert_seconds": inserting, "total_seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="city", choices=["city", "district", "demo", "tiny"])
    parser.add_argument("--district")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    console = Console()
    with tempfile.TemporaryDirectory(prefix="wuyi-bench-") as tmp:
        var = Path(tmp)
        console.print(f"[bold]city generate --scale {args.scale}[/] into {var}/wuyi.sqlite3 …")
        ours = run_command(args.scale, args.seed, args.district, var)
        (var / "wuyi.sqlite3").unlink()
        for extra in var.glob("wuyi.sqlite3-*"):
            extra.unlink()
        console.print("raw sqlite3 baseline with the same rows …")
        raw = raw_baseline(args.scale, args.seed, args.district, var / "raw.sqlite3")
    if raw["rows"] != ours["rows"]:
        console.print(f"[red]row counts differ[/]: ours {ours['rows']} raw {raw['rows']}")
        return 1
    total = sum(ours["rows"].values())
    ours_rate = total / ours["wall_seconds"]
    raw_rate = total / raw["insert_seconds"]
    ratio = ours_rate / raw_rate
    table = Table(title=f"wuyi city generate --scale {args.scale} --seed {args.seed} (SQLite)")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in ours["rows"].items():
        table.add_row(name, f"{n:,}")
    table.add_row("[bold]total", f"[bold]{total:,}")
    console.print(table)
    target = TARGET_SECONDS.get(args.scale)
    figures = Table(show_header=True)
    figures.add_column("measure")
    figures.add_column("value", justify="right")
    figures.add_column("target")
    figures.add_row("wall time (ours)", f"{ours['wall_seconds']:.1f} s", f"≤ {target} s" if target else "")
    figures.add_row("residents", f"{ours['residents']:,}", "")
    figures.add_row("peak RSS (largest process)", f"{ours['peak_rss_mib']:.0f} MiB", "")
    figures.add_row("database size", f"{ours['db_bytes'] / 2**30:.2f} GiB", "")
    figures.add_row("ours rows/s", f"{ours_rate:,.0f}", "")
    figures.add_row("raw sqlite3 insert time", f"{raw['insert_seconds']:.1f} s", "")
    figures.add_row("raw rows/s (insert only)", f"{raw_rate:,.0f}", "")
    figures.add_row("ratio ours ÷ raw", f"{ratio:.2f}", f"≥ {TARGET_RATIO}")
    figures.add_row("raw incl. generation (one process)", f"{raw['total_seconds']:.1f} s", "")
    console.print(figures)
    passed = ratio >= TARGET_RATIO and (target is None or ours["wall_seconds"] <= target)
    console.print("[green]targets met[/]" if passed else "[red]targets missed[/]")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"city_generate-{args.scale}.json").write_text(json.dumps({
        "command": f"bench/city_generate.py --scale {args.scale} --seed {args.seed}",
        "ours": ours, "raw": raw, "ours_rows_per_s": ours_rate, "raw_rows_per_s": raw_rate, "ratio": ratio,
        "passed": passed,
    }, indent=2))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
