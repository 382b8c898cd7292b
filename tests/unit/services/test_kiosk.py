"""Self-service cash sale: tendered == counted, always; refused money is held, never lost."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from terminal.domain.errors import PpmsError
from terminal.ledger import Ledger
from terminal.services import accounts, kiosk, selling
from terminal.services.errors import CashAcceptorNotConfigured
from tests.fakes.carriers import FakeCarriers
from tests.fakes.devices import FakeCashAcceptor, FakeCrash, device_error

ROOT = Path(__file__).resolve().parents[3]

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


def open_intakes(world):
    with world.ctx.ledger.read() as r:
        return r.cash_intakes.open_intakes()


def test_a_note_killed_between_stacking_and_credit_is_read_back_and_held_once(kiosk_world):
    """Each note is committed as it happens; after a crash the credit the validator still buffers
    is recorded (once) and the intake's money is held as the customer's carry-over."""
    acceptor = FakeCashAcceptor([("note", 50000), ("note", 20000, "crash")])
    with pytest.raises(FakeCrash):
        kiosk.sell_cash(kiosk_world.ctx, kiosk_world.admin, M, "1000.00", acceptor=acceptor)
    (open_intake,) = open_intakes(kiosk_world)
    assert open_intake.credited == 50000 and open_intake.last_stage == "stacking"
    out = kiosk.recover_cash(kiosk_world.ctx, kiosk_world.admin, acceptor)
    assert [r["action"] for r in out] == ["held"] and out[0]["amount"] == "700.00"
    assert kiosk_world.balances(1)[0] == sum(acceptor.cash_box) == 70000
    assert kiosk_world.balance("CASH_ACCEPTOR") == 70000 and kiosk_world.verify()["ok"]
    assert kiosk.recover_cash(kiosk_world.ctx, kiosk_world.admin, acceptor) == []   # settled once
    assert kiosk_world.balance("CASH_ACCEPTOR") == 70000


def test_a_note_the_validator_cannot_account_for_is_left_to_a_supervisor(kiosk_world):
    acceptor = FakeCashAcceptor([("note", 50000), ("note", 20000, "crash")])
    with pytest.raises(FakeCrash):
        kiosk.sell_cash(kiosk_world.ctx, kiosk_world.admin, M, "1000.00", acceptor=acceptor)
    acceptor.buffered.clear()   # the validator restarted: its buffer is gone
    acceptor.fail = device_error("CASH_EVENTS_LOST")
    out = kiosk.recover_cash(kiosk_world.ctx, kiosk_world.admin, acceptor)
    assert out[0]["action"] == "supervisor" and out[0]["code"] == "CASH_EVENTS_LOST"   # it cannot say
    assert len(open_intakes(kiosk_world)) == 1 and not kiosk_world.verify()["ok"]   # check names the open intake


def test_a_note_event_seen_twice_counts_once(kiosk_world):
    ledger = kiosk_world.ctx.ledger
    with ledger.unit_of_work() as uow:
        row = uow.meters.by_number(M)
        assert row is not None
        intake = uow.cash_intakes.start("i-1", row.id, row.customer_id, None, 10000, "2026-03-05T10:00:00")
    with ledger.unit_of_work() as uow:
        assert uow.cash_intakes.record_note(intake, 3, 17, "credited", 2, 10000, "2026-03-05T10:00:01")
    with ledger.unit_of_work() as uow:
        assert not uow.cash_intakes.record_note(intake, 3, 17, "credited", 2, 10000, "2026-03-05T10:00:02")
    with ledger.read() as r:
        assert r.cash_intakes.credited(intake) == 10000


def test_one_intake_at_a_time(kiosk_world):
    ledger = kiosk_world.ctx.ledger
    with ledger.cash_intake_owner() as mine:
        assert mine
        code = subprocess.run([sys.executable, "-c", OTHER_OWNER, str(ledger.path)], check=False,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}).returncode
    assert code == 3   # the other process was refused the acceptor while this one held it


OTHER_OWNER = """
import sys
from terminal.ledger import Ledger
with Ledger(sys.argv[1]).cash_intake_owner() as mine:
    sys.exit(0 if mine else 3)
"""


class VoidedByAnotherTill(FakeCarriers):
    """Card carriers during whose write another till (a second ledger on the same file) voids the
    sale, so the seller's completion hears SALE_DECIDED_ELSEWHERE after the PENDING commit."""

    def __init__(self, world) -> None:
        super().__init__()
        self.other = replace(world.ctx, ledger=Ledger(world.ctx.ledger.path, terminal_id="T01"))
        self.session = world.admin

    def for_meter(self, meter):
        carrier = super().for_meter(meter)
        write = carrier.deliver

        def deliver(purchase):
            delivery = write(purchase)
            with self.other.ledger.read() as r:
                sale_id = r.sales.find_id(purchase.sale_uuid)
            selling._void(self.other, self.session, sale_id, "decided by another till")
            return delivery
        carrier.deliver = deliver
        return carrier


def test_a_refusal_after_our_sale_holds_the_notes_holds_them_once(kiosk_world):
    """The intake is settled in the sale's PENDING commit: a refusal after it (here the sale
    decided by another till) answers with the sale, and never holds the notes a second time."""
    carriers = VoidedByAnotherTill(kiosk_world)
    kiosk_world.ctx.carriers = carriers
    try:
        out, acc = sell(kiosk_world, "500.00", ("note", 50000))
    finally:
        carriers.other.ledger.close()
    assert out["status"] == "pending" and out["refusal"]["code"] == "SALE_DECIDED_ELSEWHERE"
    assert out["sale"]["receipt_no"] == only_sale(kiosk_world).receipt_no
    assert kiosk_world.balances(1)[0] == sum(acc.cash_box) == 50000   # held once, by the other till's void
    outbox = kiosk_world.models.Outbox
    assert outbox.select().where(outbox.kind == "cash_held").count() == 1 and kiosk_world.verify()["ok"]
