"""`ppms check` knows the money invariants: each one is broken with sqlite3 on a copy of a
sound ledger (triggers dropped where the append-only rows must change), and check names the
rows and exits 3. The writer holds the seal key (a faulty program on the box, not an outsider:
the seal would name an outsider's rows anyway), so what is found is the invariant itself."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms, checkpoint, copy_ledger, sealed

METER = "0123456789"
DAY = "2026-03-05"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sales on one meter the same day (the first charges March's fixed charge), sound."""
    cli = Ppms(tmp_path_factory.mktemp("template") / "ppms.db", now=f"{DAY}T10:00:00")
    cli.with_sample_tariff(METER)
    cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    cli.ok("sell", "--meter", METER, "--amount", "500.00", now=f"{DAY}T11:00:00")
    assert cli.ok("check")["ok"] is True
    checkpoint(cli.db)
    return cli.db


@pytest.fixture
def cli(template: Path, tmp_path: Path) -> Ppms:
    copy_ledger(template, tmp_path / "ppms.db")
    return Ppms(tmp_path / "ppms.db", now=f"{DAY}T12:00:00")


def tamper(cli: Ppms, *sql: str) -> None:
    db = sealed(cli.db)
    try:
        with db:
            for statement in sql:
                db.execute(statement)
    finally:
        db.close()


def problems(cli: Ppms, code: str) -> list[dict[str, object]]:
    res = cli.run("check")
    assert res.code == 3, res
    found = [p for p in res.data["problems"] if p["code"] == code]
    assert found, res.data["problems"]
    return found


def test_negative_carry_over(cli: Ppms) -> None:
    # a balanced posting that spends more carry-over than the customer has (100.05 - 0.05 ...)
    tamper(cli, "INSERT INTO posting (uuid, kind, customer_id, posted_at, memo) "
                "VALUES ('x-1', 'cash_held', 1, '2026-03-05T12:00:00', 'tampered')",
           "INSERT INTO posting_line (posting_id, account, debit, credit, customer_id) "
           "SELECT MAX(id), 'CARRY_OVER', 100000, 0, 1 FROM posting",
           "INSERT INTO posting_line (posting_id, account, debit, credit, customer_id) "
           "SELECT MAX(id), 'CASH', 0, 100000, NULL FROM posting")
    (found,) = problems(cli, "BALANCE_NEGATIVE")
    assert found["account"] == "CARRY_OVER" and int(str(found["balance"])) < 0 and found["customer"]


def test_negative_arrears(cli: Ppms) -> None:
    tamper(cli, "INSERT INTO posting (uuid, kind, customer_id, posted_at, memo) "
                "VALUES ('x-2', 'debt', 1, '2026-03-05T12:00:00', 'tampered')",
           "INSERT INTO posting_line (posting_id, account, debit, credit, customer_id) "
           "SELECT MAX(id), 'ARREARS', 0, 5000, 1 FROM posting",
           "INSERT INTO posting_line (posting_id, account, debit, credit, customer_id) "
           "SELECT MAX(id), 'CASH', 5000, 0, NULL FROM posting")
    (found,) = problems(cli, "BALANCE_NEGATIVE")
    assert found["account"] == "ARREARS" and found["balance"] == -5000


def test_posting_that_differs_from_its_lines(cli: Ppms) -> None:
    # still balanced (100.00 moved from revenue to VAT): only the lines can tell
    tamper(cli, "DROP TRIGGER posting_line_no_update",
           "UPDATE posting_line SET credit = credit - 10000 WHERE account = 'REVENUE:ENERGY' AND posting_id = "
           "(SELECT MIN(id) FROM posting WHERE kind = 'sale')",
           "UPDATE posting_line SET credit = credit + 10000 WHERE account = 'VAT_PAYABLE' AND posting_id = "
           "(SELECT MIN(id) FROM posting WHERE kind = 'sale')")
    (found,) = problems(cli, "SALE_POSTING_MISMATCH")
    assert found["sale"] == "T01-000001"
    assert "REVENUE:ENERGY" in str(found["message"]) and "VAT_PAYABLE" in str(found["message"])


def test_fixed_month_charged_twice(cli: Ppms) -> None:
    tamper(cli, "DROP TRIGGER sale_no_update",
           "UPDATE sale SET months_charged = 1, charged_through = (SELECT charged_through FROM sale "
           "WHERE receipt_no = 'T01-000001') WHERE receipt_no = 'T01-000002'")
    (found,) = problems(cli, "FIXED_MONTH_TWICE")
    assert found["sales"] == ["T01-000001", "T01-000002"] and "2026-03" in str(found["message"])


def test_notes_taken_but_neither_sold_nor_held(cli: Ppms) -> None:
    tamper(cli, "INSERT INTO cash_intake (uuid, meter_id, customer_id, amount_due, started_at) "
                "VALUES ('intake-1', 1, 1, 50000, '2026-03-05T12:00:00')",
           "INSERT INTO note_intake (intake_id, number, counter, stage, bill_type, value, at) "
           "VALUES (1, 1, 7, 'credited', 4, 50000, '2026-03-05T12:00:01')")
    (found,) = problems(cli, "NOTES_UNACCOUNTED")
    assert found["intake"] == "intake-1" and "neither sold nor held" in str(found["message"])


def test_notes_sold_for_other_money(cli: Ppms) -> None:
    # the intake took 500.00, its settlement names sale T01-000002 (500.00) as 400.00
    tamper(cli, "INSERT INTO cash_intake (uuid, meter_id, customer_id, amount_due, started_at) "
                "VALUES ('intake-2', 1, 1, 50000, '2026-03-05T12:00:00')",
           "INSERT INTO note_intake (intake_id, number, counter, stage, bill_type, value, at) "
           "VALUES (1, 1, 7, 'credited', 4, 50000, '2026-03-05T12:00:01')",
           "INSERT INTO cash_intake_settlement (intake_id, outcome, sale_id, amount, at) "
           "VALUES (1, 'sold', 2, 40000, '2026-03-05T12:00:02')")
    (found,) = problems(cli, "NOTES_UNACCOUNTED")
    assert found["intake"] == "intake-2" and "sold 40000" in str(found["message"])
