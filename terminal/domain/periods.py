"""Calendar periods: tier periods of the blocks, free-energy periods, fixed-charge months.

A month is a ``(year, month)`` pair. Period bounds are half-open ``[start, end)``.
"""
from __future__ import annotations

from datetime import date

__all__ = [
    "MAX_MONTHS_CHARGED",
    "TIER_PERIODS",
    "free_kwh_period_bounds",
    "month_add",
    "month_of",
    "months_between",
    "months_to_charge",
    "period_bounds",
]

TIER_PERIODS = ("month", "year", "none")
#: Fixed charges are collected for at most this many months in one sale (selling.md step 3).
MAX_MONTHS_CHARGED = 12


def month_of(day: date) -> tuple[int, int]:
    return day.year, day.month


def month_add(ym: tuple[int, int], n: int) -> tuple[int, int]:
    """The month ``n`` months after ``ym`` (``n`` may be negative)."""
    year, month = ym
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} out of 1..12")
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def months_between(start: tuple[int, int], end: tuple[int, int]) -> int:
    """How many months ``end`` is after ``start`` (negative when before)."""
    return (end[0] * 12 + end[1]) - (start[0] * 12 + start[1])


def period_bounds(tier_period: str, when: date) -> tuple[date, date] | None:
    """``[start, end)`` of the month or year containing ``when``; None for ``"none"``."""
    if tier_period == "month":
        next_year, next_month = month_add(month_of(when), 1)
        return date(when.year, when.month, 1), date(next_year, next_month, 1)
    if tier_period == "year":
        return date(when.year, 1, 1), date(when.year + 1, 1, 1)
    if tier_period == "none":
        return None
    raise ValueError(f"unknown tier period {tier_period!r}")


def free_kwh_period_bounds(tier_period: str, when: date) -> tuple[date, date]:
    """The period in which free kWh are given once: the primary power type's tier
    period, or the calendar month when its blocks count over no period ("none")."""
    bounds = period_bounds(tier_period if tier_period != "none" else "month", when)
    assert bounds is not None
    return bounds


def months_to_charge(registered: date, last_charged: tuple[int, int] | None, sale: date) -> int:
    """Months of fixed charge due at a sale (selling.md step 3).

    Counted from the month after the last month already charged (the registration
    month when none was) up to and including the sale's month, at most 12; 0 when the
    sale's month is already charged (or lies before the registration month).
    """
    first = month_add(last_charged, 1) if last_charged is not None else month_of(registered)
    due = months_between(first, month_of(sale)) + 1
    return max(0, min(MAX_MONTHS_CHARGED, due))
