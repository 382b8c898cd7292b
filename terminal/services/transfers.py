"""Account transfers: carry-over or arrears moved from one meter's customer to another's,
waiting for a second operator's approval.

    request   (permission `accounts`)          stored `awaiting_approval`; nothing moves
    approve   (`approve_transfer`, another      the balance is checked again and moved by one
               operator than the requester)     balanced `transfer` posting
    reject    (`approve_transfer`)              stored; nothing moves

The carry-over is the customer's change kept for its next sale (CARRY_OVER, a credit
balance): approval debits the giver's and credits the receiver's, so the receiving meter's
next sale spends it first (selling.md, step 1). Arrears (ARREARS, a debit balance) move the
other way round: the receiver's are debited and the giver's credited, so the receiving
meter's next sales recover them at its tariff's debt recovery rate. Carry-over and arrears
belong to the customer, so two meters of one customer cannot transfer to each other
(TRANSFER_TO_ITSELF). Request and decision are append-only rows (migration 17), each with
its diary entry and outbox record.
"""
from __future__ import annotations

from typing import Any

from sync.office_records import TRANSFER_WHAT, TransferDecisionRecord, TransferRecord
from sync.views import view
from terminal.domain.money import Currency, format_money, parse_money
from terminal.ledger import Fact, Outgoing, Repositories
from terminal.ledger.ids import new_id
from terminal.ledger.journal import Line
from terminal.ledger.repos import MeterRow
from terminal.ledger.transfers import AWAITING, STATUSES, TransferRow
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    ApprovalBySameOperator,
    InvalidArgument,
    MeterCancelled,
    TransferDecided,
    TransferExceedsBalance,
    TransferNotFound,
    TransferToItself,
)
from terminal.services.meter_state import find_meter, ledger_currency

MAX_REASON = 500
ACCOUNT = {"carry_over": "CARRY_OVER", "arrears": "ARREARS"}


def _reason(text: str | None, key: str, required: bool) -> str | None:
    value = (text or "").strip()
    if not value:
        if required:
            raise InvalidArgument("a transfer needs a reason", key=key)
        return None
    if len(value) > MAX_REASON or not value.isprintable():
        raise InvalidArgument(f"a {key} is printable text of at most {MAX_REASON} characters", key=key)
    return value


def _open_meter(r: Repositories, number: str) -> MeterRow:
    meter = find_meter(r, number)
    if meter.status == "cancelled":
        raise MeterCancelled(f"meter {meter.number} is cancelled: its account takes no transfer", meter=meter.number)
    return meter


def _balance(r: Repositories, what: str, customer_id: int) -> int:
    carry, arrears = r.customers.balances(customer_id)
    return carry if what == "carry_over" else arrears


def _within_balance(r: Repositories, row_what: str, amount: int, giver: int, cur: Currency) -> None:
    held = _balance(r, row_what, giver)
    if amount > held:
        raise TransferExceedsBalance(
            f"the giving account holds {format_money(held, cur)} of {row_what.replace('_', '-')}, "
            f"less than {format_money(amount, cur)}", what=row_what, amount=amount, balance=held, currency=cur.code)


def _shown(t: TransferRow, cur: Currency) -> dict[str, Any]:
    return {"transfer_id": t.uuid, "status": t.status, "what": t.what, "from_meter": t.from_meter,
            "to_meter": t.to_meter, "amount": format_money(t.amount, cur), "reason": t.reason,
            "requested_at": t.requested_at, "requested_by": t.requested_by, "decided_at": t.decided_at,
            "decided_by": t.decided_by, "note": t.note}


