"""The daily report reconciles with the journal of its day, account by account.

A day with gross sales (cash and bank), a reversal of one of them, a reversal of
yesterday's sale, notes held in the acceptor's cash box for a refused sale, arrears
recorded and partly recovered: every figure of the report is what the journal moved.
"""
from __future__ import annotations

import sqlite3
from typing import Any

from terminal.domain.money import currency, parse_money
from terminal.reports import daily
from terminal.services import accounts, kiosk, reporting, selling
from tests.fakes.devices import FakeCashAcceptor

A, B, C = "0123456789", "0123456790", "0123456791"
DAY = "2026-03-06"   # the world starts at 2026-03-05T10:00 and time only goes forward


def movements(world: Any, day: str) -> dict[str, int]:
    """Debit minus credit of every account over the postings of the day (read from the file)."""
    db = sqlite3.connect(world.app.db.database)
    try:
        return {str(acc): int(v) for acc, v in db.execute(
            "SELECT l.account, SUM(l.debit - l.credit) FROM posting_line l JOIN posting p ON p.id = l.posting_id "
            "WHERE p.posted_at >= ? AND p.posted_at < date(?, '+1 day') GROUP BY l.account", (day, day))}
    finally:
        db.close()


def m(text: str) -> int:
    return parse_money(text, currency("KES"))


def a_busy_day(world: Any) -> dict[str, Any]:
    world.tariff()
    for meter in (A, B, C):
        world.register(meter)
    ctx, admin = world.ctx, world.admin
    world.at("2026-03-05T16:00:00")
    yesterday = selling.sell(ctx, admin, C, "400.00")
    world.at(f"{DAY}T08:00:00")
    selling.reverse(ctx, admin, yesterday["sale_id"], "wrong meter")          # yesterday's sale, reversed today
    accounts.add_debt(ctx, admin, A, "800.00", "old bill")
    selling.sell(ctx, admin, A, "1000.00")                                   # recovers 250.00 of the arrears
    world.at(f"{DAY}T09:00:00")
    selling.sell(ctx, admin, B, "600.00", "bank")
    mistaken = selling.sell(ctx, admin, B, "1500.00")
    selling.reverse(ctx, admin, mistaken["sale_id"], "customer changed mind")  # today's sale, reversed today
    # 100.00 in notes, then a jam: selling refuses (fixed charges not covered), the notes are held
    held = kiosk.sell_cash(ctx, admin, C, "1000.00", acceptor=FakeCashAcceptor([("note", 10000), ("jam",)]))
    assert held["status"] == "cash_held"
    world.at("2026-03-07T09:00:00")
    selling.sell(ctx, admin, A, "300.00")                                    # tomorrow: not in the day
    return reporting.daily_report(ctx, admin, DAY)


def test_every_figure_is_what_the_journal_moved_that_day(world: Any) -> None:
    report = a_busy_day(world)
    s, r, n = report["sales"], report["reversals"], report["net"]
    assert (s["count"], r["count"], n["count"]) == (3, 2, 1)
    assert s["tendered"] == "3100.00" and r["tendered"] == "1900.00" and n["tendered"] == "1200.00"
    moved = movements(world, DAY)
    assert m(report["net_takings"]) == sum(moved.get(a, 0) for a in daily.MONEY_ACCOUNTS)

    # money accounts: net by payment, plus the notes held in the acceptor
    assert moved.pop("CASH") == m(n["by_payment"]["cash"])
    assert moved.pop("BANK_CLEARING") == m(n["by_payment"]["bank"])
    assert moved.pop("CASH_ACCEPTOR") == m(report["cash_held"]["amount"]) == 10000
    assert report["cash_held"]["count"] == 1
    assert m(report["net_takings"]) == m(n["tendered"]) + m(report["cash_held"]["amount"])

    # revenue, VAT and fixed charges: net of the reversals (credit balances)
    assert -moved.pop("VAT_PAYABLE") == m(n["vat"]) == m(s["vat"]) - m(r["vat"])
    assert m(r["vat"]) > 0, "the reversals' VAT is reported"
    assert -moved.pop("FIXED_CHARGE_REVENUE") == m(n["fixed"]) == m(s["fixed"]) - m(r["fixed"])
    for sub_item, amount in n["energy_by_sub_item"].items():
        assert -moved.pop(f"REVENUE:{sub_item}") == m(amount)
    # arrears: recorded today, less what today's net sales recovered
    assert report["arrears_added"] == {"count": 1, "amount": "800.00"}
    assert -moved.pop("ARREARS_TAKEN_ON") == 80000
    assert moved.pop("ARREARS") == 80000 - m(n["debt_recovered"]) and n["debt_recovered"] == "250.00"
    # the customers' carry-over: change kept less carry-over spent, plus the held notes
    assert -moved.pop("CARRY_OVER") == (m(n["change_carried"]) - m(n["carry_over_used"])
                                        + m(report["cash_held"]["amount"]))
    assert moved == {}, f"accounts the report does not explain: {moved}"


def test_the_text_report_shows_reversals_net_and_held_notes(world: Any) -> None:
    text = daily.as_text(a_busy_day(world))
    lines = {ln.split("  ")[0].strip(): ln for ln in text.splitlines() if ln.strip()}
    sales_vat, reversed_vat, net_vat = lines["VAT"].split()[1:]
    assert m(sales_vat) - m(reversed_vat) == m(net_vat) and m(reversed_vat) > 0, text
    assert lines["Cash held"].split()[-1] == "100.00"
    assert "= net tendered 1200.00 + cash held 100.00" in text
    assert lines["Net takings"].split()[-1] == "1300.00"


def test_the_report_defaults_to_today(world: Any) -> None:
    world.tariff()
    world.register(A)
    selling.sell(world.ctx, world.admin, A, "1000.00")
    today = reporting.daily_report(world.ctx, world.admin)
    assert today["date"] == "2026-03-05" and today["sales"]["count"] == 1
