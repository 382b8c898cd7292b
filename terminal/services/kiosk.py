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

Every note is in the ledger before the next poll (`note_intake`: `stacking` before a note
is routed to the cash box, `credited` when it is there), and the intake is settled once:
in the sale's PENDING commit, in the hold, or as "nothing taken". After a crash, an intake
without a settlement is recovered (at the next `sell-cash` and in `ppms sale recover`): a
note routed but not yet seen credited is read back from the validator's event buffer, and
the money of the credited notes is held as the customer's carry-over, never sold for them
(the card may not be in the reader, and the customer chose no amount for a partial
intake). One process at a time works the acceptor's intakes (`ctx.ledger.cash_intake_owner()`).

The screens (`terminal/ui`) ask here what they show: the customer behind the card in the
reader (`card_customer`, `customer`), the menu an operator's permissions allow (`menu`) and
the field agent's sync state (`agent_status`).
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
from terminal.services import cards, selling
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    CardRefused,
    CashAcceptorNotConfigured,
    CashIntakeBusy,
    InvalidArgument,
)
from terminal.services.meter_state import find_meter, ledger_currency
from terminal.services.ports import CashAcceptor, CashIntake, NoteEvent
from terminal.services.views import sale_view


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
              intake_id: str, cur: Currency, intake_row: int) -> dict[str, Any]:
    """Money taken that no sale could use: the customer's carry-over, spent first next time;
    the intake is settled in the same unit of work."""
    with ctx.ledger.unit_of_work() as uow:
        meter = find_meter(uow, meter_no)
        held = selling.hold_money(ctx, session, uow, meter.customer_id, PAYMENT_ACCOUNTS["acceptor"], amount,
                                  f"cash held for meter {meter.number}: {reason.code}",
                                  {"meter": meter.number, "intake_id": intake_id, "code": reason.code})
        uow.cash_intakes.settle(intake_row, "held", amount, ctx.now_iso(), detail=reason.code)
    return held | {"amount": format_money(amount, cur), "carry_over": format_money(held["carry_over"], cur),
                   "carry_over_before": format_money(held["carry_over_before"], cur), "reason": reason.code}


def note_recorder(ctx: Context, intake_row: int) -> Callable[[NoteEvent], None]:
    """Commits each note of the intake as the acceptor reports it (before its next poll)."""
    def record(note: NoteEvent) -> None:
        with ctx.ledger.unit_of_work() as uow:
            uow.cash_intakes.record_note(intake_row, note.number, note.counter, note.stage, note.bill_type,
                                         note.value, ctx.now_iso())
    return record


def recover_cash(ctx: Context, session: Session, acceptor: CashAcceptor | None = None) -> list[dict[str, Any]]:
    """Settle the intakes a crash left open: read back a note that was being stacked, then hold
    the credited money as the customer's carry-over. Skipped while another process's intake
    is live; left open (action "supervisor") when the validator cannot say."""
    session.require(Permission.SELLING)
    with ctx.ledger.cash_intake_owner() as mine:
        if not mine:
            return [{"action": "busy", "message": "a note intake is running on this terminal"}]
        return _recover_open(ctx, session, acceptor if acceptor is not None else ctx.cash_acceptor)


