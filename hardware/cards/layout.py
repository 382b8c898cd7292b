"""PPMS card layout v1: a pure codec between SLE4442 main memory and values.

Bytes in, values out, no I/O. The byte map is in ``docs/card-layout.md``:

====== ===== ===========================================================
offset bytes  area
====== ===== ===========================================================
0      32     manufacturer area (ATR header, may be write-protected): unused
32     30+8   identity record + MAC  (magic, version, type, utility, serial,
              key id, meter number)
70     2      reserved (0xFF)
72     32     body area: purchase / setting / clear record + MAC, rest 0xFF
104    29+8   return record + MAC, written by the meter
141    115    free (0xFF)
====== ===== ===========================================================

Integers are big-endian; times are u32 seconds since 1970-01-01 UTC; energy is
u32 in 0.01 kWh. An area of all 0xFF is "empty". Each MAC is the first 8 bytes
of HMAC-SHA256(mac_key, domain || version || card_serial || record).
"""
from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum, IntFlag

from .errors import CardMalformed, ForeignUtility, MacInvalid

MEMORY_SIZE = 256
MAGIC = b"PPMC"
LAYOUT_VERSION = 1
MAC_LEN = 8
FACTORY_PSC = b"\xff\xff\xff"

IDENTITY_AT, IDENTITY_LEN = 32, 30
RESERVED_AT = IDENTITY_AT + IDENTITY_LEN + MAC_LEN  # 70
BODY_AT, BODY_AREA = 72, 32
RETURN_AT, RETURN_LEN = 104, 29
FREE_AT = RETURN_AT + RETURN_LEN + MAC_LEN  # 141
MAGIC_SLICE = slice(IDENTITY_AT, IDENTITY_AT + len(MAGIC))
SERIAL_SLICE = slice(IDENTITY_AT + 10, IDENTITY_AT + 18)

_DOMAIN_IDENTITY, _DOMAIN_BODY, _DOMAIN_RETURN = 1, 2, 3
_UTC = UTC
MAX_METER_DIGITS = 20
U32 = 0xFFFFFFFF


class CardType(IntEnum):
    USER = 1  # purchase card: carries credit to one meter
    CHECK = 2  # meter writes its state, for inspection
    SETTING = 3  # maximum power and alarm level
    CLEAR = 4  # clears tamper / credit / events in a meter
    TEST = 5  # meter runs its self test (relay, display)
    READING = 6  # meter writes its reading


class MeterStatus(IntFlag):
    NONE = 0
    TAMPER = 0x01
    RELAY_OPEN = 0x02
    LOW_CREDIT = 0x04
    BATTERY_LOW = 0x08
    COVER_OPEN = 0x10
    REVERSE_ENERGY = 0x20
    MAGNETIC = 0x40
    OVERLOAD = 0x80


class ClearWhat(IntFlag):
    NONE = 0
    TAMPER = 0x01
    CREDIT = 0x02
    EVENTS = 0x04


@dataclass(frozen=True)
class UtilityKeys:
    """The utility's identity and secret; every MAC key and PSC derives from it."""

    utility_code: int
    secret: bytes = field(repr=False)
    key_id: int = 1
    factory_psc: bytes = FACTORY_PSC

    def mac_key(self) -> bytes:
        return hmac.new(self.secret, b"PPMS card MAC" + bytes([self.key_id]), hashlib.sha256).digest()

    def psc_for(self, card_serial: bytes) -> bytes:
        """The 3-byte PSC of a personalised card with this serial (never the factory PSC)."""
        psc = hmac.new(self.secret, b"PPMS card PSC" + card_serial, hashlib.sha256).digest()[:3]
        return psc if psc != self.factory_psc else psc[:2] + bytes([psc[2] ^ 1])


@dataclass(frozen=True)
class Identity:
    card_type: CardType
    utility_code: int
    card_serial: bytes
    meter_no: str = ""  # "" = any meter (service cards)
    key_id: int = 1
    layout_version: int = LAYOUT_VERSION


