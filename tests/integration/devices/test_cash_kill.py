"""Kill test: `ppms sell-cash` over the ccTalk simulator on a real pty (socat), SIGKILLed at
random moments during the note intake, many times.

After each kill a recovery runs (`ppms sale recover`, or the next `sell-cash` start): the
notes in the simulator's cash box must equal the notes in the ledger (sold + held + what a
PENDING sale carries), every time, and `ppms check` must pass. Half the kills are aimed at
the moment a note has just gone into the cash box (its credit event not yet polled).
Short form: 10 kills; PPMS_SOAK=long: 150.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from hardware.cash import CashSettings
from hardware.cash.simulator import Action, CashSimulator, SimulatedBillValidator
from hardware.meters.ptypair import PtyPair
from tests.conftest import LONG
from tests.integration.devices.conftest import PASSWORD, ROOT, Terminal

KILLS = 150 if LONG else 10
METER = "0123456789"
KES = {1: 5000, 2: 10000, 3: 20000, 4: 50000, 5: 100000}

pytestmark = [pytest.mark.hardware, pytest.mark.slow, pytest.mark.timeout(3600 if LONG else 300)]


@pytest.fixture
def device(pty: PtyPair) -> Iterator[SimulatedBillValidator]:
    dev = SimulatedBillValidator()
    with CashSimulator(CashSettings(pty.a), dev):
        yield dev


@pytest.fixture
def kiosk(terminal: Terminal, pty: PtyPair) -> Terminal:
    terminal.sections["cash_acceptor"] = {
        "type": "cctalk", "port": pty.b, "poll_interval_s": 0.05, "idle_timeout_s": 5.0,
        "bills": {"1": "50.00", "2": "100.00", "3": "200.00", "4": "500.00", "5": "1000.00"}}
    terminal.ok("customer", "register", "--name", "Jane Doe", "--address", "Plot 1", "--meter", METER,
                "--power-type", "RES")
    return terminal


def cash_box(device: SimulatedBillValidator) -> int:
    with device._lock:
        return sum(KES[t] for t in device.cash_box)


def ledger_cash(t: Terminal) -> int:
    """The acceptor's money the ledger knows: sold and held (the CASH_ACCEPTOR account) plus
    what sales still PENDING carry as tendered."""
    with sqlite3.connect(t.home / "ppms.db") as db:
        posted = db.execute("SELECT COALESCE(SUM(debit - credit), 0) FROM posting_line "
                            "WHERE account = 'CASH_ACCEPTOR'").fetchone()[0]
        pending = db.execute("SELECT COALESCE(SUM(s.tendered), 0) FROM sale s JOIN sale_status st "
                             "ON st.sale_id = s.id WHERE st.status = 'pending' AND s.payment = 'acceptor'"
                             ).fetchone()[0]
    return int(posted) + int(pending)


def start_sale(t: Terminal, amount: str) -> subprocess.Popen[str]:
    t.write_config()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PPMS_OPERATOR": "admin", "PPMS_PASSWORD": PASSWORD,
           "PPMS_CONFIG": str(t.config)}
    env.pop("PPMS_DB", None)
    env.pop("PPMS_FAKE_NOW", None)
    return subprocess.Popen([sys.executable, "-m", "terminal.cli", "sell-cash", "--meter", METER, "--amount",
                             amount, "--idle-timeout", "20", "--json"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)


def wait_for(condition: Callable[[], bool], limit_s: float = 20.0) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.002)
    return False


def test_kills_during_intake_never_lose_or_double_a_note(kiosk: Terminal, device: SimulatedBillValidator) -> None:
    rng = random.Random(20261201)
    aimed = 0
    for kill in range(KILLS):
        before = cash_box(device)
        for _ in range(8):
            device.queue(Action.INSERT, rng.choice((2, 3, 4, 5)))
            if rng.random() < 0.3:
                device.queue(Action.REJECT)
        proc = start_sale(kiosk, "20000.00")
        assert wait_for(lambda: device.master_enabled), "the intake never opened the acceptor"
        if kill % 2:   # aimed: a note just reached the cash box, its credit event not yet read
            wait_for(lambda: cash_box(device) > before, 5.0)  # noqa: B023 (waited for here)
            aimed += cash_box(device) > before
        else:
            time.sleep(rng.uniform(0.0, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        with device._lock:
            device.actions.clear()           # the customer walks away
        if kill % 3 == 2:   # the next customer's sale-start recovers it
            code, out = kiosk.run("sell-cash", "--meter", METER, "--amount", "500.00", "--idle-timeout", "0.3")
            assert out.get("status") == "no_sale", out
        else:
            recovered = kiosk.ok("sale", "recover")
            assert all(r["action"] != "supervisor" for r in recovered.get("cash_intakes", [])), recovered
        assert cash_box(device) == ledger_cash(kiosk), f"kill {kill}: cash box and ledger disagree"
        assert not device.master_enabled, "recovery left the acceptor open"
        assert kiosk.ok("check")["ok"]
    assert cash_box(device) > 0 and aimed > 0
