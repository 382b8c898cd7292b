"""Bank payments for card meters (docs/sync.md, "Payments"): a payment a bank or gateway made
at the center comes down the feed (`payment`), waits here, and the customer's next sale at
any terminal puts it on the card: `ppms payment pending --meter M` lists it, `ppms payment
apply --meter M` sells it (payment ``bank``, the payment's amount). Once applied anywhere it
is never applied again:

- here: the sale marks the payment used in its PENDING commit (a voided sale frees it; a
  power cut leaves either no sale or a sale that holds it, never both uses);
- the completed sale's `payment_applied` record goes up; the center marks the payment
  applied and sends that down the feed, so every other terminal drops it. A record a power
  cut kept from the outbox is queued by the next `payment pending|apply` here.

Two terminals that apply the same payment while both are offline each sell it: the center
stores both, keeps the payment applied once, and lists the second as a conflict
(reason ``payment``) for the office to reverse.
"""
from __future__ import annotations

import re
from typing import Any

from sync.payment_records import PaymentAppliedRecord
from terminal.domain.money import format_money, parse_money
from terminal.ledger import Fact, Outgoing
from terminal.ledger.bank_payments import BankPayment
from terminal.services import selling
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument, PaymentNotWaiting
from terminal.services.meter_state import ledger_currency

CENTER = "center"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REFERENCE = re.compile(r"[A-Za-z0-9_-]{1,32}")
METER = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,19}")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _field(data: dict[str, Any], key: str, form: re.Pattern[str]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not form.fullmatch(value):
        raise InvalidArgument(f"the payment's {key} is missing or not in its form", key=key)
    return value


def receive(ctx: Context, data: dict[str, Any]) -> None:
    """The feed's `payment` change: a payment waiting for a card meter, or
    ``{"payment_id", "applied": {"terminal", "sale"}}``: it was applied at that terminal."""
    payment_id = _field(data, "payment_id", UUID)
    at = ctx.now_iso()
    applied = data.get("applied")
    with ctx.ledger.unit_of_work() as uow:
        if isinstance(applied, dict):
            terminal, sale = _field(applied, "terminal", REFERENCE), _field(applied, "sale", UUID)
            if uow.bank_payments.known(payment_id) and uow.bank_payments.use(payment_id, sale, terminal, at):
                uow.record(Fact("payment.applied_elsewhere", f"payment:{payment_id}", CENTER, at,
                                after={"terminal": terminal, "sale_id": sale}))
            return
        cur = ledger_currency(uow)
        amount_text = data.get("amount")
        amount = parse_money(amount_text, cur) if isinstance(amount_text, str) else 0   # MONEY_INVALID
        if amount <= 0:
            raise InvalidArgument("the payment's amount must be above zero", key="amount")
        p = BankPayment(payment_id, _field(data, "reference", REFERENCE), _field(data, "meter", METER), amount,
                        _field(data, "paid_at", TIME))
        if uow.bank_payments.add(p, at):
            uow.record(Fact("payment.received", f"payment:{payment_id}", CENTER, at, after=_view(p, cur)))


def _view(p: BankPayment, cur: Any) -> dict[str, Any]:
    return {"payment_id": p.payment_id, "reference": p.reference, "meter": p.meter,
            "amount": format_money(p.amount, cur), "paid_at": p.paid_at}


def _report(ctx: Context, operator: str, p: BankPayment, sale_id: str, receipt_no: str) -> None:
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        cur = ledger_currency(uow)
        record = PaymentAppliedRecord(p.payment_id, p.reference, sale_id, receipt_no, p.meter, cur.code, p.amount, at)
        uow.record(Fact("payment.applied", f"payment:{p.payment_id}", operator, at,
                        after=_view(p, cur) | {"sale_id": sale_id, "receipt_no": receipt_no},
                        outbox=Outgoing("payment_applied", p.payment_id, record)))


def _report_unreported(ctx: Context, session: Session) -> None:
    """Queue the record of a sale that carried a payment but a power cut kept from the outbox."""
    with ctx.ledger.read() as r:
        found = []
        for payment_id, sale_uuid in r.bank_payments.unreported(ctx.terminal_id):
            rec, _ = r.sales.load(selling.find_sale(r, sale_uuid))
            p = r.bank_payments.find(payment_id)
            if p is not None:
                found.append((p, sale_uuid, rec.receipt_no))
    for p, sale_uuid, receipt_no in found:
        _report(ctx, session.username, p, sale_uuid, receipt_no)


def pending(ctx: Context, session: Session, meter: str | None) -> dict[str, Any]:
    session.require(Permission.SELLING)
    _report_unreported(ctx, session)
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
        waiting = r.bank_payments.waiting(meter, ctx.terminal_id)
    return {"meter": meter, "payments": [_view(p, cur) for p in waiting]}


def apply(ctx: Context, session: Session, meter: str) -> dict[str, Any]:
    """Sell the meter's oldest waiting payment onto its card (payment ``bank``)."""
    session.require(Permission.SELLING)
    _report_unreported(ctx, session)
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
        waiting = r.bank_payments.waiting(meter, ctx.terminal_id)
    if not waiting:
        raise PaymentNotWaiting(f"no bank payment waits for meter {meter}", meter=meter)
    p = waiting[0]
    sale = selling.sell(ctx, session, meter, format_money(p.amount, cur), payment="bank",
                        bank_payment=p.payment_id)
    _report(ctx, session.username, p, str(sale["sale_id"]), str(sale["receipt_no"]))
    return {"payment": _view(p, cur), "sale": sale}