@dataclass(frozen=True)
class Purchase:
    sequence: int
    energy: int  # 0.01 kWh
    time: datetime
    tariff_index: int = 0
    credit_limit: int = 0  # 0.01 kWh the meter may hold after adding; 0 = no limit
    max_power_w: int = 0  # 0 = no limit


@dataclass(frozen=True)
class Setting:
    sequence: int
    time: datetime
    max_power_w: int
    alarm_level: int  # 0.01 kWh: the meter warns below this credit


@dataclass(frozen=True)
class ClearOrder:
    sequence: int
    time: datetime
    clear: ClearWhat


Body = Purchase | Setting | ClearOrder


@dataclass(frozen=True)
class ReturnData:
    """What the meter wrote back: its reading for the ledger."""

    meter_no: str
    last_sequence: int
    remaining: int  # 0.01 kWh
    cumulative: int  # 0.01 kWh
    flags: MeterStatus
    time: datetime


@dataclass(frozen=True)
class CardData:
    """A decoded card. ``identity is None`` means blank."""

    identity: Identity | None = None
    body: Body | None = None
    returned: ReturnData | None = None

    @property
    def blank(self) -> bool:
        return self.identity is None

    @property
    def purchase(self) -> Purchase | None:
        return self.body if isinstance(self.body, Purchase) else None

    @property
    def pending(self) -> bool:
        """A purchase is on the card that the meter has not yet accepted."""
        p = self.purchase
        if p is None:
            return False
        return self.returned is None or self.returned.last_sequence < p.sequence


# ---------------------------------------------------------------- primitives

def _u32(value: int, what: str) -> bytes:
    if not 0 <= value <= U32:
        raise ValueError(f"{what} out of range: {value}")
    return struct.pack(">I", value)


def _time(t: datetime) -> bytes:
    if t.tzinfo is None:
        raise ValueError("time must be timezone-aware")
    return _u32(int(t.timestamp()), "time")


def _from_time(raw: int) -> datetime:
    return datetime.fromtimestamp(raw, _UTC)


def encode_meter(meter_no: str) -> bytes:
    """Meter number: 1 byte digit count + 10 bytes packed BCD, padded with 0xF."""
    if len(meter_no) > MAX_METER_DIGITS or not (meter_no == "" or meter_no.isascii() and meter_no.isdigit()):
        raise ValueError(f"meter number must be 0-{MAX_METER_DIGITS} digits: {meter_no!r}")
    nibbles = [int(c) for c in meter_no] + [0xF] * (MAX_METER_DIGITS - len(meter_no))
    return bytes([len(meter_no)]) + bytes(nibbles[i] << 4 | nibbles[i + 1] for i in range(0, 20, 2))


def decode_meter(raw: bytes) -> str:
    count = raw[0]
    if count > MAX_METER_DIGITS:
        raise CardMalformed(f"meter number length {count}")
    nibbles = [n for b in raw[1:11] for n in (b >> 4, b & 0xF)]
    if any(n > 9 for n in nibbles[:count]) or any(n != 0xF for n in nibbles[count:]):
        raise CardMalformed("meter number is not BCD")
    return "".join(str(n) for n in nibbles[:count])


def _mac(keys: UtilityKeys, domain: int, serial: bytes, record: bytes) -> bytes:
    msg = bytes([domain, LAYOUT_VERSION]) + serial + record
    return hmac.new(keys.mac_key(), msg, hashlib.sha256).digest()[:MAC_LEN]


def _check_mac(keys: UtilityKeys, domain: int, serial: bytes, record: bytes, mac: bytes, what: str) -> None:
    if not hmac.compare_digest(_mac(keys, domain, serial, record), mac):
        raise MacInvalid(f"{what} record MAC")


# ---------------------------------------------------------------- records

