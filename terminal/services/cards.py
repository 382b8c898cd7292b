"""Card maintenance (the seed's Card Making and Card Maintenance) and error-tolerance selling.

- make: personalise the blank card in the reader (user card for a registered card meter,
  or a service card: check, setting, clear, test, reading). `card_maintenance`.
  A meter has at most one issued user card: a lost or broken one is blacklisted first.
- read: show and verify everything on the card; the meter's return data on it is
  recorded as a reading (once). `meter_reading`.
- format: back to blank with the factory PSC. `card_supervision` (supervisor, admin),
  refused while the card holds a purchase its meter has not taken.
- blacklist / unblacklist: selling refuses a blacklisted card (CARD_BLACKLISTED).
  `card_maintenance` to blacklist, `card_supervision` to lift it.
- rewrite (error-tolerance selling): the same purchase (same sequence and energy) written
  again onto the meter's card when the card lost it or was replaced. No money moves;
  the meter accepts each sequence once, so it can never credit twice.
  `error_tolerance_selling`. Once per sale (a purchase is lost once): writing it again
  needs `--supervisor-override REASON` from an operator with `card_supervision`, and the
  override and its reason are in the diary (SALE_ALREADY_REWRITTEN otherwise).

Every change is one unit of work recording its fact (diary entry and outbox row); no
unit of work is held across a card operation. The card secret never reaches this layer.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from sync.device_records import CardOrder, CardRecord
from sync.records import SaleRewriteRecord
from terminal.domain.errors import PpmsError
from terminal.domain.money import format_kwh, parse_kwh
from terminal.domain.sale import COUNTED
from terminal.ledger import Fact, Outgoing
from terminal.services import card_readings
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    CardAlreadyIssued,
    CardBlacklisted,
    CardNotFound,
    CardPurchasePending,
    InvalidArgument,
    NoCardStation,
    OutcomeUncertain,
    SaleAlreadyRewritten,
    SaleInProgress,
    SaleNotReversible,
)
from terminal.services.meter_state import check_sellable, find_meter
from terminal.services.ports import CardInfo, CardRef, CardStation
from terminal.services.selling import find_sale, purchase_of

CARD_TYPES = ("user", "check", "setting", "clear", "test", "reading")
SERIAL = re.compile(r"[0-9a-f]{16}")


def station(ctx: Context) -> CardStation:
    st = ctx.extras.get("card_station")
    if st is None:
        raise NoCardStation("no card reader is configured: set [card_reader] in the terminal config")
    return st  # type: ignore[return-value]


def _serial(text: str) -> str:
    serial = text.strip().lower().replace(" ", "").replace(":", "")
    if not SERIAL.fullmatch(serial):
        raise InvalidArgument(f"a card serial is 16 hex digits, not {text!r}", key="card")
    return serial


def card_view(info: CardInfo) -> dict[str, Any]:
    """cli.md's `card read`: type, meter, purchase record, return data, verified."""
    p, r = info.purchase, info.returned
    return {
        "blank": info.blank, "card_serial": info.card_serial, "type": info.card_type, "meter": info.meter,
        "purchase": None if p is None else {"sequence": p["sequence"], "kwh": format_kwh(p["kwh"]),
                                            "time": p["time"], "tariff_index": p["tariff_index"]},
        "return": None if r is None else {
            "meter": r["meter"], "last_sequence": r["last_sequence"], "remaining_kwh": format_kwh(r["remaining"]),
            "cumulative_kwh": format_kwh(r["cumulative"]), "flags": r["flag_names"], "time": r["time"]},
        "pending": info.pending, "attempts_left": info.attempts_left, "verified": True,
        **({"body": info.view["body"]} if info.card_type in ("setting", "clear") and info.view.get("body") else {}),
    }


def _ledger_view(ctx: Context, serial: str | None) -> dict[str, Any] | None:
    if not serial:
        return None
    with ctx.ledger.read() as r:
        row = r.cards.by_serial(serial)
    if row is None:
        return None
    return {"status": row.status, "meter": row.meter, "type": row.card_type, "made_at": row.made_at}


