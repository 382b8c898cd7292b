"""The ccTalk bill validator over a real pty pair (socat) against its simulator."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.cash import (
    BillRejected,
    BillTable,
    BillValidator,
    CashSettings,
    CreditAccepted,
    open_link,
    probe_bill_validator,
)
from hardware.cash.simulator import Action, CashSimulator, SimulatedBillValidator
from hardware.meters.ptypair import PtyPair

pytestmark = pytest.mark.hardware
ROOT = Path(__file__).parents[3]
KES = BillTable({1: 5000, 2: 10000, 3: 20000, 4: 50000, 5: 100000})


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[PtyPair]:
    with PtyPair(tmp_path, "bv") as pair:
        yield pair


@pytest.fixture
def device(pty: PtyPair) -> Iterator[SimulatedBillValidator]:
    dev = SimulatedBillValidator()
    with CashSimulator(CashSettings(pty.a), dev):
        yield dev


def host(pty: PtyPair) -> CashSettings:
    return CashSettings(pty.b, poll_interval_s=0.02)


@pytest.fixture
def validator(pty: PtyPair, device: SimulatedBillValidator) -> Iterator[BillValidator]:
    link = open_link(host(pty))
    try:
        yield BillValidator(link, host(pty), KES)
    finally:
        link.close()


def cash_box(device: SimulatedBillValidator) -> int:
    return sum(KES.values[t] for t in device.cash_box)


def test_probe(pty: PtyPair, device: SimulatedBillValidator) -> None:
    assert probe_bill_validator(host(pty)) == "Bill Validator"


def test_bill_table_matches_the_device(validator: BillValidator) -> None:
    assert sorted(validator.verify_bill_table()) == [1, 2, 3, 4, 5]


def test_note_rejected_mid_sale(validator: BillValidator, device: SimulatedBillValidator) -> None:
    for action, bill_type in [(Action.INSERT, 3), (Action.REJECT, 0), (Action.INSERT, 2),
                              (Action.INSERT, 1)]:
        device.queue(action, bill_type)
    seen: list[object] = []
    result = validator.accept_up_to(35000, on_event=seen.append)
    assert result.complete and result.problem is None
    assert any(isinstance(e, BillRejected) for e in seen)
    credits = [e.value_minor for e in seen if isinstance(e, CreditAccepted)]
    assert result.total_minor == sum(credits) == cash_box(device) == 35000
    assert not device.master_enabled


def test_jam_mid_sale(validator: BillValidator, device: SimulatedBillValidator) -> None:
    for action, bill_type in [(Action.INSERT, 2), (Action.JAM, 0), (Action.INSERT, 2)]:
        device.queue(action, bill_type)
    result = validator.accept_up_to(50000)
    assert result.outcome == "stopped"
    assert result.problem is not None and result.problem.code == "CASH_JAMMED"
    assert result.total_minor == result.credited_minor == cash_box(device) == 10000


def test_simulator_command_line_script(pty: PtyPair) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hardware.cash.simulator", "--port", pty.a,
         "--script", "insert:2,reject,insert:5,insert:1"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert "bill validator simulator on" in proc.stdout.readline()
        link = open_link(host(pty))
        try:
            result = BillValidator(link, host(pty), KES).accept_up_to(15000)
        finally:
            link.close()
        # the 1000 note would overshoot the sale: returned; 100 + 50 make it exact
        assert result.complete and result.total_minor == result.credited_minor == 15000
    finally:
        proc.terminate()
        proc.wait(5)
    assert proc.returncode == 0
