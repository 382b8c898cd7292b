"""Printer connections from the port settings, and printing a receipt on one.

``open_printer(settings)`` gives a :class:`PrinterConnection` over python-escpos's
``Usb``, ``Serial``, ``Network`` or ``File`` printer, or a status-answering ``Dummy``
for tests and demos. ``print_receipt(conn, layout)`` renders the bytes first (pure),
asks the printer for its status where the connection can answer (network, USB,
serial, dummy), sends the bytes, and asks again to confirm. Every device failure becomes a
:class:`~.errors.PrinterDeviceError` with a stable code; the sale it belongs to stays
completed and the caller queues the receipt for reprint.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Self

from escpos.constants import (
    RT_MASK_LOWPAPER,
    RT_MASK_NOPAPER,
    RT_MASK_ONLINE,
    RT_STATUS_ONLINE,
    RT_STATUS_PAPER,
)
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy, File, Network, Serial, Usb

from .errors import (
    PrinterDeviceError,
    PrinterDriverMissingError,
    PrinterNotConfiguredError,
    PrinterOfflineError,
    PrinterPaperOutError,
)
from .escpos_render import profile_for, render_escpos
from .invoice_format import InvoiceFormat
from .layout import ReceiptLayout, build_layout
from .model import ReceiptData

log = logging.getLogger(__name__)

PRINTER_TYPES = ("usb", "serial", "network", "file", "dummy")
#: what a fake ``dummy`` printer answers to DLE EOT 1 / DLE EOT 4 (None: never answers)
DUMMY_STATES: dict[str, tuple[int, int] | None] = {
    "ok": (0x16, 0x12),
    "paper_low": (0x16, 0x1E),
    "paper_out": (0x1E, 0x72),
    "offline": (0x1E, 0x12),
    "silent": None,
}


@dataclass(frozen=True)
class PrinterSettings:
    """The ``[printer]`` table of the terminal config (the seed's "Port Set")."""

    type: str
    path: str = ""               # file: a file or device node (e.g. /dev/usb/lp0)
    host: str = ""               # network
    port: int = 9100
    device: str = ""             # serial: /dev/ttyUSB0
    baudrate: int = 9600
    parity: str = "N"
    flow_control: str = "none"   # serial: none, rtscts or xonxoff (not with images: 0x11/0x13)
    vendor: int = 0              # usb: vendor and product id ("04b8" or 0x04b8)
    product: int = 0
    in_ep: int = 0x82
    out_ep: int = 0x01
    paper_width_mm: int = 80
    profile: str = ""            # python-escpos profile; default by paper width
    timeout_s: float = 5.0
    dummy_status: str = "ok"     # dummy: ok, paper_low, paper_out, offline, silent

    def __post_init__(self) -> None:
        need = {"file": ("path",), "network": ("host",), "serial": ("device",),
                "usb": ("vendor", "product"), "dummy": ()}
        if self.type not in need:
            raise PrinterNotConfiguredError(
                f"Printer type {self.type!r} is not known; use one of {', '.join(PRINTER_TYPES)}.")
        for key in need[self.type]:
            if not getattr(self, key):
                raise PrinterNotConfiguredError(
                    f"The {self.type} printer needs printer.{key} in the port settings.")
        if self.paper_width_mm not in (58, 80):
            raise PrinterNotConfiguredError("printer.paper_width_mm must be 58 or 80.")
        if self.flow_control not in ("none", "rtscts", "xonxoff"):
            raise PrinterNotConfiguredError(
                "printer.flow_control must be none, rtscts or xonxoff.")
        if self.parity not in ("N", "E", "O"):
            raise PrinterNotConfiguredError("printer.parity must be N, E or O.")
        if self.type == "dummy" and self.dummy_status not in DUMMY_STATES:
            raise PrinterNotConfiguredError(
                f"printer.dummy_status must be one of {', '.join(DUMMY_STATES)}.")
        if not 0 < self.port < 65536 or self.timeout_s <= 0 or self.baudrate <= 0:
            raise PrinterNotConfiguredError("printer.port, baudrate and timeout_s must be positive.")

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any] | None) -> PrinterSettings:
        """Settings from the config's ``[printer]`` table; a missing or bad key is named."""
        if not table or not table.get("type"):
            raise PrinterNotConfiguredError()
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise PrinterNotConfiguredError(f"Unknown printer setting printer.{unknown[0]}.")
        kwargs: dict[str, Any] = {}
        for key, value in table.items():
            default = known[key].default
            try:
                if key in ("vendor", "product", "in_ep", "out_ep") and isinstance(value, str):
                    value = int(value, 16)
                elif isinstance(default, bool) or not isinstance(value, type(default)):
                    value = type(default)(value) if isinstance(default, int | float) else str(value)
            except (TypeError, ValueError):
                raise PrinterNotConfiguredError(
                    f"printer.{key} has a value that cannot be used: {value!r}.") from None
            kwargs[key] = value
        return cls(**kwargs)


