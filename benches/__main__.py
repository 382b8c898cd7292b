"""`python -m benches`: run every benches/bench_*.py module's run() and print one JSON
object {module: result}. A module that fails reports {"error": ...} and the others still run."""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import traceback
from pathlib import Path
from typing import Any


def main() -> int:
    here = Path(__file__).resolve().parent
    results: dict[str, Any] = {}
    failed = False
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        module = importlib.import_module(f"benches.{info.name}")
        run = getattr(module, "run", None)
        if not callable(run):
            continue
        print(f"running benches.{info.name} ...", file=sys.stderr, flush=True)
        try:
            results[info.name] = run()
        except Exception as exc:  # noqa: BLE001 (one broken bench must not hide the others' figures)
            failed = True
            results[info.name] = {"error": f"{type(exc).__name__}: {exc}"}
            traceback.print_exc(file=sys.stderr)
    print(json.dumps(results, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
