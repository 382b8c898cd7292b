"""Connections from the port settings, with fakes (the dummy printer) and the pyusb boundary."""
from __future__ import annotations

from pathlib import Path

import pytest

from hardware.printers import build_layout
from hardware.printers.connections import (
    PrinterSettings,
    StatusDummy,
    open_printer,
    print_receipt,
    print_receipt_data,
)
from hardware.printers.errors import PrinterDeviceError
from hardware.printers.escpos_render import render_escpos
from hardware.printers.sample import SAMPLE_FORMAT, sample_sale

LAYOUT = build_layout(sample_sale(), SAMPLE_FORMAT)
BYTES = render_escpos(LAYOUT)


@pytest.mark.parametrize(("table", "want"), [
    ({"type": "file", "path": "receipts.bin"}, PrinterSettings("file", path="receipts.bin")),
    ({"type": "network", "host": "10.0.0.9", "port": "9100", "timeout_s": 2},
     PrinterSettings("network", host="10.0.0.9", port=9100, timeout_s=2.0)),
    ({"type": "serial", "device": "/dev/ttyUSB0", "baudrate": 19200, "paper_width_mm": 58,
      "flow_control": "rtscts"},
     PrinterSettings("serial", device="/dev/ttyUSB0", baudrate=19200, paper_width_mm=58,
                     flow_control="rtscts")),
    ({"type": "usb", "vendor": "04b8", "product": "0x0e15"},
     PrinterSettings("usb", vendor=0x04B8, product=0x0E15)),
    ({"type": "dummy", "dummy_status": "paper_out"}, PrinterSettings("dummy", dummy_status="paper_out")),
])
def test_settings_from_config_table(table: dict[str, object], want: PrinterSettings) -> None:
    assert PrinterSettings.from_mapping(table) == want


@pytest.mark.parametrize(("table", "words"), [
    (None, "No receipt printer"),
    ({}, "No receipt printer"),
    ({"type": "bluetooth"}, "bluetooth"),
    ({"type": "network"}, "printer.host"),
    ({"type": "file"}, "printer.path"),
    ({"type": "serial"}, "printer.device"),
    ({"type": "usb", "vendor": "04b8"}, "printer.product"),
    ({"type": "usb", "vendor": "zz", "product": "1"}, "printer.vendor"),
    ({"type": "file", "path": "x", "paper_width_mm": 76}, "58 or 80"),
    ({"type": "file", "path": "x", "colour": "red"}, "printer.colour"),
    ({"type": "network", "host": "h", "port": 0}, "positive"),
    ({"type": "dummy", "dummy_status": "on fire"}, "dummy_status"),
    ({"type": "serial", "device": "/dev/ttyS0", "flow_control": "dtr"}, "flow_control"),
    ({"type": "serial", "device": "/dev/ttyS0", "parity": "EVEN"}, "parity"),
])
def test_bad_settings_are_not_configured(table: dict[str, object] | None, words: str) -> None:
    with pytest.raises(PrinterDeviceError) as exc:
        PrinterSettings.from_mapping(table)
    assert exc.value.code == "PRINTER_NOT_CONFIGURED"
    assert words in exc.value.message


def test_dummy_prints_the_exact_receipt_bytes() -> None:
    with open_printer(PrinterSettings("dummy")) as conn:
        result = print_receipt(conn, LAYOUT)
        assert conn.output == BYTES
    assert result.bytes_sent == len(BYTES)
    assert result.status is not None and result.status.online and not result.paper_low


def test_paper_low_prints_and_says_so() -> None:
    with open_printer(PrinterSettings("dummy", dummy_status="paper_low")) as conn:
        result = print_receipt(conn, LAYOUT)
        assert conn.output == BYTES
    assert result.paper_low


@pytest.mark.parametrize(("state", "code"), [
    ("offline", "PRINTER_OFFLINE"),
    ("silent", "PRINTER_OFFLINE"),
    ("paper_out", "PRINTER_PAPER_OUT"),
])
def test_not_ready_prints_nothing(state: str, code: str) -> None:
    with open_printer(PrinterSettings("dummy", dummy_status=state)) as conn:
        with pytest.raises(PrinterDeviceError) as exc:
            print_receipt(conn, LAYOUT)
        assert exc.value.code == code
        assert conn.output == b""
    assert "sale is saved" in exc.value.message


def test_dummy_status_queries_answer_like_an_epson() -> None:
    # is_online / paper_status of python-escpos interpret these answer bytes
    p = StatusDummy("paper_out", profile="TM-T20II")
    assert not p.is_online() and p.paper_status() == 0
    p = StatusDummy("ok", profile="TM-T20II")
    assert p.is_online() and p.paper_status() == 2


def test_file_printer_appends_like_a_paper_roll(tmp_path: Path) -> None:
    path = tmp_path / "receipts.bin"
    settings = PrinterSettings("file", path=str(path))
    for _ in range(2):
        with open_printer(settings) as conn:
            result = print_receipt(conn, LAYOUT)
        assert result.status is None
    assert path.read_bytes() == BYTES + BYTES


