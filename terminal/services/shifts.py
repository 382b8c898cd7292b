"""Cashier shifts: `ppms shift open --float X`, `ppms shift close --counted X`,
`ppms shift signoff ID`, `ppms shift show [ID]`, `ppms shift list`.

A shift is the operator's: one open shift per operator (SHIFT_ALREADY_OPEN). What the
drawer should hold at the close comes from the ledger's postings, not from a count kept
beside them: the shift remembers the last posting id when it opens and when it closes,
and the cash it took is what the operator's postings in between moved on the CASH
account (cash sales and cash fees in, cash reversals and refunds out):

    expected   = float + cash_in
    difference = counted - expected          (negative: the drawer is short)

The close is stored append-only with those figures; a supervisor (SHIFT_SIGNOFF, never the
shift's own cashier) signs it off once. `ppms check` recomputes each closed shift's cash
from the postings (`findings`). Each step: diary entry and outbox row (`shift`).
"""
from __future__ import annotations

from typing import Any

from sync.setup_records import ShiftRecord
from terminal.domain.money import Currency, currency, format_money, parse_money
from terminal.ledger import Fact, Outgoing, Repositories
from terminal.ledger.ids import new_id
from terminal.ledger.setup_rows import ShiftRow
from terminal.services import parameters
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    InvalidArgument,
    ShiftAlreadyOpen,
    ShiftAlreadySigned,
    ShiftNotClosed,
    ShiftNotFound,
    ShiftNotOpen,
    ShiftSignoffByCashier,
)

MAX_NOTE = 500


def _currency(r: Repositories) -> Currency:
    code = r.meta.get("currency")
    return currency(code) if code else Currency("", 2)


def _record(s: ShiftRow, event: str, cur: Currency) -> ShiftRecord:
    return ShiftRecord(s.uuid, event, s.operator, cur.code or "XXX", s.float, s.opened_at, s.closed_at, s.cash_in,
                       s.expected, s.counted, s.difference, s.signed_at, s.signed_by)


def _view(s: ShiftRow, cur: Currency, max_difference: int) -> dict[str, Any]:
    def money(v: int | None) -> str | None:
        return None if v is None else format_money(v, cur)
    status = "open" if s.closed_at is None else "closed" if s.signed_at is None else "signed_off"
    return {"shift_id": s.id, "shift_uuid": s.uuid, "operator": s.operator, "status": status,
            "opened_at": s.opened_at, "float": money(s.float), "closed_at": s.closed_at,
            "cash_in": money(s.cash_in), "expected": money(s.expected), "counted": money(s.counted),
            "difference": money(s.difference),
            "flagged": s.difference is not None and abs(s.difference) > max_difference,
            "signed_off_at": s.signed_at, "signed_off_by": s.signed_by, "note": s.note}


def _shown(r: Repositories, s: ShiftRow) -> dict[str, Any]:
    limit = parameters.param_in(r, "shift.max_difference")
    assert isinstance(limit, int)
    return _view(s, _currency(r), limit)


def _amount(text: str, cur: Currency, key: str) -> int:
    value = parse_money(text, cur)   # AMOUNT_INVALID for anything that is not money
    if value < 0:
        raise InvalidArgument(f"{key} cannot be negative", key=key)
    return value


def open_shift(ctx: Context, session: Session, float_text: str) -> dict[str, Any]:
    session.require(Permission.SHIFTS)
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        cur = _currency(uow)
        float_ = _amount(float_text, cur, "float")
        current = uow.shifts.open_of(session.operator_id)
        if current is not None:
            raise ShiftAlreadyOpen(f"operator {session.username} already has shift {current.id} open since "
                                   f"{current.opened_at}: close it first", shift_id=current.id)
        sid = uow.shifts.open(new_id(), session.operator_id, at, float_, uow.shifts.posting_mark())
        row = uow.shifts.get(sid)
        assert row is not None
        uow.record(Fact("shift.open", f"shift:{row.uuid}", session.username, at,
                        after={"float": float_}, outbox=Outgoing("shift", row.uuid, _record(row, "open", cur))))
        return _shown(uow, row)


