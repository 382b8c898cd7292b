"""The byte pipe every serial device of PPMS uses (meter bus, bill validator): pyserial
moved behind write / read-with-a-wait / discard, and the thread that runs a device
simulator on the other end of a port. It knows nothing of frames or packets.

The only pyserial importer of `hardware.meters` and `hardware.cash`; each package
passes its own port-error class, so its callers see its own error codes.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Self

_SLICE_S = 0.02  # pyserial read timeout; reads loop in slices up to the caller's wait


class SerialLink:
    """``write``, ``read`` (wait up to a time for the first byte), ``discard_input``.

    ``port`` is a device path (``/dev/ttyUSB0``, a pty link) or any pyserial URL
    (``socket://host:port``); ``error`` is raised for every port failure."""

    def __init__(self, port: str, *, baudrate: int, parity: str, bytesize: int = 8, stopbits: int = 1,
                 write_timeout_s: float = 1.0, error: type[Exception] = OSError, what: str = "serial port") -> None:
        import serial  # noqa: PLC0415 (pyserial only where a port is opened)
        self.port = port
        self._error = error
        try:
            self._serial = serial.serial_for_url(port, baudrate=baudrate, parity=parity, bytesize=bytesize,
                                                 stopbits=stopbits, timeout=_SLICE_S, write_timeout=write_timeout_s)
        except Exception as exc:  # SerialException, termios.error, OSError
            hint = " This port refuses parity (ptys do): set parity N." \
                if parity != "N" and "Invalid argument" in str(exc) else ""
            raise error(f"Cannot open the {what} {port} ({baudrate} {bytesize}{parity}{stopbits}): "
                        f"{exc}.{hint}") from exc

    def write(self, data: bytes) -> None:
        try:
            self._serial.write(data)
            self._serial.flush()
        except Exception as exc:
            raise self._error(f"Writing to {self.port} failed: {exc}") from exc

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
            raise self._error(f"Reading from {self.port} failed: {exc}") from exc

    def discard_input(self) -> None:
        try:
            self._serial.reset_input_buffer()
        except Exception as exc:
            raise self._error(f"Port {self.port} failed: {exc}") from exc

    def close(self) -> None:
        self._serial.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SimulatorThread:
    """Runs a simulator's ``serve(link, stop)`` on a port in a thread: ``start`` returns once
    the port is open (or raises the port error), ``stop`` ends it; also a context manager."""

    def __init__(self, name: str, open_link: Callable[[], Any], error: type[Exception]) -> None:
        self._name = name
        self._open_link = open_link
        self._error_type = error
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: Exception | None = None

    def serve(self, link: Any, stop: threading.Event) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        self._ready.wait(5)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            link = self._open_link()
        except self._error_type as exc:  # reported to the caller of start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self.serve(link, self._stop)
        finally:
            link.close()
