"""Errors the services raise; every one a cashier can cause has a stable code.

    PpmsError (terminal.domain.errors)
    └── ServiceError                       SERVICE_ERROR
        ├── AuthFailed                     AUTH_FAILED            unknown operator or wrong password
        ├── OperatorLocked                 OPERATOR_LOCKED        too many wrong passwords; a supervisor unlocks
        ├── PermissionDenied               PERMISSION_DENIED
        ├── LastOperatorsHolder            LAST_OPERATORS_HOLDER  revoking `operators` from its last active holders
        ├── FakeClockRefused               FAKE_CLOCK_REFUSED     PPMS_FAKE_NOW set on a real database
        ├── NotInitialised                 NOT_INITIALISED        no database yet: run `ppms init`
        ├── AlreadyInitialised             ALREADY_INITIALISED
        ├── NotFound                       (base of the *_NOT_FOUND codes)
        │   ├── MeterNotFound              METER_NOT_FOUND
        │   ├── CustomerNotFound           CUSTOMER_NOT_FOUND
        │   ├── SaleNotFound               SALE_NOT_FOUND
        │   ├── PowerTypeNotFound          POWER_TYPE_NOT_FOUND
        │   ├── CategoryNotFound           CATEGORY_NOT_FOUND
        │   └── OperatorNotFound           OPERATOR_NOT_FOUND
        ├── MeterExists                    METER_EXISTS
        ├── MeterNotInstalled              METER_NOT_INSTALLED
        ├── MeterCancelled                 METER_CANCELLED
        ├── CardAlreadyIssued              CARD_ALREADY_ISSUED    the meter has a user card: blacklist it first
        ├── CardNotFound (NotFound)        CARD_NOT_FOUND
        ├── CardPurchasePending            CARD_PURCHASE_PENDING  formatting a card whose meter has not taken it
        ├── NoTariff                       NO_TARIFF              no tariff version in force at the time of sale
        ├── TariffVersionConflict          TARIFF_VERSION_CONFLICT
        ├── CurrencyMismatch               CURRENCY_MISMATCH
        ├── SalePending                    SALE_PENDING           an undecided sale blocks the meter
        │   └── SaleInProgress             SALE_IN_PROGRESS       another till is carrying the meter's sale now
        ├── SaleDecidedElsewhere           SALE_DECIDED_ELSEWHERE the seller's sale was decided by another process
        ├── SaleNotReversible              SALE_NOT_REVERSIBLE
        ├── CarrierFailed                  CARRIER_FAILED         the card/token could not be delivered
        ├── DeviceError                    DEVICE_ERROR           a device or its driver failed otherwise
        │   ├── DeviceNotConfigured        DEVICE_NOT_CONFIGURED  a device's settings are missing or wrong
        │   │   └── NoCardStation          DEVICE_NOT_CONFIGURED  no card reader configured
        │   ├── DeviceAbsent               DEVICE_ABSENT          not there: no card in the reader, reader
        │   │                                                     unplugged, pcscd down; nothing was done
        │   ├── CarrierRefused             CARRIER_REFUSED        the carrier cannot take this purchase;
        │   │   │                                                 nothing reached it (the sale is voided)
        │   │   └── CardRefused            CARD_REFUSED           the card in the reader: blank, another
        │   │       │                                             meter's, locked, a purchase pending, ...
        │   │       ├── CardBlacklisted    CARD_BLACKLISTED
        │   │       ├── CardChanged        CARD_CHANGED           not the card the sale was written to
        │   │       └── CardMeterNumberInvalid  CARD_METER_NUMBER_INVALID  a card carries up to 20 digits
        │   └── OutcomeUncertain           OUTCOME_UNCERTAIN      a write was sent: the purchase may be on
        │                                                         the carrier (the sale stays PENDING)
        ├── InvalidArgument                INVALID_ARGUMENT
        ├── WeakPassword                   WEAK_PASSWORD
        ├── MeterBusNotConfigured          METER_BUS_NOT_CONFIGURED    no [meter_bus] port and no --port
        ├── MeterAddressInvalid            METER_ADDRESS_INVALID       not 1-12 digits
        ├── CashAcceptorNotConfigured      CASH_ACCEPTOR_NOT_CONFIGURED  [cash_acceptor] type = "none"
        ├── CashIntakeBusy                 CASH_INTAKE_BUSY       another process is taking notes on this terminal
        ├── CreditAboveCarrierLimit        CREDIT_ABOVE_CARRIER_LIMIT  details: max_kwh (the most one purchase carries)
        ├── AmountAboveMaximum             AMOUNT_ABOVE_MAXIMUM   details: maximum (parameter sale.max_tender)
        ├── SaleAlreadyRewritten           SALE_ALREADY_REWRITTEN  written again once; a supervisor may override
        ├── BackupUnsound                  BACKUP_UNSOUND         the copy failed `ppms check`: no copy kept
        └── RestoreRefused                 RESTORE_REFUSED        the file is no sound ledger copy (missing, no key,
                                                                  not SQLite, or `ppms check` finds problems), or
                                                                  the numbers used after it are unknown
                                                                  (NUMBERS_UNKNOWN, NUMBERS_UNREADABLE) or rows the
                                                                  center never got would be dropped
                                                                  (UNSENT_AFTER_COPY): nothing changed;
                                                                  details: problems

        │   system setup and shifts (services/parameters.py, dictionary.py, authority.py, port_set.py, shifts.py)
        ├── ParameterUnknown               PARAMETER_UNKNOWN      not a key of the parameter registry
        ├── ParameterInvalid               PARAMETER_INVALID      a value that is not of the parameter's kind
        ├── ParameterReadOnly              PARAMETER_READ_ONLY    terminal.id, currency: fixed by init / tariff
        ├── DictionaryKindUnknown          DICTIONARY_KIND_UNKNOWN  not areas, buildings, categories, ...
        ├── DictionaryEntryInvalid         DICTIONARY_ENTRY_INVALID  a code or name that cannot be one
        ├── DictionaryEntryNotFound (NotFound) DICTIONARY_ENTRY_NOT_FOUND  no such (active) entry
        ├── DictionaryValueUnknown (InvalidArgument) DICTIONARY_VALUE_UNKNOWN  a coded field's value is not in
        │                                                         the utility's list; details: key, kind, value, allowed
        ├── DeviceSettingUnknown           DEVICE_SETTING_UNKNOWN  not a device setting of the port set
        ├── DeviceSettingInvalid           DEVICE_SETTING_INVALID  a value the config file would refuse
        ├── ShiftAlreadyOpen               SHIFT_ALREADY_OPEN     the operator has an open shift: close it first
        ├── ShiftNotOpen                   SHIFT_NOT_OPEN         no open shift to close
        ├── ShiftNotFound (NotFound)       SHIFT_NOT_FOUND
        ├── ShiftNotClosed                 SHIFT_NOT_CLOSED       a shift is signed off after it is closed
        ├── ShiftAlreadySigned             SHIFT_ALREADY_SIGNED   signed off once
        └── ShiftSignoffByCashier          SHIFT_SIGNOFF_BY_CASHIER  the cashier cannot sign off their own shift

        ├── MeterReplaced                  METER_REPLACED         the meter was replaced: it sells and amends nothing
        └── RemainingCreditTooHigh         REMAINING_CREDIT_TOO_HIGH  more credit than the meter's records ever gave

        ├── CsvRowInvalid                  CSV_ROW_INVALID        a reading file row: details line (header = 1), reason
        └── ReadingExists                  READING_EXISTS         the meter's reading at that time is already recorded
        ├── OfflineLimitReached            OFFLINE_LIMIT_REACHED  too long or too much since the last sync
        │                                                         details: limit, last_sync
        └── FeedChangeUnsupported          FEED_CHANGE_UNSUPPORTED  a feed change this terminal does not apply

Device errors cross the driver boundary by type (terminal/devices/errors.py holds the one
map from each driver error type to its class here, as httpx maps transport exceptions): a
caller catches the class (`CardRefused`, `OutcomeUncertain`, `DeviceAbsent`) and never reads
a detail to learn what happened. The driver's own stable code (CARD_WRONG_METER,
CARD_REMOVED, TOKEN_CRC, PRINTER_OFFLINE, ...) stays the error's code: `Class.for_code(code)`
is the subclass of that class for that code, made once per code, so no code is ever
written onto a shared class or an instance.

The ledger's errors reach a caller by type and are re-exported here, so the CLI and the
screens catch them from the services: `LedgerUnavailable` (a refusal: nothing was written)
with `LedgerBusy` LEDGER_BUSY (the write lock was not obtained within the busy timeout:
retry) and `DiskFull` DISK_FULL; `SchemaTooNew` SCHEMA_TOO_NEW; `SealKeyMissing` SEAL_KEY_MISSING (a
refusal); `LedgerUnsound` LEDGER_UNSOUND (the seal removed, exit 3); any other `LedgerError`
is a fault of the program.
"""
from __future__ import annotations