def close_shift(ctx: Context, session: Session, counted_text: str) -> dict[str, Any]:
    session.require(Permission.SHIFTS)
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        cur = _currency(uow)
        counted = _amount(counted_text, cur, "counted")
        current = uow.shifts.open_of(session.operator_id)
        if current is None:
            raise ShiftNotOpen(f"operator {session.username} has no open shift")
        mark = uow.shifts.posting_mark()
        cash_in = uow.shifts.cash_in(session.operator_id, current.posting_mark, mark)
        expected = current.float + cash_in
        uow.shifts.close(current.id, at, mark, cash_in, expected, counted)
        row = uow.shifts.get(current.id)
        assert row is not None
        uow.record(Fact("shift.close", f"shift:{row.uuid}", session.username, at,
                        after={"cash_in": cash_in, "expected": expected, "counted": counted,
                               "difference": counted - expected},
                        outbox=Outgoing("shift", row.uuid, _record(row, "close", cur))))
        return _shown(uow, row)


def _find(r: Repositories, shift: str) -> ShiftRow:
    row = r.shifts.get(int(shift)) if shift.isascii() and shift.isdigit() else r.shifts.get(shift)
    if row is None:
        raise ShiftNotFound(f"no shift {shift!r}", shift=shift)
    return row


def sign_off(ctx: Context, session: Session, shift: str, note: str = "") -> dict[str, Any]:
    session.require(Permission.SHIFT_SIGNOFF)
    if len(note) > MAX_NOTE or not note.isprintable():
        raise InvalidArgument(f"a note is at most {MAX_NOTE} printable characters", key="note")
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        row = _find(uow, shift)
        if row.closed_at is None:
            raise ShiftNotClosed(f"shift {row.id} is still open: the cashier closes it first", shift_id=row.id)
        if row.signed_at is not None:
            raise ShiftAlreadySigned(f"shift {row.id} was signed off by {row.signed_by} at {row.signed_at}",
                                     shift_id=row.id)
        if row.operator_id == session.operator_id:
            raise ShiftSignoffByCashier(f"shift {row.id} is {session.username}'s own: another supervisor "
                                        "signs it off", shift_id=row.id)
        uow.shifts.sign(row.id, at, session.operator_id, note)
        signed = uow.shifts.get(row.id)
        assert signed is not None
        uow.record(Fact("shift.signoff", f"shift:{row.uuid}", session.username, at,
                        after={"difference": row.difference, "note": note},
                        outbox=Outgoing("shift", row.uuid, _record(signed, "signoff", _currency(uow)))))
        return _shown(uow, signed)


def show(ctx: Context, session: Session, shift: str | None = None) -> dict[str, Any]:
    """One shift (by id or uuid), or the operator's open shift."""
    session.require(Permission.SHIFTS)
    with ctx.ledger.read() as r:
        if shift is not None:
            return _shown(r, _find(r, shift))
        current = r.shifts.open_of(session.operator_id)
        if current is None:
            raise ShiftNotOpen(f"operator {session.username} has no open shift")
        return _shown(r, current)


def listed(ctx: Context, session: Session, limit: int = 100) -> dict[str, Any]:
    session.require(Permission.SHIFTS)
    if not 1 <= limit <= 10_000:
        raise InvalidArgument("--limit is 1-10000", key="limit")
    with ctx.ledger.read() as r:
        return {"shifts": [_shown(r, s) for s in r.shifts.listed(limit=limit)]}


def findings(r: Repositories) -> list[dict[str, Any]]:
    """`ppms check`: every closed shift's cash is what the operator's postings moved, its
    expected = float + cash, its difference = counted - expected; no operator has two
    open shifts; no shift is signed off by its own cashier."""
    out: list[dict[str, Any]] = []
    for s in r.shifts.closed():
        assert s.close_mark is not None and s.expected is not None and s.counted is not None
        cash = r.shifts.cash_in(s.operator_id, s.posting_mark, s.close_mark)
        if cash != s.cash_in or s.expected != s.float + cash or s.difference != s.counted - s.expected:
            out.append({"code": "SHIFT_CASH_MISMATCH", "shift": s.id,
                        "message": f"shift {s.id}: recorded cash {s.cash_in}, expected {s.expected}, difference "
                                   f"{s.difference}; the postings give cash {cash}, expected {s.float + cash}, "
                                   f"difference {s.counted - s.float - cash}"})
        if s.signed_by is not None and s.signed_by == s.operator:
            out.append({"code": "SHIFT_SELF_SIGNED", "shift": s.id,
                        "message": f"shift {s.id} was signed off by its own cashier {s.operator}"})
    open_by: dict[int, int] = {}
    for s in r.shifts.listed(limit=1_000_000):
        if s.closed_at is None:
            open_by[s.operator_id] = open_by.get(s.operator_id, 0) + 1
    for operator_id, n in open_by.items():
        if n > 1:
            out.append({"code": "SHIFT_OPEN_TWICE", "operator_id": operator_id,
                        "message": f"operator {operator_id} has {n} open shifts"})
    return out