CLEARABLE = ("tamper", "credit", "events")


def _order(ctx: Context, card_type: str, max_power_w: int | None, alarm_kwh: str | None,
           clear: list[str] | None) -> dict[str, Any] | None:
    """What a setting card (maximum power, alarm level) or a clear card (what to clear) orders
    the meter to do; numbered from one per-terminal sequence, so a meter takes each once."""
    if card_type == "setting":
        if max_power_w is None or max_power_w <= 0 or alarm_kwh is None:
            raise InvalidArgument("a setting card needs --max-power-w (watts, above 0) and --alarm-kwh",
                                  key="max_power_w")
        order: dict[str, Any] = {"max_power_w": max_power_w, "alarm_level": parse_kwh(alarm_kwh)}
    elif card_type == "clear":
        if not clear or any(c not in CLEARABLE for c in clear):
            raise InvalidArgument(f"a clear card needs --clear with some of {', '.join(CLEARABLE)}", key="clear")
        order = {"clear": sorted(set(clear))}
    else:
        if max_power_w is not None or alarm_kwh is not None or clear:
            raise InvalidArgument("--max-power-w, --alarm-kwh and --clear belong to setting and clear cards",
                                  key="type")
        return None
    with ctx.ledger.read() as r:
        sequence = r.counters.current_value("service_card") + 1
    return order | {"sequence": sequence, "time": ctx.now()}


def make(ctx: Context, session: Session, card_type: str, meter_no: str | None = None, *,
         max_power_w: int | None = None, alarm_kwh: str | None = None,
         clear: list[str] | None = None) -> dict[str, Any]:
    session.require(Permission.CARD_MAINTENANCE)
    if card_type not in CARD_TYPES:
        raise InvalidArgument(f"card type must be one of {', '.join(CARD_TYPES)}", key="type")
    order = _order(ctx, card_type, max_power_w, alarm_kwh, clear)
    meter_id: int | None = None
    number = (meter_no or "").strip()
    if card_type == "user" and not number:
        raise InvalidArgument("a user card needs --meter", key="meter")
    if number:
        with ctx.ledger.read() as r:
            meter = find_meter(r, number)
            issued = r.cards.issued_user_card(meter.id)
        meter_id, number = meter.id, meter.number
        if card_type == "user":
            check_sellable(meter)
            if meter.carrier != "card":
                raise InvalidArgument(f"meter {number} is an STS keypad meter: it takes tokens, not cards",
                                      key="meter")
            if issued is not None:
                raise CardAlreadyIssued(f"meter {number} already has user card {issued.serial}: blacklist it "
                                        "(lost or broken) before making another", card=issued.serial)
    info = station(ctx).make(card_type, number, order)
    assert info.card_serial is not None
    at = ctx.now_iso()
    view = card_view(info)
    with ctx.ledger.unit_of_work() as uow:
        if order is not None and uow.counters.next_value("service_card") != order["sequence"]:
            raise InvalidArgument("another setting or clear card was made meanwhile: make this one again",
                                  key="type")
        card_id = uow.cards.put(info.card_serial, "issued", at, meter_id=meter_id, card_type=card_type,
                                made_by=session.operator_id, made=True)
        uow.cards.event(card_id, "made", at, session.operator_id)
        payload: dict[str, Any] = {"card_serial": info.card_serial, "type": card_type, "meter": number or None,
                                   "made_at": at}
        if order is not None:
            payload["order"] = {k: v for k, v in order.items() if k != "time"}
        ordered = None if order is None else CardOrder(
            order["sequence"], order.get("max_power_w"), order.get("alarm_level"),
            tuple(order["clear"]) if "clear" in order else None)
        uow.record(Fact("card.made", f"card:{info.card_serial}", session.username, at, after=payload,
                        outbox=Outgoing("card", info.card_serial, CardRecord(
                            "made", "issued", info.card_serial, card_type, number or None, at, ordered))))
    return view | {"ledger": _ledger_view(ctx, info.card_serial)}


