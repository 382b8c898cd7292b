"""The adapters from hardware.meters / hardware.cash to the service ports, on the in-memory
simulators (the serial link replaced at the transport boundary)."""
from __future__ import annotations

import pytest

import hardware.cash
import hardware.meters.reader
from hardware.cash.simulator import Action, SimulatedBillValidator
from hardware.meters.simulator import Fault, MeterBus, SimulatedMeter
from terminal.config import CashAcceptorSection, MeterBusSection
from terminal.devices import cash_acceptor, meter_bus
from terminal.devices.errors import DeviceError, NotConfigured
from terminal.services.ports import MeterValues
from tests.unit.cash.fakes import DeviceLink
from tests.unit.meters.fakes import BusLink

BILLS = {"1": "50.00", "2": "100.00", "3": "200.00", "4": "500.00", "5": "1000.00"}


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> MeterBus:
    b = MeterBus([SimulatedMeter("202106150042", total_energy=123456, remaining_energy=2507, purchase_count=7,
                                 relay_open=True),
                  SimulatedMeter("202106150043", fault=Fault.NO_ANSWER)])
    monkeypatch.setattr(hardware.meters.reader, "open_link", lambda settings: BusLink(b))
    return b


def reader() -> meter_bus.DltMeterReader:
    built = meter_bus.build(MeterBusSection(port="/dev/null-bus", parity="N", timeout_s=0.05, retries=0))
    assert built is not None
    return built


def test_meter_values_and_status_flags(bus: MeterBus) -> None:
    v = reader().read("202106150042")
    assert (v.address, v.total_kwh, v.remaining_kwh, v.remaining_money, v.purchase_count) == \
        ("202106150042", 123456, 2507, None, 7)
    assert v.status is not None and v.status["relay_open"] is True
    assert v.status_flags is not None and (v.status_flags >> 16) & (1 << 4)  # word 3, relay open bit


def test_meter_errors_keep_the_driver_code(bus: MeterBus) -> None:
    with pytest.raises(DeviceError) as err:
        reader().read("202106150043")
    assert err.value.code == "METER_NO_ANSWER"
    got = list(reader().read_each(["202106150043", "202106150042"]))
    assert isinstance(got[0][1], DeviceError) and got[0][1].code == "METER_NO_ANSWER"
    assert isinstance(got[1][1], MeterValues)


def test_no_bus_and_bad_settings() -> None:
    assert meter_bus.build(MeterBusSection()) is None
    with pytest.raises(NotConfigured):
        meter_bus.port_settings(MeterBusSection())
    with pytest.raises(DeviceError) as err:
        meter_bus.port_settings(MeterBusSection(port="/dev/x"), baudrate=-1)
    assert err.value.code == "METER_SETTINGS_INVALID"


@pytest.fixture
def device(monkeypatch: pytest.MonkeyPatch) -> SimulatedBillValidator:
    dev = SimulatedBillValidator()
    monkeypatch.setattr(hardware.cash, "open_link", lambda settings: DeviceLink(dev))
    return dev


def acceptor(**kw: object) -> cash_acceptor.CctalkCashAcceptor:
    section = CashAcceptorSection(type="cctalk", port="/dev/null-bv", poll_interval_s=0.001, bills=BILLS,
                                  **kw)  # type: ignore[arg-type]
    built = cash_acceptor.build(section)
    assert built is not None
    return built


def test_intake_counts_only_stacked_notes(device: SimulatedBillValidator) -> None:
    for action, bill_type in [(Action.INSERT, 3), (Action.REJECT, 0), (Action.INSERT, 4), (Action.JAM, 0)]:
        device.queue(action, bill_type)
    seen: list[str] = []
    got = acceptor().accept_up_to(100000, idle_timeout_s=1, on_event=seen.append)
    assert (got.counted, got.notes, got.outcome, got.problem_code) == (70000, (20000, 50000), "stopped",
                                                                       "CASH_JAMMED")
    assert got.rejected == 1 and got.counted == sum(
        {1: 5000, 2: 10000, 3: 20000, 4: 50000, 5: 100000}[t] for t in device.cash_box)
    assert "credit 200.00 (type 3)" in seen and any(e.startswith("jammed") for e in seen)


def test_bill_table_mismatch_refuses_before_any_note(device: SimulatedBillValidator) -> None:
    device.insert(2)
    bad = {**BILLS, "2": "200.00"}
    with pytest.raises(DeviceError) as err:
        cash_acceptor.CctalkCashAcceptor(CashAcceptorSection(type="cctalk", port="/x", bills=bad)) \
            .accept_up_to(10000, idle_timeout_s=0.2)
    assert err.value.code == "CASH_BILL_TABLE_MISMATCH" and device.cash_box == []


def test_acceptor_settings() -> None:
    assert cash_acceptor.build(CashAcceptorSection()) is None
    with pytest.raises(NotConfigured):
        cash_acceptor.build(CashAcceptorSection(type="cctalk", bills=BILLS))
    with pytest.raises(NotConfigured):
        cash_acceptor.build(CashAcceptorSection(type="cctalk", port="/x"))
    with pytest.raises(DeviceError) as err:
        cash_acceptor.build(CashAcceptorSection(type="cctalk", port="/x", bills={"1": "fifty"}))
    assert err.value.code == "CASH_SETTINGS_INVALID"


def test_event_numbers_run_on_past_the_counter_wrap() -> None:
    numbers = cash_acceptor.EventNumbers()
    assert [numbers.of(c) for c in (250, 253, 255, 1, 4)] == [1, 4, 6, 7, 10]
    resumed = cash_acceptor.EventNumbers(10, 4)                  # after a restart: on from the last recorded event
    assert [resumed.of(c) for c in (5, 6)] == [11, 12]