@dataclass(frozen=True)
class PrinterStatus:
    online: bool
    paper: str  # "ok", "low" or "out"


@dataclass(frozen=True)
class PrintResult:
    bytes_sent: int
    status: PrinterStatus | None  # None where the connection cannot answer (file)

    @property
    def paper_low(self) -> bool:
        return self.status is not None and self.status.paper == "low"


class _AppendFile(File):  # type: ignore[misc]  # python-escpos is untyped
    """A file printer that appends (a regular file collects receipts like a paper roll)."""

    def open(self, raise_not_found: bool = True) -> None:
        try:
            # receipts name customers and amounts: a file made here is the service user's only
            fd = os.open(self.devfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self.device = os.fdopen(fd, "ab")
        except OSError as exc:
            self.device = None  # type: ignore[assignment]
            raise DeviceNotFoundError(f"Could not open {self.devfile}: {exc}") from exc


class _Serial(Serial):  # type: ignore[misc]  # python-escpos is untyped
    """A serial printer whose status read returns as soon as the one answer byte is in
    (python-escpos reads 16 bytes, so every query would wait the whole timeout)."""

    def __init__(self, *args: Any, rtscts: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rtscts = rtscts

    def open(self, raise_not_found: bool = True) -> None:
        super().open(raise_not_found)
        if self.device and self.rtscts:
            self.device.rtscts = True  # pyserial reconfigures the open port

    def _read(self) -> bytes:
        assert self.device
        data: bytes = self.device.read(1)
        return data


class StatusDummy(Dummy):  # type: ignore[misc]  # python-escpos is untyped
    """A fake printer: keeps the bytes it is sent (``output``) and answers status queries
    as ``state`` says (see :data:`DUMMY_STATES`); status queries are not kept."""

    def __init__(self, state: str = "ok", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = state

    def query_status(self, mode: bytes) -> bytes:
        answers = DUMMY_STATES[self.state]
        if answers is None:
            raise TimeoutError("dummy printer does not answer")
        return bytes([answers[0] if mode.endswith(b"\x01") else answers[1]])


def _usb_errors() -> tuple[type[BaseException], ...]:
    try:
        import usb.core
    except ImportError:
        return ()
    return (usb.core.USBError,)


def _serial_errors() -> tuple[type[BaseException], ...]:
    import serial

    return (serial.SerialException,)


class PrinterConnection:
    """An open printer. Use as a context manager, or call :meth:`close`."""

    def __init__(self, settings: PrinterSettings, printer: Escpos) -> None:
        self.settings = settings
        self.printer = printer
        self.profile = profile_for(settings.paper_width_mm, settings.profile)
        self._device_errors: tuple[type[BaseException], ...] = (
            TimeoutError, OSError, *_usb_errors(), *_serial_errors())

    @property
    def answers_status(self) -> bool:
        return self.settings.type != "file"

    @property
    def output(self) -> bytes:
        """What a dummy printer was sent (tests and demos)."""
        if not isinstance(self.printer, Dummy):
            raise TypeError("only a dummy printer keeps its output")
        data: bytes = self.printer.output
        return data

    def status(self) -> PrinterStatus:
        """Ask the printer (DLE EOT 1 and 4). No answer raises PRINTER_OFFLINE."""
        online = self._query(RT_STATUS_ONLINE)
        paper = self._query(RT_STATUS_PAPER)
        if paper & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
            level = "out"
        elif paper & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
            level = "low"
        else:
            level = "ok"
        return PrinterStatus(online=not online & RT_MASK_ONLINE, paper=level)

    def _query(self, mode: bytes) -> int:
        try:
            answer: bytes = bytes(self.printer.query_status(mode))
        except NotImplementedError:
            raise PrinterDeviceError("This printer connection cannot report its status.") from None
        except self._device_errors as exc:
            answer = b""
            cause: BaseException | None = exc
        else:
            cause = None
        if not answer:
            raise PrinterOfflineError(
                f"The printer at {describe(self.settings)} did not answer. Check that it is "
                "on and connected; the sale is saved and the receipt can be reprinted.") from cause
        return answer[0]

    def ensure_ready(self) -> PrinterStatus:
        st = self.status()
        if st.paper == "out":
            raise PrinterPaperOutError()
        if not st.online:
            raise PrinterOfflineError(
                "The printer says it is offline (cover open or an error). "
                "Check the printer; the sale is saved and the receipt can be reprinted.")
        return st

    def send(self, data: bytes) -> None:
        try:
            self.printer._raw(data)
            flush = getattr(self.printer, "flush", None)
            if callable(flush):
                flush()
        except self._device_errors as exc:
            raise PrinterOfflineError(
                f"The connection to the printer at {describe(self.settings)} was lost while "
                "printing. The sale is saved; reprint the receipt.") from exc

    def close(self) -> None:
        try:
            self.printer.close()
        except self._device_errors:
            log.warning("closing printer %s failed", describe(self.settings), exc_info=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def describe(s: PrinterSettings) -> str:
    return {
        "usb": f"USB {s.vendor:04x}:{s.product:04x}",
        "serial": f"{s.device} ({s.baudrate} baud)",
        "network": f"{s.host}:{s.port}",
        "file": s.path,
        "dummy": "dummy",
    }[s.type]


def _make(settings: PrinterSettings) -> Escpos:
    s = settings
    profile = profile_for(s.paper_width_mm, s.profile)
    if s.type == "dummy":
        return StatusDummy(s.dummy_status, profile=profile)
    if s.type == "file":
        return _AppendFile(devfile=s.path, profile=profile)
    if s.type == "network":
        return Network(host=s.host, port=s.port, timeout=s.timeout_s, profile=profile)
    if s.type == "serial":
        return _Serial(devfile=s.device, baudrate=s.baudrate, parity=s.parity,
                       timeout=s.timeout_s, xonxoff=s.flow_control == "xonxoff", dsrdtr=False,
                       rtscts=s.flow_control == "rtscts", profile=profile)
    return Usb(idVendor=s.vendor, idProduct=s.product, timeout=int(s.timeout_s * 1000),
               in_ep=s.in_ep, out_ep=s.out_ep, profile=profile)


def open_printer(settings: PrinterSettings) -> PrinterConnection:
    """Open the configured printer, or raise PRINTER_OFFLINE / PRINTER_DRIVER_MISSING."""
    printer = _make(settings)
    try:
        printer.open()
    except DeviceNotFoundError as exc:
        raise PrinterOfflineError(
            f"The printer at {describe(settings)} cannot be reached. Check that it is on and "
            "connected; the sale is saved and the receipt can be reprinted.") from exc
    except RuntimeError as exc:  # python-escpos: the usb library is not installed
        raise PrinterDriverMissingError() from exc
    except ValueError as exc:  # pyusb NoBackendError: libusb is not installed
        if type(exc).__name__ == "NoBackendError":
            raise PrinterDriverMissingError() from exc
        raise PrinterNotConfiguredError(f"The printer settings cannot be used: {exc}") from exc
    log.info("printer opened: %s", describe(settings))
    return PrinterConnection(settings, printer)


def print_receipt(conn: PrinterConnection, layout: ReceiptLayout) -> PrintResult:
    """Print one receipt; raise a PrinterDeviceError (nothing printed) when not ready."""
    if layout.paper_width_mm != conn.settings.paper_width_mm:
        raise PrinterNotConfiguredError(
            f"The receipt is laid out for {layout.paper_width_mm} mm paper but the printer is "
            f"set up for {conn.settings.paper_width_mm} mm. Fix the invoice format or printer.")
    data = render_escpos(layout, conn.profile)
    status = conn.ensure_ready() if conn.answers_status else None
    if status is not None and status.paper == "low":
        log.warning("printer %s: paper near its end", describe(conn.settings))
    conn.send(data)
    if conn.answers_status:
        status = _confirm(conn)
    log.info("receipt printed on %s (%d bytes)", describe(conn.settings), len(data))
    return PrintResult(len(data), status)


def _confirm(conn: PrinterConnection) -> PrinterStatus:
    """Ask again after sending: a printer that dropped the connection or ran out of
    paper meanwhile may have printed part of the receipt, or nothing."""
    try:
        st = conn.status()
    except PrinterOfflineError as exc:
        raise PrinterOfflineError(
            "The printer stopped answering while printing; the receipt may be incomplete. "
            "The sale is saved; reprint the receipt.") from exc
    if st.paper == "out":
        raise PrinterPaperOutError(
            "The paper ran out while printing; the receipt may be incomplete. Load a new "
            "roll; the sale is saved and the receipt can be reprinted.")
    if not st.online:
        raise PrinterOfflineError(
            "The printer went offline while printing; the receipt may be incomplete. "
            "The sale is saved; reprint the receipt.")
    return st


def print_receipt_data(conn: PrinterConnection, data: ReceiptData,
                       fmt: InvoiceFormat) -> PrintResult:
    """Lay out ``data`` for the printer's own paper width and print it."""
    if fmt.paper_width_mm != conn.settings.paper_width_mm:
        fmt = replace(fmt, paper_width_mm=conn.settings.paper_width_mm)
    return print_receipt(conn, build_layout(data, fmt))


__all__ = [
    "DUMMY_STATES",
    "PRINTER_TYPES",
    "PrintResult",
    "PrinterConnection",
    "PrinterSettings",
    "PrinterStatus",
    "StatusDummy",
    "describe",
    "open_printer",
    "print_receipt",
    "print_receipt_data",
]
