"""`ppms reading`, `ppms account statement|check|receivable|book` and `ppms search` as a script
runs them: JSON on stdout, refusals exit 2 with their code and nothing changed."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms, dump_tables

METER, OTHER = "0123456789", "0123456790"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Ppms:
    c = Ppms(tmp_path_factory.mktemp("accounts") / "ppms.db")
    c.with_sample_tariff(METER, OTHER)
    c.ok("sell", "--meter", METER, "--amount", "1000.00")
    c.add_operator("cash1", "cashier", "password1")
    return c


def test_a_csv_with_one_bad_row_is_refused_with_its_line_and_nothing_stored(cli: Ppms, tmp_path: Path) -> None:
    bad = tmp_path / "route.csv"
    bad.write_text("meter,read_at,kwh,remaining_credit\n"
                   f"{METER},2026-03-05T09:00:00,1.00,\n"
                   f"{OTHER},2026-03-05T09:00:00,ten,\n"
                   f"{OTHER},2026-03-05T09:30:00,2.00,\n")
    before = dump_tables(cli.db)
    res = cli.run("reading", "import", str(bad))
    assert res.code == 2 and res.data["error"]["code"] == "CSV_ROW_INVALID"
    assert res.data["error"]["details"] == {"line": 3, "reason": "ENERGY_INVALID"}
    assert dump_tables(cli.db) == before
    good = tmp_path / "good.csv"
    good.write_text(bad.read_text().replace(",ten,", ",1.50,"))
    out = cli.ok("reading", "import", str(good))
    assert out["readings"] == 3 and [i["line"] for i in out["items"]] == [2, 3, 4]
    assert cli.ok("check")["ok"]


def test_reading_add_and_the_account_commands(cli: Ppms) -> None:
    out = cli.ok("reading", "add", "--meter", METER, "--kwh", "10.00", "--remaining-credit", "40.00")
    assert out["flags"] == ["credit_mismatch"]
    check = cli.ok("account", "check", "--meter", METER)
    assert check["flagged"] == 1 and check["meters"][0]["difference_kwh"] == "6.51"
    statement = cli.ok("account", "statement", "--meter", METER, "--from", "2026-03-05", "--to", "2026-03-05")
    assert statement["closing_balance"] == "0.05" and statement["events"][0]["paid"] == "1000.00"
    assert cli.ok("account", "receivable", "--as-of", "2026-03-05")["customers"] == []
    book = cli.ok("account", "book", "--account", "CASH")
    assert book["debits"] == "1000.00" and book["total"] == 1
    found = cli.ok("search", "checks", "--meter", METER, "--page-size", "1")
    assert set(found) >= {"total", "page", "items"} and found["total"] == 2 and len(found["items"]) == 1
    assert cli.ok("check")["ok"]


@pytest.mark.parametrize("args", [
    ("reading", "add", "--meter", "nope", "--kwh", "1"),
    ("reading", "add", "--meter", METER, "--kwh", "-1"),
    ("account", "receivable", "--as-of", "soon"),
    ("search", "diary", "--area", "North"),
    ("search", "bills"),
])
def test_bad_input_exits_2_and_changes_nothing(cli: Ppms, args: tuple[str, ...]) -> None:
    before = dump_tables(cli.db)
    assert cli.refused(*args) in {"METER_NOT_FOUND", "ENERGY_INVALID", "INVALID_ARGUMENT", "USAGE"}
    assert dump_tables(cli.db) == before


@pytest.mark.parametrize("args", [("account", "statement", "--meter", METER), ("account", "check")])
def test_a_cashier_may_not_see_the_meter_account(cli: Ppms, args: tuple[str, ...]) -> None:
    before = dump_tables(cli.db)
    assert cli.refused(*args, operator="cash1", password="password1") == "PERMISSION_DENIED"
    assert dump_tables(cli.db) == before
