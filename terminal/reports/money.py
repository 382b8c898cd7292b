"""The money reports: daily over a range, monthly, yearly and classified.

Each row is the figures of the daily report (terminal.reports.daily) for one key:

    sales        the sale postings made in the row's period / class (gross, whether or
                 not reversed later)
    reversals    the reversal postings made there (of sales of any day)
    fees         credits to the fee revenue accounts (`FEE...`, the amendments' fees)
    net_takings  what the money accounts (cash, bank, mobile, acceptor) moved

A row's key is the day (`YYYY-MM-DD`), the month (`YYYY-MM`), the year (`YYYY`) or the
class: the sale's power type (the meter's primary power type: its largest share), the
customer's category or area, the sale's tariff versions, the operator who made the
posting, the terminal of the receipt, or the payment method. A posting with no value
for the class (arrears recorded, cash held for a refused sale when grouping by tariff)
is in the row `-`, so the rows of every classification add up to the same totals as
the monthly report over the same range. `sub_item` classifies energy money only: its
rows are each sub-item's energy revenue and their totals the period's energy revenue.

`previous_net_takings` and `change` compare each row of a daily, monthly or yearly
report with the period before it (the row before; for the first row, the day, month
or year before the range).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from terminal.domain.money import Currency, format_money
from terminal.ledger import Repositories
from terminal.ledger.journal import MONEY_ACCOUNTS
from terminal.reports import daily
from terminal.reports.model import Chart, Column, Table, Value, change_permille, key_column, show

PERIODS: Final = {"daily": "day", "monthly": "month", "yearly": "year"}
CLASSES: Final = ("power_type", "category", "area", "tariff_version", "sub_item", "operator", "terminal",
                  "payment")
FEE_PREFIX: Final = "FEE"
UNCLASSIFIED: Final = "-"


@dataclass
class Figures:
    sales: daily.Totals = field(default_factory=daily.Totals)
    reversals: daily.Totals = field(default_factory=daily.Totals)
    fees: int = 0
    net_takings: int = 0


@dataclass
class MoneyReport:
    report: str
    start: date
    end: date                     # inclusive
    currency: Currency
    group_by: str | None
    rows: dict[str, Figures]
    previous: dict[str, int] = field(default_factory=dict)   # row key -> net takings of the period before
    year_before: dict[str, int] = field(default_factory=dict)  # monthly: row key -> same month a year before

    @property
    def totals(self) -> Figures:
        out = Figures()
        for f in self.rows.values():
            _add(out.sales, f.sales)
            _add(out.reversals, f.reversals)
            out.fees += f.fees
            out.net_takings += f.net_takings
        return out


def _add(into: daily.Totals, t: daily.Totals) -> None:
    into.count += t.count
    for k, v in t.sums.items():
        into.sums[k] += v
    for part, src in ((into.energy_by_sub_item, t.energy_by_sub_item), (into.by_payment, t.by_payment)):
        for k, v in src.items():
            part[k] = part.get(k, 0) + v


def _key_text(group: str, key: Any) -> str:
    if key is None or key == "":
        return UNCLASSIFIED
    if group == "tariff_version":
        versions = json.loads(key)
        return " + ".join(f"{pt} v{v}" for pt, v in sorted(versions.items()))
    return str(key)


def _bounds(start: date, end: date) -> tuple[str, str]:
    return start.isoformat(), (end + timedelta(days=1)).isoformat()


def _figures(r: Repositories, group: str, start: date, end: date) -> dict[str, Figures]:
    lo, hi = _bounds(start, end)
    rows: dict[str, Figures] = {}

    def fig(key: Any) -> Figures:
        return rows.setdefault(_key_text(group, key), Figures())

    for key, kind, count, *sums in r.reports.sale_sums(group, lo, hi):
        t = fig(key).sales if kind == "sale" else fig(key).reversals
        t.count += int(count)
        for column, value in zip(daily.SALE_COLUMNS, sums, strict=True):
            t.sums[column] += int(value or 0)
    for key, kind, payment, tendered in r.reports.sale_payments(group, lo, hi):
        t = fig(key).sales if kind == "sale" else fig(key).reversals
        t.by_payment[str(payment)] = t.by_payment.get(str(payment), 0) + int(tendered)
    for key, kind, sub, amount, _kwh in r.reports.sale_sub_items(group, lo, hi):
        t = fig(key).sales if kind == "sale" else fig(key).reversals
        t.energy_by_sub_item[str(sub)] = t.energy_by_sub_item.get(str(sub), 0) + int(amount)
    for key, money, fees in r.reports.account_moves(group, lo, hi, MONEY_ACCOUNTS, FEE_PREFIX):
        fig(key).net_takings += int(money)
        fig(key).fees += int(fees)
    for f in rows.values():   # what the sales' and reversals' postings moved on the money accounts
        f.net_takings += f.sales.sums["tendered"] - f.reversals.sums["tendered"]
    return rows


def _keys(unit: str, start: date, end: date) -> list[str]:
    """Every day, month or year from start to end, as row keys."""
    out: list[str] = []
    d = _unit_start(unit, start)
    while d <= end:
        out.append(d.isoformat()[:_SIZE[unit]])
        d = _unit_after(unit, d)
    return out


_SIZE: Final = {"day": 10, "month": 7, "year": 4}


def _unit_after(unit: str, first: date) -> date:
    """The first day of the day, month or year after the one starting on `first`."""
    if unit == "day":
        return first + timedelta(days=1)
    if unit == "month":
        return date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date(first.year + 1, 1, 1)


def _unit_start(unit: str, d: date) -> date:
    return d.replace(day=1) if unit == "month" else d.replace(month=1, day=1) if unit == "year" else d


def _unit_before(unit: str, d: date) -> date:
    """The first day of the day, month or year before the one `d` is in."""
    first = _unit_start(unit, d)
    return _unit_start(unit, first - timedelta(days=1))


def _year_before(d: date) -> date:
    return d.replace(year=d.year - 1, day=min(d.day, 28)) if d.month == 2 else d.replace(year=d.year - 1)


def gather(r: Repositories, cur: Currency, report: str, start: date, end: date,
           group_by: str | None = None) -> MoneyReport:
    """The figures of a money report; `report` is daily, monthly, yearly or classified."""
    if report in PERIODS:
        unit = PERIODS[report]
        before = _unit_before(unit, start)
        found = _figures(r, unit, start, end) | _figures(r, unit, before, _unit_start(unit, start) - timedelta(days=1))
        keys = _keys(unit, start, end)
        rows = {k: found.get(k, Figures()) for k in keys}
        nets = [found[k].net_takings if k in found else 0 for k in [before.isoformat()[:_SIZE[unit]], *keys]]
        out = MoneyReport(report, start, end, cur, None, rows, previous=dict(zip(keys, nets, strict=False)))
        if report == "monthly":
            past = _figures(r, "month", _year_before(start), _year_before(end))
            out.year_before = {k: past[f"{int(k[:4]) - 1}{k[4:]}"].net_takings
                               if f"{int(k[:4]) - 1}{k[4:]}" in past else 0 for k in keys}
        return out
    group = group_by or "power_type"
    if group == "sub_item":
        return MoneyReport(report, start, end, cur, group, _by_sub_item(r, start, end))
    found = _figures(r, group, start, end)
    return MoneyReport(report, start, end, cur, group, dict(sorted(found.items())))


def _by_sub_item(r: Repositories, start: date, end: date) -> dict[str, Figures]:
    rows: dict[str, Figures] = {}
    for _year, kind, sub, amount, kwh in r.reports.sale_sub_items("year", *_bounds(start, end)):
        f = rows.setdefault(str(sub), Figures())
        t = f.sales if kind == "sale" else f.reversals
        t.energy_by_sub_item[str(sub)] = t.energy_by_sub_item.get(str(sub), 0) + int(amount)
        t.sums["kwh"] += int(kwh or 0)
    for f in rows.values():   # a sub-item's net: its energy revenue less what reversals took back
        f.net_takings = _net_energy(f)
    return dict(sorted(rows.items()))


def as_json(rep: MoneyReport) -> dict[str, Any]:
    """The report object of cli.md, "Reports" (money and energy as text)."""
    cur = rep.currency

    def shown(f: Figures) -> dict[str, Any]:
        return {"sales": daily.shown(f.sales, cur), "reversals": daily.shown(f.reversals, cur),
                "fees": format_money(f.fees, cur), "net_takings": format_money(f.net_takings, cur)}

    rows = []
    for key, f in rep.rows.items():
        row = {"key": key, **shown(f)}
        if key in rep.previous:
            before = rep.previous[key]
            row["previous_net_takings"] = format_money(before, cur)
            row["change"] = _change_text(f.net_takings, before)
        rows.append(row)
    return {"report": rep.report, "from": rep.start.isoformat(), "to": rep.end.isoformat(),
            "currency": cur.code, "group_by": rep.group_by, "rows": rows, "totals": shown(rep.totals)}


def _change_text(now: int, before: int) -> str | None:
    p = change_permille(now, before)
    return None if p is None else show("percent", p, Currency("XXX", 0))


_SALE_COLUMNS: Final = (
    Column("count", "count", "Sales", "售电笔数"),
    Column("tendered", "money", "Tendered", "收款金额"),
    Column("kwh", "kwh", "Energy kWh", "电量(千瓦时)"),
    Column("free_kwh", "kwh", "Free kWh", "免费电量"),
    Column("fixed", "money", "Fixed charges", "固定费用"),
    Column("debt_recovered", "money", "Debt recovered", "回收欠款"),
    Column("vat", "money", "VAT", "增值税"),
    Column("carry_over_used", "money", "Carry-over used", "使用结余"),
    Column("change_carried", "money", "Change carried", "结转零钱"),
    Column("energy", "money", "Energy revenue", "电费收入"),
)
_AFTER: Final = (
    Column("reversals", "count", "Reversals", "冲正笔数"),
    Column("reversed_tendered", "money", "Reversed", "冲正金额"),
    Column("fees", "money", "Fees", "手续费"),
    Column("net_takings", "money", "Net takings", "净收入"),
)
_CHANGE: Final = (
    Column("previous_net_takings", "money", "Previous period", "上期净收入"),
    Column("change", "percent", "Change", "增减"),
)
DEFAULT_COLUMNS: Final = ("key", "count", "tendered", "kwh", "fixed", "vat", "reversals", "fees", "net_takings")
_TITLES: Final = {"daily": ("Daily report", "日报表"), "monthly": ("Monthly report", "月报表"),
                  "yearly": ("Yearly report", "年报表"), "classified": ("Classified report", "分类报表")}


def _flat(f: Figures) -> dict[str, Value]:
    s = f.sales
    out: dict[str, Value] = {"count": s.count, **{daily.NAMES.get(c, c): s.sums[c] for c in daily.SALE_COLUMNS}}
    out["energy"] = sum(s.energy_by_sub_item.values())
    out |= {f"energy.{k}": v for k, v in s.energy_by_sub_item.items()}
    out |= {f"paid.{k}": v for k, v in s.by_payment.items()}
    out |= {"reversals": f.reversals.count, "reversed_tendered": f.reversals.sums["tendered"],
            "fees": f.fees, "net_takings": f.net_takings}
    return out


def as_table(rep: MoneyReport, language: str = "en") -> Table:
    """The report as a table of integers: one row per key, every figure a column."""
    subs = sorted({k for f in rep.rows.values() for k in f.sales.energy_by_sub_item})
    pays = sorted({k for f in rep.rows.values() for k in f.sales.by_payment})
    unit = PERIODS.get(rep.report) or rep.group_by or "power_type"
    columns = [key_column(unit), *_SALE_COLUMNS,
               *[Column(f"energy.{s}", "money", f"Energy {s}", f"电费 {s}") for s in subs],
               *[Column(f"paid.{p}", "money", f"Paid {p}", f"付款 {p}") for p in pays],
               *_AFTER, *(_CHANGE if rep.previous else ())]
    rows: list[dict[str, Value]] = []
    for key, f in rep.rows.items():
        row: dict[str, Value] = {"key": key, **_flat(f)}
        if key in rep.previous:
            row["previous_net_takings"] = rep.previous[key]
            row["change"] = change_permille(f.net_takings, rep.previous[key])
        rows.append(row)
    totals: dict[str, Value] = {"key": "Total" if language == "en" else "合计", **_flat(rep.totals)}
    en, zh = _TITLES[rep.report]
    title = zh if language == "zh" else en
    if rep.group_by:
        title += f" — {key_column(rep.group_by).label(language)}"
    default = DEFAULT_COLUMNS + (("change",) if rep.previous else ())
    if rep.group_by == "sub_item":
        default = ("key", "kwh", "energy", "net_takings")
    return Table(rep.report, title, (rep.start.isoformat(), rep.end.isoformat()), rep.currency, columns, rows,
                 totals, _charts(rep, language), default)


def _net_energy(f: Figures) -> int:
    return sum(f.sales.energy_by_sub_item.values()) - sum(f.reversals.energy_by_sub_item.values())


def _charts(rep: MoneyReport, language: str) -> list[Chart]:
    zh = language == "zh"
    if rep.report == "daily":
        return [Chart("每日售电金额" if zh else "Sales per day", "tendered")]
    if rep.report == "monthly":
        before = [rep.year_before.get(k, 0) for k in rep.rows]
        return [Chart("月净收入与上年同月" if zh else "Net takings per month against the year before",
                      "net_takings", compare=("上年" if zh else "Year before", before),
                      compare_to="本年" if zh else "This year")]
    if rep.report == "yearly":
        return [Chart("年净收入" if zh else "Net takings per year", "net_takings")]
    if rep.group_by == "power_type":
        return [Chart("各用电类型电量" if zh else "Energy per power type", "kwh", kind="kwh")]
    return [Chart("净收入" if zh else "Net takings", "net_takings")]
