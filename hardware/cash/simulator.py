"""A ccTalk bill validator simulator, for tests and the demo (on a ``socat`` pty).

    python -m hardware.cash.simulator --port /tmp/bv-sim --script insert:2,reject,insert:3

The customer's actions (insert a note, a note the validator rejects, a jam, a fraud
attempt, the cash box pulled) wait in a queue and happen one per event poll while the
validator is enabled and its escrow is empty, as a customer only feeds an open slot.
Python API: ``SimulatedBillValidator`` (pure: request bytes in, reply bytes out) and
``CashSimulator`` (serves it on a serial port in a thread).
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from types import FrameType
from typing import Any

from hardware.cash import codec
from hardware.cash.errors import CashPortError
from hardware.cash.models import CashSettings
from hardware.serial_link import SimulatorThread

log = logging.getLogger("hardware.cash.simulator")

KES_BILLS = {1: "KE0050A", 2: "KE0100A", 3: "KE0200A", 4: "KE0500A", 5: "KE1000A"}


class Action(Enum):
    INSERT = "insert"            # a good note of a bill type
    REJECT = "reject"            # a note the validator cannot validate
    JAM = "jam"                  # a note stuck in the transport
    FRAUD = "fraud"              # a note on a string
    REMOVE_STACKER = "remove_stacker"


class LineFault(Enum):
    NONE = "none"
    NO_ANSWER = "no_answer"
    BAD_CHECKSUM = "bad_checksum"


@dataclass
class SimulatedBillValidator:
    address: int = codec.BILL_VALIDATOR_ADDRESS
    bill_ids: dict[int, str] = field(default_factory=lambda: dict(KES_BILLS))
    scaling: tuple[int, int] = (100, 2)  # value code x 100, 2 decimals: KE0050A = 50.00
    manufacturer: str = "PPMS"
    product_code: str = "SIM-BV"
    serial_number: int = 123456
    master_enabled: bool = False
    accepted_mask: int = 0
    mode: int = 0
    escrow: int | None = None
    counter: int = 0
    jammed: bool = False
    results: deque[tuple[int, int]] = field(default_factory=lambda: deque(maxlen=5))
    actions: deque[tuple[Action, int]] = field(default_factory=deque)
    line_fault: LineFault = LineFault.NONE
    line_fault_times: int | None = None
    commands: list[int] = field(default_factory=list)
    cash_box: list[int] = field(default_factory=list)  # bill types stacked, in order

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._buffer = codec.packet_buffer(accept=lambda packet: packet.dest == self.address)

    # ------------------------------------------------------------ the customer
    def insert(self, bill_type: int) -> None:
        self.queue(Action.INSERT, bill_type)

    def queue(self, action: Action, bill_type: int = 0) -> None:
        with self._lock:
            self.actions.append((action, bill_type))

    def set_line_fault(self, fault: LineFault, times: int | None = None) -> None:
        with self._lock:
            self.line_fault, self.line_fault_times = fault, times

    def _event(self, a: int, b: int) -> None:
        self.counter = codec.next_counter(self.counter)
        self.results.appendleft((a, b))

    def _run_one_action(self) -> None:
        if not self.actions or not self.master_enabled or self.escrow is not None or self.jammed:
            return
        action, bill_type = self.actions.popleft()
        if action is Action.INSERT:
            if bill_type not in self.bill_ids:
                self._event(0, 2)  # not a note it knows: validation fail
            elif not self.accepted_mask & (1 << (bill_type - 1)):
                self._event(0, 4)  # inhibited on serial
            elif self.mode & codec.MODE_ESCROW:
                self.escrow = bill_type
                self._event(bill_type, 1)
            else:
                self.cash_box.append(bill_type)
                self._event(bill_type, 0)
        elif action is Action.REJECT:
            self._event(0, 2)
        elif action is Action.JAM:
            self.jammed = True
            self._event(0, 6)
        elif action is Action.FRAUD:
            self._event(0, 18)
        elif action is Action.REMOVE_STACKER:
            self._event(0, 11)

    # ------------------------------------------------------------ the host
    def handle(self, request: codec.Packet) -> bytes | None:
        """The reply bytes to one request addressed to this validator."""
        with self._lock:
            self.commands.append(request.header)
            h, d = request.header, request.data
            data = b""
            if h == codec.READ_BUFFERED_BILL_EVENTS:
                self._run_one_action()
                data = codec.encode_bill_events(self.counter, list(self.results))
            elif h in (codec.SIMPLE_POLL, codec.MODIFY_INHIBIT_STATUS,
                       codec.MODIFY_MASTER_INHIBIT, codec.MODIFY_BILL_OPERATING_MODE,
                       codec.RESET_DEVICE):
                if h == codec.MODIFY_INHIBIT_STATUS and len(d) == 2:
                    self.accepted_mask = int.from_bytes(d, "little")
                elif h == codec.MODIFY_MASTER_INHIBIT and len(d) == 1:
                    self.master_enabled = bool(d[0] & 1)
                elif h == codec.MODIFY_BILL_OPERATING_MODE and len(d) == 1:
                    self.mode = d[0]
                elif h == codec.RESET_DEVICE:
                    self.counter, self.escrow, self.master_enabled = 0, None, False
                    self.results.clear()
            elif h == codec.ROUTE_BILL and len(d) == 1:
                data = self._route(d[0])
            elif h == codec.REQUEST_INHIBIT_STATUS:
                data = self.accepted_mask.to_bytes(2, "little")
            elif h == codec.REQUEST_MASTER_INHIBIT:
                data = bytes([1 if self.master_enabled else 0])
            elif h == codec.REQUEST_BILL_OPERATING_MODE:
                data = bytes([self.mode])
            elif h == codec.REQUEST_BILL_ID and len(d) == 1:
                data = self.bill_ids.get(d[0], ".......").encode("ascii")
            elif h == codec.REQUEST_COUNTRY_SCALING_FACTOR:
                factor, decimals = self.scaling
                data = bytes([factor & 0xFF, factor >> 8, decimals])
            elif h == codec.REQUEST_EQUIPMENT_CATEGORY_ID:
                data = b"Bill Validator"
            elif h == codec.REQUEST_MANUFACTURER_ID:
                data = self.manufacturer.encode("ascii")
            elif h == codec.REQUEST_PRODUCT_CODE:
                data = self.product_code.encode("ascii")
            elif h == codec.REQUEST_SERIAL_NUMBER:
                data = self.serial_number.to_bytes(3, "little")
            else:
                return codec.build_reply(header=codec.NAK, dest=request.src, src=self.address)
            return codec.build_reply(data, dest=request.src, src=self.address)

    def _route(self, how: int) -> bytes:
        if how == codec.ROUTE_EXTEND_ESCROW:
            return b""
        if self.escrow is None:
            return bytes([codec.ROUTE_ESCROW_EMPTY])
        bill_type, self.escrow = self.escrow, None
        if how == codec.ROUTE_STACK:
            self.cash_box.append(bill_type)
            self._event(bill_type, 0)
        else:
            self._event(0, 1)
        return b""

    def feed(self, data: bytes) -> bytes:
        """Bytes from the line in, reply bytes out (requests to other addresses ignored)."""
        out = bytearray()
        with self._lock:
            self._buffer.feed(data)
            for packet in self._buffer.frames():  # damaged or not for us: a device stays silent
                reply = self.handle(packet)
                fault = self._take_line_fault()
                if reply is None or fault is LineFault.NO_ANSWER:
                    continue
                if fault is LineFault.BAD_CHECKSUM:
                    reply = reply[:-1] + bytes([reply[-1] ^ 0x21])
                out += reply
        return bytes(out)

    def reset_input(self) -> None:
        with self._lock:
            self._buffer.clear()

    def _take_line_fault(self) -> LineFault:
        fault = self.line_fault
        if fault is not LineFault.NONE and self.line_fault_times is not None:
            self.line_fault_times -= 1
            if self.line_fault_times <= 0:
                self.line_fault, self.line_fault_times = LineFault.NONE, None
        return fault


class CashSimulator(SimulatorThread):
    """Serve a ``SimulatedBillValidator`` on a serial port from a background thread."""

    def __init__(self, settings: CashSettings, device: SimulatedBillValidator) -> None:
        from hardware.cash.transport import SerialLink  # noqa: PLC0415 (pyserial on start only)
        super().__init__("cash-sim", lambda: SerialLink(settings), CashPortError)
        self.settings = settings
        self.device = device

    def serve(self, link: Any, stop: threading.Event) -> None:
        idle = 0
        while not stop.is_set():
            data = link.read(0.05)
            if not data:
                idle += 1
                if idle > 10:
                    self.device.reset_input()  # a half packet then silence: drop it
                continue
            idle = 0
            reply = self.device.feed(data)
            if reply:
                link.write(reply)


def parse_script(text: str) -> list[tuple[Action, int]]:
    """"insert:2,reject,insert:3,jam" -> actions."""
    steps: list[tuple[Action, int]] = []
    for item in filter(None, (s.strip() for s in text.split(","))):
        name, _, arg = item.partition(":")
        action = Action(name)
        if action is Action.INSERT and not arg.isdigit():
            raise argparse.ArgumentTypeError(f"{item!r}: insert needs a bill type, insert:2")
        steps.append((action, int(arg) if arg else 0))
    return steps


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hardware.cash.simulator",
                                description="ccTalk bill validator simulator on a serial port")
    p.add_argument("--port", required=True)
    p.add_argument("--baud", type=int, default=9600)
    p.add_argument("--address", type=int, default=codec.BILL_VALIDATOR_ADDRESS)
    p.add_argument("--script", type=parse_script, default=[],
                   help="customer actions: insert:N, reject, jam, fraud, remove_stacker")
    p.add_argument("--bills", default=None,
                   help="bill ids, e.g. 1=KE0050A,2=KE0100A (default: KES 50..1000)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    bills = dict(KES_BILLS)
    if args.bills:
        bills = {int(k): v for k, _, v in (s.partition("=") for s in args.bills.split(","))}
    device = SimulatedBillValidator(address=args.address, bill_ids=bills)
    for action, bill_type in args.script:
        device.queue(action, bill_type)
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with CashSimulator(CashSettings(port=args.port, baudrate=args.baud), device):
        print(f"bill validator simulator on {args.port}, address {args.address}", flush=True)
        done.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