def _recover_open(ctx: Context, session: Session, device: CashAcceptor | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
        open_intakes = r.cash_intakes.open_intakes()
    for open_intake in open_intakes:
        entry: dict[str, Any] = {"intake_id": open_intake.uuid}
        stacking = open_intake.last_stage == "stacking"   # its credit may be in the validator only
        if stacking and device is None:
            out.append(entry | {"action": "supervisor", "code": "CASH_ACCEPTOR_NOT_CONFIGURED"})
            continue
        if device is not None:
            try:
                notes = device.credits_after(open_intake.last_number or 0, open_intake.last_counter)
            except PpmsError as exc:
                if stacking:
                    out.append(entry | {"action": "supervisor", "code": exc.code, "message": exc.message})
                    continue
                notes = []   # every note stacked is recorded credited: the validator adds nothing
            record = note_recorder(ctx, open_intake.id)
            for note in notes:
                record(note)
        at = ctx.now_iso()
        with ctx.ledger.unit_of_work() as uow:
            amount = uow.cash_intakes.credited(open_intake.id)
            if amount == 0:
                uow.cash_intakes.settle(open_intake.id, "nothing", 0, at, detail="recovered")
                out.append(entry | {"action": "nothing_taken"})
                continue
            meter = uow.meters.by_id(open_intake.meter_id)
            held = selling.hold_money(ctx, session, uow, open_intake.customer_id, PAYMENT_ACCOUNTS["acceptor"],
                                      amount, f"cash held for meter {meter.number}: intake interrupted",
                                      {"meter": meter.number, "intake_id": open_intake.uuid,
                                       "code": "CASH_INTAKE_INTERRUPTED"})
            uow.cash_intakes.settle(open_intake.id, "held", amount, at, detail="recovered")
        out.append(entry | {"action": "held", "meter": meter.number, "amount": format_money(amount, cur),
                            "carry_over": format_money(held["carry_over"], cur)})
    return out


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
    with ctx.ledger.cash_intake_owner() as mine:
        if not mine:
            raise CashIntakeBusy("another process is taking notes on this terminal: wait for it to finish")
        _recover_open(ctx, session, device)
        return _sell_cash(ctx, session, device, meter_no, amount, idle_timeout_s, cancel, on_event)


def _settled(ctx: Context, intake_row: int) -> bool:
    with ctx.ledger.read() as r:
        return r.cash_intakes.is_settled(intake_row)


def _sell_cash(ctx: Context, session: Session, device: CashAcceptor, meter_no: str, amount: str,
               idle_timeout_s: float | None, cancel: Event | None,
               on_event: Callable[[str], None] | None) -> dict[str, Any]:
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
    intake_id = new_id()
    with ctx.ledger.unit_of_work() as uow:
        intake_row = uow.cash_intakes.start(intake_id, row.id, row.customer_id, session.operator_id, due,
                                            ctx.now_iso())
    intake = device.accept_up_to(due, idle_timeout_s=idle_timeout_s, cancel=cancel, on_event=on_event,
                                 on_note=note_recorder(ctx, intake_row))
    with ctx.ledger.read() as r:
        credited = r.cash_intakes.credited(intake_row)
    if intake.counted != sum(intake.notes) or intake.counted != credited:
        raise AssertionError("the acceptor's total is not the sum of its notes")
    _record_intake(ctx, session, meter, intake, intake_id)
    out: dict[str, Any] = {"meter": meter, "intake_id": intake_id, "cash": cash_view(intake, cur),
                           "sale": None, "cash_held": None, "refusal": None}
    if intake.counted == 0:
        with ctx.ledger.unit_of_work() as uow:
            uow.cash_intakes.settle(intake_row, "nothing", 0, ctx.now_iso())
        return out | {"status": "no_sale"}
    try:
        sale = selling.sell(ctx, session, meter, format_money(intake.counted, cur), "acceptor",
                            cash_intake=intake_row)
    except PpmsError as exc:
        refusal = {"code": exc.code, "message": exc.message}
        if exc.details.get("voided_sale_id"):  # the void already made the notes the customer's carry-over
            with ctx.ledger.read() as r:
                carry = r.customers.balances(row.customer_id)[0]
            held = {"sale_id": exc.details["voided_sale_id"], "amount": format_money(intake.counted, cur),
                    "carry_over": format_money(carry, cur), "reason": exc.code}
            return out | {"status": "cash_held", "refusal": refusal, "cash_held": held}
        if _settled(ctx, intake_row):   # a sale of ours holds the money (PENDING): recovery decides it
            return out | {"status": "pending", "refusal": refusal,
                          "sale": {"sale_id": exc.details.get("sale_id"),
                                   "receipt_no": exc.details.get("receipt_no")}}
        held = hold_cash(ctx, session, meter, intake.counted, exc, intake_id, cur, intake_row)
        return out | {"status": "cash_held", "refusal": refusal, "cash_held": held}
    return out | {"status": "completed", "sale": sale}


# -- what the screens show -----------------------------------------------------------------

#: the home screen's functions, in order: (menu entry, the permission it needs)
MENU: tuple[tuple[str, Permission], ...] = (
    ("sell", Permission.SELLING), ("register", Permission.REGISTRATION), ("search", Permission.SEARCH),
    ("statement", Permission.ACCOUNTS), ("reading", Permission.METER_READING), ("shift", Permission.SHIFTS),
    ("daily", Permission.REPORTS))

#: the ledger parameters sync keeps for a field agent (absent until sync has brought them)
SYNC_LAST_OK = "sync.last_ok_at"
SYNC_OFFLINE_LIMITS = "sync.offline_limits"


def menu(session: Session) -> list[str]:
    """The home screen's entries this operator may use (only functions that exist)."""
    return [name for name, needed in MENU if needed.value in session.permissions]


def customer(ctx: Context, session: Session, meter_no: str) -> dict[str, Any]:
    """Whose meter it is, with arrears, carry-over and the last purchase (money as text)."""
    session.require(Permission.SELLING)
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
        meter = find_meter(r, meter_no)
        carry, arrears = r.customers.balances(meter.customer_id)
        last_id = r.sales.latest_counted_id(meter.id)
        last = None if last_id is None else sale_view(r, last_id)
        pending = len(r.sales.pending_ids(meter.id))
    return {"meter": meter.number, "customer": meter.customer_name, "account_no": meter.account_no,
            "carrier": meter.carrier, "arrears": format_money(arrears, cur), "carry_over": format_money(carry, cur),
            "pending": pending,   # sales left PENDING (a card pulled mid-write): `selling.recover` decides them
            "last_purchase": None if last is None else {k: last[k] for k in (
                "receipt_no", "sold_at", "tendered", "credit_kwh")}}


def card_customer(ctx: Context, session: Session) -> dict[str, Any]:
    """Read the card in the reader at once: its meter's customer, and the credit the meter
    last reported on the card (`card_credit_kwh`, None when the card carries no reading).
    DEVICE_ABSENT when there is no card, CARD_REFUSED for a card that is not a user card."""
    session.require(Permission.SELLING)
    info = cards.card_view(cards.station(ctx).read())
    if info["blank"] or info["type"] != "user" or not info["meter"]:
        raise CardRefused.for_code("CARD_NOT_USER")("This is not a customer's card: insert the customer's card.")
    returned = info["return"]
    return customer(ctx, session, info["meter"]) | {
        "card_serial": info["card_serial"], "card_credit_kwh": None if returned is None else returned["remaining_kwh"]}


def agent_status(ctx: Context) -> dict[str, Any]:
    """The field agent's bar: the last sync the center took and the offline limits it set,
    None ("unknown" on screen) until sync has brought them."""
    with ctx.ledger.read() as r:
        last_ok = r.meta.get(SYNC_LAST_OK)
        limits = r.meta.get(SYNC_OFFLINE_LIMITS)
    return {"last_sync": last_ok, "offline_limits": limits}
