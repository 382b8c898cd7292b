"""ccTalk codec for a bill validator: bytes in, values out, no I/O.

A ccTalk packet (8-bit simple checksum)::

    [destination] [data length] [source] [header] [data ...] [checksum]

where the checksum makes the sum of all bytes 0 modulo 256.  A reply has header 0
(ACK) and the answer in its data; header 5 is NAK.  Bill events (header 159) come as
an event counter and five result pairs (A, B), newest first: A in 1..255 is a bill
type (B = 0 stacked: credit; B = 1 held in escrow), A = 0 is a status or error in B.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from hardware.cash.errors import (
    CashChecksumError,
    CashEventsLost,
    CashGarbledReply,
)
from hardware.framing import FrameBuffer, Parsed, Scan

HOST_ADDRESS = 1
BILL_VALIDATOR_ADDRESS = 40

# headers (ccTalk generic specification, bill validator set)
ACK = 0
RESET_DEVICE = 1
NAK = 5
BUSY = 6
SIMPLE_POLL = 254
REQUEST_MANUFACTURER_ID = 246
REQUEST_EQUIPMENT_CATEGORY_ID = 245
REQUEST_PRODUCT_CODE = 244
REQUEST_SERIAL_NUMBER = 242
MODIFY_INHIBIT_STATUS = 231
REQUEST_INHIBIT_STATUS = 230
MODIFY_MASTER_INHIBIT = 228
REQUEST_MASTER_INHIBIT = 227
READ_BUFFERED_BILL_EVENTS = 159
REQUEST_BILL_ID = 157
REQUEST_COUNTRY_SCALING_FACTOR = 156
ROUTE_BILL = 154
MODIFY_BILL_OPERATING_MODE = 153
REQUEST_BILL_OPERATING_MODE = 152

# route bill (154) parameters and error replies
ROUTE_RETURN = 0
ROUTE_STACK = 1
ROUTE_EXTEND_ESCROW = 255
ROUTE_ESCROW_EMPTY = 254
ROUTE_FAILED = 255

# bill operating mode (153) bits
MODE_STACKER = 0x01
MODE_ESCROW = 0x02

EVENT_SLOTS = 5
MAX_DATA_LEN = 252  # a packet is at most 257 bytes


class Category(Enum):
    """What a status/error event (A = 0) means for the sale."""

    STATUS = "status"        # information only
    RETURNED = "returned"    # the note in escrow went back to the customer
    REJECT = "reject"        # a note was refused and given back
    JAM = "jam"              # a note is stuck
    FRAUD = "fraud"          # a fraud attempt
    FAULT = "fault"          # stacker / mechanism problem: stop taking money
    UNKNOWN_STACKED = "unknown_stacked"  # a note of unknown type went into the cash box


# B code of A = 0 events -> (category, text)
STATUS_EVENTS: dict[int, tuple[Category, str]] = {
    0: (Category.STATUS, "master inhibit active"),
    1: (Category.RETURNED, "bill returned from escrow"),
    2: (Category.REJECT, "invalid bill (validation fail)"),
    3: (Category.REJECT, "invalid bill (transport problem)"),
    4: (Category.REJECT, "inhibited bill (on serial)"),
    5: (Category.REJECT, "inhibited bill (on DIP switches)"),
    6: (Category.JAM, "bill jammed in transport (unsafe mode)"),
    7: (Category.JAM, "bill jammed in stacker"),
    8: (Category.FRAUD, "bill pulled backwards"),
    9: (Category.FRAUD, "bill tamper"),
    10: (Category.STATUS, "stacker OK"),
    11: (Category.FAULT, "stacker removed"),
    12: (Category.STATUS, "stacker inserted"),
    13: (Category.FAULT, "stacker faulty"),
    14: (Category.FAULT, "stacker full"),
    15: (Category.JAM, "stacker jammed"),
    16: (Category.JAM, "bill jammed in transport (safe mode)"),
    17: (Category.FRAUD, "opto fraud detected"),
    18: (Category.FRAUD, "string fraud detected"),
    19: (Category.FAULT, "anti-string mechanism faulty"),
    20: (Category.STATUS, "barcode detected"),
    21: (Category.UNKNOWN_STACKED, "unknown bill type stacked"),
}


def describe_status(code: int) -> tuple[Category, str]:
    return STATUS_EVENTS.get(code, (Category.STATUS, f"unknown status event {code}"))


@dataclass(frozen=True)
class Packet:
    dest: int
    src: int
    header: int
    data: bytes = b""


def checksum(raw: bytes) -> int:
    return (-sum(raw)) & 0xFF


def encode_packet(packet: Packet) -> bytes:
    if len(packet.data) > MAX_DATA_LEN:
        raise ValueError(f"ccTalk data is at most {MAX_DATA_LEN} bytes")
    body = bytes([packet.dest, len(packet.data), packet.src, packet.header]) + packet.data
    return body + bytes([checksum(body)])


def build_request(header: int, data: bytes = b"", *, dest: int = BILL_VALIDATOR_ADDRESS,
                  src: int = HOST_ADDRESS) -> bytes:
    return encode_packet(Packet(dest, src, header, data))


def build_reply(data: bytes = b"", *, header: int = ACK, dest: int = HOST_ADDRESS,
                src: int = BILL_VALIDATOR_ADDRESS) -> bytes:
    return encode_packet(Packet(dest, src, header, data))


class CctalkRules:
    """ccTalk packet rules for ``hardware.framing.FrameBuffer``. ccTalk has no start
    byte: with ``addresses`` (the bus's host and device), a packet may start only where
    its destination and source are among them, which resynchronises after noise or a
    damaged packet; without, a packet may start at any byte."""

    def __init__(self, addresses: frozenset[int] | None = None) -> None:
        self.addresses = addresses

    def find_start(self, buf: bytes, begin: int) -> int:
        if begin >= len(buf):
            return -1
        if self.addresses is None:
            return begin
        return next((i for i in range(begin, len(buf)) if buf[i] in self.addresses), -1)

    def parse_at(self, buf: bytes, at: int) -> Parsed[Packet]:
        n = len(buf) - at
        if n >= 2 and buf[at + 1] > MAX_DATA_LEN:
            return Parsed(Scan.MALFORMED)
        if self.addresses is not None and n >= 3 and buf[at + 2] not in self.addresses:
            return Parsed(Scan.MALFORMED)
        if n < 5 or n < 5 + buf[at + 1]:
            return Parsed(Scan.INCOMPLETE)
        end = at + 5 + buf[at + 1]
        frame = buf[at:end]
        if sum(frame) & 0xFF:
            return Parsed(Scan.CHECKSUM, end=end)
        return Parsed(Scan.FRAME, Packet(frame[0], frame[2], frame[3], bytes(frame[4:-1])), end)


def packet_buffer(addresses: frozenset[int] | None = None,
                  accept: Callable[[Packet], bool] = lambda packet: True) -> FrameBuffer[Packet]:
    """A framing buffer for ccTalk that keeps the packets ``accept`` wants."""
    return FrameBuffer(CctalkRules(addresses), accept)


def decode_packet(raw: bytes) -> Packet:
    """Exactly one packet; anything else raises a ``CashGarbledReply``."""
    parsed = CctalkRules().parse_at(raw, 0)
    if parsed.status is Scan.CHECKSUM:
        raise CashChecksumError(f"The bill validator's answer was damaged: {raw.hex(' ')}")
    if parsed.status is Scan.MALFORMED:
        raise CashGarbledReply(f"The bill validator's answer is not a ccTalk packet: {raw.hex(' ')}")
    if parsed.frame is None:
        raise CashGarbledReply(f"The bill validator's answer stopped half way: {raw.hex(' ')}")
    if parsed.end != len(raw):
        raise CashGarbledReply(f"Extra bytes after the validator's answer: {raw.hex(' ')}")
    return parsed.frame


# ------------------------------------------------------------------ bill events
@dataclass(frozen=True)
class EventBuffer:
    counter: int
    results: tuple[tuple[int, int], ...]  # newest first


def decode_bill_events(data: bytes) -> EventBuffer:
    if len(data) != 1 + 2 * EVENT_SLOTS:
        raise CashGarbledReply(f"A bill event buffer is 11 bytes, not {len(data)}.")
    pairs = tuple((data[1 + 2 * i], data[2 + 2 * i]) for i in range(EVENT_SLOTS))
    return EventBuffer(data[0], pairs)


def encode_bill_events(counter: int, results: list[tuple[int, int]]) -> bytes:
    padded = (list(results) + [(0, 0)] * EVENT_SLOTS)[:EVENT_SLOTS]
    return bytes([counter]) + bytes(b for pair in padded for b in pair)


def next_counter(counter: int) -> int:
    """The event counter runs 1..255 and wraps to 1; 0 only after power-up or reset."""
    return 1 if counter >= 255 else counter + 1


def previous_counter(counter: int) -> int:
    """The counter of the event before the one numbered ``counter`` (1 follows 255)."""
    return 255 if counter <= 1 else counter - 1


def events_since(last: int, buffer: EventBuffer) -> list[tuple[int, int]]:
    """The result pairs that are new since counter ``last``, oldest first.

    Raises ``CashEventsLost`` when more events happened than the buffer holds, or
    when the validator restarted (counter back to 0) with events unread.
    """
    now = buffer.counter
    if now == last:
        return []
    if now == 0:
        raise CashEventsLost(
            "The bill validator restarted: notes inserted just before may not be counted.")
    if last == 0:
        new = now
    else:
        new = now - last if now > last else now - last + 255
    if new > EVENT_SLOTS:
        raise CashEventsLost(
            f"{new} bill events happened since the last poll, only {EVENT_SLOTS} are kept: "
            "count the cash box.")
    return list(reversed(buffer.results[:new]))


# ------------------------------------------------------------------ bill ids
@dataclass(frozen=True)
class BillId:
    """A bill id such as ``KE0050A``: country, value code, issue letter."""

    country: str
    value_code: int
    issue: str

    def __str__(self) -> str:
        return f"{self.country}{self.value_code:04d}{self.issue}"


def parse_bill_id(data: bytes) -> BillId | None:
    """``None`` for an unprogrammed bill type ("......." or zeros)."""
    text = data.decode("ascii", errors="replace")
    if len(text) != 7 or not text[2:6].isdigit() or not text[:2].isalpha():
        return None
    return BillId(text[:2], int(text[2:6]), text[6])


def parse_scaling(data: bytes) -> tuple[int, int]:
    """Country scaling factor reply: (factor, decimal places)."""
    if len(data) != 3:
        raise CashGarbledReply("A scaling factor reply is 3 bytes.")
    return data[0] | (data[1] << 8), data[2]


def inhibit_mask(bill_types: set[int] | frozenset[int]) -> bytes:
    """Modify-inhibit data: bit n-1 set = bill type n accepted (types 1..16)."""
    mask = 0
    for bt in bill_types:
        if not 1 <= bt <= 16:
            raise ValueError("bill types are 1..16")
        mask |= 1 << (bt - 1)
    return mask.to_bytes(2, "little")
