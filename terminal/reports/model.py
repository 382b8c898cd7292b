"""The report object every output renders: columns, rows, totals and charts.

A `Table` holds integers (minor units, 0.01 kWh, counts) and text keys; only the
renderers format them. Screen text, the receipt printer's narrow layout, CSV, PDF and
JSON all start from the same `Table`, so no two outputs can disagree.

    Column     a figure's code (what `--columns` names), its kind (money, kwh, count,
               percent, text) and its labels in English and Chinese
    Table      the report's name, title, period, currency, columns, rows and totals
    Chart      a bar chart drawn from the table (one or two series over the row keys)
    parts      tables that follow the main one in every output (the daily report's shift cash)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final, Literal

from terminal.domain.money import Currency, format_kwh, format_money

Kind = Literal["money", "kwh", "count", "percent", "text"]
Value = int | str | None


@dataclass(frozen=True)
class Column:
    code: str
    kind: Kind
    en: str
    zh: str

    def label(self, language: str = "en") -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Chart:
    title: str
    column: str                        # the figure drawn, one bar per row
    kind: Kind = "money"
    compare: tuple[str, list[int]] | None = None   # a second series: (its name, one value per row)
    compare_to: str = ""               # the first series' name when there is a second


@dataclass
class Table:
    report: str
    title: str
    period: tuple[str, str]
    currency: Currency
    columns: list[Column]
    rows: list[dict[str, Value]]
    totals: dict[str, Value]
    charts: list[Chart] = field(default_factory=list)
    default_columns: tuple[str, ...] = ()
    parts: list[Table] = field(default_factory=list)   # rendered after this table, whole, in every output

    def column(self, code: str) -> Column:
        for c in self.columns:
            if c.code == code:
                return c
        raise KeyError(code)

    def codes(self) -> list[str]:
        return [c.code for c in self.columns]

    def chosen(self, codes: list[str] | None) -> Table:
        """This table with only the columns named, in that order (the default layout when None)."""
        wanted = list(codes) if codes else list(self.default_columns or self.codes())
        return replace(self, columns=[self.column(c) for c in wanted])

    def shown(self, code: str, value: Value) -> str:
        """One figure as text, in its column's unit."""
        return show(self.column(code).kind, value, self.currency)


def show(kind: Kind, value: Value, cur: Currency) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "money":
        return format_money(value, cur)
    if kind == "kwh":
        return format_kwh(value)
    if kind == "percent":     # tenths of a percent
        sign = "+" if value > 0 else "-" if value < 0 else ""
        return f"{sign}{abs(value) // 10}.{abs(value) % 10}%"
    return str(value)


def change_permille(now: int, before: int) -> int | None:
    """now against before, in tenths of a percent of |before| (ROUND_HALF_UP away from zero), signed as
    now - before; None when before is 0."""
    if before == 0:
        return None
    num = (now - before) * 1000
    q, r = divmod(abs(num), abs(before))
    q += 2 * r >= abs(before)
    return q if num >= 0 else -q


KEY_LABELS: Final[dict[str, tuple[str, str]]] = {
    "day": ("Day", "日期"), "month": ("Month", "月份"), "year": ("Year", "年份"),
    "power_type": ("Power type", "用电类型"), "category": ("Category", "用户类别"), "area": ("Area", "区域"),
    "tariff_version": ("Tariff version", "电价版本"), "sub_item": ("Sub-item", "分项"),
    "operator": ("Operator", "操作员"), "terminal": ("Terminal", "终端"), "payment": ("Payment", "付款方式"),
}


def key_column(group: str) -> Column:
    en, zh = KEY_LABELS[group]
    return Column("key", "text", en, zh)
