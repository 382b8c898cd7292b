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
        ├── CardBlacklisted                CARD_BLACKLISTED
        ├── CardAlreadyIssued              CARD_ALREADY_ISSUED    the meter has a user card: blacklist it first
        ├── CardNotFound (NotFound)        CARD_NOT_FOUND
        ├── CardPurchasePending            CARD_PURCHASE_PENDING  formatting a card whose meter has not taken it
        ├── NoCardStation                  DEVICE_NOT_CONFIGURED  no card reader configured
        ├── NoTariff                       NO_TARIFF              no tariff version in force at the time of sale
        ├── TariffVersionConflict          TARIFF_VERSION_CONFLICT
        ├── CurrencyMismatch               CURRENCY_MISMATCH
        ├── SalePending                    SALE_PENDING           an undecided sale blocks the meter
        │   └── SaleInProgress             SALE_IN_PROGRESS       another till is carrying the meter's sale now
        ├── SaleDecidedElsewhere           SALE_DECIDED_ELSEWHERE the seller's sale was decided by another process
        ├── SaleNotReversible              SALE_NOT_REVERSIBLE
        ├── CarrierFailed                  CARRIER_FAILED         the card/token could not be delivered
        ├── InvalidArgument                INVALID_ARGUMENT
        ├── WeakPassword                   WEAK_PASSWORD
        ├── MeterBusNotConfigured          METER_BUS_NOT_CONFIGURED    no [meter_bus] port and no --port
        ├── MeterAddressInvalid            METER_ADDRESS_INVALID       not 1-12 digits
        ├── CashAcceptorNotConfigured      CASH_ACCEPTOR_NOT_CONFIGURED  [cash_acceptor] type = "none"
        ├── CashIntakeBusy                 CASH_INTAKE_BUSY       another process is taking notes on this terminal
        ├── CreditAboveCarrierLimit        CREDIT_ABOVE_CARRIER_LIMIT  details: max_kwh (the most one purchase carries)
        ├── AmountAboveMaximum             AMOUNT_ABOVE_MAXIMUM   details: maximum (parameter sale.max_tender)
        └── SaleAlreadyRewritten           SALE_ALREADY_REWRITTEN  written again once; a supervisor may override

The ledger's errors reach a caller by type and are re-exported here, so the CLI and the
screens catch them from the services: `LedgerUnavailable` (a refusal: nothing was written)
with `LedgerBusy` LEDGER_BUSY (the write lock was not obtained within the busy timeout:
retry) and `DiskFull` DISK_FULL; `SchemaTooNew` SCHEMA_TOO_NEW; `SealKeyMissing` SEAL_KEY_MISSING (a
refusal); `LedgerUnsound` LEDGER_UNSOUND (the seal removed, exit 3); any other `LedgerError`
is a fault of the program.
"""
from __future__ import annotations

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


class CardBlacklisted(ServiceError):
    code = "CARD_BLACKLISTED"


class CardAlreadyIssued(ServiceError):
    code = "CARD_ALREADY_ISSUED"


class CardNotFound(NotFound):
    code = "CARD_NOT_FOUND"


class CardPurchasePending(ServiceError):
    code = "CARD_PURCHASE_PENDING"


class NoCardStation(ServiceError):
    code = "DEVICE_NOT_CONFIGURED"


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
