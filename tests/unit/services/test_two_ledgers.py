"""Two terminals in one process (as the sync tests run them): each its own ledger, models and
units of work; a sale in each, each `check` sound, neither sees the other's rows."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from terminal.services import check, selling
from terminal.services.errors import MeterNotFound, SaleNotFound
from tests.unit.services.conftest import World


def test_two_ledgers_side_by_side(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = World(tmp_path / "a"), World(tmp_path / "b")
    try:
        for w, meter in ((a, "1111111111"), (b, "2222222222")):
            w.tariff()
            w.register(meter)
        sale_a = selling.sell(a.ctx, a.admin, "1111111111", "1000.00")
        sale_b = selling.sell(b.ctx, b.admin, "2222222222", "500.00")
        assert sale_a["receipt_no"] == sale_b["receipt_no"] == "T01-000001"   # each its own counters
        assert check.verify(a.ctx)["ok"] and check.verify(b.ctx)["ok"]
        assert check.verify(a.ctx)["sales"] == check.verify(b.ctx)["sales"] == 1
        assert a.models.Sale.get().tendered == 100000 and b.models.Sale.get().tendered == 50000
        assert a.models.Sale is not b.models.Sale
        assert a.balance("CASH") == 100000 and b.balance("CASH") == 50000
        # neither sees the other's rows
        for w, theirs in ((a, sale_b), (b, sale_a)):
            with pytest.raises(SaleNotFound):
                selling.show(w.ctx, w.admin, theirs["sale_id"])
        with pytest.raises(MeterNotFound):
            selling.quote(a.ctx, a.admin, "2222222222", amount="100.00")
        assert {r.kind for r in a.models.Outbox.select()} == {"registration", "tariff", "sale"}
        assert a.models.Outbox.select().count() == b.models.Outbox.select().count() == 3
    finally:
        a.app.close()
        b.app.close()


def test_two_ledgers_sell_at_once_from_two_threads(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    worlds = [World(tmp_path / "a"), World(tmp_path / "b")]
    errors: list[BaseException] = []
    for w in worlds:
        w.tariff()
        w.register("1111111111")

    def sell_many(w: World) -> None:
        try:
            for _ in range(10):
                selling.sell(w.ctx, w.admin, "1111111111", "300.00")
        except BaseException as exc:   # reported below
            errors.append(exc)

    threads = [threading.Thread(target=sell_many, args=(w,)) for w in worlds]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    try:
        assert errors == []
        for w in worlds:
            result = check.verify(w.ctx)
            assert result["ok"] and result["sales"] == 10
    finally:
        for w in worlds:
            w.app.close()
