"""Errors of the meter reading device (DL/T 645-2007 over RS-485).

Every error a cashier or field agent can cause or meet has a stable ``code`` and a
message that says what to do::

    MeterError                        METER_ERROR
    ├── MeterSettingsError            METER_SETTINGS_INVALID   bad address, baud, parity...
    ├── MeterPortError                METER_PORT_UNAVAILABLE   the serial port cannot be opened
    ├── MeterNoAnswer                 METER_NO_ANSWER          nothing came back in time
    ├── MeterGarbledReply             METER_FRAME_INVALID      bytes came back, but no valid frame
    │   ├── MeterChecksumError        METER_FRAME_CHECKSUM     a frame with a wrong checksum
    │   ├── MeterTruncatedFrame       METER_FRAME_TRUNCATED    a frame that stopped half way
    │   ├── MeterWrongAddress         METER_WRONG_ADDRESS      another meter answered
    │   └── MeterUnexpectedReply      METER_UNEXPECTED_REPLY   an answer to another question
    └── MeterErrorReply               METER_ERROR_REPLY        the meter refused (abnormal reply)

A garbled reply never becomes a reading: the codec raises one of these instead.
"""
from __future__ import annotations

from typing import ClassVar


class MeterError(Exception):
    """Base of every meter reading error."""

    code: ClassVar[str] = "METER_ERROR"

    def __init__(self, message: str, *, address: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.address = address

    def to_dict(self) -> dict[str, str]:
        """The JSON error object of the CLI contract."""
        return {"code": self.code, "message": self.message}


class MeterSettingsError(MeterError):
    code = "METER_SETTINGS_INVALID"


class MeterPortError(MeterError):
    code = "METER_PORT_UNAVAILABLE"


class MeterNoAnswer(MeterError):
    code = "METER_NO_ANSWER"


class MeterGarbledReply(MeterError):
    code = "METER_FRAME_INVALID"


class MeterChecksumError(MeterGarbledReply):
    code = "METER_FRAME_CHECKSUM"


class MeterTruncatedFrame(MeterGarbledReply):
    code = "METER_FRAME_TRUNCATED"


class MeterWrongAddress(MeterGarbledReply):
    code = "METER_WRONG_ADDRESS"


class MeterUnexpectedReply(MeterGarbledReply):
    code = "METER_UNEXPECTED_REPLY"


class MeterErrorReply(MeterError):
    """The meter answered with an abnormal reply (control bit D6 set).

    ``error_byte`` is the meter's ERR byte; ``reasons`` its set bits in words.
    """

    code = "METER_ERROR_REPLY"

    def __init__(
        self, message: str, *, error_byte: int, reasons: tuple[str, ...],
        address: str | None = None,
    ) -> None:
        super().__init__(message, address=address)
        self.error_byte = error_byte
        self.reasons = reasons

    @property
    def no_such_data(self) -> bool:
        """True when the meter says it has no such data item (ERR bit 1)."""
        return bool(self.error_byte & 0x02)
