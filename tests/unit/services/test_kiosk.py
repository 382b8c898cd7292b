"""Self-service cash sale: tendered == counted, always; refused money is held, never lost."""
from __future__ import annotations

import pytest

from terminal.domain.errors import PpmsError
from terminal.services import accounts, kiosk, selling
from terminal.services.errors import CashAcceptorNotConfigured
from tests.fakes.devices import FakeCashAcceptor, device_error

M = "0123456789"


@pytest.fixture
def kiosk_world(world):
    world.tariff()
    world.register(M)
    return world


def sell(world, amount, *script):
    acceptor = FakeCashAcceptor(list(script))
    return kiosk.sell_cash(world.ctx, world.admin, M, amount, acceptor=acceptor), acceptor


def only_sale(world):
    (sale,) = world.models.Sale.select()
    return sale


def test_full_amount_sells_it(kiosk_world):
    out, acc = sell(kiosk_world, "1000.00", ("note", 50000), ("note", 50000))
    assert out["status"] == "completed" and out["cash"]["counted"] == "1000.00"
    assert out["sale"]["tendered"] == "1000.00" and only_sale(kiosk_world).tendered == sum(acc.cash_box) == 100000
    assert kiosk_world.balance("CASH_ACCEPTOR") == 100000 and kiosk_world.verify()["ok"]


def test_rejected_note_mid_sale_sells_exactly_what_was_counted(kiosk_world):
    out, acc = sell(kiosk_world, "1000.00", ("note", 20000), ("reject",), ("note", 50000))
    assert out["status"] == "completed" and out["cash"]["rejected"] == 1
    assert only_sale(kiosk_world).tendered == sum(acc.cash_box) == 70000 == kiosk_world.balance("CASH_ACCEPTOR")


def test_jam_sells_what_was_counted_and_reports_the_jam(kiosk_world):
    out, acc = sell(kiosk_world, "1000.00", ("note", 50000), ("jam",), ("note", 50000))
    assert out["status"] == "completed" and out["cash"]["problem"]["code"] == "CASH_JAMMED"
    assert only_sale(kiosk_world).tendered == sum(acc.cash_box) == 50000
    intake = kiosk_world.models.Diary.get(kiosk_world.models.Diary.action == "cash.intake")
    assert '"problem":"CASH_JAMMED"' in intake.after.replace(" ", "")


def test_nothing_counted_no_sale(kiosk_world):
    out, _ = sell(kiosk_world, "1000.00", ("reject",))
    assert out["status"] == "no_sale" and kiosk_world.models.Sale.select().count() == 0
    assert kiosk_world.balance("CASH_ACCEPTOR") == 0


def test_counted_money_that_selling_refuses_is_held_as_carry_over(kiosk_world):
    # 100.00 does not cover the first month's fixed charge with VAT (174.00): selling refuses
    out, acc = sell(kiosk_world, "1000.00", ("note", 10000), ("jam",))
    assert out["status"] == "cash_held" and out["refusal"]["code"]
    assert kiosk_world.models.Sale.select().count() == 0
    assert kiosk_world.balance("CASH_ACCEPTOR") == sum(acc.cash_box) == 10000
    cust = 1
    assert kiosk_world.balances(cust)[0] == 10000
    assert kiosk_world.models.Outbox.select().where(kiosk_world.models.Outbox.kind == "cash_held").count() == 1
    assert kiosk_world.verify()["ok"]
    # the next sale spends the held money first, like change
    sale = selling.sell(kiosk_world.ctx, kiosk_world.admin, M, "1000.00")
    assert sale["carry_over_used"] == "100.00"


def test_below_minimum_amount_refused_before_any_note(kiosk_world):
    acceptor = FakeCashAcceptor([("note", 5000)])
    with pytest.raises(PpmsError) as err:
        kiosk.sell_cash(kiosk_world.ctx, kiosk_world.admin, M, "20.00", acceptor=acceptor)
    assert err.value.code == "AMOUNT_BELOW_MINIMUM" and acceptor.calls == 0


def test_carrier_refusing_after_the_intake_holds_the_cash(kiosk_world):
    kiosk_world.carriers.script[M] = {"fail_before_write": "CARD_ABSENT"}
    out, acc = sell(kiosk_world, "500.00", ("note", 50000))
    assert out["status"] == "cash_held" and out["refusal"]["code"] == "CARD_ABSENT"
    assert kiosk_world.balance("CASH_ACCEPTOR") == sum(acc.cash_box) == 50000 and kiosk_world.verify()["ok"]
    assert kiosk_world.models.Sale.select().count() == 1
    assert only_sale(kiosk_world).tendered == 50000  # the voided sale: no posting


def test_card_pulled_mid_write_leaves_the_sale_pending_with_the_money(kiosk_world):
    kiosk_world.carriers.script[M] = {"fail_after_write": "CARD_REMOVED"}
    out, _ = sell(kiosk_world, "500.00", ("note", 50000))
    assert out["status"] == "pending" and out["sale"]["receipt_no"]
    assert only_sale(kiosk_world).tendered == 50000 and kiosk_world.balance("CASH_ACCEPTOR") == 0  # the sale carries it
    assert kiosk_world.models.Outbox.select().where(kiosk_world.models.Outbox.kind == "cash_held").count() == 0


def test_acceptor_failing_before_any_note(kiosk_world):
    acceptor = FakeCashAcceptor(fail=device_error("CASH_PORT_UNAVAILABLE"))
    with pytest.raises(PpmsError) as err:
        kiosk.sell_cash(kiosk_world.ctx, kiosk_world.admin, M, "500.00", acceptor=acceptor)
    assert err.value.code == "CASH_PORT_UNAVAILABLE" and kiosk_world.models.Sale.select().count() == 0
    with pytest.raises(CashAcceptorNotConfigured):
        kiosk.sell_cash(kiosk_world.ctx, kiosk_world.admin, M, "500.00")


def test_acceptor_sale_voided_by_recovery_holds_the_notes(kiosk_world):
    """Notes in the cash box cannot go back over a counter: a voided acceptor sale becomes the
    customer's carry-over, in the same commit as the void."""
    kiosk_world.carriers.script[M] = {"fail_after_write": "CARD_REMOVED"}
    out, acc = sell(kiosk_world, "500.00", ("note", 50000))
    assert out["status"] == "pending"
    card = kiosk_world.carriers.cards[M]
    card.purchases.clear()          # the write never reached the card
    card.present = True
    kiosk_world.carriers.script.clear()
    assert selling.recover(kiosk_world.ctx, kiosk_world.admin)[0]["action"] == "voided"
    assert kiosk_world.balance("CASH_ACCEPTOR") == sum(acc.cash_box) == 50000
    assert accounts.balances(kiosk_world.ctx, kiosk_world.admin, M)["carry_over"] == "500.00"
    outbox = kiosk_world.models.Outbox
    assert outbox.select().where(outbox.kind == "cash_held").count() == 1 and kiosk_world.verify()["ok"]
