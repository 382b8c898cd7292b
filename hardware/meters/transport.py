"""Serial transport for the RS-485 meter bus: moves bytes, knows nothing of frames.

``port`` may be a device path (``/dev/ttyUSB0``, a pty link) or any pyserial URL
(``socket://h:p``). The byte pipe itself is `hardware.serial_link`.
"""
from __future__ import annotations

from hardware.meters.errors import MeterPortError
from hardware.meters.models import PortSettings
from hardware.serial_link import SerialLink as _Link


class SerialLink(_Link):
    """The meter bus port, opened from the port settings; failures are METER_PORT_UNAVAILABLE."""

    def __init__(self, settings: PortSettings) -> None:
        self.settings = settings
        super().__init__(settings.port, baudrate=settings.baudrate, parity=settings.parity,
                         bytesize=settings.bytesize, stopbits=settings.stopbits,
                         write_timeout_s=max(1.0, settings.timeout_s), error=MeterPortError, what="meter port")
