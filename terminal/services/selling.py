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

from dataclasses import replace
from datetime import datetime
from typing import Any

from sync import records as wire
from sync import schema
from sync.errors import WireRecordInvalid
from sync.records import CashHeldRecord, ReversalRecord
from terminal.domain.errors import EnergyInvalid, IllegalSaleTransition, PpmsError
from terminal.domain.money import parse_kwh, parse_money
from terminal.domain.sale import COUNTED, check_transition
from terminal.domain.sale import SaleStatus as St
from terminal.domain.vend import ENERGY, VendResult, calculate_vend, money_for_kwh
from terminal.ledger import Fact, Outgoing, Repositories, UnitOfWork
from terminal.ledger.canonical import dumps
from terminal.ledger.ids import new_id
from terminal.ledger.journal import PAYMENT_ACCOUNTS, Line
from terminal.ledger.sales import LineRecord, SaleRecord
from terminal.services import card_readings, offline_limits, sale_lease
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    CarrierFailed,
    InvalidArgument,
    OutcomeUncertain,
    PaymentAlreadyApplied,
    SaleDecidedElsewhere,
    SaleInProgress,
    SaleNotFound,
    SaleNotReversible,
    SalePending,
)
from terminal.services.meter_state import (
    MeterState,
    check_sellable,
    find_meter,
    load_meter_state,
    meter_ref,
    meter_state,
)
from terminal.services.ports import (
    BLACKLISTED_CARDS,
    LAST_STS_TID,
    Carrier,
    LedgerFacts,
    Prechecked,
    Purchase,
    carrier_ref_of,
    carrier_ref_text,
)
from terminal.services.sale_limits import tender_within_maximum, within_carrier
from terminal.services.views import for_people, record_view, sale_record, shown_sale, stored_sale, vend_view


def quote(ctx: Context, session: Session, meter_no: str, amount: str | None = None,
          kwh: str | None = None) -> dict[str, Any]:
    session.require(Permission.SELLING)
    if (amount is None) == (kwh is None):
        raise InvalidArgument("give either an amount or a kWh figure", key="amount")
    state = load_meter_state(ctx, meter_no)
    carrier = ctx.carriers.for_meter(meter_ref(state.meter))
    request = state.request(0, carrier.limits().exact_floor)
    if kwh is not None:
        asked = parse_kwh(kwh)
        if asked <= 0:
            raise EnergyInvalid(f"Ask for more than 0 kWh ({kwh!r} was asked).", key="kwh")
        tendered = money_for_kwh(request, asked)
    else:
        tendered = parse_money(amount or "", state.currency)
    tender_within_maximum(state, tendered)
    result = calculate_vend(replace(request, tendered=tendered))
    within_carrier(state, result, carrier)
    return vend_view(state, result, status="quote")


