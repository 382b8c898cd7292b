"""DL/T 645-2007 frame codec: bytes in, values out, no I/O.

A frame on the wire::

    FE FE FE FE   68  A0 A1 A2 A3 A4 A5  68  C  L  DATA(L)  CS  16
    (wake-up      |   address, low byte |       |  each     |   sum of 68..DATA
     preamble,    |   first, BCD        |       |  byte     |   mod 256
     optional)                                     +0x33

Control byte C: D7 direction (1 = meter to master), D6 abnormal reply, D5 follow-up
frame, D4..D0 function (0x11 read data, 0x13 read address).  A read-data request
carries the data identifier DI3 DI2 DI1 DI0 sent DI0 first; the reply repeats the DI
and appends the value.  An abnormal reply (C = 0xD1) carries one ERR byte.

Values: energy as integer 0.01 kWh (BCD XXXXXX.XX), money as integer minor units
(BCD XXXXXX.XX of the currency), counts as integers (BCD NNNN), status words as
16-bit integers (binary, low byte first).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from hardware.framing import FrameBuffer, Parsed, Scan
from hardware.meters.errors import (
    MeterChecksumError,
    MeterErrorReply,
    MeterGarbledReply,
    MeterSettingsError,
    MeterTruncatedFrame,
    MeterUnexpectedReply,
    MeterWrongAddress,
)

START = 0x68
END = 0x16
WAKE = 0xFE
OFFSET = 0x33
HEADER_LEN = 10  # 68 A0..A5 68 C L
MAX_DATA_LEN = 200  # DL/T 645-2007: L <= 200 for a read reply

# control codes
READ_DATA = 0x11
READ_ADDRESS = 0x13
DIR_REPLY = 0x80
ABNORMAL = 0x40
FUNCTION_MASK = 0x1F

# Data identifiers (DI3 DI2 DI1 DI0), DL/T 645-2007 appendix A
DI_TOTAL_FORWARD_ACTIVE = 0x00010000   # (current) forward active total energy XXXXXX.XX kWh
DI_REMAINING_ENERGY = 0x00900100       # (current) remaining energy XXXXXX.XX kWh
DI_OVERDRAFT_ENERGY = 0x00900101       # (current) overdraft energy XXXXXX.XX kWh
DI_REMAINING_MONEY = 0x00900200        # (current) remaining money XXXXXX.XX
DI_OVERDRAFT_MONEY = 0x00900201        # (current) overdraft money XXXXXX.XX
DI_PURCHASE_COUNT_ENERGY = 0x03320201  # total purchases after the last one, energy meters NNNN
DI_PURCHASE_COUNT_MONEY = 0x03330201   # total purchases after the last one, money meters NNNN
DI_COMM_ADDRESS = 0x04000401           # communication address NNNNNNNNNNNN
DI_STATUS_WORD_1 = 0x04000501          # meter running status word 1 (binary)
DI_STATUS_WORD_3 = 0x04000503          # meter running status word 3, operation (binary)


class Layout(Enum):
    BCD = "bcd"
    BINARY = "binary"
    ADDRESS = "address"


# DI -> (value length in bytes, layout)
DATA_FORMATS: dict[int, tuple[int, Layout]] = {
    DI_TOTAL_FORWARD_ACTIVE: (4, Layout.BCD),
    DI_REMAINING_ENERGY: (4, Layout.BCD),
    DI_OVERDRAFT_ENERGY: (4, Layout.BCD),
    DI_REMAINING_MONEY: (4, Layout.BCD),
    DI_OVERDRAFT_MONEY: (4, Layout.BCD),
    DI_PURCHASE_COUNT_ENERGY: (2, Layout.BCD),
    DI_PURCHASE_COUNT_MONEY: (2, Layout.BCD),
    DI_COMM_ADDRESS: (6, Layout.ADDRESS),
    **{0x04000500 + n: (2, Layout.BINARY) for n in range(1, 8)},
}

# ERR byte of an abnormal reply, bit -> meaning (DL/T 645-2007 table of error words)
ERROR_BITS: dict[int, str] = {
    0: "other error",
    1: "no requested data",
    2: "password error or not authorised",
    3: "communication rate cannot be changed",
    4: "too many year time zones",
    5: "too many daily time periods",
    6: "too many tariffs",
    7: "reserved bit set",
}

BROADCAST_ADDRESS = "AAAAAAAAAAAA"  # wildcard address of the read-address command


@dataclass(frozen=True)
class Frame:
    """A decoded frame: ``data`` already has the 0x33 offset removed."""

    address: str
    control: int
    data: bytes = b""

    @property
    def is_reply(self) -> bool:
        return bool(self.control & DIR_REPLY)

    @property
    def is_abnormal(self) -> bool:
        return bool(self.control & ABNORMAL)

    @property
    def function(self) -> int:
        return self.control & FUNCTION_MASK


# ---------------------------------------------------------------- addresses and BCD
def normalize_address(address: str) -> str:
    """Twelve upper-case characters: digits, left-padded with zeros, or A wildcards."""
    text = address.strip().upper()
    if not text or len(text) > 12 or any(c not in "0123456789A" for c in text):
        raise MeterSettingsError(
            f"Meter address {address!r} is not valid: use up to 12 digits."
        )
    if "A" in text and len(text) != 12:
        raise MeterSettingsError(
            f"Meter address {address!r} is not valid: a wildcard address has 12 characters."
        )
    return text.rjust(12, "0")


def address_to_bytes(address: str) -> bytes:
    text = normalize_address(address)
    pairs = [text[i:i + 2] for i in range(0, 12, 2)]
    return bytes(int(p, 16) for p in reversed(pairs))


def address_from_bytes(raw: bytes) -> str:
    if len(raw) != 6:
        raise MeterGarbledReply("A meter address must be 6 bytes.")
    return "".join(f"{b:02X}" for b in reversed(raw))


def bcd_encode(value: int, length: int) -> bytes:
    """``value`` as ``length`` BCD bytes, low byte first."""
    if value < 0 or value >= 10 ** (2 * length):
        raise ValueError(f"{value} does not fit in {length} BCD bytes")
    digits = f"{value:0{2 * length}d}"
    return bytes(int(digits[i:i + 2], 16) for i in range(2 * length - 2, -2, -2))


def bcd_decode(raw: bytes) -> int:
    """BCD bytes, low byte first, to an integer; a nibble above 9 is garbled data."""
    value = 0
    for byte in reversed(raw):
        hi, lo = byte >> 4, byte & 0x0F
        if hi > 9 or lo > 9:
            raise MeterGarbledReply(f"The meter sent a value that is not BCD ({raw.hex()}).")
        value = value * 100 + hi * 10 + lo
    return value


def di_to_bytes(di: int) -> bytes:
    return di.to_bytes(4, "little")


def checksum(raw: bytes) -> int:
    return sum(raw) & 0xFF


# ---------------------------------------------------------------- frames
def encode_frame(frame: Frame, *, preamble: int = 4) -> bytes:
    """The wire bytes of ``frame`` with ``preamble`` FE wake-up bytes in front."""
    if len(frame.data) > MAX_DATA_LEN:
        raise ValueError(f"frame data longer than {MAX_DATA_LEN} bytes")
    body = bytes([START]) + address_to_bytes(frame.address) + bytes(
        [START, frame.control & 0xFF, len(frame.data)]
    ) + bytes((b + OFFSET) & 0xFF for b in frame.data)
    return bytes([WAKE]) * preamble + body + bytes([checksum(body), END])


class Dlt645Rules:
    """DL/T 645 frame rules for ``hardware.framing.FrameBuffer``: a frame may start at
    any 0x68, so noise (or the FE preamble) holding a 0x68 never hides a good frame."""

    def find_start(self, buf: bytes, begin: int) -> int:
        return buf.find(START, begin)

    def parse_at(self, buf: bytes, i: int) -> Parsed[Frame]:
        n = len(buf)
        if n - i < HEADER_LEN:
            if n - i > 7 and buf[i + 7] != START:
                return Parsed(Scan.MALFORMED)
            return Parsed(Scan.INCOMPLETE)
        if buf[i + 7] != START or buf[i + 9] > MAX_DATA_LEN:
            return Parsed(Scan.MALFORMED)
        total = HEADER_LEN + buf[i + 9] + 2
        if n - i < total:
            return Parsed(Scan.INCOMPLETE)
        if buf[i + total - 1] != END:
            return Parsed(Scan.MALFORMED)
        body = buf[i:i + total - 2]
        if checksum(body) != buf[i + total - 2]:
            return Parsed(Scan.CHECKSUM, end=i + total)
        frame = Frame(
            address=address_from_bytes(body[1:7]),
            control=body[8],
            data=bytes((b - OFFSET) & 0xFF for b in body[HEADER_LEN:]),
        )
        return Parsed(Scan.FRAME, frame, i + total)


RULES = Dlt645Rules()


def frame_buffer(accept: Callable[[Frame], bool] = lambda frame: True) -> FrameBuffer[Frame]:
    """A framing buffer for DL/T 645 that keeps the frames ``accept`` wants."""
    return FrameBuffer(RULES, accept)


def raise_for_trouble(trouble: Scan | None, raw: bytes, address: str | None = None) -> None:
    """Turn what a framing buffer found instead of a frame into the matching error."""
    shown = raw[:64].hex(" ")
    if trouble is Scan.CHECKSUM:
        raise MeterChecksumError(
            f"The meter's answer was damaged on the line (checksum wrong): {shown}",
            address=address)
    if trouble is Scan.INCOMPLETE:
        raise MeterTruncatedFrame(
            f"The meter's answer stopped half way: {shown}", address=address)
    raise MeterGarbledReply(
        f"Only line noise came back, no DL/T 645 frame: {shown}", address=address)


def decode_frame(raw: bytes) -> Frame:
    """The first valid frame in ``raw``; garbled input raises, never guesses."""
    if not raw:
        raise MeterTruncatedFrame("No bytes to decode.")
    buffer = frame_buffer()
    buffer.feed(raw)
    frame = buffer.next_frame()
    if frame is None:
        raise_for_trouble(buffer.trouble, raw)
    assert frame is not None
    return frame


# ---------------------------------------------------------------- requests and replies
def build_read_request(address: str, di: int, *, preamble: int = 4) -> bytes:
    return encode_frame(Frame(normalize_address(address), READ_DATA, di_to_bytes(di)),
                        preamble=preamble)


def build_read_address_request(*, preamble: int = 4) -> bytes:
    return encode_frame(Frame(BROADCAST_ADDRESS, READ_ADDRESS), preamble=preamble)


def build_read_reply(address: str, di: int, value: bytes, *, preamble: int = 4) -> bytes:
    return encode_frame(Frame(address, READ_DATA | DIR_REPLY, di_to_bytes(di) + value),
                        preamble=preamble)


def build_error_reply(address: str, error_byte: int, *, function: int = READ_DATA,
                      preamble: int = 4) -> bytes:
    return encode_frame(Frame(address, function | DIR_REPLY | ABNORMAL, bytes([error_byte])),
                        preamble=preamble)


def build_address_reply(address: str, *, preamble: int = 4) -> bytes:
    return encode_frame(
        Frame(address, READ_ADDRESS | DIR_REPLY, address_to_bytes(address)),
        preamble=preamble)


def describe_error_byte(error_byte: int) -> tuple[str, ...]:
    return tuple(text for bit, text in ERROR_BITS.items() if error_byte & (1 << bit))


def check_reply(frame: Frame, *, address: str, function: int) -> None:
    """Raise unless ``frame`` is a normal reply of meter ``address`` to ``function``."""
    if not frame.is_reply:
        raise MeterUnexpectedReply("A request came back instead of a meter's answer.",
                                   address=address)
    wanted = normalize_address(address)
    if "A" not in wanted and frame.address != wanted:
        raise MeterWrongAddress(
            f"Meter {frame.address} answered instead of meter {wanted}.", address=address)
    if frame.function != function:
        raise MeterUnexpectedReply(
            f"The meter answered function {frame.function:#04x}, not {function:#04x}.",
            address=address)
    if frame.is_abnormal:
        error_byte = frame.data[0] if frame.data else 0
        reasons = describe_error_byte(error_byte) or ("unspecified error",)
        raise MeterErrorReply(
            f"Meter {frame.address} refused the request: {', '.join(reasons)}.",
            error_byte=error_byte, reasons=reasons, address=address)


def parse_read_reply(frame: Frame, *, address: str, di: int) -> bytes:
    """The value bytes of a read-data reply to ``di`` (still encoded, see decode_value)."""
    check_reply(frame, address=address, function=READ_DATA)
    if frame.data[:4] != di_to_bytes(di):
        raise MeterUnexpectedReply(
            f"The meter answered data item {frame.data[:4][::-1].hex().upper() or '-'}, "
            f"not {di:08X}.", address=address)
    return frame.data[4:]


def parse_address_reply(frame: Frame) -> str:
    check_reply(frame, address=BROADCAST_ADDRESS, function=READ_ADDRESS)
    if len(frame.data) != 6:
        raise MeterGarbledReply("The meter's address answer is not 6 bytes long.")
    answered = address_from_bytes(frame.data)
    if answered != frame.address:
        raise MeterGarbledReply(
            f"The meter's address answer disagrees with itself ({answered} / {frame.address}).")
    return answered


def decode_value(di: int, value: bytes) -> int:
    """The integer value of data item ``di`` (units in the module docstring)."""
    if di not in DATA_FORMATS:
        raise ValueError(f"unknown data identifier {di:08X}")
    length, layout = DATA_FORMATS[di]
    if len(value) != length:
        raise MeterGarbledReply(
            f"Data item {di:08X} should be {length} bytes, the meter sent {len(value)}.")
    if layout is Layout.BINARY:
        return int.from_bytes(value, "little")
    return bcd_decode(value)


def encode_value(di: int, number: int) -> bytes:
    length, layout = DATA_FORMATS[di]
    if layout is Layout.BINARY:
        return number.to_bytes(length, "little")
    return bcd_encode(number, length)
