"""The amendments that move credit: reissue card, replace meter, cancel meter
(selling.md, "Credit moved or refunded"; docs/amendments.md has the worked examples).

- The remaining credit `R` is the final reading's figure; its value walks the meter's credit
  records from the newest back (`terminal.domain.credit_value`); `R` beyond them is refused
  (REMAINING_CREDIT_TOO_HIGH).
- Replace meter: the old meter is `replaced` (METER_REPLACED from then on), its card
  blacklisted; the new meter takes the customer, the shares and the file of the old one and
  starts with a credit transfer (the amendment's `after`: `credit_kwh`, `credit_value`), its
  purchase 1; for an STS meter its first tokens (key change tokens when the meter comes with
  other key settings, then the credit token). A token carries whole 0.1 kWh only: the value of
  the hundredths it cannot carry goes to the customer's carry-over, so nothing is lost.
- Cancel meter: the value of `R` and the carry-over settle the arrears, the rest is paid out
  in cash; the meter is `cancelled`, its card blacklisted, the account closed when the
  customer has no other meter (a customer who keeps another meter keeps the carry-over for it).
- Reissue card: the old card is blacklisted, a new user card made, and the meter's last
  purchase written onto it again when no reading shows the meter took it.

Posting (kind `amendment`, one per amendment, with its fee): the value returned is debited to
CREDIT_REFUNDED (energy credit bought back, VAT included) and credited to the customer's
CARRY_OVER; arrears settled move CARRY_OVER -> ARREARS; the refund CARRY_OVER -> CASH.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from sync.records import SaleRewriteRecord
from terminal.domain.credit_value import CreditRecord, energy_value, value_remaining
from terminal.domain.errors import PpmsError
from terminal.domain.money import format_kwh, format_money, parse_kwh
from terminal.domain.tariff import power_type_from_json
from terminal.ledger import Fact, Outgoing, Repositories, UnitOfWork
from terminal.ledger.ids import new_id
from terminal.ledger.journal import PAYMENT_ACCOUNTS, Line
from terminal.ledger.repos import MeterRow
from terminal.services import cards
from terminal.services.amendments import (
    Filed,
    amendable,
    check_payment,
    coded_reason,
    file_amendment,
    parameter_fee,
)
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument, MeterExists, RemainingCreditTooHigh
from terminal.services.meter_state import ledger_currency, meter_ref, meter_state
from terminal.services.ports import CardRef, LedgerFacts, MeterRef, Purchase
from terminal.services.registration import check_meter_number
from terminal.services.selling import purchase_of

CREDIT_REFUNDED = "CREDIT_REFUNDED"


def _vat(r: Repositories, power_type: str, version: int) -> Fraction:
    return power_type_from_json(json.loads(r.tariffs.data(power_type, version))).vat_percent


def credit_records(r: Repositories, meter_id: int) -> Iterator[CreditRecord]:
    """The meter's credit records, newest first: its standing sales, then its credit transfer in."""
    for s in r.amendments.standing_sales(meter_id):
        energy = r.amendments.energy_by_power_type(s.sale_id)
        ev = energy_value((e, _vat(r, pt, s.tariff_versions[pt])) for pt, e in energy)
        yield CreditRecord(s.kwh, s.free_kwh, ev)
    transfer = r.amendments.transfer_into(meter_id)
    if transfer is not None:
        yield CreditRecord(transfer.credit_kwh, 0, Fraction(transfer.credit_value))


def value_of(r: Repositories, meter: MeterRow, remaining: int) -> int:
    """The money value of `remaining` (0.01 kWh) on the meter (REMAINING_CREDIT_TOO_HIGH beyond its records)."""
    valued = value_remaining(credit_records(r, meter.id), remaining)
    if valued is None:
        reach = sum(c.paid_kwh + c.free_kwh for c in credit_records(r, meter.id))
        raise RemainingCreditTooHigh(
            f"meter {meter.number}: a remaining credit of {format_kwh(remaining)} kWh is more than its standing "
            f"sales and transfers ever gave ({format_kwh(reach)} kWh): read the meter again",
            remaining_kwh=format_kwh(remaining), max_kwh=format_kwh(reach))
    return valued.value


