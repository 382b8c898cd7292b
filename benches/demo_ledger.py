"""The bulk demo ledger the reports and search benches measure, built once and kept.

    PPMS_BENCH_REPORT_SALES      sales (default 20000: `make bench` stays within minutes;
                                 1000000 is the issue's size, see docs/reports.md)
    PPMS_BENCH_REPORT_CUSTOMERS  customers (default a tenth of the sales)

The ledger is built by `ppms demo` in a child process (its wall time is the demo build time)
under .cache/bench-ledgers/<builder version>-<customers>c-<sales>s/, with demo-build.json
beside it; a later bench of the same size and the same builder (`demo_bulk.BUILDER_VERSION`)
measures that ledger again instead of building it (`reused: true`). Delete the folder to
build it again.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from benches.bench_core import PASSWORD, ROOT, _child
from terminal.services.demo_bulk import BUILDER_VERSION

CACHE = ROOT / ".cache" / "bench-ledgers"


def size() -> tuple[int, int]:
    sales = int(os.environ.get("PPMS_BENCH_REPORT_SALES", "20000"))
    customers = int(os.environ.get("PPMS_BENCH_REPORT_CUSTOMERS", str(max(10, sales // 10))))
    return customers, sales


def ledger() -> tuple[Path, dict[str, Any]]:
    """(the database, its build facts: demo output, build seconds, peak RSS, reused)."""
    customers, sales = size()
    folder = CACHE / f"{BUILDER_VERSION}-{customers}c-{sales}s"
    db, facts = folder / "bench.db", folder / "demo-build.json"
    if db.exists() and facts.exists():
        return db, json.loads(facts.read_text()) | {"reused": True}
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    cli = [sys.executable, "-m", "terminal.cli"]
    _child(cli + ["init", "--admin-password", PASSWORD, "--allow-fake-clock", "--db", str(db)])
    out, seconds, rss = _child(cli + ["demo", "--customers", str(customers), "--sales", str(sales), "--seed", "1",
                                      "--db", str(db), "--json"])
    built = {"builder": BUILDER_VERSION, "customers": customers, "sales": sales, "demo": json.loads(out),
             "build_s": round(seconds, 1), "build_peak_rss_mb": round(rss, 1),
             "db_mb": round(db.stat().st_size / 2**20, 1)}
    facts.write_text(json.dumps(built))
    return db, built | {"reused": False}