def encode_identity(identity: Identity, keys: UtilityKeys) -> bytes:
    if len(identity.card_serial) != 8:
        raise ValueError("card serial must be 8 bytes")
    if identity.card_serial == b"\xff" * 8:
        raise ValueError("card serial must not be all 0xFF")
    if (identity.utility_code, identity.key_id) != (keys.utility_code, keys.key_id):
        raise ValueError("identity and keys belong to different utilities or key generations")
    rec = (
        MAGIC
        + bytes([identity.layout_version, int(identity.card_type)])
        + _u32(identity.utility_code, "utility code")
        + identity.card_serial
        + bytes([identity.key_id])
        + encode_meter(identity.meter_no)
    )
    assert len(rec) == IDENTITY_LEN
    return rec + _mac(keys, _DOMAIN_IDENTITY, identity.card_serial, rec)


def encode_body(body: Body | None, serial: bytes, keys: UtilityKeys) -> bytes:
    """The 32-byte body area (record + MAC, padded with 0xFF)."""
    if body is None:
        return b"\xff" * BODY_AREA
    if isinstance(body, Purchase):
        if not 0 <= body.tariff_index <= 0xFF:
            raise ValueError("tariff index out of range")
        rec = (
            _u32(body.sequence, "sequence") + _u32(body.energy, "energy") + _time(body.time)
            + bytes([body.tariff_index]) + _u32(body.credit_limit, "credit limit")
            + _u32(body.max_power_w, "max power")
        )
    elif isinstance(body, Setting):
        rec = (
            _u32(body.sequence, "sequence") + _time(body.time)
            + _u32(body.max_power_w, "max power") + _u32(body.alarm_level, "alarm level")
        )
    else:
        if not 0 <= int(body.clear) <= 0xFF:
            raise ValueError("clear flags out of range")
        rec = _u32(body.sequence, "sequence") + _time(body.time) + bytes([int(body.clear)])
    out = rec + _mac(keys, _DOMAIN_BODY, serial, rec)
    return out + b"\xff" * (BODY_AREA - len(out))


def encode_return(ret: ReturnData | None, serial: bytes, keys: UtilityKeys) -> bytes:
    if ret is None:
        return b"\xff" * (RETURN_LEN + MAC_LEN)
    if not 0 <= int(ret.flags) <= 0xFFFF:
        raise ValueError("status flags out of range")
    rec = (
        encode_meter(ret.meter_no) + _u32(ret.last_sequence, "sequence")
        + _u32(ret.remaining, "remaining") + _u32(ret.cumulative, "cumulative")
        + struct.pack(">H", int(ret.flags)) + _time(ret.time)
    )
    assert len(rec) == RETURN_LEN
    return rec + _mac(keys, _DOMAIN_RETURN, serial, rec)


_BODY_SIZES = {CardType.USER: 21, CardType.SETTING: 16, CardType.CLEAR: 9}


def encode_card(data: CardData, keys: UtilityKeys, base: bytes | None = None) -> bytes:
    """The full 256-byte memory; bytes 0-31 are taken from ``base`` (default 0xFF)."""
    mem = bytearray(base if base is not None else b"\xff" * MEMORY_SIZE)
    if len(mem) != MEMORY_SIZE:
        raise ValueError("base must be 256 bytes")
    mem[IDENTITY_AT:] = b"\xff" * (MEMORY_SIZE - IDENTITY_AT)
    if data.identity is None:
        return bytes(mem)
    ident = data.identity
    expected = _BODY_SIZES.get(ident.card_type)
    kinds = {CardType.USER: Purchase, CardType.SETTING: Setting, CardType.CLEAR: ClearOrder}
    if data.body is not None and (expected is None or not isinstance(data.body, kinds[ident.card_type])):
        raise ValueError(f"a {ident.card_type.name} card cannot carry {type(data.body).__name__}")
    mem[IDENTITY_AT:RESERVED_AT] = encode_identity(ident, keys)
    mem[BODY_AT:BODY_AT + BODY_AREA] = encode_body(data.body, ident.card_serial, keys)
    mem[RETURN_AT:FREE_AT] = encode_return(data.returned, ident.card_serial, keys)
    return bytes(mem)


# ---------------------------------------------------------------- decoding