def _reading(text: str, key: str) -> int:
    kwh = parse_kwh(text)   # ENERGY_INVALID
    if kwh < 0:
        raise InvalidArgument(f"--{key.replace('_', '-')} cannot be below zero", key=key)
    return kwh


def _final_reading(uow: UnitOfWork, meter: MeterRow, at: str, total: int, remaining: int, kind: str) -> str:
    uuid = new_id()
    uow.readings.record(uuid, meter.id, at, at, "amendment", total_kwh=total, remaining_kwh=remaining,
                        remaining_money=None, purchase_count=None, status_flags=None,
                        detail={"amendment": kind, "final": True})
    return uuid


def _blacklist_cards(ctx: Context, session: Session, uow: UnitOfWork, meter: MeterRow, why: str) -> str | None:
    """Blacklist the meter's issued user card (everywhere: its card record goes to the center)."""
    card = uow.cards.issued_user_card(meter.id)
    if card is None:
        return None
    cards.blacklist(ctx, session, card.serial, why)   # (a savepoint of the caller's unit of work)
    return card.serial


def cancel_meter(ctx: Context, session: Session, meter_no: str, final_reading: str, remaining_credit: str,
                 reason: str) -> dict[str, Any]:
    session.require(Permission.AMEND_CANCEL_METER)
    total, remaining = _reading(final_reading, "final_reading"), _reading(remaining_credit, "remaining_credit")
    if not reason.strip():
        raise InvalidArgument("a cancellation needs a reason", key="reason")
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        meter = amendable(uow, meter_no)
        reason = coded_reason(uow, reason) or ""
        cur = ledger_currency(uow)
        value = value_of(uow, meter, remaining)
        carry, arrears = uow.customers.balances(meter.customer_id)
        closing = uow.amendments.open_meters(meter.customer_id) == 1
        carry_used = carry if closing else 0        # a customer keeping another meter keeps the carry-over
        settled = min(arrears, value + carry_used)
        refund = value + carry_used - settled
        cid = meter.customer_id
        lines = (Line(CREDIT_REFUNDED, debit=value), Line("CARRY_OVER", credit=value, customer_id=cid),
                 Line("CARRY_OVER", debit=settled, customer_id=cid), Line("ARREARS", credit=settled, customer_id=cid),
                 Line("CARRY_OVER", debit=refund, customer_id=cid), Line(PAYMENT_ACCOUNTS["cash"], credit=refund))
        reading = _final_reading(uow, meter, at, total, remaining, "cancel_meter")
        uow.amendments.set_status(meter.id, "cancelled")
        card = _blacklist_cards(ctx, session, uow, meter, f"meter {meter.number} cancelled: {reason}")
        if closing:
            uow.amendments.close_customer(cid, at)
        money = {"credit_value": value, "carry_over": carry_used, "arrears_settled": settled, "refund": refund,
                 "arrears_left": arrears - settled}
        after = {"status": "cancelled", "final_reading_kwh": total, "remaining_kwh": remaining, **money,
                 "account_closed": closing, "reading_id": reading, "card_blacklisted": card}
        fee = parameter_fee(uow, "fee.cancel_meter")   # taken in cash, beside the refund
        view = file_amendment(ctx, session, uow, meter, cur, Filed(
            "cancel_meter", reason=reason, fee=fee, payment="cash", lines=lines, before={"status": meter.status},
            after=after,
            wire={"final_reading_kwh": total, "remaining_kwh": remaining, "old_card": card, **money}))
    return view | {k: format_money(v, cur) for k, v in money.items()} | {
        "final_reading_kwh": format_kwh(total), "remaining_kwh": format_kwh(remaining), "account_closed": closing,
        "card_blacklisted": card}


