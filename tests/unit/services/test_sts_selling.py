"""STS keypad meters through the core's sale flow, with the real token engine and a
simulated keypad meter at the end of the line."""
from __future__ import annotations

import sqlite3

import pytest

from hardware import sts
from terminal.bootstrap import CarrierRouter
from terminal.devices.sts import StsCarriers, key_data
from terminal.services import auth, engineering, selling
from terminal.services.errors import PermissionDenied, SaleNotReversible

SETTINGS = {"sgc": 123456, "ti": 1, "krn": 1, "base_date": 2014}
METER = "01234567897"


@pytest.fixture
def sts_world(world, tmp_path):
    key = tmp_path / "vending.key"
    key.write_text("0123456789abcdef\n")
    key.chmod(0o600)
    world.ctx.carriers = CarrierRouter({"card": world.carriers, "sts": StsCarriers(str(key))})
    world.tariff()
    world.register(meter=METER, carrier="sts", sts=SETTINGS)
    world.module = sts.SoftwareSecurityModule.from_key_file(key)
    return world


def keypad(world, settings=SETTINGS) -> sts.KeypadMeter:
    return sts.KeypadMeter.for_meter(world.module, key_data(METER, settings))


def rows(world, sql):
    return sqlite3.connect(world.app.db.database).execute(sql).fetchall()


def test_token_sale_is_exact_stored_and_accepted_by_the_meter(sts_world):
    sale = selling.sell(sts_world.ctx, sts_world.admin, METER, "1000.00")
    assert sale["kwh"] == "56.50" and sale["change_carried"] == "0.20"   # whole 0.1 kWh, never rounded up
    assert len(sale["token"]) == 20
    assert selling.show(sts_world.ctx, sts_world.admin, sale["sale_id"])["token"] == sale["token"]
    meter = keypad(sts_world)
    assert meter.enter(sale["token"]).credit_added == 565
    with pytest.raises(sts.TokenRejected) as exc:
        meter.enter(sale["token"])
    assert exc.value.code == "TOKEN_USED"
    assert rows(sts_world, "SELECT kind, tid IS NOT NULL FROM sts_token") == [("credit", 1)]


def test_tids_unique_per_meter_and_a_clock_behind_refuses(sts_world):
    a = selling.sell(sts_world.ctx, sts_world.admin, METER, "500.00")
    b = selling.sell(sts_world.ctx, sts_world.admin, METER, "200.00")     # same minute: next minute
    tids = [r[0] for r in rows(sts_world, "SELECT tid FROM sts_token ORDER BY id")]
    assert tids[1] == tids[0] + 1
    before = rows(sts_world, "SELECT COUNT(*) FROM sale")
    with pytest.raises(Exception) as exc:                                 # a third would be in the future
        selling.sell(sts_world.ctx, sts_world.admin, METER, "200.00")
    assert exc.value.code == "CLOCK_BEHIND_LAST_TOKEN"
    assert rows(sts_world, "SELECT COUNT(*) FROM sale") == before          # nothing written
    meter = keypad(sts_world)
    meter.enter(a["token"])
    meter.enter(b["token"])


def test_pending_token_sale_recovers_with_the_same_token(sts_world, monkeypatch):
    from terminal.devices import sts as sts_dev

    def crash(self, purchase):
        raise RuntimeError("power cut after the token was stored")
    monkeypatch.setattr(sts_dev.StsCarrier, "deliver", crash)
    with pytest.raises(Exception):
        selling.sell(sts_world.ctx, sts_world.admin, METER, "500.00")
    (stored,) = rows(sts_world, "SELECT digits FROM sts_token")
    assert rows(sts_world, "SELECT status FROM sale_status") == [("pending",)]
    monkeypatch.undo()
    out = selling.recover(sts_world.ctx, sts_world.admin)
    assert out[0]["action"] == "completed"
    assert selling.show(sts_world.ctx, sts_world.admin, "T01-000001")["token"] == stored[0]


def test_token_sale_cannot_be_reset(sts_world):
    sale = selling.sell(sts_world.ctx, sts_world.admin, METER, "500.00")
    with pytest.raises(SaleNotReversible):
        selling.reverse(sts_world.ctx, sts_world.admin, sale["sale_id"], "customer changed mind")


def test_engineering_tokens_need_their_permission(sts_world):
    auth.add_operator(sts_world.ctx, sts_world.admin, "c1", "Cashier", "cashier", "secret2")
    c1 = auth.login(sts_world.ctx, "c1", "secret2")
    with pytest.raises(PermissionDenied):
        engineering.management_token(sts_world.ctx, c1, METER, "clear_tamper")
    out = engineering.management_token(sts_world.ctx, sts_world.admin, METER, "clear_tamper")
    decoded = keypad(sts_world).enter(out["token"]).token
    assert (decoded.token_class, decoded.subclass) == (2, 5)


def test_key_change_moves_the_meter_to_its_new_key(sts_world):
    meter = keypad(sts_world)
    change = engineering.key_change(sts_world.ctx, sts_world.admin, METER, {"krn": 2})
    assert change["old"]["krn"] == 1 and change["new"]["krn"] == 2 and len(change["tokens"]) == 2
    for t in change["tokens"]:
        meter.enter(t)
    sale = selling.sell(sts_world.ctx, sts_world.admin, METER, "500.00")   # made with the new key
    assert meter.enter(sale["token"]).credit_added > 0
    with pytest.raises(sts.TokenRejected):                                # the old key cannot read it
        keypad(sts_world).enter(sale["token"])


def test_the_token_list_names_the_sale_as_sale_show_does_and_its_energy_in_kwh(sts_world):
    sale = selling.sell(sts_world.ctx, sts_world.admin, METER, "1000.00")
    engineering.management_token(sts_world.ctx, sts_world.admin, METER, "max_power", 5000)
    credit, management = engineering.tokens(sts_world.ctx, sts_world.admin, METER)["tokens"]
    assert (credit["sale_id"], credit["receipt_no"]) == (sale["sale_id"], sale["receipt_no"])
    assert selling.show(sts_world.ctx, sts_world.admin, credit["sale_id"])["token"] == credit["token"]
    assert credit["kwh"] == sale["credit_kwh"] and "value" not in credit
    assert management["value"] == 5000 and "sale_id" not in management and "kwh" not in management