def read(ctx: Context, session: Session) -> dict[str, Any]:
    """A blacklisted card is refused (CARD_BLACKLISTED) and its return data not recorded."""
    session.require(Permission.METER_READING)
    info = station(ctx).read()
    if info.card_serial is not None:
        with ctx.ledger.read() as r:
            row = r.cards.by_serial(info.card_serial)
        if row is not None and row.status == "blacklisted":
            raise CardBlacklisted(f"card {info.card_serial} is blacklisted: keep it and call a supervisor",
                                  card=info.card_serial)
    view = card_view(info)
    recorded = None
    if info.returned is not None:
        with ctx.ledger.unit_of_work() as uow:
            recorded = card_readings.record(ctx, session, uow, info.returned, info.card_serial)
    return view | {"ledger": _ledger_view(ctx, info.card_serial), "reading_recorded": recorded is not None,
                   "reading": recorded}


def format_card(ctx: Context, session: Session) -> dict[str, Any]:
    session.require(Permission.CARD_SUPERVISION)
    st = station(ctx)
    try:
        before: CardInfo | None = st.read()
    except PpmsError as exc:
        if exc.code not in ("CARD_MALFORMED", "CARD_MAC_INVALID"):
            raise
        before = None   # unreadable or damaged content: formatting is what it needs
    if before is not None and before.pending:
        seq = before.purchase["sequence"] if before.purchase else "?"
        raise CardPurchasePending(f"card {before.card_serial} holds purchase {seq} its meter has not taken: "
                                  "put it in the meter first, or reverse the sale", card=before.card_serial)
    info = st.format()
    serial = info.card_serial
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        row = uow.cards.by_serial(serial) if serial else None
        if row is not None:
            uow.cards.put(row.serial, "formatted", at)
            uow.cards.event(row.id, "formatted", at, session.operator_id)
        payload = {"card_serial": serial, "status": "formatted", "was": row.status if row else None}
        uow.record(Fact("card.formatted", f"card:{serial or 'unknown'}", session.username, at,
                        before=None if before is None else {"type": before.card_type, "meter": before.meter},
                        after=payload, outbox=Outgoing("card", serial or "unknown", CardRecord(
                            "formatted", "formatted", serial, was=payload["was"]))))
    return {"formatted": True, "card_serial": serial, "blank": True, "attempts_left": info.attempts_left}


def _set_blacklist(ctx: Context, session: Session, card: str, reason: str, on: bool) -> dict[str, Any]:
    serial = _serial(card)
    if not reason.strip():
        raise InvalidArgument("give a reason", key="reason")
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        row = uow.cards.by_serial(serial)
        if not on and (row is None or row.status != "blacklisted"):
            raise CardNotFound(f"card {serial} is not blacklisted", card=serial)
        before = row.status if row else None
        status = "blacklisted" if on else "issued"
        card_id = uow.cards.put(serial, status, at)
        uow.cards.event(card_id, "blacklisted" if on else "unblacklisted", at, session.operator_id, reason)
        payload = {"card_serial": serial, "status": status, "reason": reason,
                   "meter": row.meter if row else None}
        uow.record(Fact("card.blacklisted" if on else "card.unblacklisted", f"card:{serial}", session.username, at,
                        before={"status": before}, after=payload, outbox=Outgoing("card", serial, CardRecord(
                            "blacklisted" if on else "unblacklisted", status, serial, meter=payload["meter"],
                            reason=reason))))
    return payload


def blacklist(ctx: Context, session: Session, card: str, reason: str) -> dict[str, Any]:
    session.require(Permission.CARD_MAINTENANCE)
    return _set_blacklist(ctx, session, card, reason, True)


def unblacklist(ctx: Context, session: Session, card: str, reason: str) -> dict[str, Any]:
    session.require(Permission.CARD_SUPERVISION)
    return _set_blacklist(ctx, session, card, reason, False)


