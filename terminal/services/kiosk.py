"""Self-service selling with the note acceptor: notes in, a sale for exactly what was counted.

    quote the amount asked for      refused before any note is taken (unknown meter,
                                    below the minimum, not enough for the fixed charges...)
    take notes up to that amount    the acceptor stacks a note only while the total stays
                                    within it; it stops at the amount, on the customer's
                                    "done" (cancel), after the idle timeout, or on a problem
    diary `cash.intake`             the counted money, notes and problem, before selling
    sell EXACTLY the counted money  `tendered == counted`, also after a rejected note, a jam
                                    or a timeout; nothing counted -> no sale

If selling then refuses the counted money (below the minimum, fixed charges not covered,
the card refused before writing), the money is in the cash box and must not vanish: it is
recorded as "cash held" for the customer, a posting CASH debit / CARRY_OVER credit (with
outbox row and diary entry), so the customer's next sale spends it first, like change.
A sale left PENDING (card pulled mid-write) already carries the counted money as its
tendered; `ppms sale recover` decides it. The acceptor never gives money back on its own.
"""
from __future__ import annotations

from collections.abc import Callable
from threading import Event
from typing import Any

from terminal.domain.errors import PpmsError
from terminal.domain.money import Currency, format_money, parse_money
from terminal.ledger import Fact
from terminal.ledger.ids import new_id
from terminal.ledger.journal import PAYMENT_ACCOUNTS
from terminal.services import selling
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    CarrierFailed,
    CashAcceptorNotConfigured,
    InvalidArgument,
    SalePending,
)
from terminal.services.meter_state import find_meter, ledger_currency
from terminal.services.ports import CashAcceptor, CashIntake


def cash_view(intake: CashIntake, cur: Currency) -> dict[str, Any]:
    return {
        "amount_due": format_money(intake.amount_due, cur), "counted": format_money(intake.counted, cur),
        "outcome": intake.outcome, "notes": [format_money(n, cur) for n in intake.notes],
        "rejected": intake.rejected,
        "problem": None if intake.problem_code is None else {"code": intake.problem_code,
                                                             "message": intake.problem_message},
    }


def _record_intake(ctx: Context, session: Session, meter_no: str, intake: CashIntake, intake_id: str) -> None:
    with ctx.ledger.unit_of_work() as uow:
        uow.record(Fact("cash.intake", f"meter:{meter_no}", session.username, ctx.now_iso(),
                        after={"intake_id": intake_id, "amount_due": intake.amount_due, "counted": intake.counted,
                               "outcome": intake.outcome, "notes": list(intake.notes), "rejected": intake.rejected,
                               "problem": intake.problem_code, "events": list(intake.events)}))


def hold_cash(ctx: Context, session: Session, meter_no: str, amount: int, reason: PpmsError,
              intake_id: str, cur: Currency) -> dict[str, Any]:
    """Money taken that no sale could use: the customer's carry-over, spent first next time."""
    with ctx.ledger.unit_of_work() as uow:
        meter = find_meter(uow, meter_no)
        held = selling.hold_money(ctx, session, uow, meter.customer_id, PAYMENT_ACCOUNTS["acceptor"], amount,
                                  f"cash held for meter {meter.number}: {reason.code}",
                                  {"meter": meter.number, "intake_id": intake_id, "code": reason.code})
    return held | {"amount": format_money(amount, cur), "carry_over": format_money(held["carry_over"], cur),
                   "carry_over_before": format_money(held["carry_over_before"], cur), "reason": reason.code}


def _pending(ctx: Context, meter_id: int) -> list[int]:
    with ctx.ledger.read() as r:
        return r.sales.pending_ids(meter_id)


def sell_cash(ctx: Context, session: Session, meter_no: str, amount: str, *,
              acceptor: CashAcceptor | None = None, idle_timeout_s: float | None = None,
              cancel: Event | None = None, on_event: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Take notes up to `amount` for `meter_no`, then sell exactly the money counted.

    `status` of the result: "completed" (the sale; `cash.problem` says if the intake was cut
    short), "no_sale" (nothing counted), "cash_held" (selling refused the counted money; it is
    the customer's carry-over now) or "pending" (the sale waits for recovery)."""
    session.require(Permission.SELLING)
    device = acceptor if acceptor is not None else ctx.cash_acceptor
    if device is None:
        raise CashAcceptorNotConfigured("no note acceptor configured: set [cash_acceptor] type = \"cctalk\"")
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
        due = parse_money(amount, cur)
        if due <= 0:
            raise InvalidArgument("the amount must be more than zero", key="amount")
        row = find_meter(r, meter_no)
        pending = r.sales.pending_ids(row.id)
    meter = row.number
    if pending:  # decide an earlier sale first: refuses while undecided
        selling.recover(ctx, session, meter_no=meter)
    selling.quote(ctx, session, meter, amount=format_money(due, cur))  # refuse before taking any note
    ctx.ledger.require_headroom()   # DISK_FULL before a note is taken: the notes must be recordable
    intake = device.accept_up_to(due, idle_timeout_s=idle_timeout_s, cancel=cancel, on_event=on_event)
    if intake.counted != sum(intake.notes):
        raise AssertionError("the acceptor's total is not the sum of its notes")
    intake_id = new_id()
    _record_intake(ctx, session, meter, intake, intake_id)
    out: dict[str, Any] = {"meter": meter, "intake_id": intake_id, "cash": cash_view(intake, cur),
                           "sale": None, "cash_held": None, "refusal": None}
    if intake.counted == 0:
        return out | {"status": "no_sale"}
    pending_before = set(_pending(ctx, row.id))
    try:
        sale = selling.sell(ctx, session, meter, format_money(intake.counted, cur), "acceptor")
    except (SalePending, CarrierFailed) as exc:
        if not set(_pending(ctx, row.id)) - pending_before:  # no sale of ours holds the money
            held = hold_cash(ctx, session, meter, intake.counted, exc, intake_id, cur)
            return out | {"status": "cash_held", "refusal": {"code": exc.code, "message": exc.message},
                          "cash_held": held}
        return out | {"status": "pending", "refusal": {"code": exc.code, "message": exc.message},
                      "sale": {"sale_id": exc.details.get("sale_id"), "receipt_no": exc.details.get("receipt_no")}}
    except PpmsError as exc:
        if exc.details.get("voided_sale_id"):  # the void already made the notes the customer's carry-over
            with ctx.ledger.read() as r:
                carry = r.customers.balances(row.customer_id)[0]
            held = {"sale_id": exc.details["voided_sale_id"], "amount": format_money(intake.counted, cur),
                    "carry_over": format_money(carry, cur), "reason": exc.code}
            return out | {"status": "cash_held", "refusal": {"code": exc.code, "message": exc.message},
                          "cash_held": held}
        held = hold_cash(ctx, session, meter, intake.counted, exc, intake_id, cur)
        return out | {"status": "cash_held", "refusal": {"code": exc.code, "message": exc.message},
                      "cash_held": held}
    return out | {"status": "completed", "sale": sale}
