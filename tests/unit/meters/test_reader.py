"""The meter reader session over an in-memory bus (no serial port)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hardware.meters import codec
from hardware.meters.errors import MeterError, MeterPortError, MeterSettingsError
from hardware.meters.models import BatchResult, MeterReading, MeterStatus, PortSettings
from hardware.meters.reader import MeterReader, read_meter
from hardware.meters.simulator import Fault, MeterBus, SimulatedMeter
from tests.unit.meters.fakes import BusLink

ROOT = Path(__file__).parents[3]


def settings(**kw: object) -> PortSettings:
    base: dict[str, object] = {"port": "fake", "parity": "N", "timeout_s": 0.05, "retries": 2}
    base.update(kw)
    return PortSettings(**base)  # type: ignore[arg-type]


def reader_for(*meters: SimulatedMeter, **link_kw: bool | int) -> tuple[MeterReader, MeterBus]:
    bus = MeterBus(meters)
    return MeterReader(BusLink(bus, **link_kw), settings()), bus  # type: ignore[arg-type]


def test_full_reading_of_an_energy_meter() -> None:
    reader, _ = reader_for(SimulatedMeter("202106150042", total_energy=123456,
                                          remaining_energy=2507, purchase_count=7))
    reading = reader.read("202106150042")
    assert reading == MeterReading(
        address="202106150042", total_energy=123456, remaining_energy=2507,
        remaining_money=None, purchase_count=7, status=MeterStatus(word1=0, word3=0x0100))
    assert reading.status is not None and reading.status.meter_kind == "energy-prepaid"


def test_money_meter_purchase_count_from_the_money_item() -> None:
    reader, _ = reader_for(SimulatedMeter("5", total_energy=10, remaining_money=15000,
                                          purchase_count=1234, kind="money", relay_open=True))
    reading = reader.read("5")
    assert (reading.remaining_energy, reading.remaining_money, reading.purchase_count) == (None, 15000, 1234)
    assert reading.status is not None
    assert reading.status.relay_open and reading.status.meter_kind == "money-prepaid"


def test_reading_json_uses_decimal_strings() -> None:
    reading = MeterReading("000000000001", 123456, 5, 15000, 7, None)
    assert reading.to_dict() == {"address": "000000000001", "total_kwh": "1234.56",
                                 "remaining_kwh": "0.05", "remaining_money": "150.00",
                                 "purchase_count": 7, "status": None}


def test_answer_read_in_small_pieces_and_through_an_echo() -> None:
    reader, _ = reader_for(SimulatedMeter("1", total_energy=4200), echo=True, chunk=3)
    assert reader.read_total_energy("1") == 4200


def test_noise_before_the_preamble_still_reads_right() -> None:
    reader, _ = reader_for(SimulatedMeter("1", total_energy=4200, fault=Fault.NOISE))
    assert reader.read_total_energy("1") == 4200


@pytest.mark.parametrize("fault,code", [
    (Fault.NO_ANSWER, "METER_NO_ANSWER"),
    (Fault.BAD_CHECKSUM, "METER_FRAME_CHECKSUM"),
    (Fault.TRUNCATED, "METER_FRAME_TRUNCATED"),
    (Fault.WRONG_ADDRESS, "METER_WRONG_ADDRESS"),
])
def test_line_faults_are_retried_then_reported(fault: Fault, code: str) -> None:
    reader, bus = reader_for(SimulatedMeter("1", total_energy=4200, fault=fault))
    with pytest.raises(MeterError) as caught:
        reader.read_total_energy("1")
    assert caught.value.code == code
    assert bus.meter("1").requests == 3  # one try and two retries


@pytest.mark.parametrize("fault", [Fault.NO_ANSWER, Fault.BAD_CHECKSUM, Fault.TRUNCATED])
def test_one_lost_answer_is_recovered_by_a_retry(fault: Fault) -> None:
    reader, bus = reader_for(SimulatedMeter("1", total_energy=4200, fault=fault, fault_times=1))
    assert reader.read_total_energy("1") == 4200
    assert bus.meter("1").requests == 2


def test_error_reply_is_not_retried() -> None:
    reader, bus = reader_for(SimulatedMeter("1", fault=Fault.ERROR_REPLY, error_byte=0x04))
    with pytest.raises(MeterError) as caught:
        reader.read_total_energy("1")
    assert caught.value.code == "METER_ERROR_REPLY"
    assert "password" in caught.value.message
    assert bus.meter("1").requests == 1


def test_batch_goes_on_past_a_silent_meter() -> None:
    reader, _ = reader_for(
        SimulatedMeter("1", total_energy=100), SimulatedMeter("2", fault=Fault.NO_ANSWER),
        SimulatedMeter("3", total_energy=300, fault=Fault.ERROR_REPLY, fault_times=1),
        SimulatedMeter("4", total_energy=400))
    seen: list[BatchResult] = []
    results = reader.read_many(["1", "2", "3", "4", "9"], on_result=seen.append)
    assert seen == results
    assert [r.ok for r in results] == [True, False, False, True, False]
    assert [r.error_code for r in results] == [None, "METER_NO_ANSWER", "METER_ERROR_REPLY",
                                               None, "METER_NO_ANSWER"]
    assert results[0].reading is not None and results[0].reading.total_energy == 100
    assert results[3].reading is not None and results[3].reading.total_energy == 400


def test_read_address_of_the_only_meter() -> None:
    reader, _ = reader_for(SimulatedMeter("202106150042"))
    assert reader.read_address() == "202106150042"


def test_broadcast_address_refused_for_a_value() -> None:
    reader, _ = reader_for(SimulatedMeter("1"))
    with pytest.raises(MeterSettingsError):
        reader.read_value("AAAAAAAAAAAA", codec.DI_TOTAL_FORWARD_ACTIVE)


@pytest.mark.parametrize("kw", [{"parity": "X"}, {"baudrate": 0}, {"timeout_s": 0},
                                {"retries": -1}, {"bytesize": 9}, {"preamble": 9}])
def test_bad_port_settings(kw: dict[str, object]) -> None:
    with pytest.raises(MeterSettingsError):
        settings(**kw)


def test_missing_port_is_a_port_error(tmp_path: Path) -> None:
    with pytest.raises(MeterPortError) as caught:
        read_meter(settings(port=str(tmp_path / "no-such-tty")), "1")
    assert caught.value.code == "METER_PORT_UNAVAILABLE"


def test_hardware_imports_neither_terminal_nor_pyserial_on_import() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'serial' or name.startswith(('serial.', 'terminal')):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import hardware.meters, hardware.meters.codec, hardware.meters.simulator\n"
        "import hardware.cash, hardware.cash.codec, hardware.cash.validator, hardware.cash.simulator\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def test_reading_as_text() -> None:
    text = MeterReading("000000000001", 123456, None, 15000, 7, MeterStatus(0, 0x0110)).to_text()
    assert text.splitlines() == [
        "Meter address:    000000000001",
        "Total energy:     1234.56 kWh",
        "Remaining energy: not kept by this meter",
        "Remaining money:  150.00",
        "Purchase count:   7",
        "Relay:            open (supply off)",
    ]


def test_port_settings_from_config() -> None:
    got = PortSettings.from_mapping({"port": "/dev/ttyUSB0", "baud": 1200, "parity": "N", "timeout": 2.5})
    assert got == PortSettings("/dev/ttyUSB0", baudrate=1200, parity="N", timeout_s=2.5)
    with pytest.raises(MeterSettingsError, match="speed"):
        PortSettings.from_mapping({"port": "x", "speed": 1})
    with pytest.raises(MeterSettingsError, match="port"):
        PortSettings.from_mapping({"baud": 2400})


def test_reading_without_status_saves_the_round_trips() -> None:
    reader, bus = reader_for(SimulatedMeter("1", total_energy=1, remaining_money=2, kind="money"))
    assert reader.read("1", with_status=False).status is None
    assert bus.meter("1").requests == 5  # energy, kWh left, money left, two purchase items


def test_simulator_refuses_a_missing_port(tmp_path: Path) -> None:
    from hardware.meters.simulator import MeterSimulator

    with pytest.raises(MeterPortError):
        MeterSimulator(settings(port=str(tmp_path / "none")), MeterBus()).start()
