"""What the error screen says: a calm title and what to do next, by the error's class or
code (the message itself comes from the service, in a cashier's words)."""
from __future__ import annotations

from terminal.domain.errors import PpmsError
from terminal.services import errors as e

#: by error code first (the driver's stable codes), then by class, most specific first
BY_CODE: dict[str, tuple[str, str]] = {
    "CARD_ABSENT": ("No card in the reader", "Put the customer's card in the reader, then try again."),
    "CARD_REMOVED": ("The card was taken out", "Nothing was sold. Put the card back in and start again."),
    "CARD_NOT_USER": ("Not a customer's card", "Take this card out and insert the customer's card."),
    "PRINTER_OFFLINE": ("The printer does not answer", "The sale stands. Check the printer, then reprint."),
    "PRINTER_PAPER_OUT": ("The printer is out of paper", "The sale stands. Load paper, then reprint."),
    "AMOUNT_BELOW_MINIMUM": ("The amount is too small", "Enter a larger amount."),
    "DISK_FULL": ("The terminal's storage is full", "Nothing was written. Call the technician to free "
                                                    "space; selling goes on once there is room."),
    "CLOCK_BEHIND_LEDGER": ("The terminal's clock is wrong", "Nothing was written. Ask a supervisor to set "
                                                             "the date and time right."),
    "OFFLINE_LIMIT_REACHED": ("The terminal must sync first", "Nothing was sold. Connect the terminal to the "
                                                              "network so that it can sync, then sell again."),
}
BY_CLASS: tuple[tuple[type[Exception], tuple[str, str]], ...] = (
    (e.AuthFailed, ("Login failed", "Check the operator name and password and try again.")),
    (e.OperatorLocked, ("This operator is locked", "Ask a supervisor to unlock the operator.")),
    (e.PermissionDenied, ("Not allowed", "Ask a supervisor to do this.")),
    (e.NotFound, ("Not found", "Check the number and try again.")),
    (e.SalePending, ("A sale is waiting", "Put the same card back in the reader to finish it, "
                                         "or ask a supervisor.")),
    (e.OutcomeUncertain, ("The card may not be written", "Put the card back in the reader: the sale "
                                                        "finishes when the card is read.")),
    (e.CardRefused, ("The card was refused", "Nothing was sold. Check it is the customer's card.")),
    (e.DeviceAbsent, ("A device is not there", "Check the card reader and the card, then try again.")),
    (e.DeviceError, ("A device failed", "Nothing was sold. Check the device and try again.")),
    (e.LedgerUnavailable, ("The terminal is busy", "Nothing was written. Wait a moment and try again.")),
    (e.InvalidArgument, ("Please check what was entered", "Correct the entry and try again.")),
)
REFUSED = ("The sale was refused", "Nothing was sold. Read the reason, correct it and try again.")
INTERNAL = ("Something went wrong", "Nothing more was done. Try again; if it happens again, call a supervisor.")


def advice(exc: Exception) -> tuple[str, str]:
    if not isinstance(exc, PpmsError):
        return INTERNAL
    if exc.code in BY_CODE:
        return BY_CODE[exc.code]
    return next((words for cls, words in BY_CLASS if isinstance(exc, cls)), REFUSED)