def _new_meter_settings(old: MeterRow, carrier: str | None, sts: dict[str, Any] | None) -> MeterRef:
    kind = carrier or old.carrier
    settings = None
    if kind == "sts":
        settings = {**(json.loads(old.sts) if old.sts and old.carrier == "sts" else {}), **(sts or {})}
        if not settings:
            raise InvalidArgument("an STS meter needs its SGC, TI and KRN: --sgc, --ti, --krn", key="sts")
    return MeterRef(number="", carrier=kind, sts=settings)


def replace_meter(ctx: Context, session: Session, meter_no: str, new_meter_no: str, final_reading: str,
                  remaining_credit: str, payment: str = "cash", reason: str | None = None,
                  carrier: str | None = None, sts: dict[str, Any] | None = None,
                  delivered_sts: dict[str, Any] | None = None) -> dict[str, Any]:
    """`sts`: the new STS meter's settings (default: the old meter's); `delivered_sts`: the key
    settings the new meter comes with, when they differ (its key change tokens come first)."""
    session.require(Permission.AMEND_REPLACE_METER)
    check_payment(payment)
    total, remaining = _reading(final_reading, "final_reading"), _reading(remaining_credit, "remaining_credit")
    with ctx.ledger.read() as r:
        old = amendable(r, meter_no)
    ref = _new_meter_settings(old, carrier, sts)
    ref = replace(ref, number=check_meter_number(new_meter_no, ref.carrier))   # METER_NUMBER_INVALID
    number = ref.number
    new_carrier = ctx.carriers.for_meter(ref)   # INVALID_ARGUMENT for a carrier this terminal has none of
    if ref.carrier == "sts":
        ref = replace(ref, sts=new_carrier.check_settings(ref.sts or {}))  # type: ignore[attr-defined]
        new_carrier = ctx.carriers.for_meter(ref)
    limits = new_carrier.limits()
    credit = limits.exact_floor(remaining) if limits.exact_floor else remaining
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        old = amendable(uow, meter_no)
        reason = coded_reason(uow, reason)
        cur = ledger_currency(uow)
        if uow.meters.by_number(number) is not None:
            raise MeterExists(f"meter {number} is already registered", meter=number)
        value = value_of(uow, old, remaining)
        credit_value = value_of(uow, old, credit)
        kept = value - credit_value   # the hundredths a token cannot carry, as money
        new_id_ = uow.meters.register(new_id(), number, old.customer_id, ref.carrier, at, ref.sts,
                                      uow.meters.shares(old.id))
        uow.amendments.copy_meter_file(old.id, new_id_)
        reading = _final_reading(uow, old, at, total, remaining, "replace_meter")
        uow.amendments.set_status(old.id, "replaced", new_id_)
        card = _blacklist_cards(ctx, session, uow, old, f"meter {old.number} replaced by {number}")
        tokens = _first_tokens(ctx, uow, session, ref, new_id_, credit, delivered_sts, at)
        cid = old.customer_id
        after = {"new_meter": number, "final_reading_kwh": total, "remaining_kwh": remaining,
                 "credit_kwh": credit, "credit_value": credit_value, "carry_over": kept, "reading_id": reading,
                 "card_blacklisted": card}
        view = file_amendment(ctx, session, uow, old, cur, Filed(
            "replace_meter", reason=reason,
            fee=parameter_fee(uow, "fee.replace_meter"), payment=payment, new_meter_id=new_id_,
            lines=(Line(CREDIT_REFUNDED, debit=kept), Line("CARRY_OVER", credit=kept, customer_id=cid)),
            before={"status": old.status}, after=after,
            wire={"new_meter": number, "final_reading_kwh": total, "remaining_kwh": remaining,
                  "credit_transferred_kwh": credit, "credit_value": credit_value, "carry_over": kept or None,
                  "old_card": card, "tokens": tuple(tokens) or None}))
    view |= {"new_meter": number, "carrier": ref.carrier, "final_reading_kwh": format_kwh(total),
             "remaining_kwh": format_kwh(remaining), "credit_transferred_kwh": format_kwh(credit),
             "credit_value": format_money(credit_value, cur), "carry_over": format_money(kept, cur),
             "card_blacklisted": card}
    if ref.carrier == "sts":
        return view | {"tokens": tokens}
    return view | {"card": _card_for(ctx, session, number, view["amendment_id"], credit, at)}


