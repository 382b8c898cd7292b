"""Verifying a typed token: what the keypad meter and support staff do.

``decode_token`` needs the meter's decoder key (the meter simulator has it);
``decode_with_module`` asks a security module to decrypt instead, so support
staff can check a customer's token without any key leaving the module.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .errors import TokenRejected
from .keys import DecoderKey, block_cipher
from .meter_data import MeterKeyData
from .security_module import SecurityModule
from .tid import datetime_from_tid
from .token import (
    CLASS_CREDIT,
    CLASS_MANAGEMENT,
    CLASS_TEST,
    DecodedToken,
    from_digits,
    parse_block,
)


def _decode(meter: MeterKeyData, digits: str, decrypt: Callable[[int], int]) -> DecodedToken:
    token_class, block = from_digits(digits)
    if token_class == CLASS_TEST:
        return parse_block(token_class, block)
    if token_class not in (CLASS_CREDIT, CLASS_MANAGEMENT):
        raise TokenRejected(f"token class {token_class} is not known to this meter",
                            code="TOKEN_CLASS")
    decoded = parse_block(token_class, decrypt(block))
    if decoded.tid is not None:
        decoded = replace(decoded, issued=datetime_from_tid(decoded.tid, meter.base_date))
    return decoded


def decode_token(decoder_key: DecoderKey, meter: MeterKeyData, digits: str) -> DecodedToken:
    """Decrypt and verify ``digits`` (CRC, class, subclass) with the meter's key.
    Raises TokenRejected with TOKEN_FORMAT, TOKEN_CRC or TOKEN_CLASS."""
    cipher = block_cipher(decoder_key, meter.ea)
    return _decode(meter, digits, cipher.decrypt)


def decode_with_module(sm: SecurityModule, meter: MeterKeyData, digits: str) -> DecodedToken:
    """Like ``decode_token``, decrypting inside the security module."""
    return _decode(meter, digits, lambda block: sm.decrypt_block(meter, block))
