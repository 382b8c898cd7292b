"""Errors of the cash acceptor (a ccTalk bill validator).

Every error has a stable ``code`` and a message a cashier understands::

    CashError                          CASH_ERROR
    ├── CashSettingsError              CASH_SETTINGS_INVALID     bad port settings or bill table
    ├── CashPortError                  CASH_PORT_UNAVAILABLE     the serial port cannot be opened
    ├── CashNoAnswer                   CASH_NO_ANSWER            the validator did not answer
    ├── CashGarbledReply               CASH_FRAME_INVALID        bytes, but no valid ccTalk reply
    │   └── CashChecksumError          CASH_FRAME_CHECKSUM       a reply with a wrong checksum
    ├── CashCommandRefused             CASH_NAK                  the validator answered NAK / busy
    ├── CashRouteFailed                CASH_ROUTE_FAILED         a note in escrow could not be routed
    ├── CashEventsLost                 CASH_EVENTS_LOST          more events than the buffer holds
    ├── CashBillTableMismatch          CASH_BILL_TABLE_MISMATCH  device bill ids != configured values
    ├── CashUnknownBill                CASH_UNKNOWN_BILL         a note of no configured value stacked
    ├── CashJammed                     CASH_JAMMED               a note is stuck: call a supervisor
    ├── CashFraud                      CASH_FRAUD                fraud attempt (string, opto, pulled back)
    └── CashStackerFault               CASH_STACKER_FAULT        cash box removed, full or faulty

Device-reported problems during a sale (jam, fraud, stacker) do not raise out of the
sale flow: they come back in ``TenderResult.problem`` with the money counted so far.
"""
from __future__ import annotations

from typing import ClassVar


class CashError(Exception):
    code: ClassVar[str] = "CASH_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class CashSettingsError(CashError):
    code = "CASH_SETTINGS_INVALID"


class CashPortError(CashError):
    code = "CASH_PORT_UNAVAILABLE"


class CashNoAnswer(CashError):
    code = "CASH_NO_ANSWER"


class CashGarbledReply(CashError):
    code = "CASH_FRAME_INVALID"


class CashChecksumError(CashGarbledReply):
    code = "CASH_FRAME_CHECKSUM"


class CashCommandRefused(CashError):
    code = "CASH_NAK"


class CashRouteFailed(CashError):
    code = "CASH_ROUTE_FAILED"


class CashEventsLost(CashError):
    code = "CASH_EVENTS_LOST"


class CashBillTableMismatch(CashError):
    code = "CASH_BILL_TABLE_MISMATCH"


class CashUnknownBill(CashError):
    code = "CASH_UNKNOWN_BILL"


class CashJammed(CashError):
    code = "CASH_JAMMED"


class CashFraud(CashError):
    code = "CASH_FRAUD"


class CashStackerFault(CashError):
    code = "CASH_STACKER_FAULT"
