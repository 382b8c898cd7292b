"""`ppms meter read` and `ppms meter read-batch` over a real pty pair against the DL/T 645
simulator: readings of registered meters land in the ledger (source dlt645), a silent meter
is reported and the batch goes on."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from hardware.meters import PortSettings
from hardware.meters.ptypair import PtyPair
from hardware.meters.simulator import Fault, MeterBus, MeterSimulator, SimulatedMeter
from tests.integration.devices.conftest import Terminal

pytestmark = pytest.mark.hardware


@pytest.fixture
def bus(pty: PtyPair) -> Iterator[MeterBus]:
    meters = MeterBus([
        SimulatedMeter("202106150042", total_energy=123456, remaining_energy=2507, purchase_count=7),
        SimulatedMeter("202106150043", total_energy=1, fault=Fault.NO_ANSWER),
        SimulatedMeter("202106150044", total_energy=99, remaining_money=15000, purchase_count=3, kind="money"),
        SimulatedMeter("555555555555", total_energy=4200, remaining_energy=100, purchase_count=1),
    ])
    with MeterSimulator(PortSettings(pty.a, parity="N"), meters):
        yield meters


@pytest.fixture
def district(terminal: Terminal, pty: PtyPair) -> Terminal:
    terminal.sections["meter_bus"] = {"port": pty.b, "parity": "N", "timeout_s": 0.3, "retries": 1}
    for n, number in enumerate(("202106150042", "202106150043", "202106150044")):
        terminal.ok("customer", "register", "--name", f"Tenant {n}", "--address", f"Block A/{n}",
                    "--meter", number, "--power-type", "RES", "--area", "BlockA")
    return terminal


def readings(t: Terminal) -> list[tuple]:
    with sqlite3.connect(t.home / "ppms.db") as db:
        return db.execute("SELECT m.number, r.source, r.total_kwh, r.remaining_kwh, r.remaining_money, "
                          "r.purchase_count FROM reading r JOIN meter m ON m.id = r.meter_id "
                          "ORDER BY m.number").fetchall()


def outbox_kinds(t: Terminal) -> list[str]:
    with sqlite3.connect(t.home / "ppms.db") as db:
        return [k for (k,) in db.execute("SELECT kind FROM outbox ORDER BY seq")]


def test_batch_with_a_silent_meter_goes_on_and_records_the_others(district: Terminal, bus: MeterBus) -> None:
    out = district.ok("meter", "read-batch")
    assert (out["meters"], out["read"], out["recorded"], out["failed"], out["stopped"]) == (3, 2, 2, 1, None)
    by_address = {r["address"]: r for r in out["results"]}
    assert by_address["202106150043"]["error"]["code"] == "METER_NO_ANSWER"
    assert by_address["202106150044"]["reading"]["remaining_money"] == "150.00"
    assert readings(district) == [("202106150042", "dlt645", 123456, 2507, None, 7),
                                  ("202106150044", "dlt645", 99, None, 15000, 3)]
    assert outbox_kinds(district).count("reading") == 2
    assert district.ok("check")["ok"]


def test_batch_of_given_addresses_includes_an_unregistered_meter_unrecorded(district: Terminal,
                                                                            bus: MeterBus) -> None:
    out = district.ok("meter", "read-batch", "--addresses", "555555555555,202106150042")
    assert [(r["address"], r["ok"], r["reading"]["recorded"]) for r in out["results"]] == \
        [("555555555555", True, False), ("202106150042", True, True)]
    assert [r[0] for r in readings(district)] == ["202106150042"]


def test_meter_read_one_with_port_options(district: Terminal, bus: MeterBus, pty: PtyPair) -> None:
    district.sections.pop("meter_bus")  # the port comes from the command line
    out = district.ok("meter", "read", "--port", pty.b, "--parity", "N", "--timeout", "0.5",
                      "--baud", "2400", "--address", "202106150042")
    assert (out["address"], out["total_kwh"], out["remaining_kwh"], out["purchase_count"], out["recorded"]) == \
        ("202106150042", "1234.56", "25.07", 7, True)
    unknown = district.ok("meter", "read", "--port", pty.b, "--parity", "N", "--address", "555555555555")
    assert unknown["recorded"] is False and unknown["meter"] is None and unknown["total_kwh"] == "42.00"
    assert len(readings(district)) == 1


def test_meter_read_silent_meter_is_an_error_and_records_nothing(district: Terminal, bus: MeterBus) -> None:
    code, out = district.run("meter", "read", "--address", "202106150043")
    assert code == 2 and out["error"]["code"] == "METER_NO_ANSWER"
    assert readings(district) == []


def test_batch_when_the_port_cannot_be_opened(district: Terminal, tmp_path) -> None:
    district.sections["meter_bus"]["port"] = str(tmp_path / "no-such-tty")
    code, out = district.run("meter", "read-batch")
    assert code == 2 and out["error"]["code"] == "METER_PORT_UNAVAILABLE"
    assert out["read"] == 0 and all(r["error"]["code"] == "METER_PORT_UNAVAILABLE" for r in out["results"])
