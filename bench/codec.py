"""Benchmark: verifying a WY1 code (codec.verify) per second, beside the raw ECDSA verify of the same signature.

    .venv/bin/python bench/codec.py [--seconds S] [--rounds N]

1. One resident code (ES256, ~290 characters), a trust list of 100 keys with the code's among them, a
   revocation list of 100,000 pseudonyms that does not hold the code's; ours is
   `verify(code, trust, now, revoked=…, compound=…)`, every check of a gate kit, from the text to the claims.
2. The baseline, in the same process: cryptography's `public_key.verify(der, sig_structure, ECDSA(SHA-256))`
   of the same signature over the same bytes, its DER signature and Sig_structure made once beforehand:
   the signature check alone, which no verifier can skip.
3. The two alternate in N rounds of S seconds each (so that another process on the machine slows both
   alike); each rate is its median over the rounds, and ratio = ours ÷ raw. The time of each layer of ours
   is shown beside them.

Targets: ratio ≥ 0.5, and one core verifies at least 5,000 codes a second: 70 M gate passages a day
(DESIGN.md §6) are 810 a second on average, so one core covers six times the city's average. Results also go
to bench/results/codec.json, with the 1-minute load average when the run began.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from wuyi.access import codec  # noqa: E402

TARGET_RATIO = 0.5
TARGET_PER_SECOND = 5_000
PASSAGES_PER_DAY = 70_000_000
ISSUED = 1584316800  # 2020-03-16 00:00 UTC
COMPOUND = "440304001001001"
TRUSTED_KEYS = 100
REVOKED = 100_000


def rate(call, seconds: float) -> float:
    """Calls a second, counted in batches until ``seconds`` have passed."""
    batch, done, started = 200, 0, time.perf_counter()
    while True:
        for _ in range(batch):
            call()
        done += batch
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return done / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=5)
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    console = Console()
    load = os.getloadavg()[0]

    key = codec.SigningKey.generate()
    trust = codec.TrustList.of(key, *(codec.SigningKey.generate() for _ in range(TRUSTED_KEYS - 1)))
    revoked = {f"p-revoked-{n}": ISSUED for n in range(REVOKED)}
    claims = codec.Claims(
        sub="p-7Q2KX9M4ZTW3",
        col="green",
        cmp=(COMPOUND,),
        nm="张*明",
        kind="resident",
        iss="440300",
        iat=ISSUED,
        exp=ISSUED + 8 * 3600,
    )
    code = codec.encode(claims, key)
    now = ISSUED + 3600

    def ours():
        codec.verify(code, trust, now, revoked=revoked, compound=COMPOUND)

    assert codec.verify(code, trust, now, revoked=revoked, compound=COMPOUND) == claims
    message = codec.decode_cose(codec.decompress(codec.b45decode(codec.unprefix(code))))
    public_key, to_be_signed = trust[message.kid], message.to_be_signed()
    der = codec._der_signature(message.signature)
    algorithm = ec.ECDSA(hashes.SHA256())

    def raw():
        public_key.verify(der, to_be_signed, algorithm)

    console.print(
        f"[bold]codec.verify[/] vs raw ECDSA verify, {args.rounds} rounds of {args.seconds:g} s each …"
    )
    ours_rates, raw_rates = [], []
    for _ in range(args.rounds):
        ours_rates.append(rate(ours, args.seconds))
        raw_rates.append(rate(raw, args.seconds))
    ours_rate, raw_rate = statistics.median(ours_rates), statistics.median(raw_rates)
    ratio = ours_rate / raw_rate

    text, compressed = code[len(codec.PREFIX) :], codec.b45decode(code[len(codec.PREFIX) :])
    cose = codec.decompress(compressed)
    layers = {
        "prefix": lambda: codec.unprefix(code),
        "base45": lambda: codec.b45decode(text),
        "zlib (with the padding check)": lambda: codec.decompress(compressed),
        "COSE structure": lambda: codec.decode_cose(cose),
        "kid and signature": lambda: codec.verify_signature(message, codec.find_key(message, trust)),
        "claims": lambda: codec.Claims.from_cwt(codec.decode_cwt(message.payload)),
    }
    layer_us = {name: 1e6 / rate(call, args.seconds / 4) for name, call in layers.items()}

    table = Table(title=f"codec.verify of a {len(code)}-character code (one core)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target")
    table.add_row("ours: codec.verify / s", f"{ours_rate:,.0f}", f"≥ {TARGET_PER_SECOND:,}")
    table.add_row("ours: µs per verify", f"{1e6 / ours_rate:.1f}", "")
    table.add_row("raw: ECDSA P-256 verify / s", f"{raw_rate:,.0f}", "")
    table.add_row("raw: µs per verify", f"{1e6 / raw_rate:.1f}", "")
    table.add_row("ratio ours ÷ raw", f"{ratio:.2f}", f"≥ {TARGET_RATIO}")
    table.add_row("cores for 70 M a day, evenly spread", f"{PASSAGES_PER_DAY / 86400 / ours_rate:.2f}", "")
    for name, micros in layer_us.items():
        table.add_row(f"  layer: {name}", f"{micros:.1f} µs", "")
    table.add_row("1-minute load average at start", f"{load:.2f}", "")
    console.print(table)
    passed = ratio >= TARGET_RATIO and ours_rate >= TARGET_PER_SECOND
    console.print("[green]targets met[/]" if passed else "[red]targets missed[/]")

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "codec.json").write_text(
        json.dumps(
            {
                "command": f"bench/codec.py --seconds {args.seconds:g} --rounds {args.rounds}",
                "code_characters": len(code),
                "ours_per_s": ours_rate,
                "raw_per_s": raw_rate,
                "ratio": ratio,
                "ours_rounds_per_s": ours_rates,
                "raw_rounds_per_s": raw_rates,
                "layer_microseconds": layer_us,
                "load_average_1min_at_start": load,
                "targets": {"ratio": TARGET_RATIO, "per_s": TARGET_PER_SECOND},
                "passed": passed,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
