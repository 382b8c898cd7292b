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
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from terminal.domain.money import Currency, format_kwh, format_money
from terminal.ledger.repos import rows

MONEY_ACCOUNTS = ("CASH", "BANK_CLEARING", "MOBILE_MONEY", "CASH_ACCEPTOR")
_SALE_COLUMNS = ("tendered", "kwh", "free_kwh", "fixed", "debt", "vat", "carry_over_used", "change")
# the report's name of each sale column (cli.md)
_NAMES = {"debt": "debt_recovered", "change": "change_carried"}
_ENERGY = ("kwh", "free_kwh")


def _totals(kind: str, start: str, end: str) -> dict[str, Any]:
    """The sales behind the postings of `kind` ('sale' or 'reversal') made in [start, end)."""
    out: dict[str, Any] = {"count": 0, **dict.fromkeys(_SALE_COLUMNS, 0), "energy_by_sub_item": {},
                           "by_payment": {}}
    for payment, *values in rows(
            f"SELECT s.payment, {', '.join('s.' + c for c in _SALE_COLUMNS)} FROM posting p "
            "JOIN sale s ON s.id = p.sale_id WHERE p.kind = ? AND p.posted_at >= ? AND p.posted_at < ?",
            (kind, start, end)):
        out["count"] += 1
        for column, value in zip(_SALE_COLUMNS, values):
            out[column] += int(value)
        out["by_payment"][payment] = out["by_payment"].get(payment, 0) + int(values[0])
    for sub_item, amount in rows(
            "SELECT l.sub_item, SUM(l.amount) FROM posting p JOIN sale_line l ON l.sale_id = p.sale_id "
            "WHERE p.kind = ? AND p.posted_at >= ? AND p.posted_at < ? AND l.kind = 'energy' "
            "GROUP BY l.sub_item", (kind, start, end)):
        out["energy_by_sub_item"][str(sub_item)] = int(amount)
    return out


def _minus(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in a.items():
        if isinstance(value, dict):
            keys = sorted(set(value) | set(b[key]))
            out[key] = {k: value.get(k, 0) - b[key].get(k, 0) for k in keys}
        else:
            out[key] = value - b[key]
    return out


def _shown(t: dict[str, Any], cur: Currency) -> dict[str, Any]:
    out: dict[str, Any] = {"count": t["count"]}
    for column in _SALE_COLUMNS:
        out[_NAMES.get(column, column)] = (format_kwh(t[column]) if column in _ENERGY
                                           else format_money(t[column], cur))
    for key in ("energy_by_sub_item", "by_payment"):
        out[key] = {k: format_money(v, cur) for k, v in sorted(t[key].items())}
    return out


def gather(day: date, cur: Currency) -> dict[str, Any]:
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    sales, reversals = _totals("sale", start, end), _totals("reversal", start, end)
    net = _minus(sales, reversals)
    held_count, held = rows(
        "SELECT COUNT(DISTINCT p.id), COALESCE(SUM(l.debit), 0) FROM posting p "
        "JOIN posting_line l ON l.posting_id = p.id WHERE p.kind = 'cash_held' "
        f"AND p.posted_at >= ? AND p.posted_at < ? AND l.account IN {MONEY_ACCOUNTS}", (start, end))[0]
    debt_count, debt = rows(
        "SELECT COUNT(DISTINCT p.id), COALESCE(SUM(l.debit), 0) FROM posting p "
        "JOIN posting_line l ON l.posting_id = p.id WHERE p.kind = 'debt' "
        "AND p.posted_at >= ? AND p.posted_at < ? AND l.account = 'ARREARS'", (start, end))[0]
    (net_cash,) = rows(
        "SELECT COALESCE(SUM(l.debit - l.credit), 0) FROM posting_line l JOIN posting p ON p.id = l.posting_id "
        f"WHERE p.posted_at >= ? AND p.posted_at < ? AND l.account IN {MONEY_ACCOUNTS}", (start, end))[0]
    voided, pending = rows(
        "SELECT COALESCE(SUM(ss.status = 'voided'), 0), COALESCE(SUM(ss.status = 'pending'), 0) FROM sale s "
        "JOIN sale_status ss ON ss.sale_id = s.id WHERE s.sold_at >= ? AND s.sold_at < ?", (start, end))[0]
    return {
        "report": "daily", "date": day.isoformat(), "currency": cur.code,
        "sales": _shown(sales, cur), "reversals": _shown(reversals, cur), "net": _shown(net, cur),
        "cash_held": {"count": int(held_count), "amount": format_money(int(held), cur)},
        "arrears_added": {"count": int(debt_count), "amount": format_money(int(debt), cur)},
        "voided": int(voided), "pending": int(pending),
        "net_takings": format_money(int(net_cash), cur),
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
    return "\n".join(out) + "\n"
