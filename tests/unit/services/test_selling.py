"""The sale state machine on a real ledger with fake carriers."""
from __future__ import annotations

import sqlite3

import pytest

from terminal.domain.errors import AmountBelowMinimum, AmountInvalid, AmountTooSmall
from terminal.services import accounts, check, selling
from terminal.services.errors import (
    CardRefused,
    MeterNotFound,
    SaleNotReversible,
    SalePending,
)
from tests.unit.services.conftest import DEMO_TARIFF


def statuses(world) -> list[str]:
    db = sqlite3.connect(world.app.db.database)
    return [r[0] for r in db.execute("SELECT status FROM sale_status ORDER BY sale_id")]


def test_cli_md_example_first_sale(world):
    world.tariff()
    world.register()
    sale = selling.sell(world.ctx, world.admin, "0123456789", "1000.00")
    assert sale["receipt_no"] == "T01-000001"
    assert (sale["kwh"], sale["change_carried"], sale["status"]) == ("56.51", "0.05", "completed")
    assert [(ln["kind"], ln["amount"]) for ln in sale["lines"]] == [
        ("fixed", "150.00"), ("debt", "0.00"), ("energy", "678.12"), ("energy", "33.91"),
        ("vat", "137.92"), ("carry_over", "0.05")]
    assert selling.show(world.ctx, world.admin, sale["sale_id"]) == sale
    assert check.verify(world.ctx)["ok"]


def test_quote_equals_sale_and_writes_nothing(world):
    world.tariff()
    world.register()
    q = selling.quote(world.ctx, world.admin, "0123456789", amount="500.00")
    assert statuses(world) == []
    s = selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    assert q["lines"] == s["lines"] and q["kwh"] == s["kwh"] and q["status"] == "quote"


def test_quote_by_kwh_then_selling_that_money_gives_at_least_it(world):
    world.tariff()
    world.register()
    q = selling.quote(world.ctx, world.admin, "0123456789", kwh="120.00")
    s = selling.sell(world.ctx, world.admin, "0123456789", q["tendered"])
    assert float(s["kwh"]) >= 120.00


def test_receipt_numbers_gapless_and_carry_over_flows(world):
    world.tariff()
    world.register()
    a = selling.sell(world.ctx, world.admin, "0123456789", "1000.00")
    b = selling.sell(world.ctx, world.admin, "0123456789", "100.00")
    assert (a["receipt_no"], b["receipt_no"]) == ("T01-000001", "T01-000002")
    assert b["carry_over_used"] == a["change_carried"] == "0.05"
    assert accounts.balances(world.ctx, world.admin, "0123456789")["carry_over"] == b["change_carried"]


def test_refusals_write_nothing(world):
    world.tariff()
    world.register()
    for amount, err in (("10.00", AmountBelowMinimum), ("-5", AmountInvalid), ("abc", AmountInvalid),
                        ("1.001", AmountInvalid)):
        with pytest.raises(err):
            selling.sell(world.ctx, world.admin, "0123456789", amount)
    with pytest.raises(MeterNotFound):
        selling.sell(world.ctx, world.admin, "999", "100.00")
    assert statuses(world) == []


def test_too_small_for_fixed_charges_says_what_is_needed(world):
    world.tariff()
    world.at("2026-03-05T11:00:00")  # time only goes forward: registered after the tariff's import
    world.register()
    world.at("2026-09-01T09:00:00")  # seven months of fixed charge owed: 1050 + VAT
    with pytest.raises(AmountTooSmall) as exc:
        selling.sell(world.ctx, world.admin, "0123456789", "1000.00")
    needed = exc.value.details["needed"]
    sale = selling.sell(world.ctx, world.admin, "0123456789", f"{needed // 100}.{needed % 100:02d}")
    assert sale["months_charged"] == 7 and sale["lines"][0]["amount"] == "1050.00"


def test_refused_by_carrier_voids_and_frees_the_meter(world):
    world.tariff()
    world.register()
    world.carriers.script["0123456789"] = {"fail_before_write": "CARD_WRONG_METER"}
    with pytest.raises(CardRefused) as exc:
        selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    assert exc.value.code == "CARD_WRONG_METER"
    assert statuses(world) == ["voided"]
    world.carriers.script.clear()
    sale = selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    assert sale["receipt_no"] == "T01-000002" and statuses(world) == ["voided", "completed"]
    assert check.verify(world.ctx)["ok"]


