"""A ccTalk bill validator session: commands, bill events and the sale's cash intake.

``BillValidator`` works on any byte link (the serial one opens from ``CashSettings``).
Logging, retries and ACK/NAK checks live once, in ``BillValidator.command``.  Money
is counted only on a credit event (note in the cash box), never on escrow.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Protocol

from hardware.cash import codec
from hardware.cash.errors import (
    CashBillTableMismatch,
    CashChecksumError,
    CashCommandRefused,
    CashError,
    CashFraud,
    CashGarbledReply,
    CashJammed,
    CashNoAnswer,
    CashRouteFailed,
    CashStackerFault,
    CashUnknownBill,
)
from hardware.cash.models import (
    BillEscrowed,
    BillEvent,
    BillJammed,
    BillReturned,
    BillTable,
    CashSettings,
    CreditAccepted,
    DeviceFault,
    FraudAttempt,
    TenderResult,
    UnknownBillStacked,
    to_event,
)
from hardware.framing import Scan

log = logging.getLogger("hardware.cash")


class ByteLink(Protocol):
    def write(self, data: bytes) -> None: ...
    def read(self, wait_s: float) -> bytes: ...
    def discard_input(self) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class DeviceIdentity:
    manufacturer: str
    category: str
    product_code: str
    serial_number: int


@dataclass
class _Intake:
    """The running state of one ``accept_up_to``."""

    limit: int
    cancel: threading.Event | None
    on_event: Callable[[BillEvent], None] | None
    on_stack: Callable[[BillEscrowed], None] | None = None
    total: int = 0
    awaiting_credit: bool = False
    problem: CashError | None = None
    events: list[BillEvent] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()


def _ascii(data: bytes) -> str:
    return data.decode("ascii", errors="replace").strip()


class BillValidator:
    def __init__(self, link: ByteLink, settings: CashSettings, table: BillTable) -> None:
        self.link = link
        self.settings = settings
        self.table = table
        self._last_counter: int | None = None

    # ------------------------------------------------------------ commands
    def command(self, header: int, data: bytes = b"") -> bytes:
        """Send one command; the data of its ACK reply.  Lost or damaged replies are retried."""
        request = codec.build_request(header, data, dest=self.settings.address,
                                      src=self.settings.host_address)
        tries = self.settings.retries + 1
        for n in range(1, tries + 1):
            try:
                packet = self._transact(request)
                break
            except (CashNoAnswer, CashGarbledReply) as exc:
                log.info("ccTalk header %d attempt %d/%d: %s", header, n, tries, exc.code)
                if n == tries:
                    raise
        if packet.header in (codec.NAK, codec.BUSY):
            word = "NAK" if packet.header == codec.NAK else "BUSY"
            raise CashCommandRefused(f"The bill validator refused command {header} ({word}).")
        if packet.header != codec.ACK:
            raise CashGarbledReply(f"The bill validator answered header {packet.header}.")
        log.debug("ccTalk %d %s -> %s", header, data.hex(), packet.data.hex())
        return packet.data

    def simple_poll(self) -> None:
        self.command(codec.SIMPLE_POLL)

    def identify(self) -> DeviceIdentity:
        serial_raw = self.command(codec.REQUEST_SERIAL_NUMBER)
        return DeviceIdentity(
            manufacturer=_ascii(self.command(codec.REQUEST_MANUFACTURER_ID)),
            category=_ascii(self.command(codec.REQUEST_EQUIPMENT_CATEGORY_ID)),
            product_code=_ascii(self.command(codec.REQUEST_PRODUCT_CODE)),
            serial_number=int.from_bytes(serial_raw, "little"),
        )

    def read_bill_ids(self) -> dict[int, codec.BillId]:
        ids: dict[int, codec.BillId] = {}
        for bill_type in range(1, 17):
            bill_id = codec.parse_bill_id(self.command(codec.REQUEST_BILL_ID, bytes([bill_type])))
            if bill_id is not None:
                ids[bill_type] = bill_id
        return ids

    def scaling(self, country: str) -> tuple[int, int]:
        return codec.parse_scaling(
            self.command(codec.REQUEST_COUNTRY_SCALING_FACTOR, country.encode("ascii")))

    def verify_bill_table(self, currency_decimals: int = 2) -> dict[int, codec.BillId]:
        """Check the configured values against the device's bill ids and scaling.

        Raises ``CashBillTableMismatch`` naming every bill type that disagrees.
        """
        ids = self.read_bill_ids()
        problems: list[str] = []
        scalings: dict[str, tuple[int, int]] = {}
        for bill_type, value in sorted(self.table.values.items()):
            bill_id = ids.get(bill_type)
            if bill_id is None:
                problems.append(f"type {bill_type}: not programmed in the validator")
                continue
            if bill_id.country not in scalings:
                scalings[bill_id.country] = self.scaling(bill_id.country)
            factor, decimals = scalings[bill_id.country]
            device_value = bill_id.value_code * factor * 10 ** currency_decimals
            if device_value % 10 ** decimals or device_value // 10 ** decimals != value:
                problems.append(f"type {bill_type}: validator says {bill_id}, table says {value}")
        if problems:
            raise CashBillTableMismatch(
                "The bill table does not match the validator: " + "; ".join(problems))
        return ids

    def set_accepted(self, bill_types: frozenset[int]) -> None:
        self.command(codec.MODIFY_INHIBIT_STATUS, codec.inhibit_mask(bill_types))

    def set_master_enabled(self, enabled: bool) -> None:
        self.command(codec.MODIFY_MASTER_INHIBIT, bytes([1 if enabled else 0]))

    def set_operating_mode(self, *, stacker: bool = True, escrow: bool = True) -> None:
        mode = (codec.MODE_STACKER if stacker else 0) | (codec.MODE_ESCROW if escrow else 0)
        self.command(codec.MODIFY_BILL_OPERATING_MODE, bytes([mode]))

    def route(self, stack: bool) -> bool:
        """Stack (``True``) or return the note in escrow; ``False`` if escrow was empty."""
        reply = self.command(codec.ROUTE_BILL,
                             bytes([codec.ROUTE_STACK if stack else codec.ROUTE_RETURN]))
        if reply == bytes([codec.ROUTE_ESCROW_EMPTY]):
            return False
        if reply == bytes([codec.ROUTE_FAILED]):
            raise CashRouteFailed("The note in escrow could not be moved: call a supervisor.")
        return True

    # ------------------------------------------------------------ events
    def sync_events(self) -> None:
        """Take the validator's event counter as the starting point (old events ignored)."""
        buffer = codec.decode_bill_events(self.command(codec.READ_BUFFERED_BILL_EVENTS))
        self._last_counter = buffer.counter

    def read_events(self) -> list[BillEvent]:
        """The events since the last read, oldest first, valued through the bill table."""
        if self._last_counter is None:
            self.sync_events()
            return []
        buffer = codec.decode_bill_events(self.command(codec.READ_BUFFERED_BILL_EVENTS))
        try:
            results = codec.events_since(self._last_counter, buffer)
        finally:
            self._last_counter = buffer.counter
        counters = [buffer.counter]
        while len(counters) < len(results):
            counters.append(codec.previous_counter(counters[-1]))
        events = [replace(to_event(r, self.table), counter=c) for r, c in zip(results, reversed(counters))]
        for event in events:
            log.info("bill validator event: %s", event)
        return events

    def resume_from(self, counter: int) -> None:
        """Take ``counter`` (an event counter recorded before the host restarted) as the
        starting point, so that the events after it are read, not skipped."""
        self._last_counter = counter

    def watch(self, stop: threading.Event) -> Iterator[BillEvent]:
        """Yield events as they come, polling every ``poll_interval_s``, until ``stop``."""
        while not stop.is_set():
            yield from self.read_events()
            stop.wait(self.settings.poll_interval_s)

    def enable(self, *, escrow: bool = True) -> None:
        """Accept the configured bill types (through escrow unless told otherwise)."""
        self.sync_events()
        self.set_operating_mode(stacker=True, escrow=escrow)
        self.set_accepted(self.table.bill_types)
        self.set_master_enabled(True)

    def disable(self) -> None:
        self.set_master_enabled(False)

    # ------------------------------------------------------------ the sale's cash intake
    def accept_up_to(
        self, amount_due_minor: int, *, overpay_limit_minor: int = 0,
        idle_timeout_s: float = 60.0, cancel: threading.Event | None = None,
        on_event: Callable[[BillEvent], None] | None = None,
        on_stack: Callable[[BillEscrowed], None] | None = None,
    ) -> TenderResult:
        """Take notes until ``amount_due_minor`` is reached, through escrow.

        A note in escrow is stacked only if the total stays within the amount due plus
        ``overpay_limit_minor``; otherwise it is returned.  Money counts when its credit
        event arrives.  Rejected notes are reported and the intake goes on; a jam,
        fraud, stacker fault or lost link stops it, with ``problem`` set and the money
        already counted in ``total_minor``.  ``on_stack`` runs just before a note in
        escrow is routed to the cash box (a host records it there, to find its credit
        event after a crash).
        """
        if amount_due_minor <= 0:
            raise ValueError("amount due must be positive")
        intake = _Intake(amount_due_minor + overpay_limit_minor, cancel, on_event, on_stack)
        outcome = "stopped"
        last_activity = time.monotonic()
        try:
            self.enable(escrow=True)
            while True:
                if not intake.awaiting_credit:
                    if intake.total >= amount_due_minor:
                        outcome = "complete"
                        break
                    if intake.cancelled:
                        outcome = "cancelled"
                        break
                if time.monotonic() - last_activity > idle_timeout_s:
                    outcome = "timed_out"
                    if intake.awaiting_credit:
                        intake.problem = CashJammed("A stacked note never reached the cash box.")
                    break
                events = self.read_events()
                for event in events:
                    self._take(event, intake)
                if events:
                    last_activity = time.monotonic()
                if intake.problem is not None:
                    break
                time.sleep(self.settings.poll_interval_s)
        except CashError as exc:
            intake.problem = exc
        finally:
            self._close_intake(intake)
        if intake.problem is not None:
            outcome = "stopped"
            log.warning("cash intake stopped: %s %s", intake.problem.code, intake.problem.message)
        log.info("cash intake %s: %d of %d counted", outcome, intake.total, amount_due_minor)
        return TenderResult(amount_due_minor, intake.total, outcome, tuple(intake.events),
                            intake.problem)

    def _take(self, event: BillEvent, intake: _Intake, *, closing: bool = False) -> None:
        """Account for one event of the intake; route a note in escrow."""
        intake.events.append(event)
        if intake.on_event is not None:
            intake.on_event(event)
        if isinstance(event, CreditAccepted):
            intake.total += event.value_minor
            intake.awaiting_credit = False
        elif isinstance(event, BillEscrowed):
            take = (not closing and not intake.cancelled and event.value_minor is not None
                    and intake.total + event.value_minor <= intake.limit)
            if take and intake.on_stack is not None:
                intake.on_stack(event)
            routed = self.route(stack=take)
            intake.awaiting_credit = take and routed
        elif isinstance(event, BillReturned):
            intake.awaiting_credit = False
        elif isinstance(event, BillJammed):
            intake.problem = CashJammed(f"A note is jammed ({event.reason}): call a supervisor.")
        elif isinstance(event, FraudAttempt):
            intake.problem = CashFraud(f"Fraud attempt at the note acceptor ({event.reason}).")
        elif isinstance(event, DeviceFault):
            intake.problem = CashStackerFault(f"The note acceptor stopped: {event.reason}.")
        elif isinstance(event, UnknownBillStacked):
            intake.awaiting_credit = False
            intake.problem = CashUnknownBill(
                "A note of unknown value went into the cash box: call a supervisor.")

    def _close_intake(self, intake: _Intake) -> None:
        """Disable, then settle the events of the last moment: a note that reached
        escrow just before is returned, a credit that arrived is counted."""
        try:
            self.disable()
            for _ in range(3):  # a returned note reports back on the next poll
                events = self.read_events()
                if not events:
                    break
                for event in events:
                    self._take(event, intake, closing=True)
                time.sleep(self.settings.poll_interval_s)
        except CashError as exc:
            log.warning("closing the cash intake: %s %s", exc.code, exc.message)
            if intake.problem is None and intake.awaiting_credit:
                intake.problem = exc

    # ------------------------------------------------------------ private hook
    def _transact(self, request: bytes) -> codec.Packet:
        """Send ``request``; the validator's reply (our own echo and other traffic skipped)."""
        self.link.discard_input()
        self.link.write(request)
        host, device = self.settings.host_address, self.settings.address
        buffer = codec.packet_buffer(frozenset({host, device}),
                                     accept=lambda packet: packet.dest == host and packet.src == device)
        heard = bytearray()
        deadline = time.monotonic() + self.settings.timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            chunk = self.link.read(min(remaining, 0.1))
            heard += chunk
            buffer.feed(chunk)
            packet = buffer.next_frame()
            if packet is not None:
                return packet
            if buffer.trouble is Scan.CHECKSUM:
                raise CashChecksumError(f"The bill validator's answer was damaged: {bytes(heard).hex(' ')}")
        if buffer.trouble is None:  # silence, or only our own request echoed
            raise CashNoAnswer(
                f"The note acceptor on {self.settings.port} does not answer: check its "
                "power and cable.")
        raise CashGarbledReply(f"The note acceptor's answer stopped half way: {bytes(heard).hex(' ')}")


def open_link(settings: CashSettings) -> ByteLink:
    # pyserial is imported only when a port is opened
    from hardware.cash.transport import SerialLink

    return SerialLink(settings)


def probe_bill_validator(settings: CashSettings) -> str:
    """``ports test`` for the note acceptor: poll it and return its equipment category."""
    link = open_link(settings)
    try:
        validator = BillValidator(link, settings, BillTable({}))
        validator.simple_poll()
        return _ascii(validator.command(codec.REQUEST_EQUIPMENT_CATEGORY_ID))
    finally:
        link.close()
