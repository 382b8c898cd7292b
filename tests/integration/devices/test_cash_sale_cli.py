"""`ppms sell-cash` over a real pty pair against the ccTalk bill validator simulator: the
ledger's tendered money equals the acceptor's counted total and the simulator's cash box,
also when a note is rejected mid-sale or the acceptor jams."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from hardware.cash.simulator import Action, SimulatedBillValidator
from hardware.meters.ptypair import PtyPair
from tests.integration.devices.conftest import CASH_METER as METER
from tests.integration.devices.conftest import PASSWORD, ROOT, Terminal, cash_box, with_cash_acceptor

pytestmark = pytest.mark.hardware


@pytest.fixture
def kiosk(terminal: Terminal, pty: PtyPair) -> Terminal:
    return with_cash_acceptor(terminal, pty, idle_timeout_s=2.0)


def ledger(t: Terminal) -> tuple[list[int], int]:
    """(tendered of every sale, the CASH_ACCEPTOR account's debit balance)."""
    with sqlite3.connect(t.home / "ppms.db") as db:
        tendered = [r[0] for r in db.execute("SELECT tendered FROM sale ORDER BY id")]
        cash = db.execute("SELECT COALESCE(SUM(debit - credit), 0) FROM posting_line "
                          "WHERE account = 'CASH_ACCEPTOR'").fetchone()[0]
    return tendered, cash


def queue(device: SimulatedBillValidator, *steps: tuple[Action, int]) -> None:
    for action, bill_type in steps:
        device.queue(action, bill_type)


def test_note_rejected_mid_sale(kiosk: Terminal, device: SimulatedBillValidator) -> None:
    queue(device, (Action.INSERT, 3), (Action.REJECT, 0), (Action.INSERT, 4), (Action.INSERT, 3))
    out = kiosk.ok("sell-cash", "--meter", METER, "--amount", "900.00")
    assert out["status"] == "completed" and out["cash"]["outcome"] == "complete"
    assert out["cash"]["rejected"] >= 1 and out["cash"]["notes"] == ["200.00", "500.00", "200.00"]
    assert out["sale"]["tendered"] == out["cash"]["counted"] == "900.00"
    assert ledger(kiosk) == ([90000], 90000) and cash_box(device) == 90000
    assert not device.master_enabled  # the acceptor is shut after the sale
    assert kiosk.ok("check")["ok"]


def test_jam_mid_sale_sells_what_was_counted(kiosk: Terminal, device: SimulatedBillValidator) -> None:
    queue(device, (Action.INSERT, 4), (Action.INSERT, 2), (Action.JAM, 0), (Action.INSERT, 5))
    code, out = kiosk.run("sell-cash", "--meter", METER, "--amount", "2000.00")
    assert code == 0 and out["status"] == "completed"
    assert out["cash"]["problem"]["code"] == "CASH_JAMMED" and out["cash"]["outcome"] == "stopped"
    assert out["sale"]["tendered"] == out["cash"]["counted"] == "600.00"
    assert ledger(kiosk) == ([60000], 60000) and cash_box(device) == 60000


def test_money_selling_refuses_is_held_for_the_customer(kiosk: Terminal, device: SimulatedBillValidator) -> None:
    # 100.00 does not cover the first month's fixed charge with VAT: no sale, the money is held
    queue(device, (Action.INSERT, 2), (Action.JAM, 0))
    code, out = kiosk.run("sell-cash", "--meter", METER, "--amount", "1000.00")
    assert code == 2 and out["status"] == "cash_held" and out["error"]["code"] == out["refusal"]["code"]
    assert out["cash_held"]["amount"] == "100.00" and out["cash_held"]["carry_over"] == "100.00"
    assert ledger(kiosk) == ([], 10000) and cash_box(device) == 10000
    assert kiosk.ok("account", "show", "--meter", METER)["carry_over"] == "100.00"
    assert kiosk.ok("check")["ok"]


def test_customer_walks_away_nothing_sold(kiosk: Terminal, device: SimulatedBillValidator) -> None:
    queue(device, (Action.REJECT, 0))
    code, out = kiosk.run("sell-cash", "--meter", METER, "--amount", "500.00", "--idle-timeout", "0.5")
    assert code == 2 and out["status"] == "no_sale" and out["error"]["code"] == "NO_MONEY_COUNTED"
    assert ledger(kiosk) == ([], 0) and cash_box(device) == 0


def test_amount_below_minimum_refused_before_the_acceptor_opens(kiosk: Terminal,
                                                               device: SimulatedBillValidator) -> None:
    queue(device, (Action.INSERT, 1))
    code, out = kiosk.run("sell-cash", "--meter", METER, "--amount", "20.00")
    assert code == 2 and out["error"]["code"] == "AMOUNT_BELOW_MINIMUM"
    assert device.commands == [] and cash_box(device) == 0


def test_done_button_sells_what_was_counted(kiosk: Terminal, device: SimulatedBillValidator) -> None:
    """SIGINT (Ctrl-C) is the customer's "done": the notes already taken are sold, never lost."""
    queue(device, (Action.INSERT, 4))
    kiosk.write_config()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PPMS_OPERATOR": "admin", "PPMS_PASSWORD": PASSWORD,
           "PPMS_CONFIG": str(kiosk.config)}
    proc = subprocess.Popen([sys.executable, "-m", "terminal.cli", "sell-cash", "--meter", METER, "--amount",
                             "2000.00", "--idle-timeout", "30", "--json"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while cash_box(device) < 50000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cash_box(device) == 50000, "the note never reached the cash box"
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    out = json.loads(stdout)
    assert proc.returncode == 0, (out, stderr)
    assert out["status"] == "completed" and out["cash"]["outcome"] == "cancelled"
    assert out["sale"]["tendered"] == "500.00" and ledger(kiosk) == ([50000], 50000)
