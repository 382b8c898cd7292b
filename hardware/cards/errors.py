"""Errors of the IC-card path, one tree, each with a stable ``code``.

::

    CardError                         (code CARD_ERROR)
    ├── ReaderError
    │   ├── ReaderUnavailable         READER_UNAVAILABLE   pcscd not running
    │   ├── ReaderNotFound            READER_NOT_FOUND     no reader matches the port setting
    │   ├── CardAbsent                CARD_ABSENT          no card in the reader
    │   ├── CardRemoved               CARD_REMOVED         card pulled out during an operation
    │   ├── AnswerTruncated           READER_ANSWER_TRUNCATED
    │   └── ReaderRefused             READER_REFUSED       unexpected status word
    ├── CardAccessError
    │   ├── CardLocked                CARD_LOCKED          PSC error counter at 0
    │   ├── PscLastAttempt            CARD_PSC_LAST_ATTEMPT  one attempt left: we refuse to try
    │   ├── PscRejected               CARD_PSC_REJECTED    the card refused our PSC
    │   └── WriteFailed               CARD_WRITE_FAILED    read-back differs from what was written
    └── CardContentError
        ├── CardBlank                 CARD_BLANK
        ├── CardNotBlank              CARD_NOT_BLANK
        ├── CardMalformed             CARD_MALFORMED
        ├── ForeignUtility            CARD_FOREIGN_UTILITY
        ├── MacInvalid                CARD_MAC_INVALID
        ├── WrongCardType             CARD_WRONG_TYPE
        ├── WrongMeter                CARD_WRONG_METER
        ├── PurchasePending           CARD_PURCHASE_PENDING
        └── SequenceUsed              CARD_SEQUENCE_USED   sequence not newer than the card's

Messages are written for the cashier; ``detail`` carries the technical part.
"""
from __future__ import annotations


class CardError(Exception):
    code = "CARD_ERROR"
    message = "The card could not be handled."

    def __init__(self, detail: str = "", message: str | None = None) -> None:
        self.detail = detail
        if message is not None:
            self.message = message
        super().__init__(f"{self.code}: {self.message}" + (f" ({detail})" if detail else ""))


class ReaderError(CardError):
    code = "READER_ERROR"
    message = "The card reader did not answer as expected."


class ReaderUnavailable(ReaderError):
    code = "READER_UNAVAILABLE"
    message = "The smart-card service is not running; call support."


class ReaderNotFound(ReaderError):
    code = "READER_NOT_FOUND"
    message = "The card reader is not connected."


class CardAbsent(ReaderError):
    code = "CARD_ABSENT"
    message = "Insert the card into the reader."


class CardRemoved(ReaderError):
    code = "CARD_REMOVED"
    message = "The card was removed during the operation. Insert it again."


class AnswerTruncated(ReaderError):
    code = "READER_ANSWER_TRUNCATED"
    message = "The card reader gave an incomplete answer. Insert the card again."


class ReaderRefused(ReaderError):
    code = "READER_REFUSED"
    message = "The card reader refused the command."


class CardAccessError(CardError):
    code = "CARD_ACCESS_ERROR"
    message = "The card cannot be written."


class CardLocked(CardAccessError):
    code = "CARD_LOCKED"
    message = "This card is locked for ever and cannot be written. Issue a new card."


class PscLastAttempt(CardAccessError):
    code = "CARD_PSC_LAST_ATTEMPT"
    message = "This card has one security attempt left; it was not touched. Call a supervisor."


class PscRejected(CardAccessError):
    code = "CARD_PSC_REJECTED"
    message = "The card refused the security code; it may belong to another system."

    def __init__(self, attempts_left: int, detail: str = "") -> None:
        self.attempts_left = attempts_left
        super().__init__(detail or f"{attempts_left} attempts left")


class WriteFailed(CardAccessError):
    code = "CARD_WRITE_FAILED"
    message = "The card did not keep what was written. Try again or use another card."


class CardContentError(CardError):
    code = "CARD_CONTENT_ERROR"
    message = "The card's contents are not valid."


class CardBlank(CardContentError):
    code = "CARD_BLANK"
    message = "This card is blank. Make a card first."


class CardNotBlank(CardContentError):
    code = "CARD_NOT_BLANK"
    message = "This card is already in use. Format it first."


class CardMalformed(CardContentError):
    code = "CARD_MALFORMED"
    message = "This is not a valid card of this utility."


class ForeignUtility(CardContentError):
    code = "CARD_FOREIGN_UTILITY"
    message = "This card belongs to another utility."


class MacInvalid(CardContentError):
    code = "CARD_MAC_INVALID"
    message = "The card's data failed its security check. Do not sell on it; call a supervisor."


class WrongCardType(CardContentError):
    code = "CARD_WRONG_TYPE"
    message = "This kind of card cannot be used here."


class WrongMeter(CardContentError):
    code = "CARD_WRONG_METER"
    message = "This card is for another meter."


class PurchasePending(CardContentError):
    code = "CARD_PURCHASE_PENDING"
    message = "The card still holds a purchase the meter has not taken. Insert it in the meter first."


class SequenceUsed(CardContentError):
    code = "CARD_SEQUENCE_USED"
    message = "This purchase is already on the card or was already taken by the meter."
