"""Serial transport for the ccTalk bill validator: moves bytes, knows nothing of packets.

The byte pipe itself is `hardware.serial_link`.
"""
from __future__ import annotations

from hardware.cash.errors import CashPortError
from hardware.cash.models import CashSettings
from hardware.serial_link import SerialLink as _Link


class SerialLink(_Link):
    """The bill validator's port, opened from its settings; failures are CashPortError."""

    def __init__(self, settings: CashSettings) -> None:
        self.settings = settings
        super().__init__(settings.port, baudrate=settings.baudrate, parity=settings.parity,
                         error=CashPortError, what="bill validator port")
