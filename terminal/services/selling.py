"""Power selling: quote, sell, recover and reset for selling.

A sale is the state machine of DESIGN.md, stored in the ledger:

    PENDING          committed with its lines, receipt number and carrier reservation
    CARRIER_WRITTEN  the card was written and read back (or the token stored)
    COMPLETED        journal posted, outbox row queued   (same commit as CARRIER_WRITTEN)
    PRINTED          receipt printed; a failed print never undoes a sale
    VOIDED           from PENDING, when nothing reached the customer
    REVERSED         reset for selling: a contra-posting, never a delete

No transaction is held across the device call. A crash between the PENDING
commit and the COMPLETED commit leaves a PENDING sale that `recover` decides
by asking the carrier whether it holds the purchase.
"""
from __future__ import annotations

import uuid as uuidlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from terminal.domain.errors import PpmsError
from terminal.domain.money import parse_kwh, parse_money
from terminal.domain.sale import SaleStatus as St
from terminal.domain.sale import check_transition
from terminal.domain.vend import VendResult, calculate_vend, money_for_kwh
from terminal.ledger import counters, diary, journal, outbox, repos, transaction
from terminal.ledger.canonical import dumps
from terminal.ledger.models import Posting, Sale, SaleEvent, SaleLine, SaleStatus, SaleUsage
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    CarrierFailed, InvalidArgument, SaleNotFound, SaleNotReversible, SalePending,
)
from terminal.services.meter_state import MeterState, load_meter_state, meter_ref
from terminal.services.ports import Purchase
from terminal.services.views import sale_view, vend_view

PAYMENT_ACCOUNTS = {"cash": "CASH", "bank": "BANK_CLEARING", "mobile": "MOBILE_MONEY"}


def quote(ctx: Context, session: Session, meter_no: str, amount: str | None = None,
          kwh: str | None = None) -> dict[str, Any]:
    session.require(Permission.SELLING)
    if (amount is None) == (kwh is None):
        raise InvalidArgument("give either an amount or a kWh figure", key="amount")
    state = load_meter_state(ctx, meter_no)
    carrier = ctx.carriers.for_meter(meter_ref(state.meter))
    request = state.request(0, carrier.exact_floor())
    if kwh is not None:
        tendered = money_for_kwh(request, parse_kwh(kwh))
    else:
        tendered = parse_money(amount or "", state.currency)
    result = calculate_vend(replace(request, tendered=tendered))
    return vend_view(state, result, status="quote", receipt_no=None)


def sell(ctx: Context, session: Session, meter_no: str, amount: str, payment: str = "cash",
         print_receipt: bool | None = None) -> dict[str, Any]:
    session.require(Permission.SELLING)
    if payment not in PAYMENT_ACCOUNTS:
        raise InvalidArgument(f"payment must be one of {sorted(PAYMENT_ACCOUNTS)}", key="payment")
    state = load_meter_state(ctx, meter_no)
    tendered = parse_money(amount, state.currency)
    carrier = ctx.carriers.for_meter(meter_ref(state.meter))
    if repos.pending_sales(state.meter.id):
        recover(ctx, session, meter_no=meter_no)
        state = load_meter_state(ctx, meter_no)
    result = calculate_vend(state.request(tendered, carrier.exact_floor()))
    purchase = _begin(ctx, session, state, result, payment, carrier)
    try:
        delivery = carrier.deliver(purchase)
    except PpmsError as exc:
        if exc.details.get("uncertain"):
            raise SalePending(
                f"sale {purchase.receipt_no} is waiting: {exc.message}. Put the card back to finish it.",
                sale_id=purchase.sale_uuid, receipt_no=purchase.receipt_no, cause=exc.code) from exc
        _void(ctx, session, purchase.sale_uuid, f"carrier refused: {exc.code}")
        raise
    except Exception as exc:  # a device failure that is not ours: do not guess, keep it PENDING
        raise CarrierFailed(f"the carrier failed ({exc}); sale {purchase.receipt_no} is waiting for recovery",
                            sale_id=purchase.sale_uuid) from exc
    _complete(ctx, session, purchase.sale_uuid, delivery.carrier_ref, delivery.detail)
    if print_receipt if print_receipt is not None else ctx.print_on_sale:
        from terminal.services.receipts import print_sale  # noqa: PLC0415 (printing is optional)
        print_sale(ctx, session, purchase.sale_uuid, copy=False)
    return sale_view(purchase.sale_uuid)


