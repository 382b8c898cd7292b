"""A network printer on 127.0.0.1 that answers status queries like an Epson TM printer."""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from hardware.printers import build_layout
from hardware.printers.connections import PrinterSettings, open_printer, print_receipt
from hardware.printers.errors import PrinterDeviceError
from hardware.printers.escpos_reader import printed_text, read_escpos
from hardware.printers.escpos_render import render_escpos
from hardware.printers.fake_network_printer import FakeNetworkPrinter
from hardware.printers.sample import SAMPLE_FORMAT, sample_sale
from tests.unit.printers.golden import load_vectors

LAYOUT = build_layout(sample_sale(), SAMPLE_FORMAT)
GOLDEN = bytes.fromhex(load_vectors()["sale_80_en"]["hex"])
QUERIES = b"\x10\x04\x01\x10\x04\x04"


@pytest.fixture
def printer() -> Iterator[FakeNetworkPrinter]:
    with FakeNetworkPrinter() as p:
        yield p


def _settings(p: FakeNetworkPrinter) -> PrinterSettings:
    return PrinterSettings("network", host=p.host, port=p.port, timeout_s=1.0)


def _wait_for(p: FakeNetworkPrinter, size: int) -> None:
    deadline = time.monotonic() + 5
    while len(p.raw) < size and time.monotonic() < deadline:
        time.sleep(0.01)


def test_golden_receipt_goes_over_the_wire(printer: FakeNetworkPrinter) -> None:
    assert render_escpos(LAYOUT) == GOLDEN
    with open_printer(_settings(printer)) as conn:
        result = print_receipt(conn, LAYOUT)
    _wait_for(printer, len(GOLDEN) + 2 * len(QUERIES))
    assert bytes(printer.raw) == QUERIES + GOLDEN + QUERIES
    assert printer.printed == GOLDEN
    assert printer.queries == [1, 4, 1, 4]
    assert result.status is not None and result.status.online and result.status.paper == "ok"
    assert "STS TOKEN" in printed_text(read_escpos(printer.printed))


def test_two_receipts_on_one_connection(printer: FakeNetworkPrinter) -> None:
    with open_printer(_settings(printer)) as conn:
        print_receipt(conn, LAYOUT)
        print_receipt(conn, LAYOUT)
    _wait_for(printer, 2 * (len(GOLDEN) + 2 * len(QUERIES)))
    assert printer.printed == GOLDEN + GOLDEN
    assert printer.connections == 1


def test_paper_low_still_prints(printer: FakeNetworkPrinter) -> None:
    printer.state = "paper_low"
    with open_printer(_settings(printer)) as conn:
        result = print_receipt(conn, LAYOUT)
    assert result.paper_low
    _wait_for(printer, len(GOLDEN))
    assert printer.printed == GOLDEN


@pytest.mark.parametrize(("state", "code"), [
    ("silent", "PRINTER_OFFLINE"),      # no answer at all: python-escpos times out
    ("offline", "PRINTER_OFFLINE"),     # answers 0x1E: offline bit set
    ("paper_out", "PRINTER_PAPER_OUT"),  # answers 0x1E / 0x72
])
def test_not_ready_printer_gets_no_receipt(printer: FakeNetworkPrinter, state: str,
                                           code: str) -> None:
    printer.state = state
    started = time.monotonic()
    with open_printer(_settings(printer)) as conn, pytest.raises(PrinterDeviceError) as exc:
        print_receipt(conn, LAYOUT)
    assert exc.value.code == code
    if state == "silent":
        assert "did not answer" in exc.value.message
    assert time.monotonic() - started < 5  # bounded by the 1 s timeout, not python-escpos's 60 s
    time.sleep(0.1)
    assert printer.printed == b""
    assert printer.queries[0] == 1


def test_paper_running_out_during_the_receipt_is_reported(printer: FakeNetworkPrinter) -> None:
    printer.then = "paper_out"
    with open_printer(_settings(printer)) as conn, pytest.raises(PrinterDeviceError) as exc:
        print_receipt(conn, LAYOUT)
    assert exc.value.code == "PRINTER_PAPER_OUT"
    assert "incomplete" in exc.value.message


def test_connection_dropped_while_printing_is_offline(printer: FakeNetworkPrinter) -> None:
    printer.state = "drop"
    with open_printer(_settings(printer)) as conn, pytest.raises(PrinterDeviceError) as exc:
        print_receipt(conn, LAYOUT)
    assert exc.value.code == "PRINTER_OFFLINE"


def test_printer_switched_off_is_offline_at_open() -> None:
    p = FakeNetworkPrinter().start()
    settings = _settings(p)
    p.stop()
    with pytest.raises(PrinterDeviceError) as exc:
        open_printer(settings)
    assert exc.value.code == "PRINTER_OFFLINE"
