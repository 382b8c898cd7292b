"""The report model's arithmetic and the money report's calendar, without a ledger."""
from __future__ import annotations

from datetime import date

import pytest

from terminal.domain.money import Currency
from terminal.reports import money, render
from terminal.reports.model import Column, Table, change_permille, show

KES = Currency("KES", 2)


@pytest.mark.parametrize(("now", "before", "want"), [
    (110, 100, 100), (90, 100, -100), (100, 100, 0), (1, 3, -667), (2, 3, -333),
    (10005, 10000, 1),      # +0.05% rounds half up to +0.1%
    (9995, 10000, -1),      # -0.05% rounds half away from zero to -0.1%
    (50, -100, 1500), (5, 0, None),
])
def test_change_in_tenths_of_a_percent(now: int, before: int, want: int | None) -> None:
    assert change_permille(now, before) == want


def test_figures_are_shown_in_their_unit() -> None:
    assert show("money", 123456, KES) == "1234.56"
    assert show("kwh", 5651, KES) == "56.51"
    assert show("percent", -523, KES) == "-52.3%" and show("percent", 7, KES) == "+0.7%"
    assert show("money", None, KES) == "" and show("count", 3, KES) == "3"


@pytest.mark.parametrize(("unit", "start", "end", "keys"), [
    ("month", date(2025, 11, 15), date(2026, 2, 1), ["2025-11", "2025-12", "2026-01", "2026-02"]),
    ("year", date(2024, 6, 1), date(2026, 1, 1), ["2024", "2025", "2026"]),
    ("day", date(2026, 2, 27), date(2026, 3, 1), ["2026-02-27", "2026-02-28", "2026-03-01"]),
])
def test_every_period_of_the_range_is_a_row(unit: str, start: date, end: date, keys: list[str]) -> None:
    assert money._keys(unit, start, end) == keys


def _table() -> Table:
    cols = [Column("key", "text", "Month", "月份"), Column("count", "count", "Sales", "售电笔数"),
            Column("net_takings", "money", "Net takings", "净收入")]
    return Table("monthly", "Monthly report", ("2026-01-01", "2026-01-31"), KES, cols,
                 [{"key": "2026-01", "count": 3, "net_takings": 150000}], {"key": "Total", "count": 3,
                                                                           "net_takings": 150000})


def test_columns_are_chosen_and_ordered() -> None:
    t = _table().chosen(["net_takings", "key"])
    assert render.as_csv(t) == "net_takings,key\r\n1500.00,2026-01\r\n1500.00,Total\r\n"
    assert render.receipt_lines(t) == (("2026-01", "", "1500.00"), ("Total", "", "1500.00"))


def test_chinese_labels_are_aligned_by_their_width() -> None:
    text = render.as_text(_table(), "zh").splitlines()
    head, row = text[3], text[5]
    assert head.startswith("月份") and render.width(head) == render.width(row)
