"""Making tokens: credit (class 0), management (class 2), key change, test (class 1).

Each function builds the plain 64-bit block, has the security module encrypt it
and turns it into 20 digits. TIDs come from the issue time; pass the meter's
``last_tid`` so two tokens in one minute get distinct TIDs (see ``next_tid``).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from .amount import encode_amount
from .errors import TidError, TokenRequestError
from .meter_data import KEY_TYPE_INITIALIZATION, MeterKeyData
from .security_module import SecurityModule
from .tid import next_tid, tid_from_datetime
from .token import (
    CLASS_CREDIT,
    CLASS_MANAGEMENT,
    CLASS_TEST,
    CREDIT_SUBCLASSES,
    KEY_SECTION_SUBCLASSES,
    MANAGEMENT_SUBCLASSES,
    MAX_PHASE_UNBALANCE,
    MAX_POWER_LIMIT,
    test_block,
    tid_block,
    to_digits,
)

Rounding = Literal["exact", "up"]


@dataclass(frozen=True)
class Token:
    """A token as made: its 20 digits and what it carries."""

    digits: str
    token_class: int
    subclass: int
    tid: int | None = None
    value: int | None = None

    @property
    def grouped(self) -> str:
        """The digits in five groups of four, as printed on a receipt."""
        return " ".join(self.digits[i:i + 4] for i in range(0, 20, 4))


def _rnd(rnd: int | None) -> int:
    if rnd is None:
        return secrets.randbelow(16)
    if not 0 <= rnd <= 15:
        raise TokenRequestError("RND is 4 bits (0 to 15)", code="TOKEN_REQUEST_INVALID")
    return rnd


def _tid_token(sm: SecurityModule, meter: MeterKeyData, token_class: int, subclass: int,
               value: int, value16: int, issued: datetime, rnd: int | None,
               last_tid: int | None) -> Token:
    tid = next_tid(last_tid, tid_from_datetime(issued, meter.base_date))
    if tid >> 16 > meter.ken and meter.key_type != KEY_TYPE_INITIALIZATION:
        raise TidError(
            f"the key of meter {meter.drn} has expired (key expiry number {meter.ken}): "
            "make key change tokens first", code="KEY_EXPIRED")
    block = tid_block(token_class, subclass, _rnd(rnd), tid, value16)
    digits = to_digits(token_class, sm.encrypt_block(meter, block))
    return Token(digits, token_class, subclass, tid, value)


def generate_credit_token(sm: SecurityModule, meter: MeterKeyData, subclass: int, amount: int,
                          issued: datetime, rnd: int | None = None, *,
                          last_tid: int | None = None, rounding: Rounding = "exact") -> Token:
    """A class 0 credit token. ``amount`` is in the subclass's units: 0.1 kWh for
    electricity (subclass 0). It must be carried exactly (AMOUNT_NOT_EXACT
    otherwise; see ``amount_exact_floor``); ``rounding="up"`` is the standard's
    round-up, kept for conformance tests and never for selling."""
    if subclass not in CREDIT_SUBCLASSES:
        raise TokenRequestError(f"class 0 has no subclass {subclass}",
                                code="TOKEN_REQUEST_INVALID")
    field = encode_amount(amount, round_up=rounding == "up")
    return _tid_token(sm, meter, CLASS_CREDIT, subclass, amount, field, issued, rnd, last_tid)


def generate_management_token(sm: SecurityModule, meter: MeterKeyData, subclass: int,
                              value: int, issued: datetime, rnd: int | None = None, *,
                              last_tid: int | None = None,
                              rounding: Rounding = "exact") -> Token:
    """A class 2 token with a TID: set maximum power limit (0, watts), clear credit
    (1, register: 0xFFFF all), set tariff rate (2), clear tamper (5, value 0), set
    maximum phase power unbalance limit (6, watts), set water meter factor (7)."""
    if subclass not in MANAGEMENT_SUBCLASSES or subclass in KEY_SECTION_SUBCLASSES:
        raise TokenRequestError(
            f"class 2 subclass {subclass} is not a management token with a value "
            "(key changes use generate_key_change_tokens)", code="TOKEN_REQUEST_INVALID")
    if subclass in (MAX_POWER_LIMIT, MAX_PHASE_UNBALANCE):
        field = encode_amount(value, round_up=rounding == "up")
    elif 0 <= value <= 0xFFFF:
        field = value
    else:
        raise TokenRequestError("the value is 16 bits (0 to 65535)",
                                code="TOKEN_REQUEST_INVALID")
    return _tid_token(sm, meter, CLASS_MANAGEMENT, subclass, value, field, issued, rnd, last_tid)


def generate_key_change_tokens(sm: SecurityModule, old: MeterKeyData,
                               new: MeterKeyData) -> tuple[Token, ...]:
    """The key change tokens taking a meter from ``old`` to ``new`` key data, in the
    order to enter them: two sections for EA07 (64-bit key), four for EA11. A later
    base date in ``new`` sets the rollover bit (the meter moves its TID base)."""
    blocks = sm.key_change_blocks(old, new)
    subclasses = KEY_SECTION_SUBCLASSES[: len(blocks)]
    return tuple(Token(to_digits(CLASS_MANAGEMENT, block), CLASS_MANAGEMENT, sub)
                 for sub, block in zip(subclasses, blocks))


def generate_test_token(subclass: int, control: int, manufacturer: int = 0) -> Token:
    """A class 1 test/display token (not encrypted, good for any meter)."""
    return Token(to_digits(CLASS_TEST, test_block(subclass, control, manufacturer)),
                 CLASS_TEST, subclass, value=control)
