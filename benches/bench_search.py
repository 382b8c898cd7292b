"""Search bench: one page of each search (`ppms search ...`) on the bulk demo ledger, p50 and max
over repeated runs, page 1 and a deep page, with the filters a clerk uses.

    python -m benches.bench_search
    PPMS_BENCH_REPORT_SALES=1000000 PPMS_BENCH_REPORT_CUSTOMERS=100000 python -m benches.bench_search

The ledger is `benches.demo_ledger`'s (the reports bench's: same size variables, built once
and kept under .cache/bench-ledgers/). The measuring runs in a child process (this module
with --measure); before measuring it imports one handheld reading file (two readings for
each of up to 2,000 meters) so the reading and checking-result searches have rows (once:
the kept ledger has them the next time).
"""
from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from benches import demo_ledger
from benches.bench_core import NOW, PASSWORD, _child, _ms

RUNS = 7
DEEP_PAGE = 20
TARGET_MS = 200.0


def run() -> dict[str, Any]:
    db, facts = demo_ledger.ledger()
    out, _, rss = _child([sys.executable, "-m", "benches.bench_search", "--measure", str(db)])
    measured = json.loads(out)
    worst = max(c["p50"] for c in measured["pages"].values())
    return {**measured, "ledger": facts, "demo_build_s": facts["build_s"],
            "measure_peak_rss_mb": round(rss, 1),
            "targets": {f"every search page p50 < {TARGET_MS:.0f} ms": {"worst_p50_ms": worst,
                                                                      "met": worst < TARGET_MS}}}


def _cases(db: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        area = con.execute("SELECT area FROM customer WHERE area IS NOT NULL GROUP BY area ORDER BY COUNT(*) "
                           "DESC LIMIT 1").fetchone()
        meter, name = con.execute("SELECT m.number, c.name FROM meter m JOIN customer c ON c.id = m.customer_id "
                                  "ORDER BY m.id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM meter)").fetchone()
        month = con.execute("SELECT substr(MAX(sold_at), 1, 7) FROM sale").fetchone()[0] or NOW[:7]
        power = con.execute("SELECT power_type FROM meter_share GROUP BY power_type ORDER BY COUNT(*) "
                            "LIMIT 1").fetchone()
    finally:
        con.close()
    a = None if area is None else area[0]
    p = None if power is None else power[0]
    return {
        "sales": ("sales", {}), "sales one month": ("sales", {"start": f"{month}-01", "end": f"{month}-28"}),
        "sales by operator": ("sales", {"operator": "admin"}), "sales by area": ("sales", {"area": a}),
        "sales by least-used power type": ("sales", {"power_type": p}), "sales by meter": ("sales", {"meter": meter}),
        "sales by name prefix": ("sales", {"name": name[:3]}),
        "sales by area and month": ("sales", {"area": a, "start": f"{month}-01", "end": f"{month}-28"}),
        "meters": ("meters", {}), "meters by area": ("meters", {"area": a}),
        "meters by name prefix": ("meters", {"name": name[:3]}), "readings": ("readings", {}),
        "readings by meter": ("readings", {"meter": meter}), "checks": ("checks", {}),
        "amendments": ("amendments", {}), "diary": ("diary", {}), "diary by operator": ("diary", {"operator": "admin"}),
        "diary by meter": ("diary", {"meter": meter}),
    }


def _readings(db: Path) -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        numbers = [r[0] for r in con.execute("SELECT number FROM meter WHERE status = 'installed' ORDER BY id "
                                             "LIMIT 2000")]
    finally:
        con.close()
    rows = [f"{n},2026-03-0{day}T08:00:00,{kwh},\n" for n in numbers for day, kwh in ((3, "100.00"), (4, "99.00"))]
    return "meter,read_at,kwh,remaining_credit\n" + "".join(rows)


def measure(db: Path) -> dict[str, Any]:
    from terminal import bootstrap
    from terminal.ledger.search import Filters
    from terminal.services import auth, meter_readings, search
    app = bootstrap.build(db_path=db, env={"PPMS_FAKE_NOW": NOW})
    session = auth.login(app.ctx, "admin", PASSWORD)
    with app.ctx.ledger.read() as r:
        has_readings = r.search.page("readings", Filters(), None, 1, 0)[0] > 0
    if not has_readings:
        meter_readings.import_readings(app.ctx, session, _readings(db), "bench.csv")
    pages: dict[str, Any] = {}
    for label, (kind, filters) in _cases(db).items():
        for page in (1, DEEP_PAGE):
            times: list[float] = []
            total = 0
            for _ in range(RUNS):
                t0 = time.perf_counter()
                total = search.search(app.ctx, session, kind, page=page, **filters)["total"]
                times.append(time.perf_counter() - t0)
            pages[f"{label}, page {page}"] = {**_ms(times), "total": total}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    scale = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
             for t in ("sale", "customer", "meter", "reading", "check_result", "diary")}
    con.close()
    app.close()
    return {"scale": scale, "page_size": search.DEFAULT_PAGE_SIZE, "pages": pages}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
    else:
        print(json.dumps(run(), indent=2))
