"""`ppms ports list` / `ppms ports test NAME` with real devices on the other end: the meter
simulator and the bill validator simulator on socat pty pairs, and pcscd + vpcd for the
PC/SC card reader. No database is needed."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.cash import CashSettings
from hardware.cash.simulator import CashSimulator, SimulatedBillValidator
from hardware.meters import PortSettings
from hardware.meters.ptypair import PtyPair
from hardware.meters.simulator import MeterBus, MeterSimulator, SimulatedMeter
from tests.hardware.cards.conftest import pcscd  # noqa: F401  (the real PC/SC daemon fixture)
from tests.integration.devices.conftest import Terminal

pytestmark = [pytest.mark.hardware, pytest.mark.pcscd]
BILLS = {"1": "50.00", "2": "100.00", "3": "200.00", "4": "500.00", "5": "1000.00"}


@pytest.fixture
def cash_pty(tmp_path: Path) -> Iterator[PtyPair]:
    with PtyPair(tmp_path / "cash", "bv") as pair:
        yield pair


@pytest.fixture
def devices(tmp_path: Path, pty: PtyPair, cash_pty: PtyPair) -> Iterator[Terminal]:
    """A config only (no `ppms init`): one meter on the bus, a bill validator, no printer."""
    t = Terminal(tmp_path, {
        "printer": {"type": "none"},
        "card_reader": {"type": "emulated"},
        "meter_bus": {"port": pty.b, "parity": "N", "timeout_s": 0.3, "retries": 0},
        "cash_acceptor": {"type": "cctalk", "port": cash_pty.b, "bills": BILLS},
    })
    bus = MeterBus([SimulatedMeter("202106150042", total_energy=123456, purchase_count=7)])
    with MeterSimulator(PortSettings(pty.a, parity="N"), bus), \
            CashSimulator(CashSettings(cash_pty.a), SimulatedBillValidator()):
        yield t


def by_name(out: dict) -> dict[str, dict]:
    return {p["name"]: p for p in out["ports"]}


def test_ports_list_shows_every_device_and_whether_it_answers(devices: Terminal) -> None:
    out = devices.ok("ports", "list")
    ports = by_name(out)
    assert list(ports) == ["meter_bus", "cash_acceptor", "card_reader", "printer"]
    assert ports["meter_bus"]["answers"] and ports["meter_bus"]["address"] == "202106150042"
    assert ports["meter_bus"]["settings"]["parity"] == "N"
    assert ports["cash_acceptor"]["answers"] and ports["cash_acceptor"]["category"] == "Bill Validator"
    assert ports["cash_acceptor"]["bill_types_verified"] == [1, 2, 3, 4, 5]
    assert ports["card_reader"]["answers"] and ports["card_reader"]["reader"] == "emulated"
    assert ports["printer"] == {"name": "printer", "settings": ports["printer"]["settings"],
                                "configured": False, "answers": False}
    assert out["answering"] == 3


def test_ports_test_each_device(devices: Terminal) -> None:
    assert devices.ok("ports", "test", "meter_bus")["address"] == "202106150042"
    one = devices.ok("ports", "test", "meter_bus", "--address", "202106150042")
    assert (one["total_kwh"], one["purchase_count"]) == ("1234.56", 7)  # energy as `meter read` prints it
    polled = devices.ok("ports", "test", "cash_acceptor")
    assert polled["category"] == "Bill Validator" and polled["product_code"] == "SIM-BV"
    assert devices.ok("ports", "test", "card_reader")["card_present"] is True
    code, out = devices.run("ports", "test", "printer")
    assert code == 2 and out["error"]["code"] == "DEVICE_NOT_CONFIGURED"


def test_a_silent_device_is_reported_not_fatal(tmp_path: Path, pty: PtyPair, cash_pty: PtyPair) -> None:
    t = Terminal(tmp_path, {"printer": {"type": "none"},
                            "meter_bus": {"port": pty.b, "parity": "N", "timeout_s": 0.2, "retries": 0},
                            "cash_acceptor": {"type": "cctalk", "port": cash_pty.b, "bills": BILLS,
                                              "timeout_s": 0.2}})
    ports = by_name(t.ok("ports", "list"))  # nothing on the other end of either pty
    assert not ports["meter_bus"]["answers"] and ports["meter_bus"]["error"]["code"] == "METER_NO_ANSWER"
    assert ports["cash_acceptor"]["error"]["code"] == "CASH_NO_ANSWER"
    code, out = t.run("ports", "test", "meter_bus")
    assert code == 2 and out["error"]["code"] == "METER_NO_ANSWER"


def test_unconfigured_bus_and_acceptor(tmp_path: Path) -> None:
    t = Terminal(tmp_path, {"printer": {"type": "none"}})
    ports = by_name(t.ok("ports", "list"))
    assert not ports["meter_bus"]["configured"] and not ports["cash_acceptor"]["configured"]
    code, out = t.run("ports", "test", "cash_acceptor")
    assert code == 2 and out["error"]["code"] == "DEVICE_NOT_CONFIGURED"


def test_pcsc_card_reader_over_real_pcscd(tmp_path: Path, pcscd: None) -> None:  # noqa: F811
    t = Terminal(tmp_path, {"printer": {"type": "none"},
                            "card_reader": {"type": "pcsc", "reader": "Virtual PCD 00 00"}})
    reader = by_name(t.ok("ports", "list"))["card_reader"]
    assert reader["answers"] and reader["reader"].startswith("Virtual PCD 00 00")
    assert reader["card_present"] is False  # no card emulator connected to vpcd
    t.sections["card_reader"]["reader"] = "No Such Reader"
    reader = by_name(t.ok("ports", "list"))["card_reader"]
    assert not reader["answers"] and reader["error"]["code"] == "READER_NOT_FOUND"