def test_card_removed_after_write_stays_pending_then_recovers_complete(world):
    world.tariff()
    world.register()
    world.carriers.script["0123456789"] = {"fail_after_write": "CARD_REMOVED"}
    with pytest.raises(SalePending):
        selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    assert statuses(world) == ["pending"]
    world.carriers.script.clear()
    # card still out: recovery cannot tell, leaves it for a supervisor, and selling is refused
    assert selling.recover(world.ctx, world.admin)[0]["action"] == "supervisor"
    with pytest.raises(SalePending):
        selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    world.carriers.cards["0123456789"].present = True   # card back: it holds the purchase
    assert selling.recover(world.ctx, world.admin)[0]["action"] == "completed"
    assert statuses(world) == ["completed"]
    assert check.verify(world.ctx)["ok"]


def test_pending_purchase_not_on_card_is_voided_by_recovery(world):
    world.tariff()
    world.register()
    world.carriers.script["0123456789"] = {"fail_after_write": "CARD_REMOVED"}
    with pytest.raises(SalePending):
        selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    card = world.carriers.cards["0123456789"]
    card.purchases.clear()
    card.present = True
    world.carriers.script.clear()
    sale = selling.sell(world.ctx, world.admin, "0123456789", "500.00")  # recovers first, then sells
    assert statuses(world) == ["voided", "completed"] and sale["receipt_no"] == "T01-000002"


def test_reversal_restores_usage_fixed_months_and_carry_over(world):
    world.tariff()
    world.register()
    first = selling.sell(world.ctx, world.admin, "0123456789", "2000.00")   # crosses into block 2
    again = selling.quote(world.ctx, world.admin, "0123456789", amount="500.00")
    second = selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    assert second["lines"] == again["lines"]
    rev = selling.reverse(world.ctx, world.admin, second["sale_id"], "wrong meter")
    assert rev["status"] == "reversed"
    # the same money now prices exactly as before the reversed sale
    assert selling.quote(world.ctx, world.admin, "0123456789", amount="500.00")["lines"] == again["lines"]
    selling.reverse(world.ctx, world.admin, first["sale_id"], "test")
    fresh = selling.quote(world.ctx, world.admin, "0123456789", amount="2000.00")
    assert fresh["lines"] == first["lines"] and fresh["months_charged"] == 1
    result = check.verify(world.ctx)
    assert result["ok"] and result["debits"] == result["credits"]


def test_only_latest_sale_reversible_and_never_twice(world):
    world.tariff()
    world.register()
    a = selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    selling.sell(world.ctx, world.admin, "0123456789", "200.00")
    with pytest.raises(SaleNotReversible):
        selling.reverse(world.ctx, world.admin, a["sale_id"], "x")
    selling.reverse(world.ctx, world.admin, "T01-000002", "x")
    with pytest.raises(SaleNotReversible):
        selling.reverse(world.ctx, world.admin, "T01-000002", "x")


def test_reversal_refused_when_meter_took_the_credit(world):
    world.tariff()
    world.register()
    s = selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    world.carriers.cards["0123456789"].consumed.add(1)
    with pytest.raises(SaleNotReversible):
        selling.reverse(world.ctx, world.admin, s["sale_id"], "x")


def test_debt_recovery_takes_its_share(world):
    world.tariff()
    world.register()
    accounts.add_debt(world.ctx, world.admin, "0123456789", "100.00", "old bill")
    s = selling.sell(world.ctx, world.admin, "0123456789", "1000.00")
    assert s["lines"][1] == {"kind": "debt", "amount": "100.00"}   # min(arrears, 25% of 1000)
    assert accounts.balances(world.ctx, world.admin, "0123456789")["arrears"] == "0.00"


def test_free_kwh_on_first_sale_of_the_month_only(world):
    world.tariff()
    world.register(category="LIFELINE")
    first = selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    second = selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    assert first["free_kwh"] != "0.00" and second["free_kwh"] == "0.00"
    world.at("2026-04-02T08:00:00")
    assert selling.sell(world.ctx, world.admin, "0123456789", "500.00")["free_kwh"] == first["free_kwh"]


def test_mixed_use_meter_splits_energy(world):
    world.tariff(DEMO_TARIFF)
    world.register(power_type="RES:70,COM:30")
    s = selling.sell(world.ctx, world.admin, "0123456789", "3000.00")
    kinds = {(ln.get("power_type"), ln["kind"]) for ln in s["lines"]}
    assert ("RES", "energy") in kinds and ("COM", "energy") in kinds
    assert check.verify(world.ctx)["ok"]
