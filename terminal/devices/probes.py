"""`ppms ports`: every configured device, whether it answers, and a test of one.

One `DevicePort` per device of the terminal config (the seed's "Port Set"):

    meter_bus       [meter_bus]      probe: broadcast read-address; test: read the meter's address
    cash_acceptor   [cash_acceptor]  probe/test: ccTalk simple poll, identity, bill table check
    card_reader     [card_reader]    pcsc: reader listed, card present; emulated: always answers
    printer         [printer]        `terminal.devices.printer.probe` / `.test_page` (see PrinterPort)

A probe never raises: a device that does not answer is reported with the driver's
error code. A test raises the DeviceError so that `ppms ports test` exits non-zero.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from terminal.config import (
    CardReaderSection,
    CashAcceptorSection,
    MeterBusSection,
    PrinterSection,
    Settings,
)
from terminal.devices.errors import DeviceError, NotConfigured, driver_errors
from terminal.domain.errors import PpmsError
from terminal.services.ports import DevicePort


def _error(exc: PpmsError) -> dict[str, Any]:
    return {"code": exc.code, "message": exc.message}


def _probe_with(configured: bool, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    if not configured:
        return {"configured": False, "answers": False}
    try:
        return {"configured": True, "answers": True, **action()}
    except PpmsError as exc:
        return {"configured": True, "answers": False, "error": _error(exc)}


class MeterBusPort:
    name = "meter_bus"

    def __init__(self, section: MeterBusSection) -> None:
        self.section = section

    def describe(self) -> dict[str, Any]:
        return {"type": "dlt645" if self.section.port else "none", **asdict(self.section)}

    def _read_address(self) -> dict[str, Any]:
        from terminal.devices.meter_bus import DltMeterReader, port_settings
        return {"address": DltMeterReader(port_settings(self.section)).read_address()}

    def probe(self) -> dict[str, Any]:
        return _probe_with(bool(self.section.port), self._read_address)

    def test(self, arg: str | None = None) -> dict[str, Any]:
        """Read the address of the meter on the line; with an address, read that meter."""
        if not self.section.port:
            raise NotConfigured("no meter bus configured: set [meter_bus] port")
        if arg is None:
            return self._read_address()
        from terminal.devices.meter_bus import DltMeterReader, port_settings
        values = DltMeterReader(port_settings(self.section)).read(arg)
        return {"address": values.address, "total_kwh": values.total_kwh, "purchase_count": values.purchase_count}


class CashAcceptorPort:
    name = "cash_acceptor"

    def __init__(self, section: CashAcceptorSection) -> None:
        self.section = section

    def describe(self) -> dict[str, Any]:
        return {**asdict(self.section)}

    def _poll(self) -> dict[str, Any]:
        from terminal.devices.cash_acceptor import CctalkCashAcceptor
        return CctalkCashAcceptor(self.section).poll()

    def probe(self) -> dict[str, Any]:
        return _probe_with(self.section.type != "none", self._poll)

    def test(self, arg: str | None = None) -> dict[str, Any]:
        if self.section.type == "none":
            raise NotConfigured("no note acceptor configured: set [cash_acceptor] type = \"cctalk\"")
        return self._poll()


class CardReaderPort:
    name = "card_reader"

    def __init__(self, section: CardReaderSection) -> None:
        self.section = section

    def describe(self) -> dict[str, Any]:
        return {"type": self.section.type, "reader": self.section.reader, "profile": self.section.profile}

    def _look(self) -> dict[str, Any]:
        if self.section.type == "emulated":
            return {"reader": "emulated", "card_present": True}
        from hardware.cards import errors as card_errors
        from hardware.cards import pcsc
        with driver_errors(card_errors.CardError):
            names = pcsc.list_readers()
            full = pcsc.find_reader(self.section.reader)
            return {"reader": full, "readers": names, "card_present": pcsc.card_present(full)}

    def probe(self) -> dict[str, Any]:
        return _probe_with(True, self._look)

    def test(self, arg: str | None = None) -> dict[str, Any]:
        return self._look()


class PrinterPort:
    """The printer's probe and test page come from `terminal.devices.printer`:
    `probe(settings) -> dict` and `test_page(settings) -> dict` (the printer's own module
    decides what "answers" means: status bytes, a file it can write...).

    Until that module offers them, every printer type but "none" is reported with
    PRINTER_PROBE_UNAVAILABLE rather than guessed at."""
    name = "printer"
    MODULE = "terminal.devices.printer"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.section: PrinterSection = settings.printer

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self.section).items() if k != "print_on_sale"}

    def _function(self, name: str) -> Callable[[Settings], dict[str, Any]]:
        try:
            module = importlib.import_module(self.MODULE)
        except ImportError:
            module = None
        fn = getattr(module, name, None)
        if not callable(fn):
            err = DeviceError(f"this build has no printer {name.replace('_', ' ')} ({self.MODULE}.{name})")
            err.code = "PRINTER_PROBE_UNAVAILABLE"
            raise err
        return fn  # type: ignore[no-any-return]

    def probe(self) -> dict[str, Any]:
        return _probe_with(self.section.type != "none", lambda: dict(self._function("probe")(self.settings)))

    def test(self, arg: str | None = None) -> dict[str, Any]:
        if self.section.type == "none":
            raise NotConfigured("no printer configured: set [printer] type")
        return dict(self._function("test_page")(self.settings))


def build(settings: Settings) -> list[DevicePort]:
    return [MeterBusPort(settings.meter_bus), CashAcceptorPort(settings.cash_acceptor),
            CardReaderPort(settings.card_reader), PrinterPort(settings)]
