"""A serial receipt printer on a real pty pair made by socat (FIELD-NOTES: 8N1 on ptys)."""
from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from hardware.printers import build_layout
from hardware.printers.connections import PrinterSettings, open_printer, print_receipt
from hardware.printers.errors import PrinterDeviceError
from hardware.printers.sample import SAMPLE_FORMAT, sample_sale
from tests.unit.printers.golden import load_vectors

pytestmark = pytest.mark.hardware

LAYOUT = build_layout(sample_sale(), SAMPLE_FORMAT)
GOLDEN = bytes.fromhex(load_vectors()["sale_80_en"]["hex"])
ANSWERS = {"ok": (0x16, 0x12), "paper_out": (0x1E, 0x72), "silent": None}


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    socat = shutil.which("socat")
    assert socat, "socat is required (apt-get install socat)"
    a, b = tmp_path / "printer", tmp_path / "terminal"
    proc = subprocess.Popen([socat, "-d", "-d", f"pty,raw,echo=0,link={a}",
                             f"pty,raw,echo=0,link={b}"], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while not (a.exists() and b.exists()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert a.exists() and b.exists(), "socat did not make the pty pair"
        yield str(a), str(b)
    finally:
        proc.terminate()
        proc.wait(timeout=5)


class FakeSerialPrinter(threading.Thread):
    """Reads the printer end of the pty; answers DLE EOT n when the line goes quiet."""

    def __init__(self, port: str, state: str) -> None:
        super().__init__(daemon=True)
        self.port = serial.Serial(port, 9600, timeout=0.05)
        self.state = state
        self.raw = bytearray()
        self.stop = threading.Event()

    def run(self) -> None:
        pending = bytearray()
        while not self.stop.is_set():
            chunk = self.port.read(4096)
            if chunk:
                self.raw += chunk
                pending += chunk
                continue
            if pending[-3:-1] == b"\x10\x04" and pending[-1] in (1, 4):
                answers = ANSWERS[self.state]
                if answers:
                    self.port.write(bytes([answers[0] if pending[-1] == 1 else answers[1]]))
                pending.clear()
        self.port.close()


@pytest.fixture
def fake_printer(pty_pair: tuple[str, str], request: pytest.FixtureRequest
                 ) -> Iterator[tuple[FakeSerialPrinter, str]]:
    fake = FakeSerialPrinter(pty_pair[0], getattr(request, "param", "ok"))
    fake.start()
    yield fake, pty_pair[1]
    fake.stop.set()
    fake.join(timeout=5)


def _settings(dev: str, timeout_s: float = 1.0) -> PrinterSettings:
    return PrinterSettings("serial", device=dev, baudrate=9600, timeout_s=timeout_s)


def test_golden_receipt_over_serial(fake_printer: tuple[FakeSerialPrinter, str]) -> None:
    fake, dev = fake_printer
    started = time.monotonic()
    with open_printer(_settings(dev, timeout_s=3.0)) as conn:
        result = print_receipt(conn, LAYOUT)
    query = b"\x10\x04\x01\x10\x04\x04"
    deadline = time.monotonic() + 5
    while len(fake.raw) < len(GOLDEN) + 2 * len(query) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert bytes(fake.raw) == query + GOLDEN + query
    assert result.status is not None and result.status.paper == "ok"
    # each status read returns on its answer byte; reading python-escpos's 16 bytes would
    # wait out the 3 s timeout four times (12 s)
    assert time.monotonic() - started < 8


@pytest.mark.parametrize(("fake_printer", "code"), [("silent", "PRINTER_OFFLINE"),
                                                    ("paper_out", "PRINTER_PAPER_OUT")],
                         indirect=["fake_printer"])
def test_not_ready_serial_printer(fake_printer: tuple[FakeSerialPrinter, str], code: str) -> None:
    fake, dev = fake_printer
    with open_printer(_settings(dev)) as conn, pytest.raises(PrinterDeviceError) as exc:
        print_receipt(conn, LAYOUT)
    assert exc.value.code == code
    if code == "PRINTER_OFFLINE":
        assert "did not answer" in exc.value.message
    time.sleep(0.2)
    assert bytes(fake.raw) == (b"\x10\x04\x01" if code == "PRINTER_OFFLINE"
                               else b"\x10\x04\x01\x10\x04\x04")