def _begin(ctx: Context, session: Session, state: MeterState, result: VendResult, payment: str,
           carrier: Any) -> Purchase:
    now = ctx.now()
    at = ctx.now_iso()
    sale_uuid = str(uuidlib.uuid4())
    with transaction():
        if repos.pending_sales(state.meter.id):  # another process began one meanwhile
            raise SalePending(f"meter {state.meter.number} has a sale waiting for recovery")
        seq = repos.next_purchase_sequence(state.meter.id)
        receipt_no = f"{ctx.terminal_id}-{counters.next_value('receipt'):06d}"
        purchase = Purchase(sale_uuid=sale_uuid, receipt_no=receipt_no, meter=meter_ref(state.meter),
                            sequence=seq, credit_kwh=result.credit_kwh, issued_at=now,
                            tariff_index=state.tariff_index)
        token = carrier.reserve(purchase)
        purchase = replace(purchase, reservation=token)
        charged_through = state.charged_through(result.months_charged)
        sid = Sale.insert(
            uuid=sale_uuid, receipt_no=receipt_no, meter=state.meter.id, customer=state.customer.id,
            operator=session.operator_id, sold_at=at, payment=payment, currency=state.currency.code,
            tendered=result.tendered, carry_over_used=result.carry_over_used, kwh=result.kwh,
            free_kwh=result.free_kwh, credit_kwh=result.credit_kwh, change=result.change,
            fixed=result.fixed, months_charged=result.months_charged, charged_through=charged_through,
            debt=result.debt, vat=result.vat, tariff_versions=dumps(state.tariff_versions),
            free_period_start=state.free_period_start, carrier=carrier.kind,
            carrier_ref=token if token else f"seq:{seq}").execute()
        SaleLine.insert_many([
            {"sale": sid, "ordinal": i, "kind": ln.kind, "power_type": ln.power_type, "block": ln.block,
             "sub_item": ln.sub_item, "kwh": ln.kwh, "amount": ln.amount}
            for i, ln in enumerate(result.lines, 1)]).execute()
        SaleUsage.insert_many([
            {"sale": sid, "meter": state.meter.id, "power_type": pt, "sold_at": at, "kwh": k}
            for pt, k in result.kwh_by_power_type.items()]).execute()
        SaleStatus.insert(sale=sid, meter=state.meter.id, status=St.PENDING.value, updated_at=at).execute()
        SaleEvent.insert(sale=sid, status=St.PENDING.value, at=at, operator=session.operator_id).execute()
        diary.record(at, session.username, "sale.pending", f"sale:{sale_uuid}",
                     after={"receipt_no": receipt_no, "meter": state.meter.number,
                            "tendered": result.tendered, "credit_kwh": result.credit_kwh})
    return purchase


def _set_status(sale: Sale, new: St, at: str, operator_id: int | None, detail: str | None = None) -> None:
    old = St(repos.sale_status(sale.id))
    check_transition(old, new)
    SaleStatus.update(status=new.value, updated_at=at).where(SaleStatus.sale == sale.id).execute()
    SaleEvent.insert(sale=sale.id, status=new.value, at=at, operator=operator_id, detail=detail).execute()


def _complete(ctx: Context, session: Session, sale_uuid: str, carrier_ref: str,
              detail: dict[str, Any] | None = None) -> None:
    at = ctx.now_iso()
    with transaction():
        sale = Sale.get(Sale.uuid == sale_uuid)
        _set_status(sale, St.CARRIER_WRITTEN, at, session.operator_id, dumps({"carrier_ref": carrier_ref,
                                                                             **(detail or {})}))
        _set_status(sale, St.COMPLETED, at, session.operator_id)
        journal.post("sale", _sale_posting_lines(sale), at, session.operator_id, sale_id=sale.id,
                     customer_id=sale.customer_id, memo=sale.receipt_no)
        outbox.enqueue(ctx.terminal_id, "sale", sale_uuid, sale_view(sale_uuid), at)
        diary.record(at, session.username, "sale.completed", f"sale:{sale_uuid}",
                     before={"status": "pending"}, after={"status": "completed", "carrier_ref": carrier_ref})


def _sale_posting_lines(sale: Sale) -> list[journal.Line]:
    cust = sale.customer_id
    lines = [journal.Line(PAYMENT_ACCOUNTS[sale.payment], debit=sale.tendered)]
    revenue: dict[str, int] = {}
    for ln in SaleLine.select().where(SaleLine.sale == sale.id):
        if ln.kind == "energy":
            revenue[ln.sub_item] = revenue.get(ln.sub_item, 0) + ln.amount
    lines += [journal.Line(f"REVENUE:{code}", credit=amt) for code, amt in revenue.items()]
    lines += [journal.Line("VAT_PAYABLE", credit=sale.vat),
              journal.Line("FIXED_CHARGE_REVENUE", credit=sale.fixed),
              journal.Line("ARREARS", credit=sale.debt, customer_id=cust)]
    net = sale.change - sale.carry_over_used
    if net > 0:
        lines.append(journal.Line("CARRY_OVER", credit=net, customer_id=cust))
    elif net < 0:
        lines.append(journal.Line("CARRY_OVER", debit=-net, customer_id=cust))
    return lines


def _void(ctx: Context, session: Session, sale_uuid: str, reason: str) -> None:
    at = ctx.now_iso()
    with transaction():
        sale = Sale.get(Sale.uuid == sale_uuid)
        _set_status(sale, St.VOIDED, at, session.operator_id, reason)
        diary.record(at, session.username, "sale.voided", f"sale:{sale_uuid}",
                     before={"status": "pending"}, after={"status": "voided", "reason": reason})


