"""`ppms amend ...` (cli.md, "Commands of the office functions") in a subprocess: the JSON of
each amendment, its money as decimal strings, refusals with exit 2 and nothing changed."""
from __future__ import annotations

from pathlib import Path

from tests.helpers.ppms import Ppms, dump_tables

METER, OTHER, NEW = "0123456789", "1111111111", "0987654321"


def test_amend_commands_print_their_json_and_refuse_bad_input_with_exit_2(tmp_path: Path) -> None:
    cli = Ppms(tmp_path / "ppms.db")
    cli.with_sample_tariff(METER, OTHER)
    cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    cli.ok("sell", "--meter", OTHER, "--amount", "1000.00")
    cli.add_operator("cash1", "cashier", "cashier-pw1")
    basic = cli.ok("amend", "basic", "--meter", METER, "--phone", "0700", "--area", "North")
    assert basic["kind"] == "basic_file" and basic["fee"] == "0.00"
    assert basic["after"] == {"phone": "0700", "area": "North"}
    cap = cli.ok("amend", "capacity", "--meter", METER, "--capacity-a", "60", "--payment", "bank")
    assert cap["kind"] == "capacity" and cap["fee"] == "0.00"

    before = dump_tables(cli.db)
    assert cli.refused("amend", "power-type", "--meter", METER, "--power-type", "RES") == "INVALID_ARGUMENT"
    assert cli.refused("amend", "basic", "--meter", "999", "--name", "X") == "METER_NOT_FOUND"
    assert cli.refused("amend", "replace-meter", "--meter", METER, "--new-meter", OTHER, "--final-reading", "10",
                       "--remaining-credit", "1") == "METER_EXISTS"
    assert cli.refused("amend", "cancel-meter", "--meter", METER, "--final-reading", "10",
                       "--remaining-credit", "56.52", "--reason", "x") == "REMAINING_CREDIT_TOO_HIGH"
    assert cli.refused("amend", "cancel-meter", "--meter", METER, "--final-reading", "10",
                       "--remaining-credit", "1", "--reason", "x", operator="cash1",
                       password="cashier-pw1") == "PERMISSION_DENIED"
    assert dump_tables(cli.db) == before

    moved = cli.ok("amend", "replace-meter", "--meter", METER, "--new-meter", NEW, "--final-reading", "36.51",
                   "--remaining-credit", "20.00")
    assert moved["kind"] == "replace_meter" and moved["meter"] == METER and moved["new_meter"] == NEW
    assert moved["credit_transferred_kwh"] == "20.00" and moved["credit_value"] == "292.32"
    assert moved["fee"] == "0.00"
    cancelled = cli.ok("amend", "cancel-meter", "--meter", OTHER, "--final-reading", "6.51",
                       "--remaining-credit", "50.00", "--reason", "house demolished")
    assert {k: cancelled[k] for k in ("credit_value", "carry_over", "arrears_settled", "refund", "arrears_left")} \
        == {"credit_value": "730.80", "carry_over": "0.05", "arrears_settled": "0.00", "refund": "730.85",
            "arrears_left": "0.00"}

    before = dump_tables(cli.db)
    assert cli.refused("amend", "capacity", "--meter", METER, "--capacity-a", "90") == "METER_REPLACED"
    assert cli.refused("amend", "reissue-card", "--meter", OTHER, "--reason", "lost") == "METER_CANCELLED"
    assert cli.refused("sell", "--meter", METER, "--amount", "100.00") == "METER_REPLACED"
    assert dump_tables(cli.db) == before
    listed = cli.ok("amend", "list", "--meter", METER)
    assert [a["kind"] for a in listed["items"]] == ["basic_file", "capacity", "replace_meter"]
    assert listed["items"][-1]["credit_value"] == "292.32"
    assert cli.ok("check")["ok"]
    text = cli.run("amend", "list", as_json=False)
    assert text.code == 0 and "replace_meter" in text.stdout
