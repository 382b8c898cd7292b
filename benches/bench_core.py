"""Core bench: demo build time, sale latency against a bare SQLite commit, meter
lookup latency and peak memory, on a demo database of the issue's size.

    python -m benches                      (every bench)   python -m benches.bench_core  (this one)

Scale: PPMS_BENCH_CUSTOMERS (default 100000) and PPMS_BENCH_SALES (default
1000000, the issue's figures). PPMS_BENCH_DIR picks the folder (default a temporary
one, removed afterwards unless PPMS_BENCH_KEEP=1); the bare commit is measured in
the same folder, so on the same file system. PPMS_BENCH_REUSE=1 with PPMS_BENCH_DIR
measures again on the database built there before (its build figures are kept in
demo-build.json beside it).

The database is built by `ppms demo` in a child process (its time is the
"demo build time", its ru_maxrss the demo's peak RSS). The measuring runs in a
second child (this module with --measure) so its peak RSS is its own: N quotes
then sales through the selling service on random demo meters, with a carrier that
takes no time; "sale_ms" (the target's figure) is the sale itself, `selling.sell`:
its vend calculation (the quote) and its two commits, PENDING and COMPLETED (the
issue's "quote + commit"); "quote_then_sale_ms" adds the quote a screen shows first;
"sale_with_emulated_card_ms" runs the SLE4442 protocol, layout and MACs in memory;
N bare INSERT+COMMITs with the ledger's pragmas (WAL, synchronous=FULL); N meter
lookups by number through the services (meter_state.find_meter).
"""
from __future__ import annotations

import json
import math
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-03-05T10:00:00"
PASSWORD = "bench-secret"
N_SALES, N_BARE, N_LOOKUPS = 2000, 2000, 5000
# enough for up to 12 months of fixed charges owed plus debt recovery, so that no sale is refused
AMOUNTS = {"RES": "3000.00", "COM": "10000.00", "IND": "50000.00"}


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _ms(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), "p50": round(percentile(samples, 50) * 1000, 3),
            "p99": round(percentile(samples, 99) * 1000, 3), "max": round(max(samples) * 1000, 3)}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPMS_")}
    env.update(PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
               PPMS_OPERATOR="admin", PPMS_PASSWORD=PASSWORD, PPMS_FAKE_NOW=NOW)
    return env


def _child(argv: list[str]) -> tuple[str, float, float]:
    """Run a child to its end; return its stdout, wall time and peak RSS (MB)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=_env(), cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode()
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[2:]} exited {proc.returncode}: {stdout[-500:]} {err.read().decode()[-2000:]}")
    return stdout, elapsed, usage.ru_maxrss / 1024


def used_bytes(con: Any) -> int:
    """Bytes in the database's used pages (page count less free pages): what rows and indexes take."""
    pages = con.execute("PRAGMA page_count").fetchone()[0] - con.execute("PRAGMA freelist_count").fetchone()[0]
    return int(pages * con.execute("PRAGMA page_size").fetchone()[0])


def _fs_type(path: Path) -> str:
    best, kind = "", "?"
    with open("/proc/mounts", encoding="utf-8") as mounts:
        for line in mounts:
            parts = line.split()
            if len(parts) > 2 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    return kind


