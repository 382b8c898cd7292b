"""Cashier shifts: the expected cash comes from the ledger's postings; the close and the
sign-off are stored once, append-only; `ppms check` recomputes every closed shift."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sync.schema import decode
from terminal.domain.errors import AmountInvalid
from terminal.services import auth, selling, shifts
from terminal.services.errors import (
    PermissionDenied,
    ShiftAlreadyOpen,
    ShiftAlreadySigned,
    ShiftNotClosed,
    ShiftNotFound,
    ShiftNotOpen,
    ShiftSignoffByCashier,
)
from tests.helpers.ppms import dump_tables, sealed

METER = "0123456789"


@pytest.fixture
def till(world):
    world.tariff()
    world.register(METER)
    world.register("0123456790", name="John Roe")
    for name, role in (("cash1", "cashier"), ("cash2", "cashier"), ("sup", "supervisor"), ("aud", "auditor")):
        auth.add_operator(world.ctx, world.admin, name, name, role, "secret1")
    world.cash1 = auth.login(world.ctx, "cash1", "secret1")
    world.cash2 = auth.login(world.ctx, "cash2", "secret1")
    world.sup = auth.login(world.ctx, "sup", "secret1")
    world.aud = auth.login(world.ctx, "aud", "secret1")
    return world


def unchanged(world, action, error):
    before = dump_tables(Path(world.app.db.database))
    with pytest.raises(error):
        action()
    assert dump_tables(Path(world.app.db.database)) == before


def test_expected_is_the_float_plus_the_cashiers_cash_sales_less_cash_reversals(till):
    w = till
    opened = shifts.open_shift(w.ctx, w.cash1, "500.00")
    assert opened["status"] == "open" and opened["float"] == "500.00"
    first = selling.sell(w.ctx, w.cash1, METER, "1000.00", "cash")
    selling.sell(w.ctx, w.cash1, "0123456790", "200.00", "mobile")        # not cash: not in the drawer
    selling.sell(w.ctx, w.cash2, "0123456790", "300.00", "cash")           # another cashier's drawer
    w.at("2026-03-05T11:00:00")
    selling.sell(w.ctx, w.cash1, "0123456790", "400.00", "cash")
    selling.reverse(w.ctx, w.admin, first["sale_id"], "wrong meter")      # a supervisor's reversal: not cash1's
    closed = shifts.close_shift(w.ctx, w.cash1, "1895.50")
    assert (closed["cash_in"], closed["expected"], closed["counted"], closed["difference"]) == (
        "1400.00", "1900.00", "1895.50", "-4.50")
    assert closed["status"] == "closed" and closed["flagged"]
    assert w.verify()["ok"]


def test_a_reversal_by_the_cashier_in_the_shift_leaves_the_drawer(till):
    w = till
    shifts.open_shift(w.ctx, w.admin, "0")
    sale = selling.sell(w.ctx, w.admin, METER, "1000.00", "cash")
    selling.reverse(w.ctx, w.admin, sale["sale_id"], "customer changed mind")
    closed = shifts.close_shift(w.ctx, w.admin, "0.00")
    assert (closed["cash_in"], closed["expected"], closed["difference"]) == ("0.00", "0.00", "0.00")
    assert not closed["flagged"]


def test_sales_before_the_shift_opened_are_not_in_it(till):
    w = till
    selling.sell(w.ctx, w.cash1, METER, "1000.00", "cash")
    shifts.open_shift(w.ctx, w.cash1, "100.00")
    closed = shifts.close_shift(w.ctx, w.cash1, "100.00")
    assert closed["expected"] == "100.00" and closed["difference"] == "0.00"


def test_one_open_shift_per_operator(till):
    w = till
    shifts.open_shift(w.ctx, w.cash1, "100.00")
    shifts.open_shift(w.ctx, w.cash2, "100.00")    # another operator may
    unchanged(w, lambda: shifts.open_shift(w.ctx, w.cash1, "50.00"), ShiftAlreadyOpen)
    shifts.close_shift(w.ctx, w.cash1, "100.00")
    assert shifts.open_shift(w.ctx, w.cash1, "80.00")["status"] == "open"   # the next one


def test_closing_without_an_open_shift_is_refused(till):
    unchanged(till, lambda: shifts.close_shift(till.ctx, till.cash1, "10.00"), ShiftNotOpen)


@pytest.mark.parametrize("amount", ["-1.00", "ten", "1.005", ""])
def test_a_bad_float_or_count_is_refused(till, amount):
    w = till
    unchanged(w, lambda: shifts.open_shift(w.ctx, w.cash1, amount), AmountInvalid)
    shifts.open_shift(w.ctx, w.cash1, "10.00")
    unchanged(w, lambda: shifts.close_shift(w.ctx, w.cash1, amount), AmountInvalid)


def test_signoff_by_a_supervisor_once_never_by_the_cashier(till):
    w = till
    opened = shifts.open_shift(w.ctx, w.sup, "10.00")
    unchanged(w, lambda: shifts.sign_off(w.ctx, w.admin, str(opened["shift_id"])), ShiftNotClosed)
    shifts.close_shift(w.ctx, w.sup, "10.00")
    unchanged(w, lambda: shifts.sign_off(w.ctx, w.sup, str(opened["shift_id"])), ShiftSignoffByCashier)
    signed = shifts.sign_off(w.ctx, w.admin, opened["shift_uuid"], "counted twice")
    assert signed["status"] == "signed_off" and signed["signed_off_by"] == "admin"
    assert signed["note"] == "counted twice"
    unchanged(w, lambda: shifts.sign_off(w.ctx, w.admin, str(opened["shift_id"])), ShiftAlreadySigned)
    unchanged(w, lambda: shifts.sign_off(w.ctx, w.admin, "999"), ShiftNotFound)
    con = sqlite3.connect(w.app.db.database)
    records = [decode("shift", p) for (p,) in con.execute("SELECT payload FROM outbox WHERE kind = 'shift' "
                                                          "ORDER BY seq")]
    actions = [a for (a,) in con.execute("SELECT action FROM diary WHERE action LIKE 'shift.%' ORDER BY id")]
    con.close()
    assert [r.event for r in records] == ["open", "close", "signoff"]
    assert records[-1].difference == 0 and records[-1].signed_by == "admin"
    assert actions == ["shift.open", "shift.close", "shift.signoff"]
    assert w.verify()["ok"]


def test_permissions(till):
    w = till
    unchanged(w, lambda: shifts.open_shift(w.ctx, w.aud, "10.00"), PermissionDenied)
    unchanged(w, lambda: shifts.close_shift(w.ctx, w.aud, "10.00"), PermissionDenied)
    unchanged(w, lambda: shifts.listed(w.ctx, w.aud), PermissionDenied)
    opened = shifts.open_shift(w.ctx, w.cash1, "10.00")
    shifts.close_shift(w.ctx, w.cash1, "10.00")
    unchanged(w, lambda: shifts.sign_off(w.ctx, w.cash2, str(opened["shift_id"])), PermissionDenied)


def test_close_rows_are_append_only(till):
    w = till
    shifts.open_shift(w.ctx, w.cash1, "10.00")
    shifts.close_shift(w.ctx, w.cash1, "10.00")
    con = sealed(Path(w.app.db.database))
    for sql in ("UPDATE shift_close SET counted = 0", "DELETE FROM shift_close", "UPDATE shift SET float = 0"):
        with pytest.raises(sqlite3.IntegrityError, match="LEDGER_APPEND_ONLY"):
            con.execute(sql)
    con.close()


def test_check_recomputes_a_closed_shift_from_the_postings(till, tmp_path):
    """A close row whose expected cash is not what the postings give (written as a key
    holder, past the service) is found by `ppms check`."""
    w = till
    shifts.open_shift(w.ctx, w.cash1, "10.00")
    selling.sell(w.ctx, w.cash1, METER, "1000.00", "cash")
    shifts.close_shift(w.ctx, w.cash1, "1010.00")
    assert w.verify()["ok"]
    con = sealed(Path(w.app.db.database))
    con.execute("INSERT INTO shift (uuid, operator_id, opened_at, float, posting_mark) "
                "SELECT 'forged', operator_id, opened_at, 0, 0 FROM shift LIMIT 1")
    con.execute("INSERT INTO shift_close (shift_id, closed_at, posting_mark, cash_in, expected, counted, difference) "
                "SELECT id, opened_at, 0, 500, 500, 500, 0 FROM shift WHERE uuid = 'forged'")
    con.commit()
    con.close()
    codes = [p["code"] for p in w.verify()["problems"]]
    assert "SHIFT_CASH_MISMATCH" in codes
