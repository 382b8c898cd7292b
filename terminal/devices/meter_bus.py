"""The meter reading device (DL/T 645-2007 over RS-485) behind `services.ports.MeterReader`.

`hardware.meters` does the frames and the serial line; this adapter turns its
readings into plain `MeterValues` and its errors into `DeviceError` with the same
code (METER_NO_ANSWER, METER_FRAME_CHECKSUM, METER_PORT_UNAVAILABLE, ...).
pyserial is imported only when a port is opened.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardware import meters
from terminal.config import MeterBusSection
from terminal.devices.errors import (
    DeviceError,
    NotConfigured,
    driver_errors,
    from_driver,
)
from terminal.services.ports import MeterValues


def port_settings(section: MeterBusSection, **override: Any) -> meters.PortSettings:
    """The driver's port settings from `[meter_bus]`, with command-line overrides (None = keep)."""
    values: dict[str, Any] = {"port": section.port, "baudrate": section.baudrate, "parity": section.parity,
                              "timeout_s": section.timeout_s, "retries": section.retries}
    values.update({k: v for k, v in override.items() if v is not None})
    if not values["port"]:
        raise NotConfigured("no meter bus port: set [meter_bus] port or give --port")
    with driver_errors(meters.MeterError):
        return meters.PortSettings.from_mapping(values)


def values_of(reading: meters.MeterReading) -> MeterValues:
    status = reading.status
    return MeterValues(
        address=reading.address, total_kwh=reading.total_energy, remaining_kwh=reading.remaining_energy,
        remaining_money=reading.remaining_money, purchase_count=reading.purchase_count,
        status_flags=None if status is None else (status.word3 << 16) | status.word1,
        status=None if status is None else status.to_dict())


class DltMeterReader:
    """A DL/T 645 master on the configured bus."""

    def __init__(self, settings: meters.PortSettings) -> None:
        self.settings = settings
        self.port = settings.port

    def read(self, address: str) -> MeterValues:
        with driver_errors(meters.MeterError):
            return values_of(meters.read_meter(self.settings, address))

    def read_each(self, addresses: list[str]) -> Iterator[tuple[str, MeterValues | Exception]]:
        from hardware.meters.reader import MeterReader, open_link

        with driver_errors(meters.MeterError):
            link = open_link(self.settings)
        try:
            session = MeterReader(link, self.settings)
            for address in addresses:
                try:
                    yield address, values_of(session.read(address))
                except meters.MeterPortError as exc:
                    raise from_driver(exc) from exc
                except meters.MeterError as exc:
                    yield address, from_driver(exc)
        finally:
            link.close()

    def read_address(self) -> str:
        """`ports test`: the address of the one meter on the line (broadcast read-address)."""
        with driver_errors(meters.MeterError):
            return meters.probe_meter(self.settings)


def build(section: MeterBusSection) -> DltMeterReader | None:
    """None when no bus is configured (`[meter_bus] port = ""`)."""
    if not section.port:
        return None
    return DltMeterReader(port_settings(section))


__all__ = ["DeviceError", "DltMeterReader", "build", "port_settings", "values_of"]
