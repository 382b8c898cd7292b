"""The 16-bit amount field: a 2-bit exponent and a 14-bit mantissa.

A field with exponent ``e`` and mantissa ``m`` carries
``m * 10**e + sum(2**14 * 10**(i - 1) for i in 1..e)`` units (0.1 kWh for
electricity, watts for a power limit). So 0..16383 are exact, then steps of 10
up to 180214, steps of 100 up to 1818524 and steps of 1000 up to 18201624.

The standard rounds a value between two steps *up*; a vending terminal must never
do that for credit (the customer would get more than was paid for), so
:func:`encode_amount` refuses such values unless ``round_up=True`` and the vend
calculation asks :func:`amount_exact_floor` for the largest exact amount first.
"""
from __future__ import annotations

from .errors import AmountError

AMOUNT_MAX = 18201624  # the largest value the field carries: e=3, m=16383
_MANTISSA = 1 << 14
# for each exponent: (offset, step)
_RANGES: tuple[tuple[int, int], ...] = ((0, 1), (16384, 10), (180224, 100), (1818624, 1000))
assert all(
    offset == sum(_MANTISSA * 10 ** (i - 1) for i in range(1, e + 1))
    for e, (offset, _) in enumerate(_RANGES)
)


def decode_amount(field: int) -> int:
    """The value carried by a 16-bit amount field."""
    if not 0 <= field <= 0xFFFF:
        raise ValueError("amount field is 16 bits")
    offset, step = _RANGES[field >> 14]
    return offset + (field & 0x3FFF) * step


def encode_amount(value: int, *, round_up: bool = False) -> int:
    """The 16-bit field for ``value``; exact unless ``round_up`` (the standard's rule)."""
    if not 0 <= value <= AMOUNT_MAX:
        raise AmountError(
            f"the amount {value} is outside what one token carries (0 to {AMOUNT_MAX})",
            code="AMOUNT_OUT_OF_RANGE",
        )
    for exponent in (3, 2, 1, 0):
        offset, step = _RANGES[exponent]
        if value >= offset:
            mantissa, rest = divmod(value - offset, step)
            if rest:
                if not round_up:
                    raise AmountError(
                        f"the amount {value} is not carried exactly by a token; "
                        f"the nearest lower amount is {amount_exact_floor_units(value)}",
                        code="AMOUNT_NOT_EXACT",
                    )
                mantissa += 1  # may carry into the next exponent: still the right field
            return (exponent << 14) + mantissa
    raise AssertionError("unreachable")  # pragma: no cover


def is_exact_amount(value: int) -> bool:
    """True when ``value`` (in field units) is carried without rounding."""
    return 0 <= value <= AMOUNT_MAX and amount_exact_floor_units(value) == value


def amount_exact_floor_units(value: int) -> int:
    """The largest exactly carried value that is not above ``value`` (field units)."""
    if value < 0:
        raise AmountError("an amount cannot be negative", code="AMOUNT_OUT_OF_RANGE")
    value = min(value, AMOUNT_MAX)
    for exponent in (3, 2, 1, 0):
        offset, step = _RANGES[exponent]
        if value >= offset:
            return offset + (value - offset) // step * step
    raise AssertionError("unreachable")  # pragma: no cover


def amount_exact_floor(centi_kwh: int) -> int:
    """Largest energy in 0.01 kWh, not above ``centi_kwh``, that an electricity token
    carries exactly (whole 0.1 kWh, representable without rounding)."""
    if centi_kwh < 0:
        raise AmountError("energy cannot be negative", code="AMOUNT_OUT_OF_RANGE")
    return amount_exact_floor_units(centi_kwh // 10) * 10