from typing import ClassVar, TypeVar

from terminal.domain.errors import PpmsError
from terminal.ledger.errors import DiskFull as DiskFull
from terminal.ledger.errors import LedgerBusy as LedgerBusy
from terminal.ledger.errors import LedgerError as LedgerError
from terminal.ledger.errors import LedgerUnavailable as LedgerUnavailable
from terminal.ledger.errors import LedgerUnsound as LedgerUnsound
from terminal.ledger.errors import SchemaTooNew as SchemaTooNew
from terminal.ledger.errors import SealKeyMissing as SealKeyMissing


class ServiceError(PpmsError):
    code = "SERVICE_ERROR"


class AuthFailed(ServiceError):
    code = "AUTH_FAILED"


class OperatorLocked(ServiceError):
    code = "OPERATOR_LOCKED"


class PermissionDenied(ServiceError):
    code = "PERMISSION_DENIED"


class LastOperatorsHolder(ServiceError):
    code = "LAST_OPERATORS_HOLDER"


class FakeClockRefused(ServiceError):
    code = "FAKE_CLOCK_REFUSED"


class NotInitialised(ServiceError):
    code = "NOT_INITIALISED"


class AlreadyInitialised(ServiceError):
    code = "ALREADY_INITIALISED"


class NotFound(ServiceError):
    code = "NOT_FOUND"


