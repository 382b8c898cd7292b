"""The 66-bit token: data blocks, CRC, class-bit insertion, 20 decimal digits.

A token is a 2-bit class and a 64-bit block. The block's top 48 bits are the data
(the subclass in the top 4), its low 16 bits the CRC over class and data. Classes 0
and 2 are encrypted; class 1 (test/display) is not. After encryption the two class
bits replace block bits 28 and 27, whose old values become token bits 65 and 64.
Pure functions: integers in, integers and strings out.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from .amount import decode_amount
from .crc import sts_crc
from .errors import TokenRejected, TokenRequestError

CLASS_CREDIT = 0
CLASS_TEST = 1
CLASS_MANAGEMENT = 2

CREDIT_SUBCLASSES: Mapping[int, str] = MappingProxyType({
    0: "electricity_credit", 1: "water_credit", 2: "gas_credit", 3: "time_credit",
    4: "electricity_currency_credit", 5: "water_currency_credit",
    6: "gas_currency_credit", 7: "time_currency_credit",
})
TEST_SUBCLASSES: Mapping[int, str] = MappingProxyType({
    0: "initiate_meter_test_display_1", 1: "initiate_meter_test_display_2",
})
MANAGEMENT_SUBCLASSES: Mapping[int, str] = MappingProxyType({
    0: "set_maximum_power_limit", 1: "clear_credit", 2: "set_tariff_rate",
    3: "set_decoder_key_1", 4: "set_decoder_key_2", 5: "clear_tamper_condition",
    6: "set_maximum_phase_power_unbalance_limit", 7: "set_water_meter_factor",
    8: "set_decoder_key_3", 9: "set_decoder_key_4",
})
MAX_POWER_LIMIT, CLEAR_CREDIT, SET_TARIFF_RATE, CLEAR_TAMPER = 0, 1, 2, 5
MAX_PHASE_UNBALANCE, WATER_METER_FACTOR = 6, 7
KEY_SECTION_SUBCLASSES = (3, 4, 8, 9)
# management subclasses whose 16-bit value uses the amount encoding
_AMOUNT_ENCODED = (MAX_POWER_LIMIT, MAX_PHASE_UNBALANCE)
_M32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1


def seal(token_class: int, data48: int) -> int:
    """The 64-bit block: ``data48`` followed by its CRC."""
    return (data48 << 16) | sts_crc((token_class << 48) | data48)


def tid_block(token_class: int, subclass: int, rnd: int, tid: int, value16: int) -> int:
    """Class 0 and TID-bearing class 2 tokens: subclass, RND, TID, 16-bit value."""
    if not (0 <= subclass <= 15 and 0 <= rnd <= 15 and 0 <= tid < 1 << 24
            and 0 <= value16 <= 0xFFFF):
        raise TokenRequestError("token field out of range", code="TOKEN_REQUEST_INVALID")
    return seal(token_class, (subclass << 44) | (rnd << 40) | (tid << 16) | value16)


def test_block(subclass: int, control: int, manufacturer: int) -> int:
    """Class 1: subclass 0 has a 36-bit control and 8-bit manufacturer code,
    subclass 1 a 28-bit control and a 16-bit manufacturer code."""
    control_bits, maker_bits = (36, 8) if subclass == 0 else (28, 16)
    if subclass not in (0, 1) or not (0 <= control < 1 << control_bits
                                      and 0 <= manufacturer < 1 << maker_bits):
        raise TokenRequestError("test token fields out of range", code="TOKEN_REQUEST_INVALID")
    return seal(CLASS_TEST, (subclass << 44) | (control << maker_bits) | manufacturer)


def key_section_blocks(new_key: int, key_bits: int, *, ken: int, krn: int, rollover: bool,
                       key_type: int, ti: int, sgc: int) -> tuple[int, ...]:
    """Plain blocks of the key change tokens: 2 sections for a 64-bit new key,
    4 for a 128-bit one (in entry order 1st, 2nd, 3rd, 4th)."""
    if key_bits == 64:
        high, low = new_key >> 32, new_key & _M32
    else:
        high, low = new_key >> 96, new_key & _M32
    first = seal(CLASS_MANAGEMENT, (3 << 44) | ((ken >> 4) << 40) | (krn << 36)
                 | (int(rollover) << 35) | (key_type << 32) | high)
    second = seal(CLASS_MANAGEMENT, (4 << 44) | ((ken & 0xF) << 40) | (ti << 32) | low)
    if key_bits == 64:
        return first, second
    third = seal(CLASS_MANAGEMENT, (8 << 44) | ((sgc & 0xFFF) << 32) | ((new_key >> 64) & _M32))
    fourth = seal(CLASS_MANAGEMENT, (9 << 44) | ((sgc >> 12) << 32) | ((new_key >> 32) & _M32))
    return first, second, third, fourth


def to_digits(token_class: int, block: int) -> str:
    """Insert the class bits into the (encrypted) block; 20 decimal digits."""
    moved = (block >> 27) & 0b11
    block = (block & ~(0b11 << 27)) | (token_class << 27)
    return f"{(moved << 64) | block:020d}"


def from_digits(digits: str) -> tuple[int, int]:
    """``(class, block)`` of a typed token; TOKEN_FORMAT if it is not one."""
    digits = digits.replace(" ", "").replace("-", "")
    if len(digits) != 20 or not digits.isascii() or not digits.isdigit():
        raise TokenRejected("a token is 20 digits", code="TOKEN_FORMAT")
    number = int(digits)
    if number >> 66:
        raise TokenRejected("these 20 digits are not a token", code="TOKEN_FORMAT")
    block = number & _M64
    token_class = (block >> 27) & 0b11
    block = (block & ~(0b11 << 27)) | ((number >> 64) << 27)
    return token_class, block


@dataclass(frozen=True)
class DecodedToken:
    """A verified token. ``value`` is the 16-bit field as a number: 0.1 kWh (or
    the subclass's unit) for credit, watts for power limits, the raw register or
    rate otherwise. ``fields`` has the rest (key change sections, test controls)."""

    token_class: int
    subclass: int
    kind: str
    tid: int | None = None
    rnd: int | None = None
    value: int | None = None
    issued: datetime | None = None
    fields: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


def parse_block(token_class: int, block: int) -> DecodedToken:
    """Check the CRC and read the fields of a decrypted block."""
    data = block >> 16
    if sts_crc((token_class << 48) | data) != block & 0xFFFF:
        raise TokenRejected(
            "the token does not check: wrong meter, wrong key or a typing error",
            code="TOKEN_CRC",
        )
    subclass = data >> 44
    names = {CLASS_CREDIT: CREDIT_SUBCLASSES, CLASS_TEST: TEST_SUBCLASSES,
             CLASS_MANAGEMENT: MANAGEMENT_SUBCLASSES}.get(token_class, {})
    if subclass not in names:
        raise TokenRejected(
            f"token class {token_class} subclass {subclass} is not known to this meter",
            code="TOKEN_CLASS",
        )
    kind = names[subclass]
    if token_class == CLASS_TEST:
        wide = subclass == 0
        maker_bits = 8 if wide else 16
        parts = {"control": data >> maker_bits & ((1 << (36 if wide else 28)) - 1),
                 "manufacturer": data & ((1 << maker_bits) - 1)}
        return DecodedToken(token_class, subclass, kind, fields=MappingProxyType(parts))
    if token_class == CLASS_MANAGEMENT and subclass in KEY_SECTION_SUBCLASSES:
        return DecodedToken(token_class, subclass, kind,
                            fields=MappingProxyType(_key_section_fields(subclass, data)))
    value16 = data & 0xFFFF
    value = decode_amount(value16) if (
        token_class == CLASS_CREDIT or subclass in _AMOUNT_ENCODED) else value16
    return DecodedToken(token_class, subclass, kind, tid=(data >> 16) & 0xFFFFFF,
                        rnd=(data >> 40) & 0xF, value=value)


def _key_section_fields(subclass: int, data: int) -> dict[str, int]:
    part = data & _M32
    if subclass == 3:
        return {"ken_high": data >> 40 & 0xF, "krn": data >> 36 & 0xF,
                "rollover": data >> 35 & 1, "key_type": data >> 32 & 0b11, "key_part": part}
    if subclass == 4:
        return {"ken_low": data >> 40 & 0xF, "ti": data >> 32 & 0xFF, "key_part": part}
    return {"sgc_part": data >> 32 & 0xFFF, "key_part": part}