def show(ctx: Context, session: Session, card: str) -> dict[str, Any]:
    session.require(Permission.SEARCH)
    serial = _serial(card)
    with ctx.ledger.read() as r:
        row = r.cards.by_serial(serial)
        if row is None:
            raise CardNotFound(f"no card {serial} in this ledger", card=serial)
        events = r.cards.events(row.id)
    return {"card_serial": row.serial, "meter": row.meter, "type": row.card_type, "status": row.status,
            "made_at": row.made_at, "events": events}


def rewrite(ctx: Context, session: Session, key: str, supervisor_override: str | None = None) -> dict[str, Any]:
    """Error-tolerance selling: write a standing card sale's purchase again, once (more only
    with a supervisor's override and reason)."""
    session.require(Permission.ERROR_TOLERANCE_SELLING)
    with ctx.ledger.read() as r:
        rec, _ = r.sales.load(find_sale(r, key))
    # the sale's lease for the whole rewrite: two rewrites of one sale at once (two tills, two
    # supervisors) would both pass the once-only check below before either is recorded
    lease = ctx.ledger.take_lease(rec.uuid)
    if lease is None:
        raise SaleInProgress(f"sale {rec.receipt_no} is being written by another till: wait, then try again",
                             sale_id=rec.uuid, receipt_no=rec.receipt_no)
    try:
        return _rewrite(ctx, session, key, supervisor_override)
    finally:
        lease.release()


def _rewrite(ctx: Context, session: Session, key: str, supervisor_override: str | None) -> dict[str, Any]:
    with ctx.ledger.read() as r:
        sale_id = find_sale(r, key)
        rec, _ = r.sales.load(sale_id)
        status = r.sales.status(sale_id)
        if rec.carrier != "card":
            raise InvalidArgument(f"sale {rec.receipt_no} was not sold onto a card", key="ID")
        if status not in COUNTED:
            raise SaleNotReversible(f"sale {rec.receipt_no} is {status}: only a completed sale is written again",
                                    status=status)
        check_sellable(r.meters.by_id(rec.meter_id))   # a replaced or cancelled meter's credit has moved
        done = r.outbox.count("sale_rewrite", rec.uuid)
        carrier, purchase = purchase_of(ctx, r, rec)
    if supervisor_override is not None:
        session.require(Permission.CARD_SUPERVISION)
        if not supervisor_override.strip():
            raise InvalidArgument("a supervisor's override needs a reason", key="supervisor-override")
    elif done:
        raise SaleAlreadyRewritten(f"sale {rec.receipt_no} was written again {done} time(s) already: a "
                                   "supervisor may override with a reason", receipt_no=rec.receipt_no,
                                   rewrites=done)
    # the card it was written to may be lost: any (not blacklisted) user card of the meter will do
    if isinstance(purchase.ref, CardRef):
        purchase = replace(purchase, ref=replace(purchase.ref, card=None))
    try:
        delivery = carrier.deliver(purchase)
    except OutcomeUncertain as exc:   # it may be on the card: say so in the diary
        with ctx.ledger.unit_of_work() as uow:
            uow.record(Fact("sale.rewrite_interrupted", f"sale:{rec.uuid}", session.username, ctx.now_iso(),
                            after={"receipt_no": rec.receipt_no, "sequence": purchase.sequence,
                                   "cause": exc.code}))
        raise
    at = ctx.now_iso()
    card = delivery.detail.get("card")
    serial = None if card is None else str(card)
    view = {"sale_id": rec.uuid, "receipt_no": rec.receipt_no, "meter": purchase.meter.number,
            "sequence": purchase.sequence, "credit_kwh": format_kwh(rec.credit_kwh),
            "card_serial": serial, "rewritten_at": at, "rewrite": done + 1,
            "supervisor_override": supervisor_override}
    with ctx.ledger.unit_of_work() as uow:
        uow.record(Fact("sale.rewritten", f"sale:{rec.uuid}", session.username, at, after=view,
                        outbox=Outgoing("sale_rewrite", rec.uuid, SaleRewriteRecord(
                            rec.uuid, rec.receipt_no, purchase.meter.number, purchase.sequence, rec.credit_kwh, at,
                            serial))))
    return view
