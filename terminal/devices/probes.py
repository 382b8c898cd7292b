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
from terminal.devices.errors import NotConfigured, driver_errors
from terminal.devices.printer import EscposReceiptPrinter
from terminal.domain.errors import PpmsError
from terminal.domain.money import format_kwh
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
        return {"address": values.address, "total_kwh": format_kwh(values.total_kwh),
                "purchase_count": values.purchase_count}


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
    """The receipt printer: its status answer (network, USB, serial) and a test page."""
    name = "printer"

    def __init__(self, settings: Settings) -> None:
        self.section: PrinterSection = settings.printer
        self.printer = EscposReceiptPrinter(self.section)

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self.section).items()
                if k not in ("print_on_sale", "verify_key_file")}

    def probe(self) -> dict[str, Any]:
        found = self.printer.probe()
        found.pop("device", None)
        return found

    def test(self, arg: str | None = None) -> dict[str, Any]:
        return self.printer.test_page()


def build(settings: Settings) -> list[DevicePort]:
    return [MeterBusPort(settings.meter_bus), CashAcceptorPort(settings.cash_acceptor),
            CardReaderPort(settings.card_reader), PrinterPort(settings)]
