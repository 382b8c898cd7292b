"""The bulk demo builder against the selling service: the same rows, a sound ledger.

Two ledgers get the same tariff, customers and arrears; one sells a list of sales one at a
time through `selling.sell` (as a cashier would, adding the fixed charges owed when refused),
the other writes the same list with `demo_bulk.sell_in_bulk`. Every row of every table a sale
writes must be equal, once the random UUIDs (and the hashes over them) are replaced by the
receipt they belong to; both ledgers pass `ppms check`. A bulk `ppms demo` of a few thousand
sales passes `ppms check`, and its daily reports equal the sum of its sales to the minor unit.
"""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from terminal import bootstrap
from terminal.domain.errors import AmountTooSmall
from terminal.domain.money import currency, format_money
from terminal.services import check, demo, demo_bulk, selling, setup
from terminal.services.auth import login
from terminal.services.clock import FixedClock
from tests.helpers.ppms import Ppms, query

START = datetime(2025, 3, 5, 10, 0, 0)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")
TABLES = ("sale", "sale_line", "sale_usage", "sale_status", "sale_event", "posting", "posting_line",
          "diary", "outbox", "counter")
RANDOM_COLUMNS = {"posting": ("uuid",), "outbox": ("uuid",), "diary": ("prev_hash", "hash")}


def _sales(meters: list[str]) -> list[tuple[datetime, str, int, str]]:
    """120 sales over a year to eight meters (several a month: blocks, months owed, carry-over)."""
    rng = random.Random(11)
    return [(START + timedelta(hours=72 * i + rng.randrange(30), seconds=rng.randrange(3600)),
             rng.choice(meters[:8]), rng.choice((10000, 50000, 150000, 300000)),
             rng.choice(("cash", "mobile", "bank"))) for i in range(120)]


def _ledger(path: Path, bulk: bool) -> Any:
    app = bootstrap.build(db_path=path, env={"PPMS_FAKE_NOW": START.isoformat()}, initialising=True,
                          allow_fake_clock=True)
    ctx = app.ctx
    setup.initialise(ctx, "secret-1", True)
    admin = login(ctx, "admin", "secret-1")
    setup.import_tariff(ctx, admin, demo.DEMO_TARIFF.read_text(encoding="utf-8"))
    meters = [number for number, _ in demo._register(ctx, admin, random.Random(3), 25, START)]
    sales = _sales(meters)
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    if bulk:
        assert demo_bulk.sell_in_bulk(ctx, [admin], iter(sales), len(sales), clock, progress=None)[0] == len(sales)
    else:
        cur = currency("KES")
        for at, meter, tendered, payment in sales:
            clock.at = at
            try:
                selling.sell(ctx, admin, meter, format_money(tendered, cur), payment)
            except AmountTooSmall as exc:
                selling.sell(ctx, admin, meter, format_money(exc.details["needed"] + tendered, cur), payment)
    assert check.verify(ctx)["ok"], check.verify(ctx)["problems"]
    return app


def _rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    names = {uuid: receipt for uuid, receipt in query(db, "SELECT uuid, receipt_no FROM sale")}
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in TABLES:
        columns = [r[1] for r in query(db, f"PRAGMA table_info({table})")]
        kept = [c for c in columns if c not in RANDOM_COLUMNS.get(table, ())]
        out[table] = [tuple(UUID.sub(lambda m: names.get(m[0], "?"), v) if isinstance(v, str) else v for v in row)
                      for row in query(db, f"SELECT {', '.join(kept)} FROM {table} ORDER BY rowid")]
    return out


def test_bulk_sales_write_the_rows_the_selling_service_writes(tmp_path: Path) -> None:
    by_service = _ledger(tmp_path / "service.db", bulk=False)
    in_bulk = _ledger(tmp_path / "bulk.db", bulk=True)
    want, got = _rows(Path(by_service.db.database)), _rows(Path(in_bulk.db.database))
    by_service.close()
    in_bulk.close()
    assert len(want["sale"]) == 120 and any(row[15] for row in want["sale"])   # some months of fixed charge
    for table in TABLES:
        assert got[table] == want[table], table


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Ppms:
    cli = Ppms(tmp_path_factory.mktemp("bulk") / "ppms.db")
    cli.init()
    out = cli.ok("demo", "--customers", "120", "--sales", "2000", "--seed", "5")
    assert (out["sales"], out["reversed"], out["amended"]) == (2000, 3, 4)
    return cli


def test_a_bulk_demo_passes_the_check(built: Ppms) -> None:
    result = built.ok("check")
    assert result["ok"] and result["sales"] == 2000
    assert query(built.db, "SELECT COUNT(DISTINCT operator_id) FROM sale") == [(4,)]   # admin and 3 cashiers
    assert query(built.db, "SELECT COUNT(*) FROM outbox WHERE kind = 'sale'") == [(2000,)]
    assert query(built.db, "SELECT action, COUNT(*) FROM diary WHERE action LIKE 'sale.%' GROUP BY action "
                 "ORDER BY action") == [("sale.completed", 2000), ("sale.pending", 2000), ("sale.reversed", 3)]
    assert query(built.db, "SELECT COUNT(*) FROM posting WHERE kind = 'reversal'") == [(3,)]
    assert query(built.db, "SELECT kind, COUNT(*) FROM amendment GROUP BY kind ORDER BY kind") == [
        ("basic_file", 3), ("capacity", 1)]


@pytest.mark.parametrize("day", ["first", "busiest", "last"])
def test_a_bulk_demo_daily_report_is_the_sum_of_its_sales(built: Ppms, day: str) -> None:
    order = {"first": "MIN(d)", "last": "MAX(d)", "busiest": "d"}[day]
    days = query(built.db, "SELECT substr(sold_at, 1, 10) AS d, COUNT(*) AS n FROM sale GROUP BY d "
                 "ORDER BY n DESC, d")
    date = days[0][0] if day == "busiest" else query(
        built.db, f"SELECT {order} FROM (SELECT substr(sold_at, 1, 10) AS d FROM sale)")[0][0]
    report = built.ok("report", "daily", "--date", date)
    count, tendered, vat, fixed, kwh = query(
        built.db, "SELECT COUNT(*), SUM(tendered), SUM(vat), SUM(fixed), SUM(kwh) FROM sale "
        "WHERE substr(sold_at, 1, 10) = ?", date)[0]
    sales = report["sales"]
    assert sales["count"] == count
    assert (Decimal(sales["tendered"]) * 100, Decimal(sales["vat"]) * 100, Decimal(sales["fixed"]) * 100) == (
        tendered, vat, fixed)
    assert Decimal(sales["kwh"]) * 100 == kwh
    lines = query(built.db, "SELECT SUM(l.debit) FROM posting p JOIN posting_line l ON l.posting_id = p.id "
                  "WHERE p.kind = 'sale' AND substr(p.posted_at, 1, 10) = ? AND l.account IN "
                  "('CASH', 'BANK_CLEARING', 'MOBILE_MONEY')", date)[0][0]
    assert lines == tendered
