"""Errors of the STS token engine.

Every error a user can cause carries a stable UPPER_SNAKE ``code`` and a message a
cashier or a support clerk understands. The tree::

    StsError                         base of everything raised here
    ├── StsInputError                 the request is wrong; nothing was made
    │   ├── MeterKeyDataError         METER_KEY_DATA_INVALID, PAN_INVALID
    │   ├── AmountError               AMOUNT_NOT_EXACT, AMOUNT_OUT_OF_RANGE
    │   ├── TidError                  CLOCK_BEHIND_LAST_TOKEN, TID_OUT_OF_RANGE,
    │   │                             KEY_EXPIRED (the meter needs a key change first)
    │   └── TokenRequestError         TOKEN_REQUEST_INVALID (bad subclass, value, key change)
    ├── TokenRejected                 a decoder or meter refuses a token
    │       TOKEN_FORMAT              not 20 digits, or beyond 66 bits
    │       TOKEN_CRC                 check failed: wrong meter, wrong key or a typing error
    │       TOKEN_CLASS               class or subclass this decoder does not know
    │       TOKEN_USED                the meter already took a token with this TID
    │       TOKEN_OLD                 older than every TID the meter remembers
    │       KEY_EXPIRED               the meter's key expired before this token's TID
    │       KEY_CHANGE_INCOMPLETE     a key change section arrived without its partner
    └── SecurityModuleError           the vending keys cannot be used
            KEY_FILE_MISSING, KEY_FILE_PERMISSIONS, KEY_FILE_FORMAT,
            VENDING_KEY_INVALID, DECODER_KEY_NOT_EXPORTABLE
"""
from __future__ import annotations


class StsError(Exception):
    """Base of the STS errors; ``code`` is stable, ``message`` is for people."""

    code = "STS_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class StsInputError(StsError):
    code = "STS_INPUT_INVALID"


class MeterKeyDataError(StsInputError):
    code = "METER_KEY_DATA_INVALID"


class AmountError(StsInputError):
    code = "AMOUNT_OUT_OF_RANGE"


class TidError(StsInputError):
    code = "TID_OUT_OF_RANGE"


class TokenRequestError(StsInputError):
    code = "TOKEN_REQUEST_INVALID"


class TokenRejected(StsError):
    code = "TOKEN_REJECTED"


class SecurityModuleError(StsError):
    code = "SECURITY_MODULE_ERROR"
