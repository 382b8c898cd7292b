"""What `ppms` prints, through a real subprocess: readable text without `--json`, exactly
one JSON object with it, money and energy as decimal strings everywhere (error details and
`check` too), a sale as a receipt summary, a queued receipt said in words, who reversed a
sale, and help for every command."""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from sync.schema import decode
from sync.views import view
from terminal.cli_parser import build_parser
from tests.helpers.ppms import Ppms, checkpoint, copy_ledger, query

METER = "0123456789"
DAY = "2026-03-05"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cli = Ppms(tmp_path_factory.mktemp("template") / "ppms.db", now=f"{DAY}T10:00:00")
    cli.with_sample_tariff(METER)
    cli.add_operator("cashier1", "cashier", "cashier-pw-1")
    checkpoint(cli.db)
    return cli.db


@pytest.fixture
def cli(template: Path, tmp_path: Path) -> Ppms:
    copy_ledger(template, tmp_path / "ppms.db")
    return Ppms(tmp_path / "ppms.db", now=f"{DAY}T10:00:00")


def text(cli: Ppms, *args: str, **kw: object) -> str:
    res = cli.run(*args, as_json=False, **kw)  # type: ignore[arg-type]
    assert res.code == 0, f"ppms {' '.join(args)}: {res}"
    return res.stdout


def test_every_command_prints_text_without_json_and_one_object_with_it(cli: Ppms) -> None:
    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    commands = [
        ["quote", "--meter", METER, "--amount", "500.00"], ["sale", "show", sale["receipt_no"]],
        ["sale", "recover"], ["account", "show", "--meter", METER],
        ["account", "debt", "add", "--meter", METER, "--amount", "10.00", "--reason", "old bill"],
        ["report", "daily"], ["check"], ["receipt", "queue"], ["receipt", "retry"], ["invoice", "show"],
        ["operator", "unlock", "cashier1"], ["operator", "grant", "cashier", "accounts"],
        ["operator", "add", "--username", "aud1", "--role", "auditor", "--password-stdin"],
        ["tariff", "import", str(Path(__file__).parents[1] / "unit" / "domain" / "sample_tariff.toml")],
        ["customer", "register", "--name", "N", "--address", "A", "--meter", "0123456700", "--power-type",
         "RES"],
        ["ports", "list"], ["card", "show", "0000000000000000"],
    ]
    for args in commands:
        res = cli.run(*args, as_json=False, stdin="auditor-pw-1\n" if "--password-stdin" in args else None)
        if args[0] == "card":   # refused (no such card): the error is text on stderr
            assert res.code == 2 and res.stdout == "" and res.stderr.startswith("error CARD_NOT_FOUND"), res
            continue
        assert res.code == 0, f"{args}: {res}"
        assert not res.stdout.lstrip().startswith(("{", "[")), f"ppms {' '.join(args)} printed JSON:\n{res}"
        assert ": " in res.stdout or "  " in res.stdout, res.stdout
    for args in (["quote", "--meter", METER, "--amount", "500.00"], ["check"], ["ports", "list"],
                 ["report", "daily"], ["sale", "show", sale["receipt_no"]]):
        res = cli.run(*args)
        assert res.code == 0 and isinstance(json.loads(res.stdout), dict), res


def test_a_sale_reads_like_a_receipt_summary(cli: Ppms) -> None:
    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00", "--payment", "mobile",
                  operator="cashier1", password="cashier-pw-1")
    out = text(cli, "sale", "show", sale["receipt_no"])
    assert "None" not in out and "power_type=" not in out and "sub_item=" not in out, out
    for label, value in (("Customer", "Customer 0"), ("Meter", METER), ("Date", f"{DAY} 10:00:00"),
                         ("Operator", "cashier1"), ("Payment", "mobile"), ("Receipt no", "T01-000001")):
        assert re.search(rf"^{label}:\s+{re.escape(value)}", out, re.M), f"{label}: {out}"
    amounts = [ln for ln in out.splitlines() if re.search(r"\d+\.\d\d$", ln)]
    assert {ln["amount"] for ln in sale["lines"]} <= {ln.split()[-1] for ln in amounts}
    assert len({len(ln) for ln in amounts}) == 1, f"amounts not aligned:\n{out}"
    assert re.search(r"^Tendered\s+KES 1000\.00$", out, re.M) and "56.51 kWh" in out


def test_a_quote_reads_the_same_without_a_receipt_number(cli: Ppms) -> None:
    out = text(cli, "quote", "--meter", METER, "--amount", "1000.00")
    assert out.startswith("QUOTE") and "None" not in out and "Receipt no" not in out, out


