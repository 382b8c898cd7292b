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
    "PRINTER_DEVICE_ERROR": ("The printer failed", "The sale stands. Check the printer, then reprint."),
    "READER_NOT_FOUND": ("The card reader is not connected", "Nothing was sold. Check the reader's USB cable, "
                                                            "then try again; if it stays, call the technician."),
    "READER_UNAVAILABLE": ("The card reader does not answer", "Nothing was sold. Unplug the reader and plug it "
                                                             "in again; if it stays, call the technician."),
    "CASH_JAMMED": ("A note is stuck in the note acceptor", "The money counted so far is safe. Call a supervisor "
                                                           "to clear the acceptor."),
    "CASH_STACKER_FAULT": ("The note acceptor's cash box is out", "The money counted so far is safe. Call a "
                                                                 "supervisor to put the cash box back."),
    "CASH_NO_ANSWER": ("The note acceptor does not answer", "No note was taken. Check the acceptor's power and "
                                                           "cable, or call a supervisor."),
    "CASH_PORT_UNAVAILABLE": ("The note acceptor is not connected", "No note was taken. Check the acceptor's "
                                                                   "cable, or call a supervisor."),
    "METER_PORT_UNAVAILABLE": ("The meter reading port is not there", "Nothing was read. Check the reading "
                                                                     "cable's USB port, or type the reading in."),
    "METER_NO_ANSWER": ("The meter does not answer", "Nothing was read. Check the cable to the meter and its "
                                                    "address, or type the reading in."),
    "AMOUNT_BELOW_MINIMUM": ("The amount is too small", "Enter a larger amount."),
    "DISK_FULL": ("The terminal's storage is full", "Nothing was written. Call the technician to free "
                                                    "space; selling goes on once there is room."),
    "CLOCK_BEHIND_LEDGER": ("The terminal's clock is wrong", "Nothing was written. Ask a supervisor to set "
                                                             "the date and time right."),
    "OFFLINE_LIMIT_REACHED": ("The terminal must sync first", "Nothing was sold. Connect the terminal to the "
                                                              "network so that it can sync, then sell again."),
}
#: a sale that may have reached the card: these words whatever the driver's code ("nothing was sold" would lie)
UNCERTAIN: tuple[tuple[type[Exception], tuple[str, str]], ...] = (
    (e.SalePending, ("A sale is waiting", "Put the same card back in the reader to finish it, "
                                         "or ask a supervisor.")),
    (e.OutcomeUncertain, ("The card may not be written", "Put the card back in the reader: the sale "
                                                        "finishes when the card is read.")),
    (e.CarrierFailed, ("The card may not be written", "The sale is waiting. Put the same card back in the "
                                                     "reader: it is finished or undone when the card is read.")),
)
BY_CLASS: tuple[tuple[type[Exception], tuple[str, str]], ...] = (
    (e.AuthFailed, ("Login failed", "Check the operator name and password and try again.")),
    (e.OperatorLocked, ("This operator is locked", "Ask a supervisor to unlock the operator.")),
    (e.PermissionDenied, ("Not allowed", "Ask a supervisor to do this.")),
    (e.NotFound, ("Not found", "Check the number and try again.")),
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
    uncertain = next((words for cls, words in UNCERTAIN if isinstance(exc, cls)), None)
    if uncertain is not None:
        return uncertain
    if exc.code in BY_CODE:
        return BY_CODE[exc.code]
    return next((words for cls, words in BY_CLASS if isinstance(exc, cls)), REFUSED)


def uncertain(exc: Exception) -> bool:
    """A sale that may have reached the card (it waits PENDING for the card to be read again)."""
    return any(isinstance(exc, cls) for cls, _ in UNCERTAIN)


def device_words(code: str) -> tuple[str, str] | None:
    """The words for a device's problem code (a printer's, the acceptor's), None for another code."""
    return BY_CODE.get(code)
