"""Benchmarks of the meter and cash codecs and sessions (in memory, no ports)."""
from __future__ import annotations

import time
from collections.abc import Callable

from hardware.cash import codec as cc
from hardware.meters import codec
from hardware.meters.models import PortSettings
from hardware.meters.reader import MeterReader
from hardware.meters.simulator import MeterBus, SimulatedMeter


def _rate(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


class _BusLink:
    def __init__(self, bus: MeterBus) -> None:
        self.bus, self.pending = bus, b""

    def write(self, data: bytes) -> None:
        self.pending += self.bus.feed(data)

    def read(self, wait_s: float) -> bytes:
        out, self.pending = self.pending, b""
        return out

    def discard_input(self) -> None:
        self.pending = b""

    def close(self) -> None:
        pass


def run() -> dict[str, float]:
    di = codec.DI_TOTAL_FORWARD_ACTIVE
    reply = codec.build_read_reply("202106150042", di, codec.encode_value(di, 123456))
    noisy = b"\x00\x68\xff\x13" + reply
    bus = MeterBus([SimulatedMeter("202106150042", total_energy=1, remaining_energy=2)])
    reader = MeterReader(_BusLink(bus), PortSettings("mem", parity="N"))
    packet = cc.build_reply(cc.encode_bill_events(7, [(2, 0), (2, 1)]))
    return {
        "dlt645_build_request_per_s": round(_rate(lambda: codec.build_read_request("1", di), 20000)),
        "dlt645_decode_reply_per_s": round(_rate(lambda: codec.decode_frame(reply), 20000)),
        "dlt645_decode_noisy_reply_per_s": round(_rate(lambda: codec.decode_frame(noisy), 20000)),
        "meter_full_readings_in_memory_per_s": round(_rate(lambda: reader.read("202106150042"), 500)),
        "cctalk_decode_event_packet_per_s": round(
            _rate(lambda: cc.decode_bill_events(cc.decode_packet(packet).data), 20000)),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
