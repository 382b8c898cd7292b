"""Serial transport for the RS-485 meter bus: moves bytes, knows nothing of frames.

The only module of ``hardware.meters`` that imports pyserial.  ``port`` may be a
device path (``/dev/ttyUSB0``, a pty link) or any pyserial URL (``socket://h:p``).
"""
from __future__ import annotations

import time
from typing import Self

import serial

from hardware.meters.errors import MeterPortError
from hardware.meters.models import PortSettings

_SLICE_S = 0.02  # pyserial read timeout; reads loop in slices up to the caller's wait


class SerialLink:
    """A byte pipe over pyserial: ``write``, ``read`` (wait up to a time), ``discard_input``."""

    def __init__(self, settings: PortSettings) -> None:
        self.settings = settings
        try:
            self._serial = serial.serial_for_url(
                settings.port, baudrate=settings.baudrate, parity=settings.parity,
                bytesize=settings.bytesize, stopbits=settings.stopbits, timeout=_SLICE_S,
                write_timeout=max(1.0, settings.timeout_s),
            )
        except Exception as exc:  # SerialException, termios.error, OSError
            hint = ""
            if settings.parity != "N" and "Invalid argument" in str(exc):
                hint = " This port refuses parity (ptys do): set parity N."
            raise MeterPortError(
                f"Cannot open the meter port {settings.port} "
                f"({settings.baudrate} {settings.bytesize}{settings.parity}{settings.stopbits}): "
                f"{exc}.{hint}") from exc

    def write(self, data: bytes) -> None:
        try:
            self._serial.write(data)
            self._serial.flush()
        except Exception as exc:
            raise MeterPortError(f"Writing to {self.settings.port} failed: {exc}") from exc

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
            raise MeterPortError(f"Reading from {self.settings.port} failed: {exc}") from exc

    def discard_input(self) -> None:
        try:
            self._serial.reset_input_buffer()
        except Exception as exc:
            raise MeterPortError(f"Port {self.settings.port} failed: {exc}") from exc

    def close(self) -> None:
        self._serial.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
