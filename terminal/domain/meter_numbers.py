"""Meter numbers and the meter's file: which numbers a carrier can hold, the meter types.

- an IC-card meter: 1 to 20 digits (what the card's meter number field carries);
- an STS keypad meter (IEC 62055-41): 11 digits, or 13 digits (with a 4-digit IIN), the
  last being the Luhn check digit of the others; the PAN is made from it (`docs/sts.md`);
- a meter of another carrier kind: 1 to 20 letters, digits or '-', starting with a letter
  or digit.
"""
from __future__ import annotations

import re

METER_TYPES = ("single_phase", "three_phase", "multi_tariff", "multi_function")
CARD_DIGITS = 20
STS_LENGTHS = (11, 13)
_ANY = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,19}", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def luhn_valid(digits: str) -> bool:
    """The last digit is the Luhn check digit of the ones before it."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def meter_number_fault(number: str, carrier: str) -> str | None:
    """Why `number` is not a meter number of a `carrier` meter, or None when it is one."""
    if carrier == "card":
        if not _DIGITS.fullmatch(number) or len(number) > CARD_DIGITS:
            return f"a card meter's number is 1 to {CARD_DIGITS} digits"
        return None
    if carrier == "sts":
        if not _DIGITS.fullmatch(number) or len(number) not in STS_LENGTHS:
            return "an STS meter's number is 11 or 13 digits"
        if not luhn_valid(number):
            return "an STS meter's number ends in its Luhn check digit: is it typed right?"
        return None
    if not _ANY.fullmatch(number):
        return "a meter number is 1 to 20 letters, digits or '-'"
    return None
