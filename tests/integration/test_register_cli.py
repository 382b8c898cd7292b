"""`ppms customer register --no-install`, `ppms meter install`, `ppms meter show|list`,
`ppms customer show` and `ppms account transfer|approve|reject|transfers` as a script runs them:
real processes on a real SQLite ledger; every refusal exits 2 with its code and leaves every
table as it was; `ppms check` passes after each step."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ppms import SAMPLE_TARIFF, Ppms, dump_tables, query, sealed

A, B, STS = "0100000001", "0100000002", "04040404040"


@pytest.fixture
def cli(tmp_path: Path) -> Ppms:
    cli = Ppms(tmp_path / "ppms.db")
    cli.init()
    cli.ok("tariff", "import", str(SAMPLE_TARIFF))
    return cli


def checked(cli: Ppms) -> None:
    out = cli.ok("check")
    assert out["ok"], out["problems"]


def test_register_then_install_then_sell(cli: Ppms) -> None:
    reg = cli.ok("customer", "register", "--name", "Amina", "--address", "Plot 9", "--meter", A, "--power-type",
                 "RES", "--building", "Block C", "--id-number", "29871234", "--meter-type", "single_phase",
                 "--maker", "Hexing", "--model", "HXE110", "--capacity-a", "40", "--no-install")
    assert reg["meter"]["status"] == "registered" and reg["installation"] is None
    assert cli.refused("sell", "--meter", A, "--amount", "1000.00") == "METER_NOT_INSTALLED"
    assert cli.refused("quote", "--meter", A, "--amount", "1000.00") == "METER_NOT_INSTALLED"
    assert query(cli.db, "SELECT COUNT(*) FROM sale") == [(0,)]
    checked(cli)
    assert cli.ok("meter", "list", "--status", "registered")["items"][0]["number"] == A
    out = cli.ok("meter", "install", "--meter", A, "--date", "2026-03-05", "--installer", "Team 2",
                 "--seals", "A1,A2", "--initial-reading", "0.50")
    assert out["status"] == "installed" and out["installation"]["seals"] == ["A1", "A2"]
    shown = cli.ok("meter", "show", A)
    assert shown["meter"]["capacity_a"] == 40 and shown["meter"]["installations"][0]["initial_reading_kwh"] == "0.50"
    assert shown["customer"]["building"] == "Block C"
    assert cli.ok("customer", "show", "--meter", A)["customer"]["id_number"] == "29871234"
    assert cli.ok("sell", "--meter", A, "--amount", "1000.00")["status"] == "completed"
    assert cli.refused("meter", "install", "--meter", A) == "METER_ALREADY_INSTALLED"
    text = cli.run("meter", "show", A, as_json=False)
    assert text.code == 0 and "Hexing" in text.stdout
    checked(cli)


def test_bad_registration_and_installation_input(cli: Ppms) -> None:
    cli.ok("customer", "register", "--name", "N", "--address", "A", "--meter", A, "--power-type", "RES")
    before = dump_tables(cli.db)
    sts = ["--carrier", "sts", "--sgc", "123456", "--ti", "1", "--krn", "1"]
    for argv, code in (
        (["--meter", A], "METER_EXISTS"),
        (["--meter", "AB-12"], "METER_NUMBER_INVALID"),
        (["--meter", "04040404041", *sts], "METER_NUMBER_INVALID"),     # Luhn
        (["--meter", A + "9", "--meter-type", "five_phase"], "USAGE"),
        (["--meter", A + "9", "--capacity-a", "0"], "INVALID_ARGUMENT"),
        (["--meter", A + "9", "--no-install", "--installer", "X"], "INVALID_ARGUMENT"),
        (["--meter", A + "9", "--initial-reading", "x"], "ENERGY_INVALID"),
    ):
        got = cli.refused("customer", "register", "--name", "N", "--address", "A", "--power-type", "RES", *argv)
        assert got == code, argv
    assert cli.refused("meter", "install", "--meter", "0999") == "METER_NOT_FOUND"
    assert cli.refused("meter", "install", "--meter", A, "--date", "2027-01-01") == "METER_ALREADY_INSTALLED"
    assert cli.refused("meter", "show", "0999") == "METER_NOT_FOUND"
    assert cli.refused("customer", "show", "--account", "T01-C999999") == "CUSTOMER_NOT_FOUND"
    assert dump_tables(cli.db) == before
    assert cli.ok("customer", "register", "--name", "K", "--address", "A", "--meter", STS, "--power-type", "RES",
                  *sts)["meter"]["carrier"] == "sts"
    checked(cli)


def test_transfer_approved_by_another_operator(cli: Ppms) -> None:
    for meter in (A, B):
        cli.ok("customer", "register", "--name", f"C {meter}", "--address", "A", "--meter", meter,
               "--power-type", "RES")
    cli.ok("account", "debt", "add", "--meter", A, "--amount", "80.00", "--reason", "old bill")
    cli.add_operator("sup", "supervisor", "secret-sup")
    before = dump_tables(cli.db)
    for argv, code in (
        (["--from-meter", A, "--to-meter", A, "--what", "arrears", "--amount", "1.00"], "TRANSFER_TO_ITSELF"),
        (["--from-meter", A, "--to-meter", B, "--what", "arrears", "--amount", "80.01"], "TRANSFER_EXCEEDS_BALANCE"),
        (["--from-meter", B, "--to-meter", A, "--what", "carry_over", "--amount", "0.01"],
         "TRANSFER_EXCEEDS_BALANCE"),
        (["--from-meter", A, "--to-meter", "0999", "--what", "arrears", "--amount", "1.00"], "METER_NOT_FOUND"),
        (["--from-meter", A, "--to-meter", B, "--what", "arrears", "--amount", "1.001"], "AMOUNT_INVALID"),
    ):
        assert cli.refused("account", "transfer", *argv, "--reason", "r") == code, argv
    assert cli.refused("account", "approve", "00000000-0000-0000-0000-000000000000") == "TRANSFER_NOT_FOUND"
    assert dump_tables(cli.db) == before
    asked = cli.ok("account", "transfer", "--from-meter", A, "--to-meter", B, "--what", "arrears",
                   "--amount", "80.00", "--reason", "billed to the wrong account")
    tid = asked["transfer_id"]
    assert cli.ok("account", "transfers")["transfers"][0]["transfer_id"] == tid
    assert cli.ok("account", "show", "--meter", B)["arrears"] == "0.00"
    checked(cli)
    before = dump_tables(cli.db)
    assert cli.refused("account", "approve", tid) == "APPROVAL_BY_SAME_OPERATOR"
    assert dump_tables(cli.db) == before
    done = cli.ok("account", "approve", tid, operator="sup", password="secret-sup")
    assert done["status"] == "approved" and done["decided_by"] == "sup"
    assert cli.ok("account", "show", "--meter", A)["arrears"] == "0.00"
    assert cli.ok("account", "show", "--meter", B)["arrears"] == "80.00"
    assert cli.refused("account", "reject", tid, operator="sup", password="secret-sup") == "TRANSFER_DECIDED"
    assert cli.ok("account", "transfers", "--status", "approved", "--meter", B)["transfers"][0]["status"] == "approved"
    checked(cli)


def test_reject_and_permissions(cli: Ppms) -> None:
    for meter in (A, B):
        cli.ok("customer", "register", "--name", f"C {meter}", "--address", "A", "--meter", meter,
               "--power-type", "RES")
    cli.ok("account", "debt", "add", "--meter", A, "--amount", "10.00", "--reason", "old bill")
    cli.add_operator("cash", "cashier", "secret-cash")
    cli.add_operator("audi", "auditor", "secret-audi")
    as_cashier = {"operator": "cash", "password": "secret-cash"}
    as_auditor = {"operator": "audi", "password": "secret-audi"}
    args = ("account", "transfer", "--from-meter", A, "--to-meter", B, "--what", "arrears", "--amount", "5.00",
            "--reason", "r")
    assert cli.refused(*args, **as_cashier) == "PERMISSION_DENIED"
    assert cli.refused("account", "transfers", **as_cashier) == "PERMISSION_DENIED"
    assert cli.refused("meter", "install", "--meter", A, operator="audi", password="secret-audi") == \
        "PERMISSION_DENIED"
    tid = cli.ok(*args, **as_auditor)["transfer_id"]
    assert cli.refused("account", "approve", tid, **as_auditor) == "PERMISSION_DENIED"
    assert cli.refused("account", "reject", tid, **as_cashier) == "PERMISSION_DENIED"
    out = cli.ok("account", "reject", tid, "--note", "no proof")
    assert out["status"] == "rejected" and out["note"] == "no proof"
    assert cli.ok("account", "show", "--meter", A)["arrears"] == "10.00"
    assert cli.ok("account", "transfers")["transfers"] == []
    checked(cli)


def test_check_names_a_transfer_posting_that_does_not_match(cli: Ppms) -> None:
    for meter in (A, B):
        cli.ok("customer", "register", "--name", f"C {meter}", "--address", "A", "--meter", meter,
               "--power-type", "RES")
    cli.ok("account", "debt", "add", "--meter", A, "--amount", "10.00", "--reason", "old bill")
    cli.add_operator("sup", "supervisor", "secret-sup")
    tid = cli.ok("account", "transfer", "--from-meter", A, "--to-meter", B, "--what", "arrears", "--amount", "5.00",
                 "--reason", "r")["transfer_id"]
    cli.ok("account", "approve", tid, operator="sup", password="secret-sup")
    checked(cli)
    con = sealed(cli.db)     # a key holder adds a line to the transfer's posting (balanced, but not the transfer)
    (pid,) = con.execute("SELECT posting_id FROM account_transfer_decision").fetchone()
    con.execute("INSERT INTO posting_line (posting_id, account, customer_id, debit, credit) "
                "VALUES (?, 'CASH', NULL, 100, 0), (?, 'ARREARS_TAKEN_ON', NULL, 0, 100)", (pid, pid))
    con.commit()
    con.close()
    res = cli.run("check")
    assert res.code == 3 and "TRANSFER_MISMATCH" in {p["code"] for p in res.data["problems"]}, res


def test_an_sts_meter_in_two_steps_gets_its_token_once_installed(tmp_path: Path) -> None:
    key_file = tmp_path / "vend.key"
    key_file.write_text("0123456789abcdef\n")
    key_file.chmod(0o600)
    cli = Ppms(tmp_path / "ppms.db", extra_env={"PPMS_STS_KEY_FILE": str(key_file)})
    cli.init()
    cli.ok("tariff", "import", str(SAMPLE_TARIFF))
    reg = cli.ok("customer", "register", "--name", "K", "--address", "Shop 4", "--meter", STS, "--power-type", "RES",
                 "--carrier", "sts", "--sgc", "123456", "--ti", "1", "--krn", "1", "--meter-type", "single_phase",
                 "--no-install")
    assert reg["meter"]["status"] == "registered" and reg["meter"]["sts"]["sgc"] == 123456
    before = dump_tables(cli.db)
    assert cli.refused("sell", "--meter", STS, "--amount", "1000.00") == "METER_NOT_INSTALLED"
    assert dump_tables(cli.db) == before                     # no token made, no receipt number used
    cli.ok("meter", "install", "--meter", STS, "--seals", "K-9")
    sale = cli.ok("sell", "--meter", STS, "--amount", "1000.00")
    assert len(sale["token"]) == 20 and query(cli.db, "SELECT COUNT(*) FROM sts_token") == [(1,)]
    checked(cli)


def test_a_kept_dictionary_list_refuses_other_values_at_the_command_line(cli: Ppms) -> None:
    cli.ok("setup", "dictionary", "add", "area", "KIBERA-N", "Kibera North")
    cli.ok("setup", "dictionary", "add", "area", "RUAKA", "Ruaka")
    before = dump_tables(cli.db)
    res = cli.run("customer", "register", "--name", "Amina", "--address", "Plot 9", "--meter", A,
                  "--power-type", "RES", "--area", "Nowhere")
    assert res.code == 2 and res.data["error"]["code"] == "DICTIONARY_VALUE_UNKNOWN"
    assert res.data["error"]["details"] == {"key": "area", "kind": "area", "value": "Nowhere",
                                            "allowed": ["KIBERA-N", "RUAKA"]}
    assert dump_tables(cli.db) == before
    reg = cli.ok("customer", "register", "--name", "Amina", "--address", "Plot 9", "--meter", A,
                 "--power-type", "RES", "--area", "kibera north")
    assert reg["customer"]["area"] == "KIBERA-N"
    found = cli.ok("search", "meters", "--area", "Kibera North")
    assert found["total"] == 1 and found["items"][0]["area"] == "KIBERA-N"
    assert cli.ok("meter", "list", "--area", "Kibera North")["total"] == 1
    checked(cli)
