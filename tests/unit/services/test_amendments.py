"""The amendments through the real services on a real SQLite ledger (fake carriers): the
file changes, the fees, the money of cancel meter and replace meter to the minor unit, the
refusals (each its code, the ledger unchanged) and the permissions."""
from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from sync.schema import decode
from sync.views import view
from terminal.domain.errors import PpmsError
from terminal.services import accounts, amendment_credit, amendments, auth, parameters, selling

METER = "0123456789"
NEW = "0987654321"


def code_of(fn: Any, *args: Any, **kw: Any) -> str:
    with pytest.raises(PpmsError) as info:
        fn(*args, **kw)
    return info.value.code


def dump(world: Any) -> list[str]:
    con = sqlite3.connect(world.app.db.database)
    try:
        return [line for line in con.iterdump() if "INSERT INTO \"seal\"" not in line]
    finally:
        con.close()


def rows(world: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(world.app.db.database)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def put_param(world: Any, key: str, value: str) -> None:
    """A fee set as a supervisor sets it (with its history), `value` in minor units."""
    parameters.set_param(world.ctx, world.admin, key, f"{int(value) // 100}.{int(value) % 100:02d}")


@pytest.fixture
def w(world: Any) -> Any:
    world.tariff()
    world.register(meter=METER)
    return world


def customer_id(w: Any) -> int:
    return int(rows(w, "SELECT customer_id FROM meter WHERE number = ?", METER)[0][0])


def test_basic_file_changes_only_what_is_given_with_its_record(w: Any) -> None:
    out = amendments.basic(w.ctx, w.admin, METER, name="Jane Roe", phone="0700 000 000", building="B4")
    assert out["kind"] == "basic_file" and out["fee"] == "0.00"
    assert out["before"] == {"name": "Jane Doe", "phone": None, "building": None}
    assert out["after"] == {"name": "Jane Roe", "phone": "0700 000 000", "building": "B4"}
    assert rows(w, "SELECT name, address, phone, building FROM customer") == [("Jane Roe", "Plot 1", "0700 000 000",
                                                                                "B4")]
    assert rows(w, "SELECT kind, fee, posting_id FROM amendment") == [("basic_file", 0, None)]
    (payload,) = rows(w, "SELECT payload FROM outbox WHERE kind = 'amendment'")[0]
    record = decode("amendment", payload)
    assert record.kind == "basic_file" and dict(record.after or ())["name"] == "Jane Roe"
    assert rows(w, "SELECT action FROM diary WHERE action LIKE 'amendment.%'") == [("amendment.basic_file",)]
    listed = amendments.listed(w.ctx, w.admin, METER)
    assert listed["total"] == 1 and listed["items"][0]["amendment_id"] == out["amendment_id"]
    assert w.verify()["ok"]


def test_power_type_takes_effect_from_the_next_sale(world: Any) -> None:
    from tests.unit.services.conftest import DEMO_TARIFF
    world.tariff(DEMO_TARIFF)
    world.register(meter=METER)
    first = selling.sell(world.ctx, world.admin, METER, "1000.00")
    before = dump(world)
    assert code_of(amendments.power_type, world.ctx, world.admin, METER, "RES") == "INVALID_ARGUMENT"
    assert code_of(amendments.power_type, world.ctx, world.admin, METER, "NOPE") == "POWER_TYPE_NOT_FOUND"
    assert code_of(amendments.power_type, world.ctx, world.admin, METER, "RES:70,COM:20") == "SHARE_SPLIT_INVALID"
    assert dump(world) == before
    out = amendments.power_type(world.ctx, world.admin, METER, "COM:60,RES:40")
    assert out["before"] == {"power_type": "RES:100"} and out["after"] == {"power_type": "COM:60,RES:40"}
    second = selling.sell(world.ctx, world.admin, METER, "1000.00")
    assert {ln.get("power_type") for ln in second["lines"] if ln["kind"] == "energy"} == {"COM", "RES"}
    shown = selling.show(world.ctx, world.admin, first["sale_id"])
    assert {ln.get("power_type") for ln in shown["lines"] if ln["kind"] == "energy"} <= {"RES", None}
    assert world.verify()["ok"]


def test_capacity_takes_its_fee_with_its_own_posting(w: Any) -> None:
    put_param(w, "fee.enlarge_capacity", "25000")
    out = amendments.capacity(w.ctx, w.admin, METER, 60, payment="mobile")
    assert out["fee"] == "250.00" and out["payment"] == "mobile" and out["after"] == {"capacity_a": 60}
    assert rows(w, "SELECT capacity_a FROM meter") == [(60,)]
    (pid,) = rows(w, "SELECT posting_id FROM amendment")[0]
    assert rows(w, "SELECT account, debit, credit FROM posting_line WHERE posting_id = ? ORDER BY id", pid) == [
        ("MOBILE_MONEY", 25000, 0), ("FEE_REVENUE", 0, 25000)]
    assert rows(w, "SELECT kind FROM posting WHERE id = ?", pid) == [("amendment",)]
    before = dump(w)
    assert code_of(amendments.capacity, w.ctx, w.admin, METER, 40) == "INVALID_ARGUMENT"   # not an enlargement
    assert code_of(amendments.capacity, w.ctx, w.admin, METER, 80, payment="gold") == "INVALID_ARGUMENT"
    assert dump(w) == before
    assert w.verify()["ok"]


def test_every_amendment_refused_without_its_permission(w: Any) -> None:
    auth.add_operator(w.ctx, w.admin, "cash1", "Cashier One", "cashier", "secret1")
    cashier = auth.login(w.ctx, "cash1", "secret1")
    before = dump(w)
    calls = [(amendments.basic, (METER,), {"name": "X"}), (amendments.power_type, (METER, "RES"), {}),
             (amendments.capacity, (METER, 60), {}), (amendment_credit.reissue_card, (METER, "lost"), {}),
             (amendment_credit.replace_meter, (METER, NEW, "10", "1"), {}),
             (amendment_credit.cancel_meter, (METER, "10", "1", "moved"), {})]
    for fn, args, kw in calls:
        assert code_of(fn, w.ctx, cashier, *args, **kw) == "PERMISSION_DENIED", fn
    assert dump(w) == before


def test_unknown_meter_and_bad_input_refused_ledger_unchanged(w: Any) -> None:
    selling.sell(w.ctx, w.admin, METER, "1000.00")
    w.register(meter="5555")
    before = dump(w)
    assert code_of(amendments.basic, w.ctx, w.admin, "999", name="X") == "METER_NOT_FOUND"
    assert code_of(amendment_credit.cancel_meter, w.ctx, w.admin, "999", "1", "0", "x") == "METER_NOT_FOUND"
    assert code_of(amendment_credit.replace_meter, w.ctx, w.admin, "999", NEW, "1", "0") == "METER_NOT_FOUND"
    assert code_of(amendments.basic, w.ctx, w.admin, METER) == "INVALID_ARGUMENT"
    assert code_of(amendments.basic, w.ctx, w.admin, METER, name="Jane Doe") == "INVALID_ARGUMENT"  # no change
    assert code_of(amendments.basic, w.ctx, w.admin, METER, name="  ") == "INVALID_ARGUMENT"
    assert code_of(amendments.basic, w.ctx, w.admin, METER, category="NOPE") == "CATEGORY_NOT_FOUND"
    assert code_of(amendment_credit.replace_meter, w.ctx, w.admin, METER, METER, "1", "0") == "METER_EXISTS"
    assert code_of(amendment_credit.replace_meter, w.ctx, w.admin, METER, "5555", "1", "0") == "METER_EXISTS"
    assert code_of(amendment_credit.replace_meter, w.ctx, w.admin, METER, "bad number!", "1", "0") == \
        "METER_NUMBER_INVALID"   # the registration rule for the new meter's carrier
    assert code_of(amendment_credit.cancel_meter, w.ctx, w.admin, METER, "1", "-1", "x") == "ENERGY_INVALID"
    assert code_of(amendment_credit.cancel_meter, w.ctx, w.admin, METER, "1", "0", " ") == "INVALID_ARGUMENT"
    # more remaining credit than the meter was ever sold (56.51 kWh)
    assert code_of(amendment_credit.cancel_meter, w.ctx, w.admin, METER, "1", "56.52", "x") == \
        "REMAINING_CREDIT_TOO_HIGH"
    assert code_of(amendment_credit.replace_meter, w.ctx, w.admin, METER, NEW, "1", "60") == \
        "REMAINING_CREDIT_TOO_HIGH"
    assert dump(w) == before
    assert w.verify()["ok"]


def test_cancel_meter_refunds_the_selling_md_figure_and_closes_the_account(w: Any) -> None:
    selling.sell(w.ctx, w.admin, METER, "1000.00")            # 56.51 kWh, energy 712.03 + VAT, change 0.05
    accounts.add_debt(w.ctx, w.admin, METER, "100.00", "old bill")
    cid = customer_id(w)
    assert w.balances(cid) == (5, 10000)
    cash_before = w.balance("CASH")
    out = amendment_credit.cancel_meter(w.ctx, w.admin, METER, "1234.56", "20.00", "moved away")
    # value of 20.00 kWh = round(2000 x 71203 x 116/100 / 5651) = 292.32
    assert out["credit_value"] == "292.32" and out["carry_over"] == "0.05"
    assert out["arrears_settled"] == "100.00" and out["refund"] == "192.37" and out["arrears_left"] == "0.00"
    assert out["account_closed"] is True and out["kind"] == "cancel_meter"
    assert w.balances(cid) == (0, 0)                              # the account shows zero
    assert cash_before - w.balance("CASH") == 19237               # paid out in cash
    assert rows(w, "SELECT status FROM meter") == [("cancelled",)]
    assert rows(w, "SELECT closed_at FROM customer") == [("2026-03-05T10:00:00",)]
    assert rows(w, "SELECT source, total_kwh, remaining_kwh FROM reading") == [("amendment", 123456, 2000)]
    record = decode("amendment", rows(w, "SELECT payload FROM outbox WHERE kind = 'amendment'")[0][0])
    assert (record.credit_value, record.refund, record.arrears_settled, record.carry_over) == (29232, 19237, 10000, 5)
    shown = view(record)
    assert (shown["kind"], shown["refund"], shown["remaining_kwh"], shown["fee"]) == ("cancel_meter", "192.37",
                                                                                     "20.00", "0.00")
    before = dump(w)
    assert code_of(selling.sell, w.ctx, w.admin, METER, "100.00") == "METER_CANCELLED"
    assert code_of(amendments.basic, w.ctx, w.admin, METER, name="X") == "METER_CANCELLED"
    assert code_of(amendment_credit.cancel_meter, w.ctx, w.admin, METER, "1", "0", "again") == "METER_CANCELLED"
    assert code_of(amendment_credit.replace_meter, w.ctx, w.admin, METER, NEW, "1", "0") == "METER_CANCELLED"
    sale_id = rows(w, "SELECT uuid FROM sale")[0][0]
    assert code_of(selling.reverse, w.ctx, w.admin, sale_id, "oops") == "METER_CANCELLED"
    assert dump(w) == before
    assert w.verify()["ok"]


def test_cancel_with_arrears_beyond_the_credit_leaves_them_receivable(w: Any) -> None:
    selling.sell(w.ctx, w.admin, METER, "1000.00")
    accounts.add_debt(w.ctx, w.admin, METER, "500.00", "old bill")
    out = amendment_credit.cancel_meter(w.ctx, w.admin, METER, "10", "20.00", "moved away")
    assert out["arrears_settled"] == "292.37" and out["refund"] == "0.00" and out["arrears_left"] == "207.63"
    assert w.balances(customer_id(w)) == (0, 20763)
    assert w.verify()["ok"]


def test_cancel_fee_is_taken_in_cash_beside_the_unreduced_refund(w: Any) -> None:
    put_param(w, "fee.cancel_meter", "5000")
    selling.sell(w.ctx, w.admin, METER, "1000.00")
    accounts.add_debt(w.ctx, w.admin, METER, "100.00", "old bill")
    cash_before, fees_before = w.balance("CASH"), w.balance("FEE_REVENUE")
    out = amendment_credit.cancel_meter(w.ctx, w.admin, METER, "1234.56", "20.00", "moved away")
    assert out["fee"] == "50.00" and out["refund"] == "192.37"    # the selling.md refund, not reduced
    assert cash_before - w.balance("CASH") == 19237 - 5000         # the drawer pays out 142.37 net
    assert fees_before - w.balance("FEE_REVENUE") == 5000
    assert w.balances(customer_id(w)) == (0, 0)
    assert rows(w, "SELECT fee FROM amendment WHERE kind = 'cancel_meter'") == [(5000,)]
    assert w.verify()["ok"]   # AMENDMENT_POSTING_MISMATCH knows the fee in CASH


def test_replace_meter_moves_the_credit_and_its_value_and_restarts_the_sequence(w: Any) -> None:
    put_param(w, "fee.replace_meter", "50000")
    first = selling.sell(w.ctx, w.admin, METER, "1000.00")
    cid = customer_id(w)
    out = amendment_credit.replace_meter(w.ctx, w.admin, METER, NEW, "1234.56", "20.00")
    assert out["new_meter"] == NEW and out["credit_transferred_kwh"] == "20.00"
    assert out["credit_value"] == "292.32" and out["fee"] == "500.00" and out["carry_over"] == "0.00"
    assert rows(w, "SELECT number, status, customer_id, replaced_by IS NOT NULL FROM meter ORDER BY id") == [
        (METER, "replaced", cid, 1), (NEW, "installed", cid, 0)]
    assert w.balances(cid) == (5, 0)                              # the carry-over stays with the customer
    # the new meter's credit is the transfer, valued as on the old meter
    with w.ctx.ledger.read() as r:
        new = r.meters.by_number(NEW)
        assert new is not None
        assert amendment_credit.value_of(r, new, 2000) == 29232
        assert amendment_credit.value_of(r, new, 1000) == 14616
    before = dump(w)
    assert code_of(selling.sell, w.ctx, w.admin, METER, "100.00") == "METER_REPLACED"
    assert code_of(amendments.capacity, w.ctx, w.admin, METER, 90) == "METER_REPLACED"
    assert code_of(selling.reverse, w.ctx, w.admin, first["sale_id"], "oops") == "METER_REPLACED"
    assert code_of(amendment_credit.replace_meter, w.ctx, w.admin, METER, "777", "1", "0") == "METER_REPLACED"
    assert dump(w) == before
    second = selling.sell(w.ctx, w.admin, NEW, "1000.00")        # same month: no fixed charge again
    assert second["lines"][0] == {"kind": "fixed", "amount": "0.00"}
    assert w.carriers.cards[NEW].purchases.keys() == {2}          # the transfer was purchase 1
    assert w.verify()["ok"]


def test_check_finds_an_amendment_posting_off_its_row_and_a_closed_account_not_at_zero(w: Any) -> None:
    from pathlib import Path

    from tests.helpers.ppms import sealed
    selling.sell(w.ctx, w.admin, METER, "1000.00")
    amendment_credit.cancel_meter(w.ctx, w.admin, METER, "10", "20.00", "moved away")
    assert w.verify()["ok"]
    (pid,) = rows(w, "SELECT posting_id FROM amendment")[0]
    cid = customer_id(w)
    con = sealed(Path(w.app.db.database))
    with con:
        con.executemany("INSERT INTO posting_line (posting_id, account, customer_id, debit, credit) VALUES "
                        "(?, ?, ?, ?, ?)", [(pid, "CASH", None, 100, 0), (pid, "CARRY_OVER", cid, 0, 100)])
    con.close()
    codes = {p["code"] for p in w.verify()["problems"]}
    assert codes == {"AMENDMENT_POSTING_MISMATCH", "ACCOUNT_CLOSED_NOT_ZERO"}


def test_check_names_a_cancellation_written_without_its_figures_and_does_not_crash(w: Any) -> None:
    from pathlib import Path

    from tests.helpers.ppms import sealed
    con = sealed(Path(w.app.db.database))                   # a row no service writes: no money figures
    with con:
        con.execute("INSERT INTO amendment (uuid, kind, meter_id, customer_id, at) SELECT "
                    "'00000000-0000-7000-8000-0000000000aa', 'cancel_meter', id, customer_id, "
                    "'2026-03-05T11:00:00' FROM meter WHERE number = ?", (METER,))
    con.close()
    problems = w.verify()["problems"]
    assert [p["code"] for p in problems] == ["AMENDMENT_INCOMPLETE"], problems
    assert "credit_value" in problems[0]["message"]
