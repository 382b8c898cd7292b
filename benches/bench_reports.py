"""Reports bench: the daily, monthly, yearly and classified reports on the bulk demo ledger.

    python -m benches.bench_reports
    PPMS_BENCH_REPORT_SALES=1000000 PPMS_BENCH_REPORT_CUSTOMERS=100000 python -m benches.bench_reports

The ledger is `benches.demo_ledger`'s (sized by PPMS_BENCH_REPORT_SALES and
PPMS_BENCH_REPORT_CUSTOMERS, default 20,000 / 2,000; built once by `ppms demo` and kept
under .cache/bench-ledgers/ for the next run; `demo_build_s` is its build time). Each report
is built through the reporting service in a child process (the query, the rows, the JSON
object and the table), three times; the figure is the fastest.

    daily        the busiest day of the ledger          (target 0.5 s)
    monthly      the last 12 months, one row a month    (target 2 s)
    yearly       every year of the ledger               (target 5 s)
    classified   by area, the busiest month             (target 2 s)
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benches import demo_ledger
from benches.bench_core import PASSWORD, _child, _env

TARGETS_S = {"daily": 0.5, "monthly": 2.0, "yearly": 5.0, "classified": 2.0}


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
    db, facts = demo_ledger.ledger()
    out, _, _ = _child([sys.executable, "-m", "benches.bench_reports", "--measure", str(db)])
    reports = json.loads(out)
    return {"ledger": facts, "demo_build_s": facts["build_s"], "reports": reports,
            "targets_met": all(r["s"] < r["target_s"] for r in reports.values())}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(_measure(Path(sys.argv[2]))))
    else:
        print(json.dumps(run(), indent=2))