@sale_lease.holding_leases
def sell(ctx: Context, session: Session, meter_no: str, amount: str, payment: str = "cash",
         print_receipt: bool | None = None, cash_intake: int | None = None,
         bank_payment: str | None = None) -> dict[str, Any]:
    """`cash_intake`: the note intake (kiosk) whose money this is, settled in the PENDING commit;
    `bank_payment`: the center's payment this sale carries, marked used in the PENDING commit
    (bank_payments.py: used unless the sale is voided)."""
    session.require(Permission.SELLING)
    if payment not in PAYMENT_ACCOUNTS:
        raise InvalidArgument(f"payment must be one of {sorted(PAYMENT_ACCOUNTS)}", key="payment")
    state, seen = _read_state(ctx, meter_no)
    tendered = parse_money(amount, state.currency)
    tender_within_maximum(state, tendered)
    offline_limits.check(ctx, tendered, state.currency)
    ctx.ledger.require_headroom()   # a sale refused for room changes nothing, not even an earlier PENDING sale
    carrier = ctx.carriers.for_meter(meter_ref(state.meter))
    if state.pending:
        recover(ctx, session, meter_no=meter_no)
        state, seen = _read_state(ctx, meter_no)
    result = calculate_vend(state.request(tendered, carrier.limits().exact_floor))
    within_carrier(state, result, carrier)
    learnt = _precheck(ctx, state, result, carrier)
    sale_id, rec, lines, purchase = _begin(ctx, session, state, result, payment, carrier, learnt, cash_intake,
                                           seen, bank_payment)
    try:   # the record the completion sends, made and encoded before the carrier: one it refuses voids the sale
        record = sale_record(rec, lines, state.meter.number, state.primary.tariff.code, session.username)
        schema.encode(record)
    except WireRecordInvalid as exc:
        _void(ctx, session, sale_id, f"sale record refused: {exc.code}")
        raise
    try:
        delivery = carrier.deliver(purchase)
    except OutcomeUncertain as exc:   # the purchase may be on the carrier: recovery decides
        raise SalePending(
            f"sale {purchase.receipt_no} is waiting: {exc.message}. Put the card back to finish it.",
            sale_id=purchase.sale_uuid, receipt_no=purchase.receipt_no, cause=exc.code) from exc
    except PpmsError as exc:          # a refusal: nothing reached the carrier
        _void(ctx, session, sale_id, f"carrier refused: {exc.code}")
        exc.details["voided_sale_id"] = purchase.sale_uuid   # (an acceptor's money is held by the void)
        raise
    except Exception as exc:  # a device failure that is not ours: do not guess, keep it PENDING
        raise CarrierFailed(f"the carrier failed ({exc}); sale {purchase.receipt_no} is waiting for recovery",
                            sale_id=purchase.sale_uuid) from exc
    _complete(ctx, session, sale_id, rec, lines, carrier_ref_text(delivery.ref), delivery.detail, record)
    if print_receipt if print_receipt is not None else ctx.print_on_sale:
        from terminal.services.receipts import print_sale  # noqa: PLC0415 (a cycle: receipts reads sales)
        receipt = print_sale(ctx, session, sale_id)
        with ctx.ledger.read() as r:
            return shown_sale(r, sale_id) | {"receipt": receipt}
    return for_people(record_view(record, St.COMPLETED.value), state.meter)


def ledger_facts(r: Repositories, meter_id: int, carrier: Carrier) -> LedgerFacts:
    """What the carrier asked of the ledger (`Carrier.needs`), read in the caller's scope."""
    needs = carrier.needs
    return LedgerFacts(
        blacklisted_cards=frozenset(r.cards.blacklisted_serials()) if BLACKLISTED_CARDS in needs else frozenset(),
        last_sts_tid=r.sts_tokens.last_tid(meter_id) if LAST_STS_TID in needs else None)


Seen = tuple[tuple[int, int], datetime]   # the ledger's change token and the clock of a read


def _read_state(ctx: Context, meter_no: str) -> tuple[MeterState, Seen]:
    """The meter's state now, and what the read saw (for `_decide_in`)."""
    now = ctx.now()
    with ctx.ledger.read() as r:
        return meter_state(r, now, meter_no), (ctx.ledger.change_token(), now)


def _still_so(ctx: Context, seen: Seen | None, now: datetime, state: MeterState) -> bool:
    """Whether the state read before the write is the one the write would read: nothing was
    written to the ledger since (by any connection) and the clock is on the same day (the
    tariff, period and months in force), to the second when a preferential tariff could start."""
    if seen is None or not ctx.ledger.unchanged_since(seen[0]):
        return False
    same_second = seen[1].replace(microsecond=0) == now.replace(microsecond=0)
    return seen[1].date() == now.date() and (same_second or not state.meter.category)


def _decide_in(ctx: Context, uow: UnitOfWork, now: datetime, state: MeterState, result: VendResult,
               carrier: Carrier, learnt: Prechecked, seen: Seen | None = None,
               ) -> tuple[MeterState, VendResult, Prechecked]:
    """The vend decided again on the meter as this unit of work sees it (the write lock held), so
    that two sales begun together never both spend the same carry-over, arrears or month. When
    the figures moved since the carrier's precheck (another sale came first), the carrier judges
    the new purchase again here, so its refusal (and the carrier's limit) still comes before
    anything is committed. When nothing was written since the read the sale decided on, that
    read is this unit of work's view too and is not made again."""
    if _still_so(ctx, seen, now, state):
        return state, result, learnt
    fresh = meter_state(uow, now, state.meter.number)
    decided = calculate_vend(fresh.request(result.tendered, carrier.limits().exact_floor))
    if (fresh.next_sequence, decided.credit_kwh) != (state.next_sequence, result.credit_kwh):
        within_carrier(fresh, decided, carrier)
        learnt = _precheck(ctx, fresh, decided, carrier, uow)
    return fresh, decided, learnt