def is_blank(memory: bytes) -> bool:
    return memory[MAGIC_SLICE] == b"\xff" * len(MAGIC)


def serial_hint(memory: bytes) -> bytes | None:
    """The serial bytes, even on a card whose making or formatting was interrupted."""
    serial = bytes(memory[SERIAL_SLICE])
    return None if serial == b"\xff" * 8 else serial


def _all_ff(raw: bytes) -> bool:
    return raw == b"\xff" * len(raw)


def decode_card(memory: bytes, keys: UtilityKeys) -> CardData:
    """Decode and verify a 256-byte memory image; raises a CardContentError."""
    if len(memory) != MEMORY_SIZE:
        raise CardMalformed(f"memory is {len(memory)} bytes, not {MEMORY_SIZE}")
    if is_blank(memory):
        return CardData()
    ident_raw = memory[IDENTITY_AT:IDENTITY_AT + IDENTITY_LEN]
    if ident_raw[:4] != MAGIC:
        raise CardMalformed("no PPMS card header")
    if ident_raw[4] != LAYOUT_VERSION:
        raise CardMalformed(f"layout version {ident_raw[4]}")
    (utility,) = struct.unpack(">I", ident_raw[6:10])
    if utility != keys.utility_code:
        raise ForeignUtility(f"utility code {utility}")
    serial = bytes(ident_raw[10:18])
    if ident_raw[18] != keys.key_id:
        raise MacInvalid(f"key id {ident_raw[18]} (ours {keys.key_id})")
    _check_mac(keys, _DOMAIN_IDENTITY, serial, bytes(ident_raw), memory[RESERVED_AT - MAC_LEN:RESERVED_AT], "identity")
    try:
        card_type = CardType(ident_raw[5])
    except ValueError:
        raise CardMalformed(f"card type {ident_raw[5]}") from None
    identity = Identity(card_type, utility, serial, decode_meter(ident_raw[19:30]), ident_raw[18])
    if not _all_ff(memory[RESERVED_AT:BODY_AT]) or not _all_ff(memory[FREE_AT:]):
        raise CardMalformed("unexpected data in free area")
    body = _decode_body(memory[BODY_AT:BODY_AT + BODY_AREA], card_type, serial, keys)
    returned = _decode_return(memory[RETURN_AT:FREE_AT], serial, keys)
    return CardData(identity, body, returned)


def _decode_body(area: bytes, card_type: CardType, serial: bytes, keys: UtilityKeys) -> Body | None:
    if _all_ff(area):
        return None
    size = _BODY_SIZES.get(card_type)
    if size is None:
        raise CardMalformed(f"a {card_type.name} card carries a body record")
    rec, mac, pad = area[:size], area[size:size + MAC_LEN], area[size + MAC_LEN:]
    if not _all_ff(pad):
        raise CardMalformed("unexpected data after body record")
    _check_mac(keys, _DOMAIN_BODY, serial, bytes(rec), bytes(mac), "body")
    if card_type is CardType.USER:
        seq, energy, t = struct.unpack(">III", rec[:12])
        limit, power = struct.unpack(">II", rec[13:21])
        return Purchase(seq, energy, _from_time(t), rec[12], limit, power)
    if card_type is CardType.SETTING:
        seq, t, power, alarm = struct.unpack(">IIII", rec)
        return Setting(seq, _from_time(t), power, alarm)
    seq, t = struct.unpack(">II", rec[:8])
    return ClearOrder(seq, _from_time(t), ClearWhat(rec[8]))


def _decode_return(area: bytes, serial: bytes, keys: UtilityKeys) -> ReturnData | None:
    if _all_ff(area):
        return None
    rec = bytes(area[:RETURN_LEN])
    _check_mac(keys, _DOMAIN_RETURN, serial, rec, bytes(area[RETURN_LEN:]), "return")
    seq, remaining, cumulative, flags, t = struct.unpack(">IIIHI", rec[11:])
    return ReturnData(decode_meter(rec[:11]), seq, remaining, cumulative, MeterStatus(flags), _from_time(t))
