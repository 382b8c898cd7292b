"""The daily report: the day's journal, in the words of a cashier and an auditor.

Every money figure is a movement of the journal on that day (postings dated from
00:00 to 24:00 of the terminal's clock), so the report reconciles with the journal
account by account:

    sales            the gross sales of the day: every sale whose sale posting was made
                     that day (a sale posts when it completes: the minute it was sold, or
                     the day `ppms sale recover` completed it), whether or not it was
                     reversed later
    reversals        the reversals (contra-postings) made that day, of sales of any day
    net              sales - reversals, figure by figure
    cash_held        notes kept in the acceptor's cash box for a customer whose sale was
                     refused or voided (posting `cash_held`: the money account against
                     the customer's carry-over)
    arrears_added    arrears recorded that day (`ppms account debt add`)
    net_takings      what the money accounts moved: net tendered + cash held

    CASH, BANK_CLEARING, MOBILE_MONEY, CASH_ACCEPTOR   = net by_payment (+ cash held, acceptor)
    REVENUE:<sub_item>                                 = net energy_by_sub_item
    VAT_PAYABLE                                        = net vat
    FIXED_CHARGE_REVENUE                               = net fixed
    ARREARS                                            = arrears_added - net debt_recovered
    CARRY_OVER (credit)                                = net change_carried - net carry_over_used
                                                         + cash_held
`voided` and `pending` count the sales begun that day that were voided or still wait
for recovery; they moved no money.

`gather` returns integers (minor units, 0.01 kWh) read through the ledger's
repositories; the renderers (`as_json`, `as_csv`, `as_text`) format them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from terminal.domain.money import Currency, format_kwh, format_money
from terminal.domain.sale import SaleStatus
from terminal.ledger import Repositories
from terminal.ledger.journal import MONEY_ACCOUNTS
from terminal.ledger.sales import DaySale

SALE_COLUMNS = ("tendered", "kwh", "free_kwh", "fixed", "debt", "vat", "carry_over_used", "change")
# the report's name of each sale column (cli.md)
NAMES = {"debt": "debt_recovered", "change": "change_carried"}
_ENERGY = ("kwh", "free_kwh")


@dataclass
class Totals:
    """The sales behind one kind of posting of the day ('sale' or 'reversal'), in integers."""
    count: int = 0
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SALE_COLUMNS, 0))
    energy_by_sub_item: dict[str, int] = field(default_factory=dict)
    by_payment: dict[str, int] = field(default_factory=dict)

    def add(self, sale: DaySale) -> None:
        self.count += 1
        for column in SALE_COLUMNS:
            self.sums[column] += getattr(sale, column)
        self.by_payment[sale.payment] = self.by_payment.get(sale.payment, 0) + sale.tendered

    def minus(self, other: Totals) -> Totals:
        def each(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
            return {k: a.get(k, 0) - b.get(k, 0) for k in sorted(set(a) | set(b))}
        return Totals(self.count - other.count, {c: self.sums[c] - other.sums[c] for c in SALE_COLUMNS},
                      each(self.energy_by_sub_item, other.energy_by_sub_item),
                      each(self.by_payment, other.by_payment))


@dataclass
class DailyFigures:
    """The day's figures, in integer minor units and 0.01 kWh."""
    day: date
    sales: Totals = field(default_factory=Totals)
    reversals: Totals = field(default_factory=Totals)
    cash_held: tuple[int, int] = (0, 0)       # postings, money
    arrears_added: tuple[int, int] = (0, 0)   # postings, money
    voided: int = 0
    pending: int = 0
    net_takings: int = 0

    @property
    def net(self) -> Totals:
        return self.sales.minus(self.reversals)


def _totals(r: Repositories, kind: str, start: str, end: str) -> Totals:
    out = Totals()
    for sale in r.sales.posted_between(kind, start, end):
        out.add(sale)
    out.energy_by_sub_item = r.sales.energy_by_sub_item(kind, start, end)
    return out


def gather(r: Repositories, day: date) -> DailyFigures:
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    fig = DailyFigures(day, _totals(r, "sale", start, end), _totals(r, "reversal", start, end))
    fig.cash_held = r.journal.debited_between("cash_held", start, end, MONEY_ACCOUNTS)
    fig.arrears_added = r.journal.debited_between("debt", start, end, ("ARREARS",))
    for sale in r.sales.of_day(start, end):
        fig.voided += sale.status == SaleStatus.VOIDED.value
        fig.pending += sale.status == SaleStatus.PENDING.value
    fig.net_takings = r.journal.net_between(start, end, MONEY_ACCOUNTS)
    return fig