def _first_tokens(ctx: Context, uow: UnitOfWork, session: Session, ref: MeterRef, meter_id: int, credit: int,
                  delivered: dict[str, Any] | None, at: str) -> list[str]:
    """An STS meter's first tokens (pure computation, allowed in the unit of work): the key
    change tokens from the key it comes with, then the credit token of the transfer."""
    if ref.carrier != "sts":
        return []
    out: list[str] = []
    carrier: Any = ctx.carriers.for_meter(ref)
    if delivered:
        as_delivered: Any = ctx.carriers.for_meter(replace(ref, sts={**(ref.sts or {}), **delivered}))
        for t in as_delivered.key_change_tokens(ref.sts):
            uow.sts_tokens.record(meter_id, None, "key_change", t.token_class, t.subclass, None, None, t.digits, at,
                                  session.operator_id)
            out.append(t.digits)
    if credit:
        purchase = Purchase(sale_uuid="", receipt_no="", meter=ref, sequence=1, credit_kwh=credit,
                            issued_at=datetime.fromisoformat(at), facts=LedgerFacts(last_sts_tid=None))
        token = carrier.reserve(purchase).token
        uow.sts_tokens.record(meter_id, None, "credit", token.token_class, token.subclass, token.tid, token.value,
                              token.digits, at, session.operator_id)
        out.append(token.digits)
    return out


def _transfer_purchase(r: Repositories, ctx: Context, number: str, amendment_id: str, credit: int,
                       at: str) -> Purchase:
    """The credit transfer as the new meter's purchase 1 (for its card)."""
    try:
        tariff_index = meter_state(r, ctx.now(), number).tariff_index
    except PpmsError:
        tariff_index = 0
    meter = r.meters.by_number(number)
    assert meter is not None
    return Purchase(sale_uuid=amendment_id, receipt_no=f"transfer {amendment_id[:8]}", meter=meter_ref(meter),
                    sequence=1, credit_kwh=credit, issued_at=datetime.fromisoformat(at), tariff_index=tariff_index,
                    ref=CardRef(seq=1, ti=tariff_index, utc=None, card=None),
                    facts=LedgerFacts(blacklisted_cards=frozenset(r.cards.blacklisted_serials())))


def _card_for(ctx: Context, session: Session, number: str, amendment_id: str, credit: int,
              at: str) -> dict[str, Any]:
    """The new meter's user card, made in the reader and carrying the transfer. A device fault
    here leaves the amendment in force: `ppms amend reissue-card` then makes the card and
    carries the transfer (nothing is lost)."""
    if "card_station" not in ctx.extras:
        return {"written": False, "advice": f"make the card: ppms amend reissue-card --meter {number}"}
    try:
        made = cards.make(ctx, session, "user", number)
        with ctx.ledger.read() as r:
            purchase = _transfer_purchase(r, ctx, number, amendment_id, credit, at)
        written = _deliver(ctx, session, purchase) if credit else None
    except PpmsError as exc:
        return {"written": False, "error": exc.code, "message": exc.message,
                "advice": f"put a blank card in and run: ppms amend reissue-card --meter {number}"}
    return {"written": True, "card_serial": made["card_serial"], "carried_sequence": written}


