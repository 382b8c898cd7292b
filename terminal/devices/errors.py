"""Driver errors as the services see them: one map, by type (as httpx maps transport
exceptions).

The drivers in `hardware/` know nothing of the terminal; each has its own error tree
with stable codes. An adapter hands a driver error to `from_driver` (or wraps a call in
`driver_errors`), which picks the service error class of `terminal.services.errors` by
the driver error's TYPE from `DRIVER_ERRORS` below, and keeps the driver's code and
message (`Class.for_code(code)`: that class for that code):

    card reader not there, no card, card pulled out   DeviceAbsent        (READER_NOT_FOUND, CARD_ABSENT, ...)
    the card cannot take it (content, access)         CardRefused         (CARD_WRONG_METER, CARD_LOCKED, ...)
    an STS token cannot be made for this request      CarrierRefused      (AMOUNT_OUT_OF_RANGE, TID_OUT_OF_RANGE, ...)
    anything once a write was sent to the carrier     OutcomeUncertain    (the same codes: the purchase may be on it)
    every other driver error                          DeviceError         (READER_REFUSED, PRINTER_OFFLINE, ...)

A caller catches the class; nothing reads a detail to learn what happened.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hardware.cards import errors as card_errors
from hardware.sts import errors as sts_errors
from terminal.services.errors import (
    CardRefused,
    CarrierRefused,
    DeviceAbsent,
    DeviceError,
    DeviceNotConfigured,
    OutcomeUncertain,
)

NotConfigured = DeviceNotConfigured   # the adapters' short name

# (driver error type, service error class): the first type the error is an instance of wins
DRIVER_ERRORS: tuple[tuple[type[Exception], type[DeviceError]], ...] = (
    (card_errors.ReaderUnavailable, DeviceAbsent),
    (card_errors.ReaderNotFound, DeviceAbsent),
    (card_errors.CardAbsent, DeviceAbsent),
    (card_errors.CardRemoved, DeviceAbsent),
    (card_errors.CardAccessError, CardRefused),
    (card_errors.CardContentError, CardRefused),
    (sts_errors.StsInputError, CarrierRefused),
    (sts_errors.TokenRejected, CarrierRefused),
)


def service_error_class(exc: Exception, uncertain: bool = False) -> type[DeviceError]:
    """The service error class a driver error becomes (before its code is kept)."""
    if uncertain:
        return OutcomeUncertain
    return next((cls for driver, cls in DRIVER_ERRORS if isinstance(exc, driver)), DeviceError)


def from_driver(exc: Exception, uncertain: bool = False) -> DeviceError:
    """The service error for a driver error: its class by the error's type, the driver's code
    and message kept; `uncertain` once a write was sent (the purchase may have arrived)."""
    cls = service_error_class(exc, uncertain)
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code:
        cls = cls.for_code(code)
    detail = getattr(exc, "detail", None)
    message = str(getattr(exc, "message", exc))
    return cls(message, detail=detail) if detail else cls(message)


@contextmanager
def driver_errors(driver_base: type[Exception], uncertain: bool = False) -> Iterator[None]:
    """Re-raise a driver's errors as the service error of their type, with the same code."""
    try:
        yield
    except driver_base as exc:
        raise from_driver(exc, uncertain) from exc


__all__ = ["DRIVER_ERRORS", "DeviceError", "NotConfigured", "driver_errors", "from_driver", "service_error_class"]