def _precheck(ctx: Context, state: MeterState, result: VendResult, carrier: Carrier,
              uow: UnitOfWork | None = None) -> Prechecked:
    """Before anything is committed: a carrier that can judge the purchase now (the card in
    the reader) refuses here, so a bad card leaves the ledger as it was. What the carrier needs
    of the ledger is read in `uow` when the sale is deciding inside its write, else in a read view."""
    facts = LedgerFacts()
    if carrier.needs and uow is not None:
        facts = ledger_facts(uow, state.meter.id, carrier)
    elif carrier.needs:
        with ctx.ledger.read() as r:
            facts = ledger_facts(r, state.meter.id, carrier)
    draft = Purchase(sale_uuid="", receipt_no="", meter=meter_ref(state.meter), sequence=state.next_sequence,
                     credit_kwh=result.credit_kwh, issued_at=ctx.now(), tariff_index=state.tariff_index,
                     facts=facts)
    return carrier.precheck(draft)


def _begin(ctx: Context, session: Session, state: MeterState, result: VendResult, payment: str,
           carrier: Carrier, learnt: Prechecked = Prechecked(), cash_intake: int | None = None,
           seen: Seen | None = None, bank_payment: str | None = None,
           ) -> tuple[int, SaleRecord, list[LineRecord], Purchase]:
    now = ctx.now()
    at = now.isoformat(timespec="seconds")
    sale_uuid = new_id()
    ctx.ledger.require_headroom()   # the completion commit after the carrier write must have room
    sale_lease.own_new(ctx.ledger, sale_uuid)
    with ctx.ledger.unit_of_work() as uow:
        state, result, learnt = _decide_in(ctx, uow, now, state, result, carrier, learnt, seen)
        lines = line_records(result)
        history = uow.sales.history(state.meter.id, at, at)
        if history.pending:  # another process began one meanwhile
            raise SalePending(f"meter {state.meter.number} has a sale waiting for recovery")
        if bank_payment is not None and not uow.bank_payments.is_waiting(bank_payment, ctx.terminal_id):
            raise PaymentAlreadyApplied(f"payment {bank_payment} is already on a sale", payment=bank_payment)
        seq = state.next_sequence   # (after a replacement, the credit transfer was purchase 1)
        receipt_no = f"{ctx.terminal_id}-{uow.counters.next_value('receipt'):06d}"
        if learnt.reading:
            card_readings.record(ctx, session, uow, learnt.reading, learnt.source)
        purchase = Purchase(sale_uuid=sale_uuid, receipt_no=receipt_no, meter=meter_ref(state.meter),
                            sequence=seq, credit_kwh=result.credit_kwh, issued_at=now,
                            tariff_index=state.tariff_index, facts=ledger_facts(uow, state.meter.id, carrier))
        reserved = carrier.reserve(purchase)
        purchase = replace(purchase, ref=reserved.ref)
        rec = sale_row(state, result, sale_uuid, receipt_no, session, at, payment, carrier.kind,
                       carrier_ref_text(reserved.ref))
        sale_id = uow.sales.insert(rec, lines, dict(result.kwh_by_power_type), St.PENDING.value,
                                   session.operator_id)
        if cash_intake is not None:
            uow.cash_intakes.settle(cash_intake, "sold", result.tendered, at, sale_id=sale_id)
        if bank_payment is not None:
            uow.bank_payments.use(bank_payment, sale_uuid, ctx.terminal_id, at)
        token = reserved.token
        if token is not None:
            uow.sts_tokens.record(state.meter.id, sale_id, "credit", token.token_class, token.subclass,
                                  token.tid, token.value, token.digits, at, session.operator_id)
        uow.record(Fact("sale.pending", f"sale:{sale_uuid}", session.username, at,
                        after={"receipt_no": receipt_no, "meter": state.meter.number,
                               "tendered": result.tendered, "credit_kwh": result.credit_kwh}))
    return sale_id, rec, lines, purchase