class MeterNotFound(NotFound):
    code = "METER_NOT_FOUND"


class CustomerNotFound(NotFound):
    code = "CUSTOMER_NOT_FOUND"


class SaleNotFound(NotFound):
    code = "SALE_NOT_FOUND"


class PowerTypeNotFound(NotFound):
    code = "POWER_TYPE_NOT_FOUND"


class CategoryNotFound(NotFound):
    code = "CATEGORY_NOT_FOUND"


class OperatorNotFound(NotFound):
    code = "OPERATOR_NOT_FOUND"


class MeterExists(ServiceError):
    code = "METER_EXISTS"


class MeterNotInstalled(ServiceError):
    code = "METER_NOT_INSTALLED"


class MeterCancelled(ServiceError):
    code = "METER_CANCELLED"


class CardAlreadyIssued(ServiceError):
    code = "CARD_ALREADY_ISSUED"


class CardNotFound(NotFound):
    code = "CARD_NOT_FOUND"


class CardPurchasePending(ServiceError):
    code = "CARD_PURCHASE_PENDING"


class NoTariff(ServiceError):
    code = "NO_TARIFF"


class TariffVersionConflict(ServiceError):
    code = "TARIFF_VERSION_CONFLICT"


class CurrencyMismatch(ServiceError):
    code = "CURRENCY_MISMATCH"


class SalePending(ServiceError):
    code = "SALE_PENDING"


class SaleInProgress(SalePending):
    code = "SALE_IN_PROGRESS"


class SaleDecidedElsewhere(ServiceError):
    code = "SALE_DECIDED_ELSEWHERE"


class SaleNotReversible(ServiceError):
    code = "SALE_NOT_REVERSIBLE"


class CarrierFailed(ServiceError):
    code = "CARRIER_FAILED"


class InvalidArgument(ServiceError):
    code = "INVALID_ARGUMENT"


class WeakPassword(ServiceError):
    code = "WEAK_PASSWORD"


class MeterBusNotConfigured(ServiceError):
    code = "METER_BUS_NOT_CONFIGURED"


class MeterAddressInvalid(InvalidArgument):
    code = "METER_ADDRESS_INVALID"


class CashAcceptorNotConfigured(ServiceError):
    code = "CASH_ACCEPTOR_NOT_CONFIGURED"


class CashIntakeBusy(ServiceError):
    code = "CASH_INTAKE_BUSY"


class CreditAboveCarrierLimit(ServiceError):
    code = "CREDIT_ABOVE_CARRIER_LIMIT"


class AmountAboveMaximum(ServiceError):
    code = "AMOUNT_ABOVE_MAXIMUM"


