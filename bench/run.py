"""Run every benchmark in bench/ (each a script with a main(argv) returning an exit code).

    .venv/bin/python bench/run.py [--scale city|district|demo]

Options are passed on to every benchmark. Exits non-zero when any benchmark misses its targets.
"""

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    failed = []
    for path in sorted(HERE.glob("*.py")):
        if path.name == "run.py" or path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if module.main(argv) != 0:
            failed.append(path.stem)
    if failed:
        print("missed targets:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
