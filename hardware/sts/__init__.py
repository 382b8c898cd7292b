"""STS token engine (IEC 62055-41) for keypad meters: pure codecs.

Public API (see docs/sts.md)::

    MeterKeyData, make_pan, check_pan, luhn_digit
    SecurityModule, SoftwareSecurityModule, VendingKey, DecoderKey
    generate_credit_token, generate_management_token, generate_key_change_tokens,
    generate_test_token, Token
    decode_token, decode_with_module, DecodedToken
    KeypadMeter, MeterResponse
    amount_exact_floor, encode_amount, decode_amount, is_exact_amount
    tid_from_datetime, datetime_from_tid, next_tid, BASE_DATES
"""
from __future__ import annotations

from .amount import (
    AMOUNT_MAX,
    amount_exact_floor,
    decode_amount,
    encode_amount,
    is_exact_amount,
)
from .decoder import decode_token, decode_with_module
from .errors import (
    AmountError,
    MeterKeyDataError,
    SecurityModuleError,
    StsError,
    StsInputError,
    TidError,
    TokenRejected,
    TokenRequestError,
)
from .keypad_meter import KeypadMeter, MeterResponse
from .keys import DecoderKey, VendingKey, derive_decoder_key, dkga02, dkga04
from .meter_data import (
    KEY_TYPE_COMMON,
    KEY_TYPE_DEFAULT,
    KEY_TYPE_INITIALIZATION,
    KEY_TYPE_UNIQUE,
    STS_IIN,
    MeterKeyData,
    check_pan,
    luhn_digit,
    make_pan,
)
from .security_module import SecurityModule, SoftwareSecurityModule
from .tid import BASE_DATES, TID_MAX, datetime_from_tid, next_tid, tid_from_datetime
from .token import CLASS_CREDIT, CLASS_MANAGEMENT, CLASS_TEST, DecodedToken
from .vend import (
    Token,
    generate_credit_token,
    generate_key_change_tokens,
    generate_management_token,
    generate_test_token,
)

__all__ = [
    "AMOUNT_MAX", "BASE_DATES", "CLASS_CREDIT", "CLASS_MANAGEMENT", "CLASS_TEST",
    "KEY_TYPE_COMMON", "KEY_TYPE_DEFAULT", "KEY_TYPE_INITIALIZATION", "KEY_TYPE_UNIQUE",
    "STS_IIN", "TID_MAX", "AmountError", "DecodedToken", "DecoderKey", "KeypadMeter",
    "MeterKeyData", "MeterKeyDataError", "MeterResponse", "SecurityModule",
    "SecurityModuleError", "SoftwareSecurityModule", "StsError", "StsInputError", "TidError",
    "Token", "TokenRejected", "TokenRequestError", "VendingKey", "amount_exact_floor",
    "check_pan", "datetime_from_tid", "decode_amount", "decode_token", "decode_with_module",
    "derive_decoder_key", "dkga02", "dkga04", "encode_amount", "generate_credit_token",
    "generate_key_change_tokens", "generate_management_token", "generate_test_token",
    "is_exact_amount", "luhn_digit", "make_pan", "next_tid", "tid_from_datetime",
]
