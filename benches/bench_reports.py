"""Reports bench: the daily, monthly, yearly and classified reports on the demo database.

    python -m benches.bench_reports

Scale: PPMS_BENCH_CUSTOMERS and PPMS_BENCH_SALES as bench_core (default the issue's
100,000 customers / 1,000,000 sales). With PPMS_BENCH_DIR holding the database that
bench_core built there (`bench.db`, `demo-build.json`), that database is measured and
its build time reported; otherwise one is built here with `ppms demo` (its wall time is
`demo_build_s`) in a temporary folder. Set PPMS_BENCH_SALES (e.g. 20000) to keep the
run short. Each report is built through the reporting service in this process (the
query, the rows and the JSON object), three times; the figure is the fastest.

    daily        the busiest day of the ledger          (target 0.5 s)
    monthly      the last 12 months, one row a month    (target 2 s)
    yearly       every year of the ledger               (target 5 s)
    classified   by area, the busiest month             (target 2 s)
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benches.bench_core import PASSWORD, _child, _env

TARGETS_S = {"daily": 0.5, "monthly": 2.0, "yearly": 5.0, "classified": 2.0}


def _database() -> tuple[Path, dict[str, Any], Path | None]:
    customers = os.environ.get("PPMS_BENCH_CUSTOMERS", "100000")
    sales = os.environ.get("PPMS_BENCH_SALES", "1000000")
    given = os.environ.get("PPMS_BENCH_DIR")
    if given and (Path(given) / "bench.db").exists() and (Path(given) / "demo-build.json").exists():
        built = json.loads((Path(given) / "demo-build.json").read_text())
        return Path(given) / "bench.db", {"demo": built["demo"], "demo_build_s": round(built["build_s"], 1),
                                          "reused": True}, None
    work = Path(tempfile.mkdtemp(prefix="ppms-bench-reports-"))
    db = work / "bench.db"
    cli = [sys.executable, "-m", "terminal.cli"]
    _child(cli + ["init", "--admin-password", PASSWORD, "--allow-fake-clock", "--db", str(db)])
    out, seconds, _ = _child(cli + ["demo", "--customers", customers, "--sales", sales, "--seed", "1",
                                    "--db", str(db), "--json"])
    return db, {"demo": json.loads(out), "demo_build_s": round(seconds, 1), "reused": False}, work


def _busiest(db: Path, size: int) -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = con.execute(f"SELECT substr(posted_at, 1, {size}) AS k FROM posting WHERE kind = 'sale' "
                          "GROUP BY k ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
        return str(row[0])
    finally:
        con.close()


def _measure(db: Path) -> dict[str, Any]:
    os.environ.update({k: v for k, v in _env().items() if k.startswith("PPMS_")})
    from terminal import bootstrap
    from terminal.services import auth, reporting
    app = bootstrap.build(config=None, db_path=str(db))
    session = auth.login(app.ctx, "admin", PASSWORD)
    day = date.fromisoformat(_busiest(db, 10))
    month = date.fromisoformat(_busiest(db, 7) + "-01")
    month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    today = app.ctx.now().date()
    runs = {"daily": ("daily", day, day, None),
            "monthly": ("monthly", (today.replace(day=1) - timedelta(days=335)).replace(day=1), today, None),
            "yearly": ("yearly", date(today.year - 1, 1, 1), today, None),
            "classified": ("classified", month, month_end, "area")}
    out: dict[str, Any] = {}
    for name, (report, start, end, group) in runs.items():
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            built = reporting.build(app.ctx, session, report, start, end, group)
            times.append(time.perf_counter() - t0)
        out[name] = {"s": round(min(times), 3), "target_s": TARGETS_S[name], "from": start.isoformat(),
                     "to": end.isoformat(), "sales": built.json["totals"]["sales"]["count"]}
    return out


def run() -> dict[str, Any]:
    db, facts, work = _database()
    try:
        out, _, _ = _child([sys.executable, "-m", "benches.bench_reports", "--measure", str(db)])
        return facts | {"reports": json.loads(out)}
    finally:
        if work is not None and os.environ.get("PPMS_BENCH_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(_measure(Path(sys.argv[2]))))
    else:
        print(json.dumps(run(), indent=2))
