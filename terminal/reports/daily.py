"""The daily report: the day's sales, reversals and money by account.

Counts a sale on the day it was sold (completed, printed, or reversed later);
a reversal on the day it was made. Net figures = sales - reversals of the day.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from peewee import fn

from terminal.domain.money import Currency, format_kwh, format_money
from terminal.ledger.models import Posting, PostingLine, Sale, SaleEvent, SaleLine, SaleStatus

CARRIED = ("completed", "printed", "reversed")


def gather(day: date, cur: Currency) -> dict[str, Any]:
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    sales = (Sale.select(Sale.id, Sale.payment, Sale.tendered, Sale.kwh, Sale.free_kwh, Sale.vat, Sale.fixed,
                         Sale.debt, Sale.change, Sale.carry_over_used, SaleStatus.status)
             .join(SaleStatus, on=(SaleStatus.sale == Sale.id))
             .where((Sale.sold_at >= start) & (Sale.sold_at < end)))
    by_payment: dict[str, int] = {}
    totals = {"tendered": 0, "kwh": 0, "free_kwh": 0, "vat": 0, "fixed": 0, "debt": 0, "change": 0,
              "carry_over_used": 0}
    count = voided = pending = 0
    ids: list[int] = []
    for s in sales.objects():
        if s.status == "voided":
            voided += 1
            continue
        if s.status == "pending":
            pending += 1
            continue
        count += 1
        ids.append(s.id)
        by_payment[s.payment] = by_payment.get(s.payment, 0) + s.tendered
        for k in totals:
            totals[k] += getattr(s, k)
    energy: dict[str, int] = {}
    if ids:
        for sub, amt in (SaleLine.select(SaleLine.sub_item, fn.SUM(SaleLine.amount))
                         .where(SaleLine.sale.in_(ids) & (SaleLine.kind == "energy"))
                         .group_by(SaleLine.sub_item).tuples()):
            energy[sub] = int(amt)
    rev = (Sale.select(Sale.tendered, Sale.kwh).join(SaleEvent, on=(SaleEvent.sale == Sale.id))
           .where((SaleEvent.status == "reversed") & (SaleEvent.at >= start) & (SaleEvent.at < end)))
    reversals = {"count": 0, "tendered": 0, "kwh": 0}
    for r in rev:
        reversals["count"] += 1
        reversals["tendered"] += r.tendered
        reversals["kwh"] += r.kwh
    cash_accounts = ("CASH", "BANK_CLEARING", "MOBILE_MONEY")
    net_cash = (PostingLine.select(fn.COALESCE(fn.SUM(PostingLine.debit - PostingLine.credit), 0))
                .join(Posting).where((Posting.posted_at >= start) & (Posting.posted_at < end)
                                     & PostingLine.account.in_(cash_accounts))).scalar()
    m = lambda v: format_money(int(v), cur)  # noqa: E731
    return {
        "report": "daily", "date": day.isoformat(), "currency": cur.code,
        "sales": {"count": count, "tendered": m(totals["tendered"]), "kwh": format_kwh(totals["kwh"]),
                  "free_kwh": format_kwh(totals["free_kwh"]), "fixed": m(totals["fixed"]),
                  "debt_recovered": m(totals["debt"]), "vat": m(totals["vat"]),
                  "carry_over_used": m(totals["carry_over_used"]), "change_carried": m(totals["change"]),
                  "energy_by_sub_item": {k: m(v) for k, v in sorted(energy.items())},
                  "by_payment": {k: m(v) for k, v in sorted(by_payment.items())}},
        "reversals": {"count": reversals["count"], "tendered": m(reversals["tendered"]),
                      "kwh": format_kwh(reversals["kwh"])},
        "voided": voided, "pending": pending,
        "net_takings": m(net_cash or 0),
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