def _purchase_of(sale: Sale) -> Purchase:
    ref = sale.carrier_ref or ""
    seq = int(ref[4:]) if ref.startswith("seq:") else 0
    return Purchase(sale_uuid=sale.uuid, receipt_no=sale.receipt_no, meter=meter_ref(sale.meter),
                    sequence=seq, credit_kwh=sale.credit_kwh,
                    issued_at=datetime.fromisoformat(sale.sold_at),
                    reservation=None if (sale.carrier_ref or "").startswith("seq:") else sale.carrier_ref)


def recover(ctx: Context, session: Session, meter_no: str | None = None) -> list[dict[str, Any]]:
    """Decide PENDING sales: complete what the carrier holds, void what it does not;
    leave what it cannot tell for a supervisor. Never refunds on its own."""
    session.require(Permission.SELLING)
    meter_id = None
    if meter_no is not None:
        meter_id = load_meter_state(ctx, meter_no, for_sale=False).meter.id
    outcome: list[dict[str, Any]] = []
    for sale in repos.pending_sales(meter_id):
        purchase = _purchase_of(sale)
        carrier = ctx.carriers.for_meter(purchase.meter)
        if purchase.reservation is not None and carrier.kind == "sts":
            held: bool | None = True  # the stored token is the token: complete and (re)print it
        else:
            held = carrier.holds(purchase)
        if held is True:
            _complete(ctx, session, sale.uuid, purchase.reservation or f"seq:{purchase.sequence}",
                      {"recovered": True})
            outcome.append({"sale_id": sale.uuid, "receipt_no": sale.receipt_no, "action": "completed"})
        elif held is False:
            _void(ctx, session, sale.uuid, "recovery: the carrier does not hold the purchase")
            outcome.append({"sale_id": sale.uuid, "receipt_no": sale.receipt_no, "action": "voided"})
        else:
            outcome.append({"sale_id": sale.uuid, "receipt_no": sale.receipt_no, "action": "supervisor"})
            if meter_no is not None:
                raise SalePending(f"sale {sale.receipt_no} for meter {meter_no} is undecided: insert the "
                                  "card, or ask a supervisor", sale_id=sale.uuid, receipt_no=sale.receipt_no)
    return outcome


def find_sale(sale_id: str) -> Sale:
    sale = Sale.get_or_none((Sale.uuid == sale_id) | (Sale.receipt_no == sale_id))
    if sale is None:
        raise SaleNotFound(f"no sale {sale_id}", sale_id=sale_id)
    return sale


def show(ctx: Context, session: Session, sale_id: str) -> dict[str, Any]:
    session.require(Permission.SEARCH)
    return sale_view(find_sale(sale_id).uuid)


def reverse(ctx: Context, session: Session, sale_id: str, reason: str) -> dict[str, Any]:
    """Reset for selling: a contra-posting that restores usage, fixed months and carry-over.
    Only the meter's latest standing sale can be reversed, and only when the carrier gives
    the purchase back (the meter has not taken it)."""
    session.require(Permission.RESET_SELLING)
    if not reason.strip():
        raise InvalidArgument("a reversal needs a reason", key="reason")
    sale = find_sale(sale_id)
    status = repos.sale_status(sale.id)
    if status not in repos.COUNTED:
        raise SaleNotReversible(f"sale {sale.receipt_no} is {status}; only a completed sale can be reversed",
                                status=status)
    latest = repos.latest_counted_sale(sale.meter_id)
    if latest is None or latest.id != sale.id:
        raise SaleNotReversible(f"sale {sale.receipt_no} is not the meter's latest sale; reverse "
                                f"{latest.receipt_no if latest else '-'} first")
    purchase = _purchase_of(sale)
    if not ctx.carriers.for_meter(purchase.meter).take_back(purchase):
        raise SaleNotReversible(f"the meter has already taken sale {sale.receipt_no}'s credit")
    at = ctx.now_iso()
    with transaction():
        if repos.sale_status(sale.id) not in repos.COUNTED:
            raise SaleNotReversible(f"sale {sale.receipt_no} was reversed meanwhile")
        original = journal.contra_lines(_posting_id(sale.id))
        _set_status(sale, St.REVERSED, at, session.operator_id, reason)
        journal.post("reversal", original, at, session.operator_id, sale_id=sale.id,
                     customer_id=sale.customer_id, memo=f"reversal of {sale.receipt_no}: {reason}")
        view = sale_view(sale.uuid)
        outbox.enqueue(ctx.terminal_id, "reversal", sale.uuid, {**view, "reason": reason}, at)
        diary.record(at, session.username, "sale.reversed", f"sale:{sale.uuid}",
                     before={"status": status}, after={"status": "reversed", "reason": reason})
    return view


def _posting_id(sale_id: int) -> int:
    return int(Posting.get((Posting.sale == sale_id) & (Posting.kind == "sale")).id)