def run() -> dict[str, Any]:
    customers = int(os.environ.get("PPMS_BENCH_CUSTOMERS", "100000"))
    sales = int(os.environ.get("PPMS_BENCH_SALES", "1000000"))
    overridden = "PPMS_BENCH_CUSTOMERS" in os.environ or "PPMS_BENCH_SALES" in os.environ
    given = os.environ.get("PPMS_BENCH_DIR")
    workdir = Path(given) if given else Path(tempfile.mkdtemp(prefix="ppms-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.db"
    built = workdir / "demo-build.json"
    reuse = bool(given) and os.environ.get("PPMS_BENCH_REUSE") == "1" and db.exists() and built.exists()
    cli = [sys.executable, "-m", "terminal.cli"]
    try:
        if reuse:  # measure again on a database built earlier (same scale), e.g. on a quieter machine
            demo, demo_s, demo_rss = (lambda d: (d["demo"], d["build_s"], d["rss_mb"]))(json.loads(built.read_text()))
        else:
            for old in workdir.glob("bench.db*"):
                old.unlink()
            _child(cli + ["init", "--admin-password", PASSWORD, "--allow-fake-clock", "--db", str(db)])
            out, demo_s, demo_rss = _child(cli + ["demo", "--customers", str(customers), "--sales", str(sales),
                                                  "--seed", "1", "--db", str(db), "--json"])
            demo = json.loads(out)
            built.write_text(json.dumps({"demo": demo, "build_s": demo_s, "rss_mb": demo_rss}))
        out, _, measure_rss = _child([sys.executable, "-m", "benches.bench_core", "--measure", str(db)])
        measured = json.loads(out)
        db_mb = sum(p.stat().st_size for p in workdir.glob("bench.db*")) / 2**20
    finally:
        if not given and os.environ.get("PPMS_BENCH_KEEP") != "1":
            shutil.rmtree(workdir, ignore_errors=True)
    ratio = measured["sale_ms"]["p50"] / measured["bare_commit_ms"]["p50"]
    lookup_p99 = measured["meter_lookup_ms"]["p99"]
    return {
        "scale": {"customers": customers, "sales_requested": sales,
                  "set_by": "PPMS_BENCH_CUSTOMERS/PPMS_BENCH_SALES" if overridden
                  else "default (the issue's 100000 customers / 1000000 sales)"},
        "storage": {"dir": str(workdir), "fs": _fs_type(workdir.resolve()), "db_mb": round(db_mb, 1)},
        "demo": {"build_s": round(demo_s, 1), "customers": demo.get("customers"), "sales_made": demo.get("sales"),
                 "sales_topped_up": demo.get("topped_up"), "peak_rss_mb": round(demo_rss, 1),
                 "reused": reuse},
        **measured,
        "sale_p50_over_bare_commit_p50": round(ratio, 2),
        "measure_peak_rss_mb": round(measure_rss, 1),
        "targets": {
            "sale p50 <= 5x bare commit p50": {"value": round(ratio, 2), "met": ratio <= 5.0},
            "bytes per sale <= 1.5 KB": {"value": measured["bytes_per_sale"]["added"],
                                         "whole_database": measured["bytes_per_sale"]["whole_database"],
                                         "met": measured["bytes_per_sale"]["added"] <= 1536},
            "meter lookup p99 <= 1 ms": {"value": lookup_p99, "met": lookup_p99 <= 1.0},
            "peak RSS <= 120 MB": {"measure": round(measure_rss, 1), "demo": round(demo_rss, 1),
                                   "met": max(measure_rss, demo_rss) <= 120.0},
        },
    }


# ---- the measuring child --------------------------------------------------------------------

class InstantCard:
    """A carrier that holds every purchase at once: what the ledger costs, without a device."""
    kind = "card"
    needs: frozenset[str] = frozenset()

    def __init__(self) -> None:
        from terminal.services.ports import CardRef
        self.ref_type = CardRef

    def limits(self) -> Any:
        from terminal.services.ports import CarrierLimits
        return CarrierLimits(max_kwh=0xFFFFFFFF)   # as a card's energy field

    def precheck(self, purchase: Any) -> Any:
        from terminal.services.ports import Prechecked
        return Prechecked()

    def reserve(self, purchase: Any) -> Any:
        from terminal.services.ports import CardRef, Reservation
        return Reservation(CardRef(seq=purchase.sequence, ti=purchase.tariff_index, utc=purchase.issued_at))

    def deliver(self, purchase: Any) -> Any:
        from terminal.services.ports import Delivery
        return Delivery(ref=purchase.ref)

    def holds(self, purchase: Any) -> bool:
        return True

    def take_back(self, purchase: Any) -> bool:
        return True


class InstantCards:
    def for_meter(self, meter: Any) -> InstantCard:
        return InstantCard()


def measure(db: Path) -> dict[str, Any]:
    from terminal import bootstrap
    from terminal.domain.errors import PpmsError
    from terminal.services import auth, selling
    from terminal.services.meter_state import find_meter

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    meters = con.execute(
        "SELECT m.number, (SELECT power_type FROM meter_share s WHERE s.meter_id = m.id "
        "ORDER BY percent DESC LIMIT 1) FROM meter m WHERE m.status = 'installed'").fetchall()
    con.close()
    rng = random.Random(7)
    app = bootstrap.build(db_path=db, env={"PPMS_FAKE_NOW": NOW})
    session = auth.login(app.ctx, "admin", PASSWORD)

    lookups: list[float] = []
    for number, _ in (rng.choice(meters) for _ in range(N_LOOKUPS)):
        t0 = time.perf_counter()
        with app.ctx.ledger.read() as r:
            find_meter(r, number)
        lookups.append(time.perf_counter() - t0)

    def sales(n: int) -> tuple[list[float], list[float], dict[str, int]]:
        """n quote-then-sell pairs on random demo meters: (pair times, sell times, refusals)."""
        pair_t: list[float] = []
        sell_t: list[float] = []
        refused: dict[str, int] = {}
        for number, power_type in (rng.choice(meters) for _ in range(n)):
            amount = AMOUNTS.get(power_type, "1000.00")
            t0 = time.perf_counter()
            try:
                selling.quote(app.ctx, session, number, amount=amount)
                t1 = time.perf_counter()
                selling.sell(app.ctx, session, number, amount)
            except PpmsError as exc:
                refused[exc.code] = refused.get(exc.code, 0) + 1
                continue
            t2 = time.perf_counter()
            pair_t.append(t2 - t0)
            sell_t.append(t2 - t1)
        return pair_t, sell_t, refused

    # the ledger's own cost ("quote + commit"): a carrier that takes no time
    app.ctx.carriers = bootstrap.CarrierRouter({"card": InstantCards()})
    raw = app.ledger.db.connection()
    used_before = used_bytes(raw)
    sale_t, sell_t, refused = sales(N_SALES)
    added = (used_bytes(raw) - used_before) / max(1, len(sell_t))
    payload = raw.execute("SELECT AVG(LENGTH(payload)) FROM (SELECT payload FROM outbox WHERE kind = 'sale' "
                          "ORDER BY seq DESC LIMIT ?)", (len(sell_t),)).fetchone()[0] or 0.0
    sales_total = raw.execute("SELECT COUNT(*) FROM sale").fetchone()[0]
    whole = used_bytes(raw) / max(1, sales_total)
    largest = raw.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8").fetchall()
    # the same with the emulated card: the SLE4442 protocol, layout and MACs in memory
    app.ctx.carriers = bootstrap.build_carriers(app.settings)
    card_t, _, card_refused = sales(N_SALES // 2)
    app.close()

    bare_path = db.parent / "bare.db"
    bare = sqlite3.connect(bare_path, isolation_level=None)
    bare.execute("PRAGMA journal_mode=wal")
    bare.execute("PRAGMA synchronous=FULL")
    bare.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, meter TEXT, amount INTEGER, at TEXT)")
    bare_t: list[float] = []
    for i in range(N_BARE):
        t0 = time.perf_counter()
        bare.execute("BEGIN IMMEDIATE")
        bare.execute("INSERT INTO t (meter, amount, at) VALUES (?, ?, ?)", (f"{i:011d}", i, NOW))
        bare.execute("COMMIT")
        bare_t.append(time.perf_counter() - t0)
    bare.close()
    for p in db.parent.glob("bare.db*"):
        p.unlink()
    return {"sale_ms": {**_ms(sell_t), "refused": refused, "what": "ppms sell: its vend calculation "
                        "(the quote) and its commits, a carrier that takes no time"},
            "quote_then_sale_ms": {**_ms(sale_t), "what": "a quote shown to the customer, then the sale"},
            "sale_with_emulated_card_ms": {**_ms(card_t), "refused": card_refused,
                                           "what": "quote then sale onto the emulated SLE4442 card"},
            "bare_commit_ms": _ms(bare_t), "meter_lookup_ms": _ms(lookups),
            "bytes_per_sale": {"added": round(added), "whole_database": round(whole),
                               "outbox_payload": round(payload),
                               "largest_per_sale": {str(name): round(size / max(1, sales_total))
                                                    for name, size in largest},
                               "what": "used pages a sale adds (rows and index entries; outbox_payload: the "
                                       "mean stored wire record of a sale); whole_database: every used page "
                                       "over the sales in it, largest_per_sale: the tables and indexes that "
                                       "take the most (SQLite's dbstat) over the same sales"},
            "measure_self_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
    else:
        print(json.dumps(run(), indent=2))