def _deliver(ctx: Context, session: Session, purchase: Purchase, sale: bool = False) -> int:
    """Write the purchase onto the new card; a sale's purchase written again is that sale's
    rewrite (error-tolerance selling: a later `sale rewrite` of it needs a supervisor)."""
    carrier = ctx.carriers.for_meter(purchase.meter)
    delivery = carrier.deliver(purchase)
    at = ctx.now_iso()
    card = delivery.detail.get("card")
    serial = None if card is None else str(card)
    after = {"sequence": purchase.sequence, "credit_kwh": purchase.credit_kwh, "card_serial": serial}
    with ctx.ledger.unit_of_work() as uow:
        if sale:
            uow.record(Fact("sale.rewritten", f"sale:{purchase.sale_uuid}", session.username, at,
                            after={"receipt_no": purchase.receipt_no, "by": "reissue_card", **after},
                            outbox=Outgoing("sale_rewrite", purchase.sale_uuid, SaleRewriteRecord(
                                purchase.sale_uuid, purchase.receipt_no, purchase.meter.number, purchase.sequence,
                                purchase.credit_kwh, at, serial))))
        else:
            uow.record(Fact("amendment.transfer_carried", f"meter:{purchase.meter.number}", session.username, at,
                            after={"amendment_id": purchase.sale_uuid, **after}))
    return purchase.sequence


def reissue_card(ctx: Context, session: Session, meter_no: str, reason: str, payment: str = "cash") -> dict[str, Any]:
    """Blacklist the meter's card, make a new one in the reader, and carry the meter's last
    purchase onto it when no reading shows the meter took it (the meter takes a sequence once,
    so it can never credit twice). Fee `fee.reissue_card`."""
    session.require(Permission.AMEND_REISSUE_CARD)
    check_payment(payment)
    if not reason.strip():
        raise InvalidArgument("a reissue needs a reason (lost, damaged, ...)", key="reason")
    cards.station(ctx)   # DEVICE_NOT_CONFIGURED before anything is written
    with ctx.ledger.unit_of_work() as uow:
        meter = amendable(uow, meter_no)
        if meter.carrier != "card":
            raise InvalidArgument(f"meter {meter.number} is an STS keypad meter: it has no card", key="meter")
        reason = coded_reason(uow, reason) or ""
        cur = ledger_currency(uow)
        old = _blacklist_cards(ctx, session, uow, meter, f"reissued: {reason}")
        last = _last_purchase(ctx, uow, meter)
        taken = uow.amendments.last_reported_sequence(meter.id)
        carry = last is not None and (taken is None or taken < last.sequence)
        view = file_amendment(ctx, session, uow, meter, cur, Filed(
            "reissue_card", reason=reason, fee=parameter_fee(uow, "fee.reissue_card"), payment=payment,
            before={"card": old}, after={"carries_sequence": last.sequence if carry and last else None},
            wire={"old_card": old}))
    made = cards.make(ctx, session, "user", meter.number)
    carried = None
    if carry and last is not None:
        carried = _deliver(ctx, session, last, sale=not last.receipt_no.startswith("transfer"))
    return view | {"old_card": old, "new_card": made["card_serial"], "carried_sequence": carried,
                   "carried_kwh": None if carried is None or last is None else format_kwh(last.credit_kwh)}


def _last_purchase(ctx: Context, r: Repositories, meter: MeterRow) -> Purchase | None:
    """The meter's last credit record as a purchase for any of its (not blacklisted) cards."""
    sale_id = r.sales.latest_counted_id(meter.id)
    if sale_id is not None:
        rec, _ = r.sales.load(sale_id)
        _, purchase = purchase_of(ctx, r, rec)
        if isinstance(purchase.ref, CardRef):
            purchase = replace(purchase, ref=replace(purchase.ref, card=None))
        return purchase
    transfer = r.amendments.transfer_into(meter.id)
    if transfer is None:
        return None
    row = next(a for a in r.amendments.listed(meter.id) if a.kind == "replace_meter" and a.new_meter == meter.number)
    return _transfer_purchase(r, ctx, meter.number, row.uuid, transfer.credit_kwh, transfer.at)