def request(ctx: Context, session: Session, from_meter: str, to_meter: str, what: str, amount: str,
            reason: str) -> dict[str, Any]:
    """Ask for a transfer; it waits for another operator's approval."""
    session.require(Permission.ACCOUNTS)
    if what not in TRANSFER_WHAT:
        raise InvalidArgument(f"a transfer moves one of {', '.join(TRANSFER_WHAT)}", key="what")
    why = _reason(reason, "reason", required=True)
    assert why is not None
    at = ctx.now_iso()
    uuid = new_id()
    with ctx.ledger.unit_of_work() as uow:
        cur = ledger_currency(uow)
        minor = parse_money(amount, cur)
        if minor <= 0:
            raise InvalidArgument("a transfer moves more than zero", key="amount")
        giver, taker = _open_meter(uow, from_meter), _open_meter(uow, to_meter)
        if giver.customer_id == taker.customer_id:
            raise TransferToItself(f"meters {giver.number} and {taker.number} are one customer account: "
                                   "nothing to move", from_meter=giver.number, to_meter=taker.number)
        _within_balance(uow, what, minor, giver.customer_id, cur)
        uow.transfers.request(uuid, what, giver.id, taker.id, giver.customer_id, taker.customer_id, minor, why,
                              at, session.operator_id)
        record = TransferRecord(uuid, what, giver.number, taker.number, cur.code, minor, why, at, session.username)
        shown = view(record)
        uow.record(Fact("account.transfer_request", f"transfer:{uuid}", session.username, at, after=shown,
                        outbox=Outgoing("account_transfer", uuid, record)))
    return shown


def _pending(r: Repositories, transfer_id: str) -> TransferRow:
    row = r.transfers.by_uuid(transfer_id.strip())
    if row is None:
        raise TransferNotFound(f"no account transfer {transfer_id}", transfer=transfer_id)
    if row.status != AWAITING:
        raise TransferDecided(f"transfer {row.uuid} is {row.status} already", transfer=row.uuid, status=row.status)
    return row


def decide(ctx: Context, session: Session, transfer_id: str, approve: bool, note: str | None = None
           ) -> dict[str, Any]:
    """Approve (the money moves now, the balance checked again) or reject a waiting transfer."""
    session.require(Permission.APPROVE_TRANSFER)
    why = _reason(note, "note", required=False)
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        cur = ledger_currency(uow)
        t = _pending(uow, transfer_id)
        posting_id = None
        if approve:
            if t.requested_by_id == session.operator_id:
                raise ApprovalBySameOperator(f"transfer {t.uuid} was asked for by {session.username}: another "
                                             "operator approves it", transfer=t.uuid, operator=session.username)
            for number in (t.from_meter, t.to_meter):
                _open_meter(uow, number)
            _within_balance(uow, t.what, t.amount, t.from_customer_id, cur)
            account = ACCOUNT[t.what]
            debited, credited = ((t.from_customer_id, t.to_customer_id) if t.what == "carry_over"
                                 else (t.to_customer_id, t.from_customer_id))
            posting_id = uow.journal.post("transfer", [Line(account, debit=t.amount, customer_id=debited),
                                                       Line(account, credit=t.amount, customer_id=credited)],
                                          at, session.operator_id, memo=f"transfer {t.uuid}: {t.reason}")
        decision = "approved" if approve else "rejected"
        uow.transfers.decide(t.id, decision, at, session.operator_id, why, posting_id)
        record = TransferDecisionRecord(t.uuid, decision, t.what, t.from_meter, t.to_meter, cur.code, t.amount, at,
                                        session.username, why)
        shown = view(record)
        uow.record(Fact(f"account.transfer_{decision}", f"transfer:{t.uuid}", session.username, at,
                        before={"status": AWAITING}, after=shown,
                        outbox=Outgoing("account_transfer_decision", t.uuid, record)))
        balances = {side: format_money(_balance(uow, t.what, cid), cur)
                    for side, cid in (("from_balance", t.from_customer_id), ("to_balance", t.to_customer_id))}
    return shown | balances


def listing(ctx: Context, session: Session, status: str | None = AWAITING, meter: str | None = None
            ) -> dict[str, Any]:
    """Transfers of one status (default: waiting for approval; None: all), oldest first."""
    session.require(Permission.ACCOUNTS)
    if status is not None and status not in STATUSES:
        raise InvalidArgument(f"status is one of {', '.join(STATUSES)} or all", key="status")
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
        if meter:
            meter = find_meter(r, meter).number
        rows = r.transfers.listing(status, meter)
    return {"status": status or "all", "transfers": [_shown(t, cur) for t in rows]}
