"""Meter reading devices: DL/T 645-2007 codec, serial transport, reader, simulator.

The lead's entry points::

    from hardware.meters import PortSettings, read_meter, read_meters, probe_meter
    reading = read_meter(PortSettings(port="/dev/ttyUSB0", parity="E"), "000000000001")

Importing this package does not import pyserial; opening a port does.
"""
from hardware.meters.errors import (
    MeterChecksumError,
    MeterError,
    MeterErrorReply,
    MeterGarbledReply,
    MeterNoAnswer,
    MeterPortError,
    MeterSettingsError,
    MeterTruncatedFrame,
    MeterUnexpectedReply,
    MeterWrongAddress,
)
from hardware.meters.models import BatchResult, MeterReading, MeterStatus, PortSettings
from hardware.meters.reader import MeterReader, probe_meter, read_meter, read_meters

__all__ = [
    "BatchResult", "MeterChecksumError", "MeterError", "MeterErrorReply",
    "MeterGarbledReply", "MeterNoAnswer", "MeterPortError", "MeterReader",
    "MeterReading", "MeterSettingsError", "MeterStatus", "MeterTruncatedFrame",
    "MeterUnexpectedReply", "MeterWrongAddress", "PortSettings", "probe_meter",
    "read_meter", "read_meters",
]