def shown(t: Totals, cur: Currency) -> dict[str, Any]:
    out: dict[str, Any] = {"count": t.count}
    for column in SALE_COLUMNS:
        out[NAMES.get(column, column)] = (format_kwh(t.sums[column]) if column in _ENERGY
                                           else format_money(t.sums[column], cur))
    out["energy_by_sub_item"] = {k: format_money(v, cur) for k, v in sorted(t.energy_by_sub_item.items())}
    out["by_payment"] = {k: format_money(v, cur) for k, v in sorted(t.by_payment.items())}
    return out


def as_json(fig: DailyFigures, cur: Currency) -> dict[str, Any]:
    """The report object of `ppms report daily --json` (money and energy as text)."""
    (held_count, held), (debt_count, debt) = fig.cash_held, fig.arrears_added
    return {
        "report": "daily", "date": fig.day.isoformat(), "currency": cur.code,
        "sales": shown(fig.sales, cur), "reversals": shown(fig.reversals, cur), "net": shown(fig.net, cur),
        "cash_held": {"count": held_count, "amount": format_money(held, cur)},
        "arrears_added": {"count": debt_count, "amount": format_money(debt, cur)},
        "voided": fig.voided, "pending": fig.pending,
        "net_takings": format_money(fig.net_takings, cur),
    }


def _flat(report: dict[str, Any]) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = [("date", report["date"]), ("currency", report["currency"])]
    for part in ("sales", "reversals", "net"):
        for k, v in report[part].items():
            if isinstance(v, dict):
                out += [(f"{part}.{k}.{kk}", vv) for kk, vv in v.items()]
            else:
                out.append((f"{part}.{k}", v))
    for part in ("cash_held", "arrears_added"):
        out += [(f"{part}.{k}", v) for k, v in report[part].items()]
    out += [("voided", report["voided"]), ("pending", report["pending"]),
            ("net_takings", report["net_takings"])]
    for shift in report.get("shifts", ()):
        out += [(f"shift.{shift['shift_id']}.{k}", "" if v is None else v) for k, v in shift.items() if k != "shift_id"]
    return out


def as_csv(report: dict[str, Any]) -> str:
    return "item,value\r\n" + "".join(f"{k},{v}\r\n" for k, v in _flat(report))


_ROWS = (("Count", "count"), ("Tendered", "tendered"), ("Energy kWh", "kwh"), ("Free kWh", "free_kwh"),
         ("Fixed charges", "fixed"), ("Debt recovered", "debt_recovered"), ("VAT", "vat"),
         ("Carry-over used", "carry_over_used"), ("Change carried", "change_carried"))


def as_text(report: dict[str, Any]) -> str:
    """Sales, reversals and net side by side; then what else moved money, and net takings."""
    label_w, col_w = 22, 12
    width = label_w + 3 * col_w

    def row(label: str, *values: object) -> str:
        return f"{label:<{label_w}}" + "".join(f"{str(v):>{col_w}}" for v in values)

    s, r, n = report["sales"], report["reversals"], report["net"]
    out = [f"DAILY REPORT {report['date']}  ({report['currency']})".center(width).rstrip(), "-" * width,
           row("", "Sales", "Reversals", "Net")]
    out += [row(label, s[key], r[key], n[key]) for label, key in _ROWS]
    for group, title in (("energy_by_sub_item", "Energy"), ("by_payment", "Paid by")):
        out += [row(f"  {title} {k}", s[group].get(k, "0.00"), r[group].get(k, "0.00"), v)
                for k, v in n[group].items()]
    held, debt = report["cash_held"], report["arrears_added"]
    out += ["-" * width,
            row("Cash held", held["count"], "", held["amount"]),
            row("Arrears added", debt["count"], "", debt["amount"]),
            row("Voided sales", report["voided"]), row("Pending sales", report["pending"]),
            "-" * width,
            row("Net takings", "", "", report["net_takings"]),
            f"  = net tendered {n['tendered']} + cash held {held['amount']}"]
    return "\n".join(out + _shift_lines(report.get("shifts", ()), width)) + "\n"


def _shift_lines(shifts: Any, width: int) -> list[str]:
    """Each cashier shift's cash: declared (counted) against expected, and the difference."""
    if not shifts:
        return []
    cols = ("Expected", "Declared", "Difference")
    out = ["-" * width, "Shift cash" + "".join(f"{c:>12}" for c in cols)]
    for s in shifts:
        label = f"  {s['shift_id']} {s['operator']}"[:22]
        if s["closed_at"] is None:
            out.append(f"{label:<22}{'open since ' + s['opened_at'][11:]:>36}")
        else:
            out.append(f"{label:<22}" + "".join(f"{s[k]:>12}" for k in ("expected", "counted", "difference")))
    return out