class SaleAlreadyRewritten(ServiceError):
    code = "SALE_ALREADY_REWRITTEN"


# -- amendments (the amendment file)
class MeterReplaced(ServiceError):
    code = "METER_REPLACED"


class RemainingCreditTooHigh(ServiceError):
    code = "REMAINING_CREDIT_TOO_HIGH"

# -- meter reading and the meter account (accounts) --
class CsvRowInvalid(ServiceError):
    """CSV_ROW_INVALID: a row of a reading file is refused (details: line, the file's line number
    counting the header as line 1; reason); nothing of the file is stored."""
    code = "CSV_ROW_INVALID"


class ReadingExists(ServiceError):
    """READING_EXISTS: the meter already has a reading of this source at this time."""
    code = "READING_EXISTS"


_D = TypeVar("_D", bound="DeviceError")


class DeviceError(ServiceError):
    code = "DEVICE_ERROR"
    _coded: ClassVar[dict[tuple[type[DeviceError], str], type[DeviceError]]] = {}

    @classmethod
    def for_code(cls: type[_D], code: str) -> type[_D]:
        """This class for a driver's own code: a subclass carrying `code`, made once per
        (class, code), so `except cls` still catches it and `.code` is the driver's."""
        if code == cls.code:
            return cls
        made = DeviceError._coded.get((cls, code))
        if made is None:
            name = "".join(part.capitalize() for part in code.split("_")) + cls.__name__
            made = type(name, (cls,), {"code": code, "__module__": __name__, "__qualname__": name})
            DeviceError._coded[(cls, code)] = made
        return made  # type: ignore[return-value]


class DeviceNotConfigured(DeviceError):
    code = "DEVICE_NOT_CONFIGURED"


class NoCardStation(DeviceNotConfigured):
    code = "DEVICE_NOT_CONFIGURED"


class DeviceAbsent(DeviceError):
    code = "DEVICE_ABSENT"


class CarrierRefused(DeviceError):
    code = "CARRIER_REFUSED"


class CardRefused(CarrierRefused):
    code = "CARD_REFUSED"


class CardBlacklisted(CardRefused):
    code = "CARD_BLACKLISTED"


class CardChanged(CardRefused):
    code = "CARD_CHANGED"


class CardMeterNumberInvalid(CardRefused):
    code = "CARD_METER_NUMBER_INVALID"


class OutcomeUncertain(DeviceError):
    code = "OUTCOME_UNCERTAIN"


# --- backups (deploy) ---------------------------------------------------------------------
class BackupUnsound(ServiceError):
    """BACKUP_UNSOUND: the ledger's copy did not pass `ppms check`; it was removed."""
    code = "BACKUP_UNSOUND"


class RestoreRefused(ServiceError):
    """RESTORE_REFUSED: the file to restore is no sound ledger copy, or restoring it would issue a
    number twice or drop rows the center never got (details: problems); the ledger is as it was."""
    code = "RESTORE_REFUSED"


# -- registration, installation and account transfers (issue 11, register) -----------------

class MeterNumberInvalid(InvalidArgument):
    """METER_NUMBER_INVALID: not a meter number its carrier can hold (a card: 1-20 digits; an
    STS meter: 11 or 13 digits whose last is the Luhn check digit). details: meter, reason."""
    code = "METER_NUMBER_INVALID"


class MeterAlreadyInstalled(ServiceError):
    """METER_ALREADY_INSTALLED: `meter install` of a meter that is not `registered`. details: meter, status."""
    code = "METER_ALREADY_INSTALLED"


class TransferNotFound(NotFound):
    """TRANSFER_NOT_FOUND: no account transfer with this id. details: transfer."""
    code = "TRANSFER_NOT_FOUND"


class TransferToItself(ServiceError):
    """TRANSFER_TO_ITSELF: both meters are one customer account. details: from_meter, to_meter."""
    code = "TRANSFER_TO_ITSELF"


class TransferExceedsBalance(ServiceError):
    """TRANSFER_EXCEEDS_BALANCE: more than the giving account holds (at the request and again at
    approval). details: what, amount, balance (money)."""
    code = "TRANSFER_EXCEEDS_BALANCE"
    money_details = ("amount", "balance")


class TransferDecided(ServiceError):
    """TRANSFER_DECIDED: the transfer was approved or rejected already. details: transfer, status."""
    code = "TRANSFER_DECIDED"


