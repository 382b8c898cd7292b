"""The `ppms` scripting contract of spec/cli.md, through a real subprocess.

The sale example of cli.md is checked to the letter; the other tests pin the
promises integrators rely on: global options at the end of any command line,
`sale show` == `sell`, reversal keeps the ledger sound and gives the purchase
back, the daily report in its three formats, and debt recovery at 25%.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.ppms import ADMIN_PASSWORD, SAMPLE_TARIFF, Ppms, checkpoint, copy_ledger, query

METER = "0123456789"
DAY = "2026-03-05"

# spec/cli.md, "JSON of a sale": the first sale of a meter registered this month, sample tariff,
# no arrears, 1000.00 tendered
CLI_MD_SALE: dict[str, Any] = {
    "meter": "0123456789", "tendered": "1000.00", "carry_over_used": "0.00", "kwh": "56.51",
    "free_kwh": "0.00", "credit_kwh": "56.51", "change_carried": "0.05",
    "tariff_version": 1, "status": "completed",
}
CLI_MD_LINES: list[dict[str, Any]] = [
    {"kind": "fixed", "amount": "150.00"},
    {"kind": "debt", "amount": "0.00"},
    {"kind": "energy", "block": 1, "sub_item": "ENERGY", "kwh": "56.51", "amount": "678.12"},
    {"kind": "energy", "block": 1, "sub_item": "REP", "kwh": "56.51", "amount": "33.91"},
    {"kind": "vat", "amount": "137.92"},
    {"kind": "carry_over", "amount": "0.05"},
]
# fields the implementation adds to a line (cli.md: "add fields freely, do not rename or drop")
ADDED_LINE_FIELDS = {"power_type"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample tariff and one residential meter registered on DAY, no sales; built once."""
    cli = Ppms(tmp_path_factory.mktemp("template") / "ppms.db", now=f"{DAY}T10:00:00")
    cli.with_sample_tariff(METER)
    checkpoint(cli.db)
    return cli.db


@pytest.fixture
def cli(template: Path, tmp_path: Path) -> Ppms:
    copy_ledger(template, tmp_path / "ppms.db")
    return Ppms(tmp_path / "ppms.db", now=f"{DAY}T10:00:00")


def assert_lines_as_cli_md(lines: list[dict[str, Any]]) -> None:
    assert len(lines) == len(CLI_MD_LINES), lines
    for got, want in zip(lines, CLI_MD_LINES):
        assert {k: got.get(k) for k in want} == want, got
        assert set(got) - set(want) <= ADDED_LINE_FIELDS, f"unexpected fields in {got}"


def test_the_cli_md_sale_example(cli: Ppms) -> None:
    quote = cli.ok("quote", "--meter", METER, "--amount", "1000.00")
    assert "sale_id" not in quote and quote["status"] == "quote"
    assert {k: quote[k] for k in CLI_MD_SALE if k != "status"} == {
        k: v for k, v in CLI_MD_SALE.items() if k != "status"}
    assert_lines_as_cli_md(quote["lines"])
    assert query(cli.db, "SELECT COUNT(*) FROM sale")[0][0] == 0, "a quote must not sell"

    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    assert {k: sale[k] for k in CLI_MD_SALE} == CLI_MD_SALE
    assert_lines_as_cli_md(sale["lines"])
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", sale["sale_id"])
    assert sale["receipt_no"] == "T01-000001"
    assert sum(int(ln["amount"].replace(".", "")) for ln in sale["lines"]) == 100000  # sum of lines = A
    assert cli.ok("check")["ok"] is True


def test_quote_by_kwh_gives_the_money_that_buys_it(cli: Ppms) -> None:
    """selling.md: 56.52 kWh would cost 1000.09 (first sale, fixed charge owed)."""
    q = cli.ok("quote", "--meter", METER, "--kwh", "56.52")
    assert q["tendered"] == "1000.09" and q["kwh"] == "56.52", q
    assert cli.ok("quote", "--meter", METER, "--amount", "1000.09")["kwh"] == "56.52"


@pytest.mark.parametrize("tail", [
    ["--json"], ["--db", "{db}", "--json"], ["--json", "--db", "{db}"], ["--db={db}", "--json"],
    ["--config", "{config}", "--json"], ["--json", "--config={config}", "--db", "{db}"],
], ids=["json", "db json", "json db", "db=", "config", "json config= db"])
def test_global_options_at_the_end_of_the_line(cli: Ppms, tmp_path: Path, tail: list[str]) -> None:
    config = tmp_path / "terminal.toml"
    config.write_text('[terminal]\nid = "T01"\n[database]\npath = "ppms.db"\n[card_reader]\ntype = "emulated"\n',
                      encoding="utf-8")
    tail = [t.format(db=cli.db, config=config) for t in tail]
    db_env = "--db" not in " ".join(tail) and "--config" not in " ".join(tail)
    for args in (["quote", "--meter", METER, "--amount", "500.00"],
                 ["sell", "--meter", METER, "--amount", "500.00"],
                 ["account", "show", "--meter", METER],
                 ["report", "daily", "--date", DAY],
                 ["check"]):
        res = cli.run(*args, *tail, as_json=False, db_env=db_env)
        assert res.code == 0, f"{args + tail}: {res}"
        data = json.loads(res.stdout)  # one JSON object on stdout and nothing else
        assert isinstance(data, dict) and "error" not in data
    assert cli.ok("check")["sales"] == 1


