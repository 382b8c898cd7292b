"""A fake byte link: the simulated bill validator answers in memory."""
from __future__ import annotations

import time

from hardware.cash.simulator import SimulatedBillValidator


class DeviceLink:
    def __init__(self, device: SimulatedBillValidator, *, echo: bool = False) -> None:
        self.device = device
        self.echo = echo
        self.pending = bytearray()

    def write(self, data: bytes) -> None:
        if self.echo:
            self.pending += data
        self.pending += self.device.feed(data)

    def read(self, wait_s: float) -> bytes:
        if not self.pending:
            time.sleep(min(wait_s, 0.002))
            return b""
        out = bytes(self.pending)
        self.pending.clear()
        return out

    def discard_input(self) -> None:
        self.pending.clear()

    def close(self) -> None:
        pass
