"""The consolidated figures (`GET /api/v1/reports/summary`, `ppms-central report summary`):
the terminal reports' ``totals`` summed over every synced sale of every terminal (or one),
and each terminal's last sync, backlog, clock drift and the gaps in its sequence.

A sale counts on the day it was sold, a reversal on the day it was made (the outbox row's
time), as the terminal's daily report counts them.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from peewee import fn

from central import clashes
from central.errors import BadRequest
from central.models import Conflict, Item, Sale, Setting, Terminal
from terminal.domain.money import currency, format_kwh, format_money

_MONEY = ("tendered", "fixed", "debt", "vat", "carry_over_used", "change")
_ENERGY = ("kwh", "free_kwh")
_NAMES = {"debt": "debt_recovered", "change": "change_carried"}


def center_currency() -> str:
    row = Setting.get_or_none(Setting.key == "currency")
    return "KES" if row is None else str(row.value)


def _day(text: str | None, name: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise BadRequest(f"{name} must be a day YYYY-MM-DD", field=name) from None


def summary(day_from: str | None, day_to: str | None, terminal: str | None = None) -> dict[str, Any]:
    start, end = _day(day_from, "from"), _day(day_to, "to")
    if end < start:
        raise BadRequest("to is before from", field="to")
    cur = currency(center_currency())
    lo, hi = start.isoformat(), (end + timedelta(days=1)).isoformat()
    totals = {kind: _totals(kind, lo, hi, terminal) for kind in ("sale", "reversal")}
    net = totals["sale"]["tendered"] - totals["reversal"]["tendered"]
    terminals = Terminal.select().order_by(Terminal.id)
    if terminal is not None:
        terminals = terminals.where(Terminal.id == terminal)
    return {"report": "summary", "from": start.isoformat(), "to": end.isoformat(), "currency": cur.code,
            "terminal": terminal,
            "totals": {"sales": _shown(totals["sale"], cur), "reversals": _shown(totals["reversal"], cur),
                       "fees": format_money(0, cur), "net_takings": format_money(net, cur)},
            "terminals": {t.id: {"last_sync": t.last_sync, "backlog": t.backlog, "clock_drift_s": t.clock_drift_s,
                                 "gaps": gaps(t.id), "conflicts": conflicts_of(t.id),
                                 "clashes": clashes.of_terminal(t.id)} for t in terminals}}


def _totals(kind: str, lo: str, hi: str, terminal: str | None) -> dict[str, Any]:
    where = (Sale.kind == kind) & (Sale.at >= lo) & (Sale.at < hi)
    if terminal is not None:
        where &= Sale.terminal == terminal
    cols = [fn.COUNT(Sale.item), *[fn.COALESCE(fn.SUM(getattr(Sale, c)), 0) for c in (*_MONEY, *_ENERGY)]]
    row: Any = Sale.select(*cols).where(where).tuples().get()
    out: dict[str, Any] = {"count": int(row[0])}
    out.update({c: int(v) for c, v in zip((*_MONEY, *_ENERGY), row[1:], strict=True)})
    by_payment: Any = Sale.select(Sale.payment, fn.SUM(Sale.tendered)).where(where).group_by(Sale.payment) \
        .order_by(Sale.payment).tuples()
    out["by_payment"] = {str(p): int(v) for p, v in by_payment}
    return out


def _shown(t: dict[str, Any], cur: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"count": t["count"]}
    for c in _MONEY:
        out[_NAMES.get(c, c)] = format_money(t[c], cur)
    for c in _ENERGY:
        out[c] = format_kwh(t[c])
    out["by_payment"] = {p: format_money(v, cur) for p, v in t["by_payment"].items()}
    return out


def gaps(terminal: str, limit: int = 100) -> list[list[int]]:
    """The ranges [first, last] of sequence numbers missing below the terminal's highest."""
    found: Any = Item.select(Item.seq).where(Item.terminal == terminal).order_by(Item.seq).tuples()
    seqs = [int(s) for (s,) in found]
    out: list[list[int]] = []
    expected = 1
    for s in seqs:
        if s > expected:
            out.append([expected, s - 1])
            if len(out) >= limit:
                break
        expected = s + 1
    return out


def conflicts_of(terminal: str) -> int:
    return int(Conflict.select().where(Conflict.terminal == terminal).count())


def clash_list(limit: int = 200) -> list[dict[str, Any]]:
    """A meter's purchase sequence sold at two terminals (clashes.py), newest first."""
    return clashes.listed(currency(center_currency()), limit)


def conflict_list(limit: int = 200) -> list[dict[str, Any]]:
    return [{"terminal": c.terminal, "seq": c.seq, "uuid": c.uuid, "kind": c.kind, "reason": c.reason,
             "received_at": c.received_at} for c in Conflict.select().order_by(Conflict.id.desc()).limit(limit)]
