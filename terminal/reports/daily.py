"""The daily report: the day's sales, reversals and money by account.

Counts a sale on the day it was sold (completed, printed, or reversed later);
a reversal on the day it was made. Net figures = sales - reversals of the day.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from terminal.domain.money import Currency, format_kwh, format_money
from terminal.ledger.repos import rows

CARRIED = ("completed", "printed", "reversed")


def gather(day: date, cur: Currency) -> dict[str, Any]:
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    by_payment: dict[str, int] = {}
    keys = ("tendered", "kwh", "free_kwh", "vat", "fixed", "debt", "change", "carry_over_used")
    totals = dict.fromkeys(keys, 0)
    count = voided = pending = 0
    for status, payment, *values in rows(
            f"SELECT ss.status, s.payment, {', '.join('s.' + k for k in keys)} FROM sale s "
            "JOIN sale_status ss ON ss.sale_id = s.id WHERE s.sold_at >= ? AND s.sold_at < ?", (start, end)):
        if status == "voided":
            voided += 1
        elif status == "pending":
            pending += 1
        else:
            count += 1
            by_payment[payment] = by_payment.get(payment, 0) + int(values[0])
            for k, v in zip(keys, values):
                totals[k] += int(v)
    energy = {str(sub): int(amt) for sub, amt in rows(
        "SELECT l.sub_item, SUM(l.amount) FROM sale_line l JOIN sale s ON s.id = l.sale_id "
        "JOIN sale_status ss ON ss.sale_id = s.id WHERE s.sold_at >= ? AND s.sold_at < ? "
        f"AND l.kind = 'energy' AND ss.status IN {CARRIED} GROUP BY l.sub_item", (start, end))}
    r_count, r_tendered, r_kwh = rows(
        "SELECT COUNT(*), COALESCE(SUM(s.tendered), 0), COALESCE(SUM(s.kwh), 0) FROM sale s "
        "JOIN sale_event e ON e.sale_id = s.id WHERE e.status = 'reversed' AND e.at >= ? AND e.at < ?",
        (start, end))[0]
    (net_cash,) = rows(
        "SELECT COALESCE(SUM(l.debit - l.credit), 0) FROM posting_line l JOIN posting p ON p.id = l.posting_id "
        "WHERE p.posted_at >= ? AND p.posted_at < ? "
        "AND l.account IN ('CASH', 'BANK_CLEARING', 'MOBILE_MONEY', 'CASH_ACCEPTOR')",
        (start, end))[0]

    def m(v: int) -> str:
        return format_money(int(v), cur)
    return {
        "report": "daily", "date": day.isoformat(), "currency": cur.code,
        "sales": {"count": count, "tendered": m(totals["tendered"]), "kwh": format_kwh(totals["kwh"]),
                  "free_kwh": format_kwh(totals["free_kwh"]), "fixed": m(totals["fixed"]),
                  "debt_recovered": m(totals["debt"]), "vat": m(totals["vat"]),
                  "carry_over_used": m(totals["carry_over_used"]), "change_carried": m(totals["change"]),
                  "energy_by_sub_item": {k: m(v) for k, v in sorted(energy.items())},
                  "by_payment": {k: m(v) for k, v in sorted(by_payment.items())}},
        "reversals": {"count": int(r_count), "tendered": m(r_tendered), "kwh": format_kwh(int(r_kwh))},
        "voided": voided, "pending": pending,
        "net_takings": m(net_cash),
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
