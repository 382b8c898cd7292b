"""The meter account: its statement, the account check, accounts receivable and the debit
and credit transaction book. Everything is read from the journal's append-only postings
and the readings; only the account check writes (the meters it flags, as checking results).

A meter's account balance is its customer's: carry-over (a liability, credit balance) less
arrears (an asset, debit balance), i.e. the sum of credit - debit over the customer's
CARRY_OVER and ARREARS lines. The statement's running balance is that sum posting by posting,
so its last balance is exactly what the journal holds.
"""
from __future__ import annotations

from collections import deque
from datetime import date, timedelta
from typing import Any

from terminal.domain.money import Currency, currency, format_kwh, format_money
from terminal.ledger import Repositories
from terminal.services import account_params
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument
from terminal.services.meter_checks import Finding, energy_balance, store_finding
from terminal.services.meter_state import find_meter

AGES = (("0_30", 30), ("31_90", 90), ("over_90", None))
ARREARS_KINDS = ("debt", "sale", "reversal")     # postings that move arrears; any other kind is a fee
BOOK_PAGE_SIZE = 100


def money_of(r: Repositories) -> Currency:
    code = r.meta.get("currency")
    return currency(code) if code else Currency("", 2)


def day(text: str | None, key: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidArgument(f"{text!r} is not a day: write 2026-03-05", key=key) from None


def day_span(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """--from D --to D (both days included) as [start, end) times the ledger compares."""
    a, b = day(start, "from"), day(end, "to")
    if a is not None and b is not None and b < a:
        raise InvalidArgument(f"--to {b} is before --from {a}", key="to")
    return (None if a is None else a.isoformat()), (None if b is None else (b + timedelta(days=1)).isoformat())


def statement(ctx: Context, session: Session, meter_no: str, start: str | None = None,
              end: str | None = None) -> dict[str, Any]:
    """Every posting on the meter's account with the running balance and the energy credited to
    the meter. The account is the customer's: a sale on another of its meters moves the balance
    too and is listed with that meter's number (its energy is not counted here)."""
    session.require(Permission.ACCOUNTS)
    since, until = day_span(start, end)
    with ctx.ledger.read() as r:
        cur = money_of(r)
        meter = find_meter(r, meter_no)
        opening = 0 if since is None else r.books.balance_before(meter.customer_id, since)
        rows = r.books.statement(meter.customer_id, since, until)
    balance, kwh = opening, 0
    events = []
    for row in rows:
        balance += row.balance_change
        kwh += row.kwh if row.meter == meter.number else 0
        events.append({"at": row.at, "kind": row.kind, "meter": row.meter, "receipt_no": row.receipt_no,
                       "memo": row.memo,
                       "operator": row.operator, "paid": format_money(row.paid, cur), "kwh": format_kwh(row.kwh),
                       "change": format_money(row.balance_change, cur), "balance": format_money(balance, cur),
                       "kwh_credited": format_kwh(kwh)})
    return {"meter": meter.number, "account_no": meter.account_no, "customer": meter.customer_name,
            "currency": cur.code, "from": start, "to": end, "opening_balance": format_money(opening, cur),
            "closing_balance": format_money(balance, cur), "kwh_credited": format_kwh(kwh), "events": events}


def check_accounts(ctx: Context, session: Session, meter_no: str | None = None) -> dict[str, Any]:
    """Energy bought = consumed + remaining credit, per meter at its latest reading that gives
    both; a meter beyond the tolerance is flagged (a checking result, once per reading)."""
    session.require(Permission.ACCOUNTS)
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        tolerance = account_params.tolerance_kwh(uow)
        ids = [find_meter(uow, meter_no).id] if meter_no is not None else uow.meter_history.meters_with_readings()
        out = []
        for meter_id in ids:
            meter = uow.meters.by_id(meter_id)
            point = uow.meter_history.latest_with_credit(meter_id)
            item: dict[str, Any] = {"meter": meter.number, "reading_id": None, "read_at": None, "flagged": False}
            if point is None or point.remaining_kwh is None:
                out.append(item | {"status": "no_reading"})
                continue
            bal = energy_balance(uow, meter_id, point.read_at, point.total_kwh, point.remaining_kwh)
            flagged = abs(bal.difference_kwh) > tolerance
            check_id = None
            if flagged and not uow.checks.flagged(point.id, "account_mismatch"):
                check_id = store_finding(uow, session, meter, Finding(
                    "account_mismatch", bal.bought_kwh, bal.consumed_kwh + bal.remaining_kwh, tolerance), at, point)
            out.append(item | {
                "reading_id": point.uuid, "read_at": point.read_at, "status": "flagged" if flagged else "ok",
                "flagged": flagged, "check_id": check_id, "bought_kwh": format_kwh(bal.bought_kwh),
                "consumed_kwh": format_kwh(bal.consumed_kwh), "remaining_kwh": format_kwh(bal.remaining_kwh),
                "difference_kwh": format_kwh(bal.difference_kwh)})
    return {"tolerance_kwh": format_kwh(tolerance), "checked": sum(i["status"] != "no_reading" for i in out),
            "flagged": sum(i["flagged"] for i in out), "meters": out}


def _aged(movements: list[tuple[str, str, int]], as_of: date) -> dict[str, dict[str, int]]:
    """What is still owed of the debits, oldest settled first, by what it is (arrears, fees)
    and by its age in days on `as_of`."""
    owed: deque[list[Any]] = deque()
    for what, posted, amount in movements:
        if amount > 0:
            owed.append([what, posted, amount])
            continue
        paid = -amount
        while paid and owed:
            take = min(paid, owed[0][2])
            owed[0][2] -= take
            paid -= take
            if not owed[0][2]:
                owed.popleft()
    out = {what: dict.fromkeys([name for name, _ in AGES] + ["total"], 0) for what in ("arrears", "fees")}
    for what, posted, amount in owed:
        age = (as_of - date.fromisoformat(posted)).days
        name = next(n for n, limit in AGES if limit is None or age <= limit)
        out[what][name] += amount
        out[what]["total"] += amount
    return out


def receivable(ctx: Context, session: Session, as_of: str | None = None) -> dict[str, Any]:
    """Arrears and unpaid fees per customer, aged 0-30 / 31-90 / over 90 days on `as_of` (what
    is still owed is the newest of what was charged: what is paid settles the oldest first)."""
    session.require(Permission.ACCOUNTS)
    when = day(as_of, "as-of") or ctx.now().date()
    with ctx.ledger.read() as r:
        cur = money_of(r)
        rows = r.books.arrears_movements((when + timedelta(days=1)).isoformat())
    by_customer: dict[str, tuple[str, list[tuple[str, str, int]]]] = {}
    for _, account_no, name, kind, posted, amount in rows:
        by_customer.setdefault(account_no, (name, []))[1].append(
            ("arrears" if kind in ARREARS_KINDS else "fees", posted, amount))
    totals = {what: dict.fromkeys([n for n, _ in AGES] + ["total"], 0) for what in ("arrears", "fees")}
    customers = []
    for account_no, (name, movements) in by_customer.items():
        aged = _aged(movements, when)
        if not aged["arrears"]["total"] and not aged["fees"]["total"]:
            continue
        for what, buckets in aged.items():
            for k, v in buckets.items():
                totals[what][k] += v
        customers.append({"account_no": account_no, "customer": name,
                          **{what: {k: format_money(v, cur) for k, v in b.items()} for what, b in aged.items()},
                          "total": format_money(aged["arrears"]["total"] + aged["fees"]["total"], cur)})
    return {"as_of": when.isoformat(), "currency": cur.code, "customers": customers,
            "totals": {what: {k: format_money(v, cur) for k, v in t.items()} for what, t in totals.items()}}


def book(ctx: Context, session: Session, start: str | None = None, end: str | None = None,
         account: str | None = None, operator: str | None = None, page: int = 1,
         page_size: int = BOOK_PAGE_SIZE) -> dict[str, Any]:
    """The debit and credit transaction book: journal lines in time order, one page of them,
    with the count and the debit and credit totals of every line that matches."""
    session.require(Permission.ACCOUNTS)
    since, until = day_span(start, end)
    if page < 1 or not 1 <= page_size <= 1000:
        raise InvalidArgument("--page is from 1 and --page-size 1-1000", key="page")
    with ctx.ledger.read() as r:
        cur = money_of(r)
        total, debits, credits = r.books.book_totals(since, until, account, operator)
        lines = r.books.book(since, until, account, operator, page_size, (page - 1) * page_size)
    return {"from": start, "to": end, "account": account, "operator": operator, "currency": cur.code,
            "total": total, "page": page, "debits": format_money(debits, cur), "credits": format_money(credits, cur),
            "lines": [{"posting_id": ln.posting_id, "at": ln.posted_at, "kind": ln.kind, "memo": ln.memo,
                       "operator": ln.operator, "account": ln.account, "account_no": ln.account_no,
                       "debit": format_money(ln.debit, cur), "credit": format_money(ln.credit, cur)}
                      for ln in lines]}