def _set_status(uow: UnitOfWork, sale_id: int, new: St, at: str, operator_id: int | None,
                detail: str | None = None, via: tuple[tuple[St, str | None], ...] = ()) -> str:
    """Check each step of old -> via... -> new against the state machine, then store it."""
    old = uow.sales.status(sale_id)
    steps = [St(old), *(st for st, _ in via), new]
    try:
        for a, b in zip(steps, steps[1:]):
            check_transition(a, b)
    except IllegalSaleTransition:
        rec, _ = uow.sales.load(sale_id)
        raise SaleDecidedElsewhere(
            f"sale {rec.receipt_no} was already {old} by another process, so it cannot be {new.value} "
            "here: nothing more was written; see `ppms sale show` and call a supervisor",
            sale_id=rec.uuid, receipt_no=rec.receipt_no, status=old) from None
    uow.sales.set_status(sale_id, new.value, at, operator_id, detail,
                         passing=tuple((st.value, d) for st, d in via))
    return old


def _complete(ctx: Context, session: Session, sale_id: int, rec: SaleRecord, lines: list[LineRecord],
              carrier_ref: str, detail: dict[str, Any] | None, record: wire.SaleRecord) -> None:
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        _set_status(uow, sale_id, St.COMPLETED, at, session.operator_id,
                    via=((St.CARRIER_WRITTEN, dumps({"carrier_ref": carrier_ref, **(detail or {})})),))
        uow.journal.post("sale", _sale_posting_lines(rec, lines), at, session.operator_id, sale_id=sale_id,
                         customer_id=rec.customer_id, memo=rec.receipt_no)
        uow.record(Fact("sale.completed", f"sale:{rec.uuid}", session.username, at,
                        before={"status": "pending"}, after={"status": "completed", "carrier_ref": carrier_ref},
                        outbox=Outgoing("sale", rec.uuid, record)))


def line_records(result: VendResult) -> list[LineRecord]:
    """The sale's lines as the ledger keeps them."""
    return [LineRecord(ln.kind, ln.amount, ln.power_type, ln.block, ln.sub_item, ln.kwh) for ln in result.lines]


def sale_row(state: MeterState, result: VendResult, sale_uuid: str, receipt_no: str, session: Session, at: str,
             payment: str, carrier_kind: str, carrier_ref: str) -> SaleRecord:
    """The sale's row as the ledger keeps it (the selling service and the bulk demo both write it)."""
    return SaleRecord(
        uuid=sale_uuid, receipt_no=receipt_no, meter_id=state.meter.id, customer_id=state.meter.customer_id,
        operator_id=session.operator_id, sold_at=at, payment=payment, currency=state.currency.code,
        tendered=result.tendered, carry_over_used=result.carry_over_used, kwh=result.kwh,
        free_kwh=result.free_kwh, credit_kwh=result.credit_kwh, change=result.change, fixed=result.fixed,
        months_charged=result.months_charged, charged_through=state.charged_through(result.months_charged),
        debt=result.debt, vat=result.vat, tariff_versions=dumps(state.tariff_versions),
        free_period_start=state.free_period_start, carrier=carrier_kind, carrier_ref=carrier_ref)


def _sale_posting_lines(rec: SaleRecord, lines: list[LineRecord]) -> list[Line]:
    cust = rec.customer_id
    out = [Line(PAYMENT_ACCOUNTS[rec.payment], debit=rec.tendered)]
    revenue: dict[str, int] = {}
    for ln in lines:
        if ln.kind == ENERGY and ln.sub_item is not None:
            revenue[ln.sub_item] = revenue.get(ln.sub_item, 0) + ln.amount
    out += [Line(f"REVENUE:{code}", credit=amt) for code, amt in revenue.items()]
    out += [Line("VAT_PAYABLE", credit=rec.vat),
            Line("FIXED_CHARGE_REVENUE", credit=rec.fixed),
            Line("ARREARS", credit=rec.debt, customer_id=cust)]
    net = rec.change - rec.carry_over_used
    if net > 0:
        out.append(Line("CARRY_OVER", credit=net, customer_id=cust))
    elif net < 0:
        out.append(Line("CARRY_OVER", debit=-net, customer_id=cust))
    return out


