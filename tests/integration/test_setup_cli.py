"""The `ppms` commands of system setup and cashier shifts, as a script drives them: JSON out,
stable codes and exit 2 for refused input with the ledger unchanged, PERMISSION_DENIED for
a role without the function, `ppms check` sound after each step."""
from __future__ import annotations

import tomllib

import pytest

from tests.helpers.ppms import Ppms, dump_tables

METER = "0123456789"


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    c = Ppms(tmp_path_factory.mktemp("setup") / "ppms.db")
    c.with_sample_tariff(METER)
    c.add_operator("cash1", "cashier", "secret2")
    c.add_operator("sup1", "supervisor", "secret3")
    return c


def as_cashier(cli: Ppms, *args: str):
    return cli.run(*args, operator="cash1", password="secret2")


def test_param_set_show_history(cli):
    out = cli.ok("setup", "param", "set", "fee.replace_meter", "120.00")
    assert out["value"] == "120.00" and out["changed"]
    shown = {p["key"]: p["value"] for p in cli.ok("setup", "param", "show")["parameters"]}
    assert shown["fee.replace_meter"] == "120.00" and shown["terminal.id"] == "T01"
    hist = cli.ok("setup", "param", "history", "fee.replace_meter")["changes"]
    assert [(h["value"], h["operator"]) for h in hist] == [("120.00", "admin")]
    assert cli.ok("check")["ok"]


def test_dictionary_commands(cli):
    cli.ok("setup", "dictionary", "add", "payment_method", "MPESA", "M-Pesa")
    listed = cli.ok("setup", "dictionary", "list", "payment_methods")
    assert [(e["code"], e["name"]) for e in listed["entries"]] == [("MPESA", "M-Pesa")]
    assert cli.ok("setup", "dictionary", "remove", "payment_method", "MPESA")["active"] is False
    assert cli.ok("setup", "dictionary", "list", "payment_method")["entries"] == []


def test_tariff_export_reimports_unchanged(cli, tmp_path):
    text = cli.run("tariff", "export", as_json=False).stdout
    assert tomllib.loads(text)["power_type"][0]["code"] == "RES"
    out = tmp_path / "tariffs.toml"
    assert cli.ok("tariff", "export", "--out", str(out))["out"] == str(out)
    assert out.read_text() == text
    before = dump_tables(cli.db)
    again = cli.ok("tariff", "import", str(out))
    assert not any(x["new"] for x in again["power_types"] + again["preferentials"])
    assert dump_tables(cli.db) == before
    assert cli.ok("tariff", "list")["power_types"][0]["versions"][0]["blocks"][0]["comprehensive_price"] == "12.6"
    assert cli.ok("tariff", "preferential", "show")["preferentials"][0]["code"] == "LIFELINE"


def test_operator_list_matrix_and_own_grants(cli):
    assert "setup" not in {u["username"]: u for u in cli.ok("operator", "list")["operators"]}["cash1"]["permissions"]
    m = cli.ok("operator", "matrix")
    assert {r["module"]: r["cashier"] for r in m["matrix"]}["shifts"] is True
    cli.ok("operator", "grant-user", "cash1", "setup")
    assert as_cashier(cli, "setup", "param", "show").code == 0
    cli.ok("operator", "reset-user", "cash1", "setup")
    assert as_cashier(cli, "setup", "param", "show").error_code == "PERMISSION_DENIED"


def test_port_set_commands(cli):
    out = cli.ok("setup", "port", "set", "meter_bus.timeout_s", "2.5")
    assert out["in_use"] == "2.5"
    shown = {s["key"]: s for s in cli.ok("setup", "port", "show")["settings"]}
    assert shown["meter_bus.timeout_s"]["stored"] == "2.5"
    assert cli.ok("setup", "port", "reset", "meter_bus.timeout_s")["stored"] is None


def test_a_shift_from_open_to_signoff(cli):
    opened = as_cashier(cli, "shift", "open", "--float", "200.00").data
    assert opened["status"] == "open"
    assert as_cashier(cli, "sell", "--meter", METER, "--amount", "1000.00").code == 0
    closed = as_cashier(cli, "shift", "close", "--counted", "1200.00").data
    assert (closed["expected"], closed["difference"]) == ("1200.00", "0.00")
    signed = cli.ok("shift", "signoff", str(closed["shift_id"]), operator="sup1", password="secret3")
    assert signed["status"] == "signed_off" and signed["signed_off_by"] == "sup1"
    assert cli.ok("shift", "list")["shifts"][0]["status"] == "signed_off"
    assert cli.ok("check")["ok"]


@pytest.mark.parametrize(("args", "code"), [
    (("setup", "param", "set", "fee.nothing", "1"), "PARAMETER_UNKNOWN"),
    (("setup", "param", "set", "fee.reissue_card", "abc"), "PARAMETER_INVALID"),
    (("setup", "dictionary", "add", "planet", "X", "Y"), "DICTIONARY_KIND_UNKNOWN"),
    (("setup", "port", "set", "printer.type", "laser"), "DEVICE_SETTING_INVALID"),
    (("operator", "grant-user", "ghost", "selling"), "OPERATOR_NOT_FOUND"),
    (("shift", "close", "--counted", "1.00"), "SHIFT_NOT_OPEN"),
    (("shift", "open", "--float", "-5"), "AMOUNT_INVALID"),
    (("shift", "signoff", "9999"), "SHIFT_NOT_FOUND"),
])
def test_bad_input_is_refused_with_its_code_and_nothing_changes(cli, args, code):
    before = dump_tables(cli.db)
    assert cli.refused(*args) == code
    assert dump_tables(cli.db) == before


@pytest.mark.parametrize("args", [   # every function's refusal is in tests/unit/services; one per command group here
    ("setup", "param", "set", "fee.reissue_card", "1.00"), ("setup", "dictionary", "add", "area", "N", "North"),
    ("setup", "port", "set", "meter_bus.retries", "3"), ("tariff", "export"),
    ("operator", "grant-user", "cash1", "setup"), ("shift", "signoff", "1"),
])
def test_a_cashier_is_refused_every_setup_function(cli, args):
    before = dump_tables(cli.db)
    res = as_cashier(cli, *args)
    assert (res.code, res.error_code) == (2, "PERMISSION_DENIED"), res
    assert dump_tables(cli.db) == before
