"""Calendar periods: tier periods, free-energy periods, months of fixed charge."""
from __future__ import annotations

from datetime import date

import pytest

from terminal.domain.periods import (
    free_kwh_period_bounds,
    month_add,
    months_to_charge,
    period_bounds,
)


def test_month_add() -> None:
    assert month_add((2026, 1), 1) == (2026, 2)
    assert month_add((2026, 12), 1) == (2027, 1)
    assert month_add((2026, 1), -1) == (2025, 12)
    assert month_add((2026, 3), 25) == (2028, 4)
    with pytest.raises(ValueError):
        month_add((2026, 13), 0)


def test_period_bounds() -> None:
    assert period_bounds("month", date(2026, 12, 31)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert period_bounds("month", date(2026, 2, 1)) == (date(2026, 2, 1), date(2026, 3, 1))
    assert period_bounds("year", date(2026, 3, 5)) == (date(2026, 1, 1), date(2027, 1, 1))
    assert period_bounds("none", date(2026, 3, 5)) is None
    with pytest.raises(ValueError):
        period_bounds("week", date(2026, 3, 5))


def test_free_kwh_period_is_calendar_month_when_tiers_count_over_none() -> None:
    assert free_kwh_period_bounds("none", date(2026, 3, 5)) == (date(2026, 3, 1), date(2026, 4, 1))
    assert free_kwh_period_bounds("year", date(2026, 3, 5)) == (date(2026, 1, 1), date(2027, 1, 1))
    assert free_kwh_period_bounds("month", date(2026, 3, 5)) == (date(2026, 3, 1), date(2026, 4, 1))


@pytest.mark.parametrize(("registered", "last", "sale", "months"), [
    # first sale in the registration month: that month (cli.md example)
    (date(2026, 3, 1), None, date(2026, 3, 5), 1),
    # registered in January, never charged, sale in April: Jan, Feb, Mar, Apr
    (date(2026, 1, 31), None, date(2026, 4, 1), 4),
    # last charged January, sale in April: Feb, Mar, Apr
    (date(2026, 1, 15), (2026, 1), date(2026, 4, 3), 3),
    # already charged this month
    (date(2026, 1, 15), (2026, 4), date(2026, 4, 30), 0),
    # last charged later than the sale (clock moved back): nothing
    (date(2026, 1, 15), (2026, 5), date(2026, 4, 30), 0),
    # across a year end: Dec 2025 charged, sale Feb 2026: Jan, Feb
    (date(2025, 6, 1), (2025, 12), date(2026, 2, 1), 2),
    # 27 months never charged: capped at 12
    (date(2024, 1, 10), None, date(2026, 3, 5), 12),
    # exactly 12
    (date(2025, 4, 10), None, date(2026, 3, 5), 12),
    # 13 -> 12
    (date(2025, 3, 10), None, date(2026, 3, 5), 12),
    # sale before registration month
    (date(2026, 5, 1), None, date(2026, 4, 30), 0),
])
def test_months_to_charge(registered: date, last: tuple[int, int] | None, sale: date,
                          months: int) -> None:
    assert months_to_charge(registered, last, sale) == months
