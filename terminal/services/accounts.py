"""Meter accounts: arrears, carry-over and the customer's balances."""
from __future__ import annotations

from typing import Any

from sync.records import DebtRecord
from terminal.domain.money import format_money, parse_money
from terminal.ledger import Fact, Outgoing
from terminal.ledger.ids import new_id
from terminal.ledger.journal import Line
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument
from terminal.services.meter_state import find_meter, ledger_currency


def add_debt(ctx: Context, session: Session, meter_no: str, amount: str, reason: str) -> dict[str, Any]:
    """Record arrears on the meter's customer; sales recover them at the tariff's rate."""
    session.require(Permission.ACCOUNTS)
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
        minor = parse_money(amount, cur)
        if minor <= 0:
            raise InvalidArgument("the debt must be more than zero", key="amount")
        if not reason.strip():
            raise InvalidArgument("a debt needs a reason", key="reason")
        meter = find_meter(r, meter_no)
    cust = meter.customer_id
    at = ctx.now_iso()
    entry = new_id()
    with ctx.ledger.unit_of_work() as uow:
        before = uow.customers.balances(cust)[1]
        uow.journal.post("debt", [Line("ARREARS", debit=minor, customer_id=cust),
                                  Line("ARREARS_TAKEN_ON", credit=minor)],
                         at, session.operator_id, customer_id=cust, memo=reason.strip())
        view = {"debt_id": entry, "meter": meter.number, "amount": format_money(minor, cur),
                "arrears": format_money(before + minor, cur), "reason": reason.strip(), "at": at}
        uow.record(Fact("account.debt_add", f"meter:{meter.number}", session.username, at,
                        before={"arrears": before}, after={"arrears": before + minor, "reason": reason.strip()},
                        outbox=Outgoing("debt", entry, DebtRecord(entry, meter.number, cur.code, minor, before + minor,
                                                                      reason.strip(), at))))
    return view


def balances(ctx: Context, session: Session, meter_no: str) -> dict[str, Any]:
    session.require(Permission.SEARCH)
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
        meter = find_meter(r, meter_no)
        carry, arrears = r.customers.balances(meter.customer_id)
    return {"meter": meter.number, "account_no": meter.account_no, "customer": meter.customer_name,
            "arrears": format_money(arrears, cur), "carry_over": format_money(carry, cur)}
