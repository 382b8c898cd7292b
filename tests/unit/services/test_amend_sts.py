"""Meter replacing and cancelling for STS keypad meters: the real token engine, the new meter's
first tokens (key change tokens from the key it comes with, then the credit token) entered on a
simulated keypad meter."""
from __future__ import annotations

import sqlite3
from fractions import Fraction
from typing import Any

import pytest

from hardware import sts
from terminal.bootstrap import CarrierRouter
from terminal.devices.sts import StsCarriers, key_data
from terminal.domain.errors import PpmsError
from terminal.domain.money import round_half_up
from terminal.services import amendment_credit, selling

SETTINGS = {"sgc": 123456, "ti": 1, "krn": 1, "base_date": 2014}
METER = "01234567897"
NEW = "09876543217"


@pytest.fixture
def sw(world: Any, tmp_path: Any) -> Any:
    key = tmp_path / "vending.key"
    key.write_text("0123456789abcdef\n")
    key.chmod(0o600)
    world.ctx.carriers = CarrierRouter({"card": world.carriers, "sts": StsCarriers(str(key))})
    world.tariff()
    world.register(meter=METER, carrier="sts", sts=SETTINGS)
    world.module = sts.SoftwareSecurityModule.from_key_file(key)
    return world


def rows(world: Any, sql: str) -> list[tuple[Any, ...]]:
    return sqlite3.connect(world.app.db.database).execute(sql).fetchall()


def test_replace_sts_meter_first_tokens_carry_the_credit_and_the_hundredths_to_carry_over(sw: Any) -> None:
    sale = selling.sell(sw.ctx, sw.admin, METER, "1000.00")           # 56.50 kWh on a token, change 0.20
    assert sale["kwh"] == "56.50"
    delivered = {"sgc": 654321}
    out = amendment_credit.replace_meter(sw.ctx, sw.admin, METER, NEW, "36.45", "20.05",
                                         delivered_sts=delivered)
    # value of 20.05 kWh = round_half_up(2005 x EV / 5650); a token carries 20.0 kWh, the 0.05 kWh go to carry-over
    ev = Fraction(71190 * 116, 100)
    assert out["credit_transferred_kwh"] == "20.00"
    assert out["credit_value"] == f"{round_half_up(2000 * ev / 5650) / 100:.2f}"
    kept = round_half_up(2005 * ev / 5650) - round_half_up(2000 * ev / 5650)
    assert out["carry_over"] == f"{kept / 100:.2f}" and kept > 0
    tokens = out["tokens"]
    assert len(tokens) == 3                                           # two key change tokens, one credit token
    meter = sts.KeypadMeter.for_meter(sw.module, key_data(NEW, {**SETTINGS, **delivered}))
    assert [meter.enter(t).key_changed for t in tokens[:2]] == [False, True]   # the new key after both
    assert meter.enter(tokens[2]).credit_added == 200                 # 20.0 kWh in 0.1 kWh
    assert rows(sw, "SELECT kind FROM sts_token WHERE meter_id = 2 ORDER BY id") == [
        ("key_change",), ("key_change",), ("credit",)]
    cid = rows(sw, "SELECT customer_id FROM meter WHERE number = '01234567897'")[0][0]
    with sw.ctx.ledger.read() as r:
        assert r.customers.balances(cid)[0] == 20 + kept
    second = selling.sell(sw.ctx, sw.admin, NEW, "500.00")            # the new meter sells with its new key
    assert meter.enter(second["token"]).credit_added > 0
    with pytest.raises(PpmsError) as exc:
        selling.sell(sw.ctx, sw.admin, METER, "500.00")
    assert exc.value.code == "METER_REPLACED"
    assert sw.verify()["ok"]


def test_cancel_sts_meter_refunds_the_value(sw: Any) -> None:
    selling.sell(sw.ctx, sw.admin, METER, "1000.00")
    out = amendment_credit.cancel_meter(sw.ctx, sw.admin, METER, "6.50", "50.00", "demolished")
    ev = Fraction(71190 * 116, 100)
    value = round_half_up(5000 * ev / 5650)
    assert out["credit_value"] == f"{value / 100:.2f}" and out["carry_over"] == "0.20"
    assert out["refund"] == f"{(value + 20) / 100:.2f}" and out["card_blacklisted"] is None
    assert sw.verify()["ok"]