def test_reversal_by_a_supervisor_says_who_when_and_why(cli: Ppms) -> None:
    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00", operator="cashier1", password="cashier-pw-1")
    rev = cli.ok("sale", "reverse", sale["sale_id"], "--reason", "wrong meter", now=f"{DAY}T11:30:00")
    assert rev["operator"] == "cashier1"
    assert rev["reversal"] == {"operator": "admin", "at": f"{DAY}T11:30:00", "reason": "wrong meter"}
    assert cli.ok("sale", "show", sale["receipt_no"])["reversal"] == rev["reversal"]
    out = text(cli, "sale", "show", sale["receipt_no"])
    assert f"Reversed {DAY} 11:30:00 by admin" in out and "reason: wrong meter" in out, out
    assert re.search(r"^Operator:\s+cashier1$", out, re.M), out


def test_whose_sale_and_who_reversed_it_are_shown_not_sent(cli: Ppms) -> None:
    """The center gets the sale object of its wire record; the customer and the reversal are
    for the person at the terminal (the center has them from the registration and the
    reversal row)."""
    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    rev = cli.ok("sale", "reverse", sale["sale_id"], "--reason", "wrong meter")
    assert sale["customer"] == rev["customer"] == "Customer 0" and sale["account_no"] == rev["account_no"]
    sent = {kind: decode(kind, payload) for kind, payload in query(cli.db, "SELECT kind, payload FROM outbox "
                                                                           "WHERE kind IN ('sale', 'reversal')")}
    assert sent["sale"].receipt_no == sale["receipt_no"] and sent["reversal"].reason == "wrong meter"
    shown_only = {"customer", "account_no", "reversal"}
    assert view(sent["sale"]) == {k: v for k, v in sale.items() if k not in shown_only}
    for record in sent.values():
        assert not shown_only & set(view(record)), record


def test_a_queued_receipt_is_said_in_the_text(cli: Ppms) -> None:
    cli.extra_env.update({"PPMS_PRINTER_TYPE": "dummy", "PPMS_PRINTER_DUMMY_STATUS": "offline"})
    out = text(cli, "sell", "--meter", METER, "--amount", "1000.00", "--print")
    assert "NOT PRINTED" in out and "ppms receipt retry" in out and "PRINTER_OFFLINE" in out, out
    assert cli.ok("receipt", "queue")["waiting"][0]["receipt_no"] == "T01-000001"


def test_quote_of_zero_kwh_is_refused(cli: Ppms) -> None:
    assert cli.refused("quote", "--meter", METER, "--kwh", "0") == "ENERGY_INVALID"
    assert cli.refused("quote", "--meter", METER, "--kwh", "0.00") == "ENERGY_INVALID"
    assert cli.ok("quote", "--meter", METER, "--kwh", "0.01")["kwh"] == "0.01"


def test_money_and_energy_are_decimal_strings_in_error_details_and_check(cli: Ppms) -> None:
    res = cli.run("quote", "--meter", METER, "--amount", "10.00")
    assert res.data["error"]["details"] == {"minimum": "50.00", "currency": "KES"}, res
    res = cli.run("sell", "--meter", METER, "--amount", "100.00")   # 150.00 fixed + VAT owed
    assert res.data["error"]["code"] == "AMOUNT_TOO_SMALL" and res.data["error"]["details"]["needed"] == "174.00"
    res = cli.run("quote", "--meter", METER, "--kwh", "99999")
    assert res.data["error"]["details"]["maximum"] == "2000.00", res
    cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    check = cli.ok("check")
    assert check["debits"] == check["credits"] == "1000.00"


def test_report_daily_defaults_to_today(cli: Ppms) -> None:
    cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    assert cli.ok("report", "daily") == cli.ok("report", "daily", "--date", DAY)
    assert cli.ok("report", "daily", now="2026-03-06T08:00:00")["date"] == "2026-03-06"


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                out.append((f"{prefix}{name}", helps.get(name)))
                out += _commands(sub, f"{prefix}{name} ")
    return out


def test_every_command_and_group_has_a_one_line_help() -> None:
    found = _commands(build_parser())
    assert len(found) > 40
    assert [name for name, helptext in found if not helptext] == []
    assert all("\n" not in str(h) for _, h in found)


def test_help_reads_well(cli: Ppms) -> None:
    for args in ([], ["sale"], ["report"], ["operator"], ["account"]):
        res = cli.run(*args, "--help", as_json=False)
        assert res.code == 0 and "usage: ppms" in res.stdout, res
        for name, helptext in _commands(build_parser()):
            words = name.split()
            if words[:-1] == args:
                assert helptext and helptext.split()[0] in res.stdout, (name, res.stdout)