def test_config_names_the_database_and_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "terminal.toml"
    config.write_text('[terminal]\nid = "T07"\n[database]\npath = "../data/t7.db"\n', encoding="utf-8")
    (tmp_path / "data").mkdir()
    cli = Ppms(tmp_path / "data" / "t7.db")
    kw: dict[str, Any] = {"db_env": False}
    init = cli.run("init", "--admin-password", ADMIN_PASSWORD, "--allow-fake-clock", "--config", str(config),
                   operator=None, password=None, **kw)
    assert init.code == 0, init
    assert "--admin-password puts the password where every user" in init.stderr  # kept (cli.md), warned
    assert Path(init.data["database"]).resolve() == (tmp_path / "data" / "t7.db").resolve()
    cli.ok("tariff", "import", str(SAMPLE_TARIFF), "--config", str(config), **kw)
    cli.ok("customer", "register", "--name", "N", "--address", "A", "--meter", METER, "--power-type", "RES",
           "--config", str(config), **kw)
    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00", "--config", str(config), **kw)
    assert sale["receipt_no"] == "T07-000001"


def test_sale_show_is_the_sell_output(cli: Ppms) -> None:
    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00", "--payment", "mobile")
    assert cli.ok("sale", "show", sale["sale_id"]) == sale
    assert cli.ok("sale", "show", sale["receipt_no"]) == sale
    later = cli.ok("sale", "show", sale["sale_id"], now=f"{DAY}T18:00:00")
    assert later == sale


def test_reverse_then_check_and_the_purchase_is_given_back(cli: Ppms) -> None:
    first_quote = cli.ok("quote", "--meter", METER, "--amount", "1000.00")
    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    second_quote = cli.ok("quote", "--meter", METER, "--amount", "1000.00")
    assert second_quote["lines"] != first_quote["lines"]  # month charged, carry-over 0.05
    reversed_ = cli.ok("sale", "reverse", sale["sale_id"], "--reason", "wrong meter")
    assert reversed_["status"] == "reversed" and reversed_["sale_id"] == sale["sale_id"]
    assert cli.ok("sale", "show", sale["receipt_no"])["status"] == "reversed"
    report = cli.ok("check")
    assert report["ok"] is True and report["debits"] == report["credits"]
    # reset for selling: the same money buys what it bought before the reversed sale
    assert cli.ok("quote", "--meter", METER, "--amount", "1000.00") == first_quote
    assert cli.ok("account", "show", "--meter", METER)["carry_over"] == "0.00"
    assert cli.refused("sale", "reverse", sale["sale_id"], "--reason", "again") == "SALE_NOT_REVERSIBLE"
    again = cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    assert again["receipt_no"] == "T01-000002" and again["kwh"] == "56.51"
    assert cli.ok("check")["ok"] is True


def test_daily_report_in_json_csv_and_text(cli: Ppms) -> None:
    cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    cli.ok("sell", "--meter", METER, "--amount", "500.00", "--payment", "bank")
    as_json = cli.ok("report", "daily", "--date", DAY, "--format", "json")
    assert as_json["date"] == DAY and as_json["sales"]["count"] == 2
    assert as_json["sales"]["tendered"] == "1500.00" and as_json["net_takings"] == "1500.00"
    assert as_json["sales"]["by_payment"] == {"cash": "1000.00", "bank": "500.00"}
    assert cli.ok("report", "daily", "--date", DAY) == as_json  # --json wins over the text default

    res = cli.run("report", "daily", "--date", DAY, "--format", "csv", as_json=False)
    assert res.code == 0, res
    rows = {r[0]: r[1] for r in csv.reader(io.StringIO(res.stdout)) if r}
    assert rows["sales.count"] == "2" and rows["sales.tendered"] == "1500.00"
    assert rows["net_takings"] == as_json["net_takings"]

    res = cli.run("report", "daily", "--date", DAY, "--format", "text", as_json=False)
    assert res.code == 0 and DAY in res.stdout and "1500.00" in res.stdout, res

    other = cli.ok("report", "daily", "--date", "2026-03-06", "--format", "json")
    assert other["sales"]["count"] == 0 and other["net_takings"] == "0.00"


def test_debt_is_recovered_at_25_percent_of_the_tender(cli: Ppms) -> None:
    debt = cli.ok("account", "debt", "add", "--meter", METER, "--amount", "1000.00", "--reason", "arrears")
    assert debt["arrears"] == "1000.00"
    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    debt_lines = [ln for ln in sale["lines"] if ln["kind"] == "debt"]
    assert debt_lines == [{"kind": "debt", "amount": "250.00"}]
    assert cli.ok("account", "show", "--meter", METER)["arrears"] == "750.00"
    # the last of the debt: min(arrears, 25% of the tender)
    cli.ok("sell", "--meter", METER, "--amount", "2000.00")
    assert cli.ok("account", "show", "--meter", METER)["arrears"] == "250.00"
    last = cli.ok("sell", "--meter", METER, "--amount", "2000.00")
    assert [ln["amount"] for ln in last["lines"] if ln["kind"] == "debt"] == ["250.00"]
    assert cli.ok("account", "show", "--meter", METER)["arrears"] == "0.00"
    assert cli.ok("report", "daily", "--date", DAY)["sales"]["debt_recovered"] == "1000.00"
    assert cli.ok("check")["ok"] is True
