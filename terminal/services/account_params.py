"""The parameters meter reading and the account check read, in one place: the typed
parameter registry of system setup (`terminal.services.parameters`, `ppms setup param set`)."""
from __future__ import annotations

from typing import Final

from terminal.ledger import Repositories
from terminal.services.errors import InvalidArgument
from terminal.services.parameters import param_in

TOLERANCE_KWH: Final = "account.check_tolerance_kwh"      # 0.01 kWh, set as e.g. "1.00"
HIGH_CONSUMPTION_FACTOR: Final = "reading.high_consumption_factor"   # a whole number, e.g. 3


def _whole(r: Repositories, key: str) -> int:
    value = param_in(r, key)
    if not isinstance(value, int):
        raise InvalidArgument(f"parameter {key} = {value!r} is not a number", key=key)
    return value


def tolerance_kwh(r: Repositories) -> int:
    """How far (0.01 kWh) energy bought may differ from consumed + remaining before it is flagged."""
    return _whole(r, TOLERANCE_KWH)


def high_consumption_factor(r: Repositories) -> int:
    """Consumption above this many times the meter's own average rate is flagged."""
    return _whole(r, HIGH_CONSUMPTION_FACTOR)
