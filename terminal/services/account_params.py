"""The parameters meter reading and the account check read, in one place.

Until the typed parameter registry of system setup is merged, a parameter is the ledger's
`meta` value under its key (`ppms setup param set KEY VALUE` will write it), else the
default below. `parameter` is the one function that reads them.
"""
from __future__ import annotations

from typing import Final

from terminal.domain.errors import PpmsError
from terminal.domain.money import parse_kwh
from terminal.ledger import Repositories
from terminal.services.errors import InvalidArgument

TOLERANCE_KWH: Final = "account.check_tolerance_kwh"      # kWh, e.g. "1.00"
HIGH_CONSUMPTION_FACTOR: Final = "reading.high_consumption_factor"   # a whole number, e.g. "3"
DEFAULTS: Final = {TOLERANCE_KWH: "1.00", HIGH_CONSUMPTION_FACTOR: "3"}


def parameter(r: Repositories, key: str) -> str:
    """A parameter's current value as text (the stored one, else its default)."""
    return r.meta.get(key) or DEFAULTS[key]


def tolerance_kwh(r: Repositories) -> int:
    """How far (0.01 kWh) energy bought may differ from consumed + remaining before it is flagged."""
    text = parameter(r, TOLERANCE_KWH)
    try:
        return parse_kwh(text)
    except PpmsError:
        raise InvalidArgument(f"parameter {TOLERANCE_KWH} = {text!r} is not an amount of kWh",
                              key=TOLERANCE_KWH) from None


def high_consumption_factor(r: Repositories) -> int:
    """Consumption above this many times the meter's own average rate is flagged."""
    text = parameter(r, HIGH_CONSUMPTION_FACTOR)
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise InvalidArgument(f"parameter {HIGH_CONSUMPTION_FACTOR} = {text!r} is not a whole number 1-1000",
                              key=HIGH_CONSUMPTION_FACTOR)
    return int(text)
