"""Benchmark: offline verification of WY1 codes beside the raw ES256 signature check and a pycose pipeline.

    .venv/bin/python bench/codec.py [--codes N] [--rounds R]

1. N distinct resident codes (default 2,000; ES256, ~280 characters, each its own pseudonym and times), signed
   by one key of a trust list of 100, checked against a revocation list of 100,000 pseudonyms none of them is on.
2. Three verifiers of the same codes, in the same process:
   - ours: ``codec.verify(code, trust, now, revoked=…, compound=…)``, every check of a gate kit from the text to
     the claims;
   - raw: cryptography's ``public_key.verify(der, sig_structure, ECDSA(SHA-256))`` of each code's signature, its
     DER form and its Sig_structure made beforehand: the signature check alone, which no verifier can skip;
   - pycose, the reference decoder (DESIGN.md §5): prefix off, ``base45.b45decode``, ``zlib.decompress``,
     ``CoseMessage.decode``, ``verify_signature()`` with the key as an ``EC2Key``, ``cbor2.loads`` of the payload.
     pycose verifies with the pure-Python ecdsa package, over twenty times slower, so it takes N ÷ R codes a
     round (every code once over the run).
3. R rounds (default 10); in each, ours and raw take turns on 100 codes at a time, so that the machine's other
   work slows both alike, then pycose has its share. Times are the thread's CPU time: on a shared machine, wall
   time would also count other processes' turns. A rate is the median of the rounds'; the target ratio is ours ÷
   raw.
4. Each layer of ours is then timed alone over the same codes, to show where its time goes (the layers together
   take less than the whole, whose code and data no longer all stay in the CPU's caches).

Targets: ours at least 0.8 of raw (issue 4), and one core verifying at least 5,000 codes a second (70 M gate
passages a day, DESIGN.md §6, are 810 a second on average). The results go to bench/results/codec.json with the
load averages at the start and at the end; the exit status is 1 when a target is missed.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
import zlib
from collections import deque
from collections.abc import Callable
from importlib import metadata
from itertools import repeat
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import base45  # noqa: E402
import cbor2  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from pycose.keys import EC2Key  # noqa: E402
from pycose.keys.curves import P256  # noqa: E402
from pycose.messages import CoseMessage  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from wuyi.access import codec  # noqa: E402

TARGET_RATIO = 0.8
TARGET_PER_SECOND = 5_000
PASSAGES_PER_DAY = 70_000_000
ISSUED = 1584316800  # 2020-03-16 00:00 UTC
COMPOUND = "440304001001001"
TRUSTED_KEYS = 100
REVOKED = 100_000
CHUNK = 100  # codes verified by ours, then by raw, in turn: both see the machine in the same state


def cpu_seconds(run: Callable[[], object]) -> float:
    """CPU time of the thread for ``run``."""
    started = time.thread_time()
    run()
    return time.thread_time() - started


def cpu_microseconds(run: Callable[[], object], count: int) -> float:
    """CPU time of the thread per item, in µs, for ``run`` doing ``count`` items."""
    return cpu_seconds(run) / count * 1e6


def drain(results) -> None:
    """Run an iterator to its end, dropping each result as it comes."""
    deque(results, maxlen=0)


def make_codes(count: int):
    key = codec.SigningKey.generate()
    trust = codec.TrustList.of(key, *(codec.SigningKey.generate() for _ in range(TRUSTED_KEYS - 1)))
    revoked = {f"p-revoked-{n}": ISSUED for n in range(REVOKED)}
    codes = [
        codec.encode(
            codec.Claims(
                sub=f"p-{n:012d}",
                col="green",
                cmp=(COMPOUND,),
                nm="张*明",
                kind="resident",
                iss="440300",
                iat=ISSUED + n,
                exp=ISSUED + 8 * 3600 + n,
            ),
            key,
        )
        for n in range(count)
    ]
    return key, trust, revoked, codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=2_000, help="distinct codes, each verified once a round")
    parser.add_argument("--rounds", type=int, default=10)
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    console = Console()
    load_at_start = os.getloadavg()

    key, trust, revoked, codes = make_codes(args.codes)
    now = ISSUED + 3600
    messages = [codec.decode_cose(codec.decompress(codec.b45decode(codec.unprefix(code)))) for code in codes]
    public_key = trust[key.kid]
    signed = [(codec._der_signature(m.signature), m.to_be_signed()) for m in messages]
    ecdsa = ec.ECDSA(hashes.SHA256())
    numbers = key.public_key.public_numbers()
    cose_key = EC2Key(crv=P256, x=numbers.x.to_bytes(32, "big"), y=numbers.y.to_bytes(32, "big"))

    def ours_verify(code: str) -> codec.Claims:
        return codec.verify(code, trust, now, revoked=revoked, compound=COMPOUND)

    def pycose_verify(code: str) -> dict:
        message = CoseMessage.decode(zlib.decompress(base45.b45decode(code[len(codec.PREFIX) :])))
        message.key = cose_key
        if not message.verify_signature():
            raise codec.BadSignature("pycose: the signature does not verify")
        return cbor2.loads(message.payload)

    for code in codes[:20]:
        assert ours_verify(code) == codec.Claims.from_cwt(pycose_verify(code))
    for der, to_be_signed in signed:
        public_key.verify(der, to_be_signed, ecdsa)

    def ours(start: int, stop: int) -> None:
        drain(map(ours_verify, codes[start:stop]))

    def raw(start: int, stop: int) -> None:
        drain(public_key.verify(der, to_be_signed, ecdsa) for der, to_be_signed in signed[start:stop])

    share = max(1, len(codes) // args.rounds)
    console.print(
        f"[bold]codec.verify[/], raw ECDSA verify and pycose on {len(codes):,} codes, {args.rounds} rounds "
        f"(pycose {share:,} codes a round) …"
    )
    micros: dict[str, list[float]] = {"ours": [], "raw": [], "pycose": []}
    for round_ in range(args.rounds):
        spent = {"ours": 0.0, "raw": 0.0}
        for start in range(0, len(codes), CHUNK):
            for name, run in (("ours", ours), ("raw", raw)):
                spent[name] += cpu_seconds(lambda run=run, start=start: run(start, start + CHUNK))
        for name, seconds in spent.items():
            micros[name].append(seconds / len(codes) * 1e6)
        some = codes[round_ * share % len(codes) :][:share]
        micros["pycose"].append(
            cpu_microseconds(lambda some=some: drain(map(pycose_verify, some)), len(some))
        )
    median = {name: statistics.median(values) for name, values in micros.items()}
    per_s = {name: 1e6 / value for name, value in median.items()}
    ratio = per_s["ours"] / per_s["raw"]

    texts = [codec.unprefix(code) for code in codes]
    compressed = [codec.b45decode(text) for text in texts]
    coses = [codec.decompress(data) for data in compressed]
    cwts = [codec.decode_cwt(m.payload) for m in messages]
    claims = [codec.Claims.from_cwt(cwt) for cwt in cwts]

    def signature_excess() -> float:
        """verify_signature's time beyond raw's check of the same signatures, the two taken in turn."""
        signature = cpu_microseconds(
            lambda: drain(map(codec.verify_signature, messages, repeat(public_key))), len(codes)
        )
        return signature - cpu_microseconds(lambda: raw(0, len(codes)), len(codes))

    layers = {
        "prefix": lambda: drain(map(codec.unprefix, codes)),
        "Base45": lambda: drain(map(codec.b45decode, texts)),
        "zlib, padding check": lambda: drain(map(codec.decompress, compressed)),
        "COSE structure (CBOR)": lambda: drain(map(codec.decode_cose, coses)),
        "kid in the trust list": lambda: drain(codec.find_key(m, trust) for m in messages),
        "signature beyond raw": None,
        "CWT payload (CBOR)": lambda: drain(codec._decode_cwt_map(m.payload) for m in messages),
        "claims built, checked": lambda: drain(map(codec.Claims.from_cwt, cwts)),
        "time, revocation, compound": lambda: drain(
            (codec.check_times(cwt, now), revoked.get(c.sub), COMPOUND in c.cmp)
            for cwt, c in zip(cwts, claims)
        ),
    }
    layer_us = {
        name: statistics.median(
            signature_excess() if run is None else cpu_microseconds(run, len(codes)) for _ in range(5)
        )
        for name, run in layers.items()
    }
    load_at_end = os.getloadavg()

    lengths = sorted(len(code) for code in codes)
    table = Table(title=f"{len(codes):,} WY1 codes of {lengths[0]}–{lengths[-1]} characters, one core")
    for column in ("verifier", "codes / s", "µs / code", "÷ raw", "÷ pycose", "target"):
        table.add_column(column, justify="left" if column in ("verifier", "target") else "right")
    for name, label in (
        ("ours", "ours: codec.verify"),
        ("raw", "raw ECDSA verify"),
        ("pycose", "pycose pipeline"),
    ):
        table.add_row(
            label,
            f"{per_s[name]:,.0f}",
            f"{median[name]:.1f}",
            f"{per_s[name] / per_s['raw']:.3f}",
            f"{per_s[name] / per_s['pycose']:.1f}",
            f"÷ raw ≥ {TARGET_RATIO}" if name == "ours" else "",
        )
    console.print(table)
    layers_table = Table(title="ours, layer by layer")
    layers_table.add_column("layer")
    layers_table.add_column("µs / code", justify="right")
    for name, value in layer_us.items():
        layers_table.add_row(name, f"{value:.2f}")
    layers_table.add_section()
    layers_table.add_row("the layers together", f"{sum(layer_us.values()):.2f}")
    layers_table.add_row("ours − raw, in the rounds", f"{median['ours'] - median['raw']:.2f}")
    console.print(layers_table)
    console.print(
        f"ours ÷ raw {ratio:.3f} (target ≥ {TARGET_RATIO}); {per_s['ours']:,.0f} codes/s on one core "
        f"(target ≥ {TARGET_PER_SECOND:,}; 70 M a day need {PASSAGES_PER_DAY / 86400 / per_s['ours']:.2f} of "
        f"one core); ours {per_s['ours'] / per_s['pycose']:.1f} × pycose. Load average (1, 5, 15 min) "
        f"{' '.join(f'{x:.2f}' for x in load_at_start)} at the start, "
        f"{' '.join(f'{x:.2f}' for x in load_at_end)} at the end, on {os.cpu_count()} CPUs."
    )
    passed = ratio >= TARGET_RATIO and per_s["ours"] >= TARGET_PER_SECOND
    console.print("[green]targets met[/]" if passed else "[red]targets missed[/]")

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "codec.json").write_text(
        json.dumps(
            {
                "command": f"bench/codec.py --codes {len(codes)} --rounds {args.rounds}",
                "clock": "CPU time of the thread (time.thread_time), median of the rounds",
                "codes": len(codes),
                "code_characters": {"min": lengths[0], "max": lengths[-1]},
                "rounds": args.rounds,
                "pycose_codes_per_round": share,
                "per_s": per_s,
                "us_per_code": median,
                "ratio_ours_to_raw": ratio,
                "ratio_pycose_to_raw": per_s["pycose"] / per_s["raw"],
                "ours_times_pycose": per_s["ours"] / per_s["pycose"],
                "rounds_us_per_code": micros,
                "layer_us_per_code": layer_us,
                "load_average_at_start": load_at_start,
                "load_average_at_end": load_at_end,
                "cpus": os.cpu_count(),
                "versions": {
                    "python": platform.python_version(),
                    **{
                        name: metadata.version(name) for name in ("cryptography", "cbor2", "pycose", "base45")
                    },
                },
                "targets": {"ratio_ours_to_raw": TARGET_RATIO, "ours_per_s": TARGET_PER_SECOND},
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