class ApprovalBySameOperator(ServiceError):
    """APPROVAL_BY_SAME_OPERATOR: a transfer is approved by another operator than the one who asked.
    details: transfer, operator."""
    code = "APPROVAL_BY_SAME_OPERATOR"


# -- system setup and shifts ----------------------------------------------------------------
class ParameterUnknown(ServiceError):
    code = "PARAMETER_UNKNOWN"


class ParameterInvalid(ServiceError):
    code = "PARAMETER_INVALID"


class ParameterReadOnly(ServiceError):
    code = "PARAMETER_READ_ONLY"


class DictionaryKindUnknown(ServiceError):
    code = "DICTIONARY_KIND_UNKNOWN"


class DictionaryEntryInvalid(ServiceError):
    code = "DICTIONARY_ENTRY_INVALID"


class DictionaryEntryNotFound(NotFound):
    code = "DICTIONARY_ENTRY_NOT_FOUND"


class DeviceSettingUnknown(ServiceError):
    code = "DEVICE_SETTING_UNKNOWN"


class DeviceSettingInvalid(ServiceError):
    code = "DEVICE_SETTING_INVALID"


class ShiftAlreadyOpen(ServiceError):
    code = "SHIFT_ALREADY_OPEN"


class ShiftNotOpen(ServiceError):
    code = "SHIFT_NOT_OPEN"


class ShiftNotFound(NotFound):
    code = "SHIFT_NOT_FOUND"


class ShiftNotClosed(ServiceError):
    code = "SHIFT_NOT_CLOSED"


class ShiftAlreadySigned(ServiceError):
    code = "SHIFT_ALREADY_SIGNED"


class ShiftSignoffByCashier(ServiceError):
    code = "SHIFT_SIGNOFF_BY_CASHIER"

# reports (terminal/reports, `ppms report ...`)
class ReportColumnUnknown(InvalidArgument):
    """REPORT_COLUMN_UNKNOWN: --columns names a column the report does not have (details: known)."""
    code = "REPORT_COLUMN_UNKNOWN"


class ReportPeriodInvalid(InvalidArgument):
    """REPORT_PERIOD_INVALID: a date that is not YYYY-MM-DD, or --from after --to."""
    code = "REPORT_PERIOD_INVALID"


class ReportLayoutNotFound(NotFound):
    """REPORT_LAYOUT_NOT_FOUND: --layout names no layout this operator saved for this report."""
    code = "REPORT_LAYOUT_NOT_FOUND"


class ReportFontMissing(ServiceError):
    """REPORT_FONT_MISSING: no CJK font for the PDF (install fonts-wqy-microhei)."""
    code = "REPORT_FONT_MISSING"
# --- sync (issue 14) -------------------------------------------------------------------------
class OfflineLimitReached(ServiceError):
    """OFFLINE_LIMIT_REACHED: the last sync with the center is older than its offline
    ``max_hours``, or the money sold since it is above ``max_amount``; details: limit
    (``max_hours`` | ``max_amount``), last_sync. Selling resumes after a sync."""
    code = "OFFLINE_LIMIT_REACHED"


class FeedChangeUnsupported(ServiceError):
    """FEED_CHANGE_UNSUPPORTED: a change of the center's feed of a kind this terminal does
    not apply; details: kind. Recorded in the diary (sync.feed_refused), the feed goes on."""
    code = "FEED_CHANGE_UNSUPPORTED"


class PaymentNotWaiting(ServiceError):
    """PAYMENT_NOT_WAITING: no bank payment of the center waits for this meter here (none
    came down the feed, or it is already on a sale here or at another terminal); details:
    meter."""
    code = "PAYMENT_NOT_WAITING"


class PaymentAlreadyApplied(ServiceError):
    """PAYMENT_ALREADY_APPLIED: the bank payment is already on a sale (another process sold it
    a moment ago); nothing was sold; details: payment."""
    code = "PAYMENT_ALREADY_APPLIED"


# --- office: the dictionary enforced (issue 11) ----------------------------------------------
class DictionaryValueUnknown(InvalidArgument):
    """DICTIONARY_VALUE_UNKNOWN: a coded field (area, building, category, maker, model, payment,
    reason) names no active entry of the dictionary the utility keeps for it; details: key (the
    field), kind, value, allowed (the active codes). Nothing is changed."""
    code = "DICTIONARY_VALUE_UNKNOWN"
