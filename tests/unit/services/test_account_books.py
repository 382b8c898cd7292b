"""The meter account: statement (running balance = the journal's postings, to the minor
unit), account check (flags stored once per reading), receivable ageing at its boundary
days, the transaction book's filters, and the permission every one of them needs."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from terminal.ledger.journal import Line
from terminal.services import account_books, accounts, auth, meter_readings, parameters, registration, selling
from terminal.services.errors import InvalidArgument, MeterNotFound, PermissionDenied
from tests.helpers.ppms import dump_tables

METER = "0123456789"
OTHER = "0123456790"


@pytest.fixture
def shop(world):
    world.tariff()
    world.register(METER)
    world.register(OTHER, name="John Roe", address="Plot 2")
    return world


def _customer(world, meter: str) -> int:
    with world.ctx.ledger.read() as r:
        found = r.meters.by_number(meter)
        assert found is not None
        return found.customer_id


def _cents(text: str) -> int:
    return round(float(text) * 100)


def test_statement_running_balance_is_the_journals_to_the_minor_unit(shop):
    selling.sell(shop.ctx, shop.admin, METER, "1000.00")
    selling.sell(shop.ctx, shop.admin, OTHER, "500.00")             # another customer's: not on it
    shop.at("2026-03-06T09:00:00")
    accounts.add_debt(shop.ctx, shop.admin, METER, "200.00", "old bill")
    shop.at("2026-03-07T09:00:00")
    second = selling.sell(shop.ctx, shop.admin, METER, "400.00")    # recovers 25 % of it, uses the carry-over
    selling.reverse(shop.ctx, shop.admin, second["sale_id"], "wrong meter")
    out = account_books.statement(shop.ctx, shop.admin, METER)
    cust = _customer(shop, METER)
    with shop.ctx.ledger.read() as r:
        per_posting = r.search._rows(
            "SELECT p.id, SUM(l.credit - l.debit) FROM posting p JOIN posting_line l ON l.posting_id = p.id "
            "WHERE l.customer_id = ? AND l.account IN ('CARRY_OVER', 'ARREARS') GROUP BY p.id ORDER BY p.id", (cust,))
        cash = r.search._rows("SELECT SUM(l.debit - l.credit) FROM posting p JOIN posting_line l "
                              "ON l.posting_id = p.id WHERE p.customer_id = ? AND l.account = 'CASH'", (cust,))[0][0]
    assert [e["kind"] for e in out["events"]] == ["sale", "debt", "sale", "reversal"]
    assert [e["meter"] for e in out["events"]] == [METER, None, METER, METER]
    running = 0
    by_id = dict(per_posting)
    assert len(by_id) == 4
    for event, posting in zip(out["events"], sorted(by_id)):
        running += by_id[posting]
        assert _cents(event["balance"]) == running and _cents(event["change"]) == by_id[posting]
    carry, arrears = shop.balances(cust)
    assert _cents(out["closing_balance"]) == carry - arrears == running
    assert sum(_cents(e["paid"]) for e in out["events"]) == cash == 100000
    assert out["kwh_credited"] == "56.51" and out["events"][3]["kwh"] == "-" + out["events"][2]["kwh"]
    later = account_books.statement(shop.ctx, shop.admin, METER, "2026-03-06", "2026-03-06")
    assert later["opening_balance"] == "0.05" and [e["kind"] for e in later["events"]] == ["debt"]
    assert later["closing_balance"] == "-199.95"
    assert shop.verify()["ok"], shop.verify()["problems"]


def test_statement_refusals(shop):
    with pytest.raises(MeterNotFound):
        account_books.statement(shop.ctx, shop.admin, "nope")
    with pytest.raises(InvalidArgument):
        account_books.statement(shop.ctx, shop.admin, METER, "2026-03-07", "2026-03-06")
    with pytest.raises(InvalidArgument):
        account_books.statement(shop.ctx, shop.admin, METER, "March")


def test_account_check_flags_beyond_the_tolerance_once_per_reading(shop):
    selling.sell(shop.ctx, shop.admin, METER, "1000.00")              # 56.51 kWh
    shop.at("2026-03-06T10:00:00")
    meter_readings.add_reading(shop.ctx, shop.admin, METER, "10.00", "46.51")
    meter_readings.add_reading(shop.ctx, shop.admin, OTHER, "3.00")  # no remaining credit: not checkable
    out = account_books.check_accounts(shop.ctx, shop.admin)
    assert (out["checked"], out["flagged"], out["tolerance_kwh"]) == (1, 0, "1.00")
    assert out["meters"][0] | {"reading_id": None} == {
        "meter": METER, "reading_id": None, "read_at": "2026-03-06T10:00:00", "flagged": False, "status": "ok",
        "check_id": None, "bought_kwh": "56.51", "consumed_kwh": "10.00", "remaining_kwh": "46.51",
        "difference_kwh": "0.00"}
    assert out["meters"][1]["status"] == "no_reading"
    shop.at("2026-03-07T10:00:00")
    meter_readings.add_reading(shop.ctx, shop.admin, METER, "12.00", "41.00")    # 3.51 kWh gone unaccounted
    first = account_books.check_accounts(shop.ctx, shop.admin, METER)
    assert first["flagged"] == 1 and first["meters"][0]["difference_kwh"] == "3.51"
    again = account_books.check_accounts(shop.ctx, shop.admin, METER)
    assert again["flagged"] == 1 and again["meters"][0]["check_id"] is None           # stored once
    with shop.ctx.ledger.read() as r:
        rows = r.search._rows("SELECT kind, expected_kwh, observed_kwh, tolerance_kwh FROM check_result "
                              "WHERE kind = 'account_mismatch'")
    assert rows == [("account_mismatch", 5651, 5300, 100)]
    parameters.set_param(shop.ctx, shop.admin, "account.check_tolerance_kwh", "4.00")
    assert account_books.check_accounts(shop.ctx, shop.admin, METER)["flagged"] == 0
    assert shop.verify()["ok"], shop.verify()["problems"]


def test_account_check_counts_consumption_from_the_installation_reading(world):
    world.tariff()
    world.register(METER, install=False)                      # registered, then installed at 500.00 kWh
    registration.install(world.ctx, world.admin, METER, registration.Installing(initial_reading="500.00"))
    shop = world
    selling.sell(shop.ctx, shop.admin, METER, "1000.00")
    shop.at("2026-03-06T10:00:00")
    assert meter_readings.add_reading(shop.ctx, shop.admin, METER, "510.00", "46.51")["flags"] == []
    assert account_books.check_accounts(shop.ctx, shop.admin, METER)["meters"][0]["consumed_kwh"] == "10.00"
    assert shop.verify()["ok"], shop.verify()["problems"]


def test_account_check_of_an_unknown_meter_is_refused(shop):
    with pytest.raises(MeterNotFound):
        account_books.check_accounts(shop.ctx, shop.admin, "nope")


@pytest.mark.parametrize(("days", "bucket"), [(0, "0_30"), (30, "0_30"), (31, "31_90"), (90, "31_90"),
                                              (91, "over_90"), (400, "over_90")])
def test_receivable_ages_arrears_at_the_boundary_days(shop, days, bucket):
    accounts.add_debt(shop.ctx, shop.admin, METER, "100.00", "old bill")     # on 2026-03-05
    as_of = (date(2026, 3, 5) + timedelta(days=days)).isoformat()
    out = account_books.receivable(shop.ctx, shop.admin, as_of)
    [row] = out["customers"]
    assert row["arrears"] == {"0_30": "0.00", "31_90": "0.00", "over_90": "0.00", "total": "100.00"} | {
        bucket: "100.00"}
    assert out["totals"]["arrears"][bucket] == "100.00" and row["total"] == "100.00"


def test_receivable_before_the_debt_and_without_arrears(shop):
    shop.at("2026-03-10T10:00:00")
    accounts.add_debt(shop.ctx, shop.admin, METER, "100.00", "old bill")
    assert account_books.receivable(shop.ctx, shop.admin, "2026-03-09")["customers"] == []
    assert len(account_books.receivable(shop.ctx, shop.admin)["customers"]) == 1


def test_receivable_settles_the_oldest_first_and_shows_unpaid_fees(shop):
    accounts.add_debt(shop.ctx, shop.admin, METER, "300.00", "old bill")          # 2026-03-05
    shop.at("2026-04-20T10:00:00")
    accounts.add_debt(shop.ctx, shop.admin, METER, "200.00", "meter damage")
    shop.at("2026-04-21T10:00:00")
    sale = selling.sell(shop.ctx, shop.admin, METER, "1000.00")
    recovered = _cents(next(ln["amount"] for ln in sale["lines"] if ln["kind"] == "debt"))
    assert 0 < recovered < 30000
    cust = _customer(shop, METER)
    with shop.ctx.ledger.unit_of_work() as uow:   # a fee charged to the account rather than paid
        uow.journal.post("fee", [Line("ARREARS", debit=5000, customer_id=cust), Line("FEE_REVENUE", credit=5000)],
                         "2026-04-21T10:00:00", shop.admin.operator_id, customer_id=cust, memo="reissue card")
    out = account_books.receivable(shop.ctx, shop.admin, "2026-06-10")
    [row] = out["customers"]
    assert row["arrears"]["over_90"] == f"{(30000 - recovered) / 100:.2f}"    # what is left of 03-05's
    assert row["arrears"]["31_90"] == "200.00"
    assert row["fees"] == {"0_30": "0.00", "31_90": "50.00", "over_90": "0.00", "total": "50.00"}
    assert _cents(row["total"]) == shop.balances(cust)[1]


def test_the_book_filters_by_day_account_and_operator_and_pages(shop):
    auth.add_operator(shop.ctx, shop.admin, "cash1", "Cashier", "cashier", "password1")
    cashier = auth.login(shop.ctx, "cash1", "password1")
    selling.sell(shop.ctx, shop.admin, METER, "1000.00")
    shop.at("2026-03-06T10:00:00")
    selling.sell(shop.ctx, cashier, OTHER, "500.00")
    everything = account_books.book(shop.ctx, shop.admin)
    assert everything["debits"] == everything["credits"] == "1500.00"
    assert everything["total"] == len(everything["lines"])
    cash = account_books.book(shop.ctx, shop.admin, account="CASH")
    assert [ln["debit"] for ln in cash["lines"]] == ["1000.00", "500.00"] and cash["credits"] == "0.00"
    theirs = account_books.book(shop.ctx, shop.admin, operator="cash1")
    assert {ln["operator"] for ln in theirs["lines"]} == {"cash1"} and theirs["debits"] == "500.00"
    day = account_books.book(shop.ctx, shop.admin, "2026-03-06", "2026-03-06")
    assert day["lines"] == theirs["lines"]
    assert account_books.book(shop.ctx, shop.admin, operator="nobody")["total"] == 0
    page2 = account_books.book(shop.ctx, shop.admin, page=2, page_size=3)
    assert page2["lines"] == everything["lines"][3:6] and page2["total"] == everything["total"]
    with pytest.raises(InvalidArgument):
        account_books.book(shop.ctx, shop.admin, page=0)


def test_the_meter_account_needs_the_accounts_permission(shop):
    auth.add_operator(shop.ctx, shop.admin, "cash1", "Cashier", "cashier", "password1")
    cashier = auth.login(shop.ctx, "cash1", "password1")
    before = dump_tables(shop.ctx.ledger.path)
    for call in (lambda: account_books.statement(shop.ctx, cashier, METER),
                 lambda: account_books.check_accounts(shop.ctx, cashier),
                 lambda: account_books.receivable(shop.ctx, cashier),
                 lambda: account_books.book(shop.ctx, cashier)):
        with pytest.raises(PermissionDenied):
            call()
    assert dump_tables(shop.ctx.ledger.path) == before