def _void(ctx: Context, session: Session, sale_id: int, reason: str) -> None:
    """PENDING -> VOIDED. Money a cashier took goes back over the counter; notes already in a
    self-service acceptor's cash box cannot, so they are held as the customer's carry-over
    (spent first at the next sale), in the same commit as the void."""
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        _set_status(uow, sale_id, St.VOIDED, at, session.operator_id, reason)
        rec, _ = uow.sales.load(sale_id)
        uow.record(Fact("sale.voided", f"sale:{rec.uuid}", session.username, at,
                        before={"status": "pending"}, after={"status": "voided", "reason": reason}))
        if rec.payment == "acceptor":
            hold_money(ctx, session, uow, rec.customer_id, PAYMENT_ACCOUNTS["acceptor"], rec.tendered,
                       f"sale {rec.receipt_no} voided: {reason}", {"sale_id": rec.uuid, "receipt_no": rec.receipt_no})


def hold_money(ctx: Context, session: Session, uow: UnitOfWork, customer_id: int, account: str, amount: int,
               reason: str, about: dict[str, Any]) -> dict[str, Any]:
    """Money taken that no sale used: the customer's carry-over (posting `cash_held`, outbox row,
    diary), in the caller's unit of work."""
    at = ctx.now_iso()
    held_id = new_id()
    before = uow.customers.balances(customer_id)[0]
    uow.journal.post("cash_held", [Line(account, debit=amount),
                                   Line("CARRY_OVER", credit=amount, customer_id=customer_id)],
                     at, session.operator_id, customer_id=customer_id, memo=reason)
    view = {"cash_held_id": held_id, "amount": amount, "carry_over_before": before,
            "carry_over": before + amount, "reason": reason, "at": at, **about}
    uow.record(Fact("cash.held", f"customer:{customer_id}", session.username, at,
                    before={"carry_over": before},
                    after={"carry_over": before + amount, "amount": amount, "reason": reason},
                    outbox=Outgoing("cash_held", held_id,
                                    CashHeldRecord(held_id, amount, before, before + amount, reason, at, **about))))
    return view


def purchase_of(ctx: Context, r: Repositories, rec: SaleRecord) -> tuple[Carrier, Purchase]:
    """The carrier of a stored sale and the purchase it carried (its reference read back by
    the carrier's own reference type), with what the carrier needs of the ledger now."""
    meter = meter_ref(r.meters.by_id(rec.meter_id))
    carrier = ctx.carriers.for_meter(meter)
    stored = Purchase(sale_uuid=rec.uuid, receipt_no=rec.receipt_no, meter=meter, sequence=0,
                      credit_kwh=rec.credit_kwh, issued_at=datetime.fromisoformat(rec.sold_at),
                      facts=ledger_facts(r, rec.meter_id, carrier))
    if not rec.carrier_ref:
        return carrier, stored
    return carrier, carrier_ref_of(carrier.ref_type, rec.carrier_ref).restore(stored)


@sale_lease.holding_leases
def recover(ctx: Context, session: Session, meter_no: str | None = None) -> list[dict[str, Any]]:
    """Decide PENDING sales: complete what the carrier holds, void what it does not;
    leave what it cannot tell for a supervisor. Never refunds on its own. Only an abandoned
    sale is decided: one whose lease a live process holds (its seller, another recovery) is
    reported "in_progress" and left alone."""
    session.require(Permission.SELLING)
    with ctx.ledger.read() as r:
        meter_id = None if meter_no is None else find_meter(r, meter_no).id
        pending = r.sales.pending_ids(meter_id)
    outcome: list[dict[str, Any]] = []
    for sale_id in pending:
        with ctx.ledger.read() as r:
            rec, lines = r.sales.load(sale_id)
            carrier, purchase = purchase_of(ctx, r, rec)
        if not sale_lease.claim(ctx.ledger, rec.uuid):
            if meter_no is not None:
                raise SaleInProgress(f"sale {rec.receipt_no} for meter {meter_no} is being carried by another "
                                     "till right now: wait for it to finish, then sell again",
                                     sale_id=rec.uuid, receipt_no=rec.receipt_no)
            outcome.append({"sale_id": rec.uuid, "receipt_no": rec.receipt_no, "action": "in_progress"})
            continue
        with ctx.ledger.read() as r:
            if r.sales.status(sale_id) != St.PENDING.value:
                continue   # its owner decided it as we looked
        held = carrier.holds(purchase)   # (a stored token is held: it is never made again)
        entry = {"sale_id": rec.uuid, "receipt_no": rec.receipt_no}
        if held is True:
            with ctx.ledger.read() as r:
                record = stored_sale(r, sale_id)
            _complete(ctx, session, sale_id, rec, lines, rec.carrier_ref or "", {"recovered": True}, record)
            outcome.append(entry | {"action": "completed"})
        elif held is False:
            _void(ctx, session, sale_id, "recovery: the carrier does not hold the purchase")
            outcome.append(entry | {"action": "voided"})
        else:
            outcome.append(entry | {"action": "supervisor"})
            if meter_no is not None:
                raise SalePending(f"sale {rec.receipt_no} for meter {meter_no} is undecided: insert the "
                                  "card, or ask a supervisor", sale_id=rec.uuid, receipt_no=rec.receipt_no)
    return outcome