def test_file_printer_in_a_missing_folder_is_offline(tmp_path: Path) -> None:
    with pytest.raises(PrinterDeviceError) as exc:
        open_printer(PrinterSettings("file", path=str(tmp_path / "no" / "lp0")))
    assert exc.value.code == "PRINTER_OFFLINE"


def test_paper_width_mismatch_is_refused_and_data_is_relaid() -> None:
    with open_printer(PrinterSettings("dummy", paper_width_mm=58)) as conn:
        with pytest.raises(PrinterDeviceError) as exc:
            print_receipt(conn, LAYOUT)
        assert exc.value.code == "PRINTER_NOT_CONFIGURED"
        print_receipt_data(conn, sample_sale(), SAMPLE_FORMAT)  # 80 mm format, 58 mm printer
        from dataclasses import replace
        want = render_escpos(build_layout(sample_sale(), replace(SAMPLE_FORMAT, paper_width_mm=58)))
        assert conn.output == want


def test_closed_network_port_is_offline() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PrinterDeviceError) as exc:
        open_printer(PrinterSettings("network", host="127.0.0.1", port=port, timeout_s=1))
    assert exc.value.code == "PRINTER_OFFLINE"
    assert f"127.0.0.1:{port}" in exc.value.message


def test_missing_serial_device_is_offline() -> None:
    with pytest.raises(PrinterDeviceError) as exc:
        open_printer(PrinterSettings("serial", device="/dev/ttyNOPE"))
    assert exc.value.code == "PRINTER_OFFLINE"


# -- USB: patched at the pyusb boundary only ---------------------------------------------
def test_usb_printer_not_plugged_in_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    import usb.core

    monkeypatch.setattr(usb.core, "find", lambda **kw: None)
    with pytest.raises(PrinterDeviceError) as exc:
        open_printer(PrinterSettings("usb", vendor=0x04B8, product=0x0E15))
    assert exc.value.code == "PRINTER_OFFLINE"
    assert "USB 04b8:0e15" in exc.value.message


def test_usb_without_libusb_is_driver_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import usb.core

    def no_backend(**kw: object) -> None:
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", no_backend)
    with pytest.raises(PrinterDeviceError) as exc:
        open_printer(PrinterSettings("usb", vendor=0x04B8, product=0x0E15))
    assert exc.value.code == "PRINTER_DRIVER_MISSING"


class _FakeUsbDevice:
    """What pyusb's ``find`` returns for a printer: write/read on endpoints."""

    def __init__(self, answers: list[bytes] | None, fail_write: bool = False) -> None:
        self.answers = answers
        self.fail_write = fail_write
        self.written = bytearray()
        self.backend = self  # python-escpos looks at backend.__module__

    def set_configuration(self) -> None: ...
    def reset(self) -> None: ...

    def write(self, ep: int, data: bytes, timeout: int) -> int:
        import usb.core

        if self.fail_write:
            raise usb.core.USBError("Pipe error")
        self.written += data
        return len(data)

    def read(self, ep: int, size: int) -> bytes:
        import usb.core

        if not self.answers:
            raise usb.core.USBTimeoutError("Operation timed out")
        return self.answers.pop(0)


@pytest.mark.parametrize(("answers", "fail_write", "code"), [
    ([b"\x16", b"\x12"] * 2, False, None),
    (None, False, "PRINTER_OFFLINE"),
    ([b"\x1e", b"\x72"], False, "PRINTER_PAPER_OUT"),
    ([b"\x16", b"\x12"], True, "PRINTER_OFFLINE"),
])
def test_usb_status_and_write_errors(monkeypatch: pytest.MonkeyPatch, answers: list[bytes] | None,
                                     fail_write: bool, code: str | None) -> None:
    import usb.core
    import usb.util

    dev = _FakeUsbDevice(answers, fail_write)
    monkeypatch.setattr(usb.core, "find", lambda **kw: dev)
    monkeypatch.setattr(usb.util, "dispose_resources", lambda d: None)
    conn = open_printer(PrinterSettings("usb", vendor=0x04B8, product=0x0E15))
    try:
        if code is None:
            print_receipt(conn, LAYOUT)
            query = b"\x10\x04\x01\x10\x04\x04"
            assert bytes(dev.written) == query + BYTES + query
        else:
            with pytest.raises(PrinterDeviceError) as exc:
                print_receipt(conn, LAYOUT)
            assert exc.value.code == code
    finally:
        conn.close()


def test_printer_test_page_prints_every_kind_of_element() -> None:
    from datetime import datetime

    from hardware.printers.escpos_reader import PrintedImage, printed_text, read_escpos
    from hardware.printers.escpos_render import reader_code_pages
    from hardware.printers.sample import printer_test_page

    with open_printer(PrinterSettings("dummy", paper_width_mm=58)) as conn:
        fmt = SAMPLE_FORMAT.edit("paper_width_mm", "58")
        print_receipt_data(conn, printer_test_page(fmt, datetime(2026, 3, 5, 10, 0), "T01"), fmt)
        items = read_escpos(conn.output, reader_code_pages("POS-5890"))
    text = printed_text(items)
    assert "PRINTER TEST PAGE" in text and "0000 0000 0000 0000 0000" in text
    assert any(isinstance(i, PrintedImage) for i in items)
