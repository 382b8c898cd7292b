"""The dashboard's consolidated reports: the terminal's report definitions (terminal.reports.money:
`gather`, `as_table`, the CSV and PDF renderers) over the center's copy of every terminal's
sales, so the dashboard and a terminal can never count a sale differently.

`CenterRows` answers the four queries `money.gather` asks of a terminal's ledger
(`terminal.ledger.report_rows.ReportRows`) from the center's tables: ``sale`` (the money of
each sale and reversal item), ``sale_note`` (power type, operator) and ``sale_line`` (energy
lines). A sale counts on the day it was sold, a reversal on the day it was made, as
`ppms-central report summary` and the terminal's daily report count them. The center holds
no journal: fees and cash held for refused sales stay on the terminals (0 here), so net
takings are sales less reversals, which is the summary's figure.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Final, cast

from peewee import SQL, fn

from central.errors import BadRequest
from central.models import Sale, SaleLine, SaleNote
from central.reports import center_currency
from terminal.domain.money import currency
from terminal.reports import money
from terminal.reports.model import Table

REPORTS: Final = ("daily", "monthly", "yearly", "classified")
GROUPS: Final = ("power_type", "sub_item", "operator", "terminal", "payment")
_SUMS: Final = ("tendered", "kwh", "free_kwh", "fixed", "debt", "vat", "carry_over_used", "change")
MAX_DAYS: Final = 3660


class CenterRows:
    """`ReportRows`'s sale queries over the center's tables, for one terminal or all."""

    def __init__(self, terminal: str | None) -> None:
        self.terminal = terminal

    def _key(self, group: str) -> Any:
        keys: dict[str, Any] = {"day": fn.SUBSTR(Sale.at, 1, 10), "month": fn.SUBSTR(Sale.at, 1, 7),
                                "year": fn.SUBSTR(Sale.at, 1, 4), "terminal": Sale.terminal,
                                "payment": Sale.payment, "power_type": SaleNote.power_type,
                                "operator": SaleNote.operator}
        return keys[group].alias("k")

    def _query(self, group: str, *columns: Any) -> Any:
        q = Sale.select(self._key(group), Sale.kind, *columns)
        if group in ("power_type", "operator"):
            q = q.join(SaleNote, on=SaleNote.item == Sale.item)
        return q

    def _where(self, q: Any, start: str, end: str) -> Any:
        q = q.where((Sale.at >= start) & (Sale.at < end))
        return q if self.terminal is None else q.where(Sale.terminal == self.terminal)

    def sale_sums(self, group: str, start: str, end: str) -> list[tuple[Any, ...]]:
        q = self._query(group, fn.COUNT(Sale.item), *[fn.SUM(getattr(Sale, c)) for c in _SUMS])
        return list(self._where(q, start, end).group_by(SQL("1"), Sale.kind).tuples())

    def sale_payments(self, group: str, start: str, end: str) -> list[tuple[Any, ...]]:
        q = self._query(group, Sale.payment, fn.SUM(Sale.tendered))
        return list(self._where(q, start, end).group_by(SQL("1"), Sale.kind, Sale.payment).tuples())

    def sale_sub_items(self, group: str, start: str, end: str) -> list[tuple[Any, ...]]:
        q = self._query(group, SaleLine.sub_item, fn.SUM(SaleLine.amount), fn.SUM(SaleLine.kwh)) \
            .join(SaleLine, on=SaleLine.item == Sale.item)
        return list(self._where(q, start, end).group_by(SQL("1"), Sale.kind, SaleLine.sub_item).tuples())

    def account_moves(self, group: str, start: str, end: str, money_accounts: tuple[str, ...],
                      fee_prefix: str) -> list[tuple[Any, ...]]:
        return []     # no journal at the center: fees and cash held stay on the terminals


class _Repositories:
    def __init__(self, terminal: str | None) -> None:
        self.reports = CenterRows(terminal)


def _day(text: str | None, name: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise BadRequest(f"{name} must be a day YYYY-MM-DD", field=name) from None


def report(kind: str, day_from: str | None, day_to: str | None, terminal: str | None = None,
           group_by: str | None = None) -> money.MoneyReport:
    if kind not in REPORTS:
        raise BadRequest(f"the report is one of {', '.join(REPORTS)}", field="report")
    if group_by is not None and group_by not in GROUPS:
        raise BadRequest(f"the center classifies by {', '.join(GROUPS)}", field="group_by")
    start, end = _day(day_from, "from"), _day(day_to, "to")
    if end < start or (end - start).days > MAX_DAYS:
        raise BadRequest(f"to is before from, or more than {MAX_DAYS} days after it", field="to")
    repos = cast(Any, _Repositories(terminal or None))
    return money.gather(repos, currency(center_currency()), kind, start, end,
                        group_by if kind == "classified" else None)


def table(rep: money.MoneyReport) -> Table:
    return money.as_table(rep).chosen(None)