def find_sale(r: Repositories, key: str) -> int:
    sale_id = r.sales.find_id(key.strip())
    if sale_id is None:
        raise SaleNotFound(f"no sale {key}", sale_id=key)
    return sale_id


def show(ctx: Context, session: Session, key: str) -> dict[str, Any]:
    session.require(Permission.SEARCH)
    with ctx.ledger.read() as r:
        return shown_sale(r, find_sale(r, key))


def reverse(ctx: Context, session: Session, key: str, reason: str,
            print_receipt: bool | None = None) -> dict[str, Any]:
    """Reset for selling: a contra-posting that restores usage, fixed months and carry-over.
    Only the meter's latest standing sale can be reversed, and only when the carrier gives
    the purchase back (the meter has not taken it)."""
    session.require(Permission.RESET_SELLING)
    if not reason.strip():
        raise InvalidArgument("a reversal needs a reason", key="reason")
    with ctx.ledger.read() as r:
        sale_id = find_sale(r, key)
        rec, _ = r.sales.load(sale_id)
        status = r.sales.status(sale_id)
        if status not in COUNTED:
            raise SaleNotReversible(f"sale {rec.receipt_no} is {status}; only a completed sale can be reversed",
                                    status=status)
        if r.sales.latest_counted_id(rec.meter_id) != sale_id:
            raise SaleNotReversible(f"sale {rec.receipt_no} is not the meter's latest sale; reverse the later "
                                    "sales first")
        check_sellable(r.meters.by_id(rec.meter_id))   # a replaced or cancelled meter's credit has moved
        if r.outbox.count("sale_rewrite", rec.uuid):
            raise SaleNotReversible(f"sale {rec.receipt_no}'s purchase was written onto another card as well "
                                    "(error-tolerance selling or a reissued card): one copy could still reach the "
                                    "meter, so it cannot be taken back")
        carrier, purchase = purchase_of(ctx, r, rec)
    if not carrier.take_back(purchase):
        raise SaleNotReversible(f"the meter has already taken sale {rec.receipt_no}'s credit")
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        if uow.sales.status(sale_id) not in COUNTED:
            raise SaleNotReversible(f"sale {rec.receipt_no} was reversed meanwhile")
        posting = uow.sales.posting_id(sale_id)
        assert posting is not None
        _set_status(uow, sale_id, St.REVERSED, at, session.operator_id, reason)
        uow.journal.post("reversal", uow.journal.contra_lines(posting), at, session.operator_id, sale_id=sale_id,
                         customer_id=rec.customer_id, memo=f"reversal of {rec.receipt_no}: {reason}")
        sale = stored_sale(uow, sale_id)
        uow.record(Fact("sale.reversed", f"sale:{rec.uuid}", session.username, at,
                        before={"status": status}, after={"status": "reversed", "reason": reason},
                        outbox=Outgoing("reversal", rec.uuid, ReversalRecord(sale, reason))))
        view = shown_sale(uow, sale_id)
    if print_receipt if print_receipt is not None else ctx.print_on_sale:
        from terminal.services.receipts import print_sale  # noqa: PLC0415
        view = view | {"receipt": print_sale(ctx, session, sale_id, kind="reversal", reason=reason)}
    return view


def find_meter_or_none(ctx: Context, meter_no: str) -> str | None:
    """The meter's number when it is registered (for screens and the demo), else None."""
    with ctx.ledger.read() as r:
        row = r.meters.by_number(meter_no.strip())
    return None if row is None else row.number
