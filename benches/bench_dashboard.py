"""Dashboard benchmark (issue 15): each page's answer time on a center holding many sales from
20 terminals, through a real `ppms-central serve` (2 workers) on SQLite.

The center's rows are written in bulk straight into its tables (`central.sample.bulk`: the
terminals' wire records, no HTTP). Size: PPMS_BENCH_DASHBOARD_SALES (default 200,000; the
issue's figure is 1,000,000). Target: every page under 300 ms. The figures are printed, not
asserted (tests assert behaviour, benches measure).
"""
from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SALES = int(os.environ.get("PPMS_BENCH_DASHBOARD_SALES", "200000"))
TERMINALS = 20
DAYS = 365
REPEAT = 5


def _pages() -> dict[str, str]:
    today = date.today()
    month = (today - timedelta(days=30)).isoformat()
    year = (today - timedelta(days=DAYS)).isoformat()
    return {
        "terminals": "/",
        "search_meter": "/search?kind=sales&meter=07000000042",
        "search_sales_terminal_week": f"/search?kind=sales&terminal=T05&from={(today - timedelta(days=7)).isoformat()}",
        "search_customers_name": "/search?kind=customers&name=Grace",
        "search_tokens": "/search?kind=tokens&terminal=T03",
        "meter_page": "/meters/07000000042",
        "daily_30_days": f"/statistics?report=daily&from={month}&to={today.isoformat()}",
        "monthly_year": f"/statistics?report=monthly&from={year}&to={today.isoformat()}",
        "yearly": f"/statistics?report=yearly&from={year}&to={today.isoformat()}",
        "classified_power_type_year": f"/statistics?report=classified&group_by=power_type&from={year}",
        "monthly_csv": f"/statistics.csv?report=monthly&from={year}&to={today.isoformat()}",
        "monthly_pdf": f"/statistics.pdf?report=monthly&from={year}&to={today.isoformat()}",
    }


def run() -> dict[str, Any]:
    import requests

    from central import db as central_db
    from central import sample, users
    from central.models import proxy
    from tests.integration.dashboard.server import Dashboard

    with tempfile.TemporaryDirectory(prefix="ppms-bench-dash-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'center.db'}"
        db = central_db.connect(url)
        proxy.initialize(db)
        t0 = time.perf_counter()
        with db.connection_context():
            items = sample.bulk(db, TERMINALS, SALES, DAYS)
            users.add_user("bench", "viewer", "bench password 1")
        loaded = time.perf_counter() - t0
        d = Dashboard.__new__(Dashboard)
        d.folder, d.url = folder, url
        Dashboard.serve(d, insecure_cookies=True)
        try:
            s = requests.Session()
            token = re.search(r'name="csrf" value="([^"]+)"', s.get(d.base + "/login", timeout=60).text)
            assert token is not None
            s.post(d.base + "/login", data={"csrf": token.group(1), "username": "bench",
                                            "password": "bench password 1"}, timeout=60)
            pages: dict[str, Any] = {}
            for name, path in _pages().items():
                times = []
                for _ in range(REPEAT + 1):
                    start = time.perf_counter()
                    r = s.get(d.base + path, timeout=120)
                    times.append((time.perf_counter() - start) * 1000)
                    assert r.status_code == 200, (path, r.status_code, r.text[:300])
                times = times[1:]     # the first warms the worker's caches
                pages[name] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
        finally:
            d.stop()
    worst = max(p["median_ms"] for p in pages.values())
    return {"sales": SALES, "terminals": TERMINALS, "items": items, "database": "sqlite",
            "load_s": round(loaded, 1), "pages": pages, "worst_median_ms": worst, "target_ms": 300,
            "under_target": worst < 300}
