"""A fake byte link for the meter reader: the simulated bus answers in memory."""
from __future__ import annotations

import time

from hardware.meters.simulator import MeterBus


class BusLink:
    """Connects a ``MeterReader`` to a ``MeterBus`` without a serial port.

    ``echo`` mimics a 2-wire RS-485 adapter that hears its own request;
    ``chunk`` delivers the answer a few bytes per read, as a slow line does.
    """

    def __init__(self, bus: MeterBus, *, echo: bool = False, chunk: int = 0) -> None:
        self.bus = bus
        self.echo = echo
        self.chunk = chunk
        self.pending = bytearray()
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written.append(data)
        if self.echo:
            self.pending += data
        self.pending += self.bus.feed(data)

    def read(self, wait_s: float) -> bytes:
        if not self.pending:
            time.sleep(min(wait_s, 0.005))
            return b""
        n = self.chunk or len(self.pending)
        out = bytes(self.pending[:n])
        del self.pending[:n]
        return out

    def discard_input(self) -> None:
        self.pending.clear()

    def close(self) -> None:
        self.closed = True
