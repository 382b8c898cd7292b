"""The shifts' cash in the daily report: declared (counted) against expected, per cashier shift.

A shift's expected cash is its float and the cash its operator's postings moved while it was
open (`services/shifts.py`, stored with the close); the difference is counted - expected
(negative: the drawer is short). The daily report lists the shifts closed in its period and
those opened in it and still open (no count yet), with their totals.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

from terminal.domain.money import Currency, format_money
from terminal.ledger import Repositories
from terminal.reports.model import Column, Table, Value

COLUMNS: Final = (
    Column("key", "text", "Shift", "班次"),
    Column("operator", "text", "Cashier", "收款员"),
    Column("opened_at", "text", "Opened", "开班"),
    Column("closed_at", "text", "Closed", "交班"),
    Column("float", "money", "Float", "备用金"),
    Column("cash_in", "money", "Cash taken", "现金收入"),
    Column("expected", "money", "Expected", "应有现金"),
    Column("counted", "money", "Declared", "申报现金"),
    Column("difference", "money", "Difference", "差额"),
)
_SUMMED: Final = ("float", "cash_in", "expected", "counted", "difference")


def gather(r: Repositories, cur: Currency, start: date, end: date, language: str = "en") -> Table:
    rows: list[dict[str, Value]] = []
    for sid, operator, opened, closed, float_, cash_in, expected, counted, difference in r.reports.shift_cash(
            start.isoformat(), (end + timedelta(days=1)).isoformat()):
        rows.append({"key": str(sid), "operator": str(operator), "opened_at": str(opened)[:16].replace("T", " "),
                     "closed_at": None if closed is None else str(closed)[:16].replace("T", " "),
                     "float": float_, "cash_in": cash_in, "expected": expected, "counted": counted,
                     "difference": difference})
    closed_rows = [row for row in rows if row["closed_at"] is not None]
    totals: dict[str, Value] = {"key": "合计" if language == "zh" else "Total"}
    for code in _SUMMED:
        totals[code] = sum(int(row[code] or 0) for row in (rows if code == "float" else closed_rows))
    title = "班次现金：申报与应有" if language == "zh" else "Shift cash: declared against expected"
    return Table("shifts", title, (start.isoformat(), end.isoformat()), cur, list(COLUMNS), rows, totals)


def as_json(t: Table) -> list[dict[str, Any]]:
    """The shifts of the daily report's JSON (`shifts`): money as text, open shifts' close figures null."""
    def value(code: str, v: Value) -> Any:
        return format_money(v, t.currency) if t.column(code).kind == "money" and isinstance(v, int) else v
    return [{"shift_id": int(str(row["key"])), **{c.code: value(c.code, row.get(c.code)) for c in COLUMNS[1:]}}
            for row in t.rows]
