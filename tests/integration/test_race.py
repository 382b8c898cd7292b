"""Many `ppms sell` processes at once on one meter: no credit spent twice, no month charged twice.

Each round: the customer has carry-over, arrears and fixed months due; SELLERS processes,
started on a barrier (after login, at the start of the sale), sell to the one meter at the
same moment, with a `ppms sale recover` running alongside. Every sale completes or is
refused with a code a cashier understands; nothing stays PENDING; the carry-over after
is the carry-over before, less what the completed sales used, plus their change; arrears
are taken once; each month's fixed charge once; receipts gapless; `ppms check` passes.
Rounds move a month on each, so every round has a month due. Short form: 2 rounds per
carrier; PPMS_SOAK=long: 25.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import LONG
from tests.helpers.ppms import Ppms, query
from tests.integration.race_helpers import (
    balances,
    check_sound,
    give_carry_over,
    setup,
    spawn,
    statuses,
    wait_until,
)

SELLERS = 8
ROUNDS = 25 if LONG else 2
REGISTERED = "2026-01-10T09:00:00"
# refusals a cashier understands in a race: another till's sale is being carried now, or the
# ledger was busy beyond the busy timeout
RACE_REFUSALS = {"SALE_IN_PROGRESS", "SALE_PENDING", "LEDGER_BUSY"}
# STS: every seller's clock is the same fixed minute, and a meter takes one token per TID
# minute (a second one takes the next minute): beyond that the token would be dated ahead
STS_REFUSALS = {"CLOCK_BEHIND_LAST_TOKEN"}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600 if LONG else 600)]


def round_time(k: int) -> str:
    return f"2026-{3 + k % 10:02d}-05T10:{k // 10:02d}:00" if k < 10 else f"2027-{1 + k % 10:02d}-05T10:00:00"


def race_round(cli: Ppms, meter: str, now: str, barrier: Path, refusals: set[str]) -> list[str]:
    """One round; returns the receipt numbers of the sales completed in it."""
    barrier.mkdir()
    sellers = [spawn(cli, "sell", "--meter", meter, "--amount", "1000.00", now=now, RACE_BARRIER=str(barrier))
               for _ in range(SELLERS)]
    wait_until(lambda: len(list(barrier.glob("ready-*"))) == SELLERS, what="the sellers at the barrier")
    (barrier / "go").touch()
    recovering = spawn(cli, "sale", "recover", now=now)
    completed: list[str] = []
    for proc in sellers:
        res = proc.result()
        assert res.code in (0, 2), f"a seller failed: {res}"
        if res.code == 0:
            assert res.data["status"] == "completed", res.data
            completed.append(res.data["receipt_no"])
        else:
            assert res.error_code in refusals, f"a refusal a cashier cannot act on: {res}"
    rec = recovering.result()
    assert rec.code == 0, f"recovery alongside failed: {rec}"
    # no seller died: every PENDING sale recovery saw was owned by a live seller
    assert {r["action"] for r in rec.data["recovered"]} <= {"in_progress"}, rec.data
    return completed


@pytest.mark.parametrize("carrier", ["card", "sts"])
def test_sellers_at_once_never_spend_the_same_credit_twice(tmp_path: Path, carrier: str) -> None:
    cli = Ppms(tmp_path / "ppms.db", now=REGISTERED)
    meter = setup(cli, carrier)
    months_due = 3                     # January (registration) to March
    for k in range(ROUNDS):
        now = round_time(k)
        give_carry_over(cli, meter, 1_500_00, now)
        cli.ok("account", "debt", "add", "--meter", meter, "--amount", "100.00", "--reason", "race", now=now)
        carry_before, arrears_before = balances(cli, meter, now)
        done = race_round(cli, meter, now, tmp_path / f"barrier{k}",
                          RACE_REFUSALS | (STS_REFUSALS if carrier == "sts" else set()))
        assert done, "no sale completed in the round: the race proved nothing"
        marks = ",".join("?" * len(done))
        used, change, debt, months = query(
            cli.db, f"SELECT SUM(carry_over_used), SUM(change), SUM(debt), SUM(months_charged) FROM sale "
                    f"WHERE receipt_no IN ({marks})", *done)[0]
        carry_after, arrears_after = balances(cli, meter, now)
        assert carry_after >= 0 and arrears_after >= 0, (carry_after, arrears_after)
        assert carry_after == carry_before - used + change, (carry_before, used, change, carry_after)
        assert arrears_after == arrears_before - debt, (arrears_before, debt, arrears_after)
        assert months == months_due, f"round {k}: {months} months charged, {months_due} were due"
        months_due = 1
        assert "pending" not in statuses(cli).values()
        report = check_sound(cli, now)
        assert report["pending_sales"] == 0
    twice = query(cli.db, "SELECT s.charged_through, COUNT(*) FROM sale s JOIN sale_status st "
                          "ON st.sale_id = s.id WHERE st.status IN ('completed', 'printed') AND s.months_charged > 0 "
                          "GROUP BY s.charged_through HAVING COUNT(*) > 1")
    assert not twice, f"a month's fixed charge taken by two sales: {twice}"
    numbers = sorted(int(r.split("-")[1]) for r in statuses(cli))
    assert numbers == list(range(1, len(numbers) + 1)), numbers
