"""Serial transport for the ccTalk bill validator: moves bytes, knows nothing of packets.

The only module of ``hardware.cash`` that imports pyserial.
"""
from __future__ import annotations

import time

import serial

from hardware.cash.errors import CashPortError
from hardware.cash.models import CashSettings

_SLICE_S = 0.02


class SerialLink:
    def __init__(self, settings: CashSettings) -> None:
        self.settings = settings
        try:
            self._serial = serial.serial_for_url(
                settings.port, baudrate=settings.baudrate, parity=settings.parity,
                bytesize=8, stopbits=1, timeout=_SLICE_S, write_timeout=1.0)
        except Exception as exc:  # SerialException, termios.error, OSError
            raise CashPortError(
                f"Cannot open the bill validator port {settings.port}: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self._serial.write(data)
            self._serial.flush()
        except Exception as exc:
            raise CashPortError(f"Writing to {self.settings.port} failed: {exc}") from exc

    def read(self, wait_s: float) -> bytes:
        """Wait up to ``wait_s`` for the first byte, then return all bytes waiting."""
        deadline = time.monotonic() + wait_s
        try:
            while True:
                chunk: bytes = self._serial.read(max(1, self._serial.in_waiting))
                if chunk:
                    more = self._serial.in_waiting
                    return chunk + (self._serial.read(more) if more else b"")
                if time.monotonic() >= deadline:
                    return b""
        except Exception as exc:
            raise CashPortError(f"Reading from {self.settings.port} failed: {exc}") from exc

    def discard_input(self) -> None:
        try:
            self._serial.reset_input_buffer()
        except Exception as exc:
            raise CashPortError(f"Port {self.settings.port} failed: {exc}") from exc

    def close(self) -> None:
        self._serial.close()
