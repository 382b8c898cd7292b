"""The real PC/SC stack for card tests: pcscd + vsmartcard-vpcd + our card emulator.

Shared by tests/hardware/cards (the driver) and tests/hardware/cards_cli (the `ppms`
command on the card). `pcscd` starts when its socket does not answer and stops at the
end of the session (fixture `pcscd` in tests/hardware/cards/conftest.py); a missing pcscd
or vpcd driver FAILS the tests.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.cards.emulator import CardEmulator
from hardware.cards.errors import CardAbsent, CardRemoved
from hardware.cards.pcsc import PcscReader

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER = "Virtual PCD 00 00"
VPCD_PORT = 35963
READERS = {READER: VPCD_PORT, "Virtual PCD 00 01": VPCD_PORT + 1}


def _alive(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(path))
            return True
        except OSError:
            return False


def run_pcscd(log: Path) -> Iterator[None]:
    binary = shutil.which("pcscd") or ("/usr/sbin/pcscd" if os.path.exists("/usr/sbin/pcscd") else None)
    if binary is None:
        pytest.fail("pcscd is not installed (apt-get install --no-install-recommends pcscd vsmartcard-vpcd)")
    if not VPCD_DRIVER.exists():
        pytest.fail("vsmartcard-vpcd is not installed (apt-get install --no-install-recommends vsmartcard-vpcd)")
    proc = None
    if not _alive(PCSCD_SOCKET):
        with contextlib.suppress(FileNotFoundError):
            PCSCD_SOCKET.unlink()
        proc = subprocess.Popen([binary, "--foreground"], stdout=log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not _alive(PCSCD_SOCKET):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"pcscd did not start: {log.read_text()[-2000:]}")
            time.sleep(0.02)
    yield
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_card(present: bool, reader: str = READER, timeout: float = 5.0) -> None:
    """Wait until pcscd sees the card in (or out of) the reader."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            PcscReader(reader).connect().close()
            seen = True
        except (CardAbsent, CardRemoved):
            seen = False
        if seen == present:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"card still {'absent' if present else 'present'} after {timeout} s")
        time.sleep(0.05)


class Slot:
    """An emulated card in one virtual reader, with insert/remove that wait for pcscd."""

    def __init__(self, emulator: CardEmulator, reader: str = READER) -> None:
        self.emu = emulator
        self.reader = reader

    def insert(self) -> None:
        self.emu.insert()
        wait_card(True, self.reader)

    def remove(self) -> None:
        self.emu.remove()
        wait_card(False, self.reader)
