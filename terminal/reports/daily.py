"""The daily report: the day's sales, reversals and money by account.

Counts a sale on the day it was sold (completed, printed, or reversed later);
a reversal on the day it was made. Net figures = sales - reversals of the day.
`gather` returns integers (minor units, 0.01 kWh); the renderers (`as_json`,
`as_csv`, `as_text`) format them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from terminal.domain.money import Currency, format_kwh, format_money
from terminal.domain.sale import SaleStatus
from terminal.ledger import Repositories
from terminal.ledger.journal import MONEY_ACCOUNTS

_TOTALS = ("tendered", "kwh", "free_kwh", "vat", "fixed", "debt", "change", "carry_over_used")


@dataclass
class DailyFigures:
    """The day's figures, in integer minor units and 0.01 kWh."""
    day: date
    count: int = 0
    voided: int = 0
    pending: int = 0
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_TOTALS, 0))
    by_payment: dict[str, int] = field(default_factory=dict)
    energy_by_sub_item: dict[str, int] = field(default_factory=dict)
    reversals: tuple[int, int, int] = (0, 0, 0)   # count, tendered, kWh
    net_takings: int = 0


def gather(r: Repositories, day: date) -> DailyFigures:
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    fig = DailyFigures(day)
    for sale in r.sales.of_day(start, end):
        if sale.status == SaleStatus.VOIDED.value:
            fig.voided += 1
        elif sale.status == SaleStatus.PENDING.value:
            fig.pending += 1
        else:
            fig.count += 1
            fig.by_payment[sale.payment] = fig.by_payment.get(sale.payment, 0) + sale.tendered
            for k in _TOTALS:
                fig.totals[k] += getattr(sale, k)
    fig.energy_by_sub_item = r.sales.energy_by_sub_item(start, end)
    fig.reversals = r.sales.reversed_between(start, end)
    fig.net_takings = r.journal.net_between(start, end, MONEY_ACCOUNTS)
    return fig


def as_json(fig: DailyFigures, cur: Currency) -> dict[str, Any]:
    """The report object of `ppms report daily --json` (money and energy as text)."""
    def m(v: int) -> str:
        return format_money(v, cur)
    t = fig.totals
    r_count, r_tendered, r_kwh = fig.reversals
    return {
        "report": "daily", "date": fig.day.isoformat(), "currency": cur.code,
        "sales": {"count": fig.count, "tendered": m(t["tendered"]), "kwh": format_kwh(t["kwh"]),
                  "free_kwh": format_kwh(t["free_kwh"]), "fixed": m(t["fixed"]),
                  "debt_recovered": m(t["debt"]), "vat": m(t["vat"]),
                  "carry_over_used": m(t["carry_over_used"]), "change_carried": m(t["change"]),
                  "energy_by_sub_item": {k: m(v) for k, v in sorted(fig.energy_by_sub_item.items())},
                  "by_payment": {k: m(v) for k, v in sorted(fig.by_payment.items())}},
        "reversals": {"count": r_count, "tendered": m(r_tendered), "kwh": format_kwh(r_kwh)},
        "voided": fig.voided, "pending": fig.pending,
        "net_takings": m(fig.net_takings),
    }


def as_csv(report: dict[str, Any]) -> str:
    rows = [("date", report["date"]), ("currency", report["currency"])]
    for k, v in report["sales"].items():
        if isinstance(v, dict):
            rows += [(f"sales.{k}.{kk}", vv) for kk, vv in v.items()]
        else:
            rows.append((f"sales.{k}", v))
    rows += [(f"reversals.{k}", v) for k, v in report["reversals"].items()]
    rows += [("voided", report["voided"]), ("pending", report["pending"]),
             ("net_takings", report["net_takings"])]
    return "item,value\r\n" + "".join(f"{k},{v}\r\n" for k, v in rows)


def as_text(report: dict[str, Any], width: int = 48) -> str:
    def row(label: str, value: object) -> str:
        v = str(value)
        return f"{label[: width - len(v) - 1]:<{width - len(v)}}{v}"
    s = report["sales"]
    out = [f"DAILY REPORT {report['date']}".center(width), "-" * width,
           row("Sales", s["count"]), row("Tendered", s["tendered"]), row("Energy kWh", s["kwh"]),
           row("Free kWh", s["free_kwh"]), row("Fixed charges", s["fixed"]),
           row("Debt recovered", s["debt_recovered"]), row("VAT", s["vat"])]
    out += [row(f"  Energy {k}", v) for k, v in s["energy_by_sub_item"].items()]
    out += [row(f"  Paid by {k}", v) for k, v in s["by_payment"].items()]
    r = report["reversals"]
    out += ["-" * width, row("Reversals", r["count"]), row("Reversed money", r["tendered"]),
            row("Voided sales", report["voided"]), row("Pending sales", report["pending"]),
            "-" * width, row(f"Net takings ({report['currency']})", report["net_takings"])]
    return "\n".join(out) + "\n"
