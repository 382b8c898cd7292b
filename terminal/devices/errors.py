"""Device errors as the services see them.

The drivers in `hardware/` know nothing of the terminal; each has its own error
tree with stable codes. The adapters here turn those into `DeviceError`, a
PpmsError that keeps the driver's code and message, and says whether the
purchase may have reached the carrier (`uncertain`).

    PpmsError
    └── DeviceError          the driver's own code (CARD_REMOVED, TOKEN_CRC, PRINTER_OFFLINE, ...)
        └── NotConfigured    DEVICE_NOT_CONFIGURED
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from terminal.domain.errors import PpmsError


class DeviceError(PpmsError):
    code = "DEVICE_ERROR"


class NotConfigured(DeviceError):
    code = "DEVICE_NOT_CONFIGURED"


def from_driver(exc: Exception, uncertain: bool = False) -> DeviceError:
    err = DeviceError(str(getattr(exc, "message", exc)), uncertain=uncertain)
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code:
        err.code = code
    return err


@contextmanager
def driver_errors(driver_base: type[Exception], uncertain: bool = False) -> Iterator[None]:
    """Re-raise a driver's errors as DeviceError with the same code."""
    try:
        yield
    except driver_base as exc:
        raise from_driver(exc, uncertain) from exc
