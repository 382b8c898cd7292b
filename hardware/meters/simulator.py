"""A DL/T 645-2007 meter simulator: one or several meters answering on one serial port.

For tests and the demo, typically on one end of a ``socat`` pty pair::

    python -m hardware.meters.simulator --port /tmp/meter-sim --parity N \\
        --address 000000000001 --energy 1234.56 --remaining-money 150.00 --purchases 7

Python API: ``SimulatedMeter`` (one meter's registers and fault), ``MeterBus`` (pure:
request bytes in, answer bytes out) and ``MeterSimulator`` (serves a bus on a port in
a thread).  Faults: no answer, garbled checksum, error reply, noise before the
preamble, truncated answer, answer from a wrong address.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from types import FrameType
from typing import Any

from hardware.meters import codec
from hardware.meters.errors import MeterPortError
from hardware.meters.models import PortSettings
from hardware.serial_link import SimulatorThread

log = logging.getLogger("hardware.meters.simulator")

NOISE = b"\x00\x68\xff\x13\x37\x16"  # line noise, with a stray 0x68 and 0x16 in it


class Fault(Enum):
    NONE = "none"
    NO_ANSWER = "no_answer"
    BAD_CHECKSUM = "bad_checksum"
    ERROR_REPLY = "error_reply"
    NOISE = "noise"
    TRUNCATED = "truncated"
    WRONG_ADDRESS = "wrong_address"


@dataclass
class SimulatedMeter:
    """One prepaid meter's registers.  Energy in 0.01 kWh, money in minor units.

    ``kind`` is "energy" or "money" (which purchase-count item it keeps and the meter
    type bits of status word 3).  ``None`` registers answer "no requested data".
    ``fault`` applies to the next ``fault_times`` requests (``None``: to all).
    """

    address: str
    total_energy: int = 0
    remaining_energy: int | None = None
    remaining_money: int | None = None
    purchase_count: int = 0
    kind: str = "energy"
    status_word1: int = 0
    relay_open: bool = False
    fault: Fault = Fault.NONE
    fault_times: int | None = None
    error_byte: int = 0x01
    requests: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.address = codec.normalize_address(self.address)
        if self.kind not in ("energy", "money"):
            raise ValueError("kind must be 'energy' or 'money'")

    @property
    def status_word3(self) -> int:
        kind_bits = 1 if self.kind == "energy" else 2
        relay = (1 << 4) | (1 << 6) if self.relay_open else 0
        return (kind_bits << 8) | relay

    def register(self, di: int) -> int | None:
        """The register behind data item ``di`` (``None``: no such data)."""
        table: dict[int, int | None] = {
            codec.DI_TOTAL_FORWARD_ACTIVE: self.total_energy,
            codec.DI_REMAINING_ENERGY: self.remaining_energy,
            codec.DI_REMAINING_MONEY: self.remaining_money,
            codec.DI_PURCHASE_COUNT_ENERGY: self.purchase_count if self.kind == "energy" else None,
            codec.DI_PURCHASE_COUNT_MONEY: self.purchase_count if self.kind == "money" else None,
            codec.DI_STATUS_WORD_1: self.status_word1,
            codec.DI_STATUS_WORD_3: self.status_word3,
        }
        return table.get(di)

    def set_fault(self, fault: Fault, times: int | None = None) -> None:
        self.fault, self.fault_times = fault, times

    def _take_fault(self) -> Fault:
        if self.fault is Fault.NONE:
            return Fault.NONE
        fault = self.fault
        if self.fault_times is not None:
            self.fault_times -= 1
            if self.fault_times <= 0:
                self.fault, self.fault_times = Fault.NONE, None
        return fault

    def answer(self, request: codec.Frame, preamble: int = 4) -> bytes | None:
        """The bytes this meter sends for ``request`` (``None``: stays silent)."""
        self.requests += 1
        fault = self._take_fault()
        if fault is Fault.NO_ANSWER:
            return None
        address = self.address
        if fault is Fault.WRONG_ADDRESS:
            address = address[:-1] + ("0" if address[-1] != "0" else "1")
        if fault is Fault.ERROR_REPLY:
            reply = codec.build_error_reply(address, self.error_byte,
                                            function=request.function, preamble=preamble)
        elif request.function == codec.READ_ADDRESS:
            reply = codec.build_address_reply(address, preamble=preamble)
        elif request.function == codec.READ_DATA and len(request.data) == 4:
            di = int.from_bytes(request.data, "little")
            value = self.register(di)
            if value is None:
                reply = codec.build_error_reply(address, 0x02, preamble=preamble)
            else:
                reply = codec.build_read_reply(address, di, codec.encode_value(di, value),
                                               preamble=preamble)
        else:
            reply = codec.build_error_reply(address, 0x01, function=request.function,
                                            preamble=preamble)
        if fault is Fault.BAD_CHECKSUM:
            reply = reply[:-2] + bytes([reply[-2] ^ 0x5A]) + reply[-1:]
        elif fault is Fault.NOISE:
            reply = NOISE + reply
        elif fault is Fault.TRUNCATED:
            reply = reply[: len(reply) // 2 + 2]
        return reply


class MeterBus:
    """Several simulated meters on one RS-485 bus.  Pure: bytes in, bytes out."""

    def __init__(self, meters: Iterable[SimulatedMeter] = (), *, preamble: int = 4) -> None:
        self.meters: dict[str, SimulatedMeter] = {}
        self.preamble = preamble
        self._buffer = codec.frame_buffer(accept=lambda frame: not frame.is_reply)
        self._lock = threading.Lock()
        for meter in meters:
            self.add(meter)

    def add(self, meter: SimulatedMeter) -> SimulatedMeter:
        self.meters[meter.address] = meter
        return meter

    def meter(self, address: str) -> SimulatedMeter:
        return self.meters[codec.normalize_address(address)]

    def reset_input(self) -> None:
        with self._lock:
            self._buffer.clear()

    def feed(self, data: bytes) -> bytes:
        """Take bytes from the line; return every answer they call for (noise, damaged
        requests and other meters' replies are ignored, as a meter does)."""
        out = bytearray()
        with self._lock:
            self._buffer.feed(data)
            for request in self._buffer.frames():
                out += self._dispatch(request)
        return bytes(out)

    def _dispatch(self, request: codec.Frame) -> bytes:
        if request.function == codec.READ_ADDRESS:
            # every meter answers the broadcast; with more than one, a real bus garbles
            # the answers together, so the simulator answers only a bus of one meter
            if len(self.meters) != 1:
                return b""
            meter = next(iter(self.meters.values()))
        else:
            found = self.meters.get(request.address)
            if found is None:
                return b""
            meter = found
        return meter.answer(request, self.preamble) or b""


class MeterSimulator(SimulatorThread):
    """Serve a ``MeterBus`` on a serial port from a background thread."""

    def __init__(self, settings: PortSettings, bus: MeterBus, *,
                 reply_delay_s: float = 0.0) -> None:
        from hardware.meters.transport import SerialLink  # noqa: PLC0415 (pyserial on start only)
        super().__init__("meter-sim", lambda: SerialLink(settings), MeterPortError)
        self.settings = settings
        self.bus = bus
        self.reply_delay_s = reply_delay_s

    def serve(self, link: Any, stop: threading.Event) -> None:
        idle_since = time.monotonic()
        while not stop.is_set():
            data = link.read(0.05)
            if not data:
                if time.monotonic() - idle_since > 0.5:
                    self.bus.reset_input()  # drop a half request after a pause
                    idle_since = time.monotonic()
                continue
            idle_since = time.monotonic()
            answer = self.bus.feed(data)
            if answer:
                if self.reply_delay_s:
                    time.sleep(self.reply_delay_s)
                link.write(answer)


# ------------------------------------------------------------------ command line
def hundredths(text: str) -> int:
    """"123.45" -> 12345; at most two decimals, never negative."""
    whole, _, frac = text.strip().partition(".")
    if not whole.isdigit() or len(frac) > 2 or (frac and not frac.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount with up to 2 decimals")
    return int(whole) * 100 + int(frac.ljust(2, "0") or 0)


def _meter_from_spec(spec: str, defaults: dict[str, object]) -> SimulatedMeter:
    """"ADDRESS[,energy=1.00][,kwh=2.00][,money=3.00][,purchases=4][,kind=money][,fault=no_answer]"."""
    address, *pairs = spec.split(",")
    values = dict(defaults)
    keys = {"energy": "total_energy", "kwh": "remaining_energy", "money": "remaining_money",
            "purchases": "purchase_count", "kind": "kind", "fault": "fault"}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if key not in keys:
            raise argparse.ArgumentTypeError(f"unknown meter key {key!r}")
        name = keys[key]
        if name in ("total_energy", "remaining_energy", "remaining_money"):
            values[name] = hundredths(value)
        elif name == "purchase_count":
            values[name] = int(value)
        elif name == "fault":
            values[name] = Fault(value)
        else:
            values[name] = value
    return SimulatedMeter(address=address, **values)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m hardware.meters.simulator",
                                description="DL/T 645-2007 meter simulator on a serial port")
    p.add_argument("--port", required=True, help="serial device or pty link to serve on")
    p.add_argument("--address", action="append", default=[], help="meter address (repeat)")
    p.add_argument("--meter", action="append", default=[],
                   help="ADDRESS,energy=E,kwh=K,money=M,purchases=N,kind=K,fault=F (repeat)")
    p.add_argument("--energy", type=hundredths, default=0, help="total energy, kWh")
    p.add_argument("--remaining-energy", type=hundredths, default=None, help="kWh left")
    p.add_argument("--remaining-money", type=hundredths, default=None, help="money left")
    p.add_argument("--purchases", type=int, default=0)
    p.add_argument("--kind", choices=("energy", "money"), default="energy")
    p.add_argument("--fault", type=Fault, default=Fault.NONE,
                   help="none|" + "|".join(f.value for f in Fault if f is not Fault.NONE))
    p.add_argument("--fault-times", type=int, default=None)
    p.add_argument("--baud", type=int, default=2400)
    p.add_argument("--parity", choices=("N", "E", "O"), default="E")
    p.add_argument("--preamble", type=int, default=4)
    p.add_argument("--reply-delay", type=float, default=0.0, help="seconds before answering")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    defaults: dict[str, object] = {
        "total_energy": args.energy, "remaining_energy": args.remaining_energy,
        "remaining_money": args.remaining_money, "purchase_count": args.purchases,
        "kind": args.kind, "fault": args.fault, "fault_times": args.fault_times,
    }
    meters = [_meter_from_spec(a, defaults) for a in args.address]
    meters += [_meter_from_spec(spec, defaults) for spec in args.meter]
    if not meters:
        print("give at least one --address or --meter", file=sys.stderr)
        return 2
    settings = PortSettings(port=args.port, baudrate=args.baud, parity=args.parity,
                            preamble=args.preamble)
    bus = MeterBus(meters, preamble=args.preamble)
    sim = MeterSimulator(settings, bus, reply_delay_s=args.reply_delay)
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sim.start()
    print(f"meter simulator on {args.port}: " + ", ".join(m.address for m in meters),
          flush=True)
    done.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
