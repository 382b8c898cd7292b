"""Money, energy and rates: integer units and their exact text forms.

* Money is an ``int`` count of the currency's minor unit; its text has exactly the
  currency's decimals (``"100.00"`` KES, ``"100"`` JPY, ``"1.000"`` KWD).
* Energy is an ``int`` count of 0.01 kWh; its text has two decimals (``"181.81"``).
* Prices per kWh and percentages are exact ``Fraction`` values read from decimal
  strings with at most 4 decimals.

Parsing is strict: ASCII digits only, an optional single ``.``, no sign, no
exponent, no grouping; surrounding whitespace is ignored. Nothing here uses floats.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from terminal.domain.errors import (
    AmountInvalid,
    EnergyInvalid,
    RateInvalid,
    UnknownCurrency,
)

__all__ = [
    "MAX_INTEGER_DIGITS",
    "RATE_DECIMALS",
    "Currency",
    "currency",
    "format_kwh",
    "format_money",
    "format_rate",
    "parse_kwh",
    "parse_money",
    "parse_rate",
    "round_half_up",
]

#: Largest number of digits before the decimal point accepted in money and energy
#: text (10^12 major units): keeps every amount far inside SQLite's 64-bit integers.
MAX_INTEGER_DIGITS = 12
#: Prices and percentages carry at most this many decimals.
RATE_DECIMALS = 4

_DECIMAL = re.compile(r"([0-9]+)(?:\.([0-9]+))?", re.ASCII)


@dataclass(frozen=True)
class Currency:
    code: str
    decimals: int


# ISO 4217 active codes whose minor unit is not 2 decimals.
_DECIMALS_NOT_TWO: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}
# ISO 4217 active codes with 2 decimals.
_TWO_DECIMALS = frozenset([
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
    "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU",
    "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG", "ZWL"
])


def currency(code: str) -> Currency:
    """The ISO 4217 currency ``code`` (upper case) with its minor-unit decimals."""
    if code in _DECIMALS_NOT_TWO:
        return Currency(code, _DECIMALS_NOT_TWO[code])
    if code in _TWO_DECIMALS:
        return Currency(code, 2)
    raise UnknownCurrency(f"{code!r} is not a currency this terminal knows (ISO 4217).",
                          currency=code)


def _split_decimal(text: object) -> tuple[str, str] | None:
    """(integer digits, fraction digits) of a plain decimal string, or None."""
    if not isinstance(text, str):
        return None
    match = _DECIMAL.fullmatch(text.strip())
    if match is None:
        return None
    return match.group(1), match.group(2) or ""


def _negative(text: object) -> bool:
    return isinstance(text, str) and text.strip().startswith("-")


def _scaled(whole: str, frac: str, decimals: int) -> int:
    scale: int = 10 ** decimals
    return int(whole) * scale + int((frac + "0" * decimals)[:decimals] or "0")


def parse_money(text: str, cur: Currency) -> int:
    """``"100"``, ``"100.5"``, ``"100.00"`` -> minor units; refuses sign, junk, extra decimals."""
    parts = _split_decimal(text)
    if _negative(text):
        raise AmountInvalid(f"{text!r}: an amount of money cannot be negative.", text=text)
    if parts is None:
        raise AmountInvalid(f"{text!r} is not an amount of money: write it like "
                            f"{format_money(10 ** cur.decimals * 100, cur)}.", text=text)
    whole, frac = parts
    if len(frac) > cur.decimals:
        raise AmountInvalid(f"{text!r} has more than {cur.decimals} decimals for {cur.code}.",
                            text=text)
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise AmountInvalid(f"{text!r} is too large an amount.", text=text)
    return _scaled(whole, frac, cur.decimals)


def format_money(minor: int, cur: Currency) -> str:
    """Minor units -> text with exactly the currency's decimals; ``-`` for negatives."""
    sign = "-" if minor < 0 else ""
    major, rest = divmod(abs(minor), 10 ** cur.decimals)
    if cur.decimals == 0:
        return f"{sign}{major}"
    return f"{sign}{major}.{rest:0{cur.decimals}d}"


def parse_kwh(text: str) -> int:
    """``"181.81"`` -> 18181 (0.01 kWh); refuses sign, junk and more than 2 decimals."""
    parts = _split_decimal(text)
    if _negative(text):
        raise EnergyInvalid(f"{text!r}: an amount of energy cannot be negative.", text=text)
    if parts is None:
        raise EnergyInvalid(f"{text!r} is not an amount of energy: write kWh like 181.81.",
                            text=text)
    whole, frac = parts
    if len(frac) > 2:
        raise EnergyInvalid(f"{text!r} has more than 2 decimals of kWh.", text=text)
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise EnergyInvalid(f"{text!r} is too large an amount of energy.", text=text)
    return _scaled(whole, frac, 2)


def format_kwh(centi: int) -> str:
    """0.01 kWh units -> ``"181.81"``; ``-`` for negatives."""
    sign = "-" if centi < 0 else ""
    whole, rest = divmod(abs(centi), 100)
    return f"{sign}{whole}.{rest:02d}"


def parse_rate(text: str) -> Fraction:
    """A price per kWh or a percentage: decimal string, up to 4 decimals, >= 0."""
    parts = _split_decimal(text)
    if _negative(text):
        raise RateInvalid(f"{text!r}: a price or percentage cannot be negative.", text=text)
    if parts is None:
        raise RateInvalid(f"{text!r} is not a price or percentage: write it like 12.50.",
                          text=text)
    whole, frac = parts
    if len(frac) > RATE_DECIMALS:
        raise RateInvalid(f"{text!r} has more than {RATE_DECIMALS} decimals.", text=text)
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise RateInvalid(f"{text!r} is too large.", text=text)
    return Fraction(_scaled(whole, frac, RATE_DECIMALS), 10 ** RATE_DECIMALS)


def format_rate(rate: Fraction) -> str:
    """Canonical text of a rate: the shortest exact decimal (``"12"``, ``"0.6"``, ``"12.5"``).

    Refuses a value that ``parse_rate`` could not have produced (negative, or not a
    whole number of 0.0001), so that ``parse_rate(format_rate(r)) == r`` always.
    """
    scaled = rate * 10 ** RATE_DECIMALS
    if rate < 0 or scaled.denominator != 1:
        raise RateInvalid(f"{rate} is not a rate with at most {RATE_DECIMALS} decimals.")
    whole, rest = divmod(scaled.numerator, 10 ** RATE_DECIMALS)
    digits = f"{rest:0{RATE_DECIMALS}d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


def round_half_up(x: Fraction) -> int:
    """Round to the nearest integer, halves away from zero (decimal's ROUND_HALF_UP)."""
    if x < 0:
        return -round_half_up(-x)
    whole, rest = divmod(x.numerator, x.denominator)
    return whole + (1 if 2 * rest >= x.denominator else 0)
