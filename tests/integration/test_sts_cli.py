"""`ppms sts token` / `ppms sts decode` (cli.md) against the public STS conformance vectors,
and an STS sale through `ppms sell` whose token decodes to the energy sold."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms, dump_tables, query

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def vectors(name: str) -> list[dict]:
    rows = [json.loads(line) for line in (VECTORS / name).read_text().splitlines() if line.strip()]
    return [r for r in rows if "id" in r and r.get("class") in (0, 2) and "token" in r and "vending_key" in r
            and r.get("subclass") in (0, 1)]


CASES = [v for v in vectors("sts_ctsa_ea07.jsonl")[:3] + vectors("sts_ctsa_ea11.jsonl")[:3]
         if "tid_offset" not in v]


def meter_args(v: dict, key_file: Path) -> list[str]:
    m = v["meter"]
    return ["--key-file", str(key_file), "--pan", m["pan"], "--sgc", str(m["sgc"]), "--ti", str(m["ti"]),
            "--krn", str(m["krn"]), "--kt", str(m["key_type"]), "--ea", f"{m['ea']:02d}",
            "--dkga", f"{m['dkga']:02d}", "--base-date", str(m["base_date"]), "--ken", str(m["ken"])]


def key(tmp_path: Path, hex_key: str, mode: int = 0o600) -> Path:
    path = tmp_path / f"vend-{hex_key[:6]}.key"
    path.write_text(hex_key + "\n")
    path.chmod(mode)
    return path


@pytest.fixture
def cli(tmp_path: Path) -> Ppms:
    return Ppms(tmp_path / "ppms.db")


def test_the_vector_set_is_not_empty():
    assert len(CASES) >= 4 and {c["meter"]["ea"] for c in CASES} == {7, 11}


@pytest.mark.parametrize("v", CASES, ids=[c["id"] for c in CASES])
def test_token_command_reproduces_the_conformance_vector(cli: Ppms, tmp_path: Path, v: dict):
    amount = str(Decimal(v["value"]) / 10) if v["class"] == 0 else str(v["value"])
    cli.init()
    out = cli.ok("sts", "token", *meter_args(v, key(tmp_path, v["vending_key"])), "--class", str(v["class"]),
                 "--subclass", str(v["subclass"]), "--amount", amount, "--issued", v["issued"],
                 "--rnd", str(v["rnd"]))
    assert out["token"] == v["token"] and isinstance(out["tid"], int)
    (row,) = query(cli.db, "SELECT operator, after FROM diary WHERE action = 'sts.support_token'")
    recorded = json.loads(row[1])
    assert row[0] == "admin" and (recorded["pan"], recorded["class"], recorded["amount"], recorded["tid"]) == (
        v["meter"]["pan"], v["class"], amount, out["tid"])
    assert v["token"] not in row[1] and v["vending_key"] not in row[1]
    decoded = cli.ok("sts", "decode", *meter_args(v, key(tmp_path, v["vending_key"])), "--token", v["token"])
    assert (decoded["class"], decoded["subclass"]) == (v["class"], v["subclass"])


def test_decode_refuses_a_mistyped_token(cli: Ppms, tmp_path: Path):
    v = CASES[0]
    wrong = v["token"][:-1] + str((int(v["token"][-1]) + 1) % 10)
    res = cli.run("sts", "decode", *meter_args(v, key(tmp_path, v["vending_key"])), "--token", wrong)
    assert res.code == 2 and res.error_code in ("TOKEN_CRC", "TOKEN_FORMAT", "TOKEN_CLASS"), res


def test_a_key_file_others_can_read_is_refused(cli: Ppms, tmp_path: Path):
    v = CASES[0]
    cli.init()
    res = cli.run("sts", "token", *meter_args(v, key(tmp_path, v["vending_key"], 0o644)), "--class", "0",
                  "--subclass", "0", "--amount", "1.0", "--issued", v["issued"])
    assert (res.code, res.error_code) == (2, "KEY_FILE_PERMISSIONS"), res
    assert v["vending_key"] not in res.stdout + res.stderr


def test_sts_sale_token_decodes_to_the_energy_sold(cli: Ppms, tmp_path: Path):
    key_file = key(tmp_path, "0123456789abcdef")
    cli.extra_env["PPMS_STS_KEY_FILE"] = str(key_file)
    cli.init()
    cli.ok("tariff", "import", str(Path(__file__).resolve().parents[1] / "unit" / "domain" / "sample_tariff.toml"))
    reg = cli.ok("customer", "register", "--name", "Kip", "--address", "Plot 2", "--meter", "01234567897",
                 "--power-type", "RES", "--carrier", "sts", "--sgc", "123456", "--ti", "1", "--krn", "1")
    sale = cli.ok("sell", "--meter", "01234567897", "--amount", "1000.00")
    assert sale["kwh"] == "56.50" and cli.ok("sale", "show", sale["receipt_no"])["token"] == sale["token"]
    from hardware.sts import make_pan
    m = reg["meter"]["sts"]
    decoded = cli.ok("sts", "decode", "--key-file", str(key_file), "--pan", make_pan("01234567897"),
                     "--sgc", "123456", "--ti", "1", "--krn", "1", "--base-date", str(m["base_date"]),
                     "--token", sale["token"])
    assert decoded["kwh"] == sale["credit_kwh"]


def test_token_needs_an_operator_with_engineering_tokens(cli: Ppms, tmp_path: Path):
    """A credit token is money: no login, or a cashier, makes none and the ledger stays as it was."""
    v = next(c for c in CASES if c["class"] == 0)
    args = ("sts", "token", *meter_args(v, key(tmp_path, v["vending_key"])), "--class", "0",
            "--subclass", "0", "--amount", "4999.4", "--issued", v["issued"])
    no_db = cli.run(*args, operator=None, password=None)
    assert no_db.code == 2 and "token" not in (no_db.data or {}), no_db
    cli.init()
    cli.add_operator("c1", "cashier", "secret2")
    before = dump_tables(cli.db)
    assert cli.refused(*args, operator=None, password=None) == "AUTH_FAILED"
    res = cli.run(*args, operator="c1", password="secret2")
    assert (res.code, res.error_code) == (2, "PERMISSION_DENIED"), res
    assert dump_tables(cli.db) == before


def test_decode_defaults_to_base_date_2014_like_registration(cli: Ppms, tmp_path: Path):
    key_file = key(tmp_path, "0123456789abcdef")
    cli.init()
    from hardware.sts import make_pan
    common = ["--key-file", str(key_file), "--pan", make_pan("01234567897"), "--sgc", "123456", "--ti", "1",
              "--krn", "1"]
    made = cli.ok("sts", "token", *common, "--base-date", "2014", "--class", "0", "--subclass", "0",
                  "--amount", "10.0", "--issued", "2026-03-05T10:00:00")
    assert cli.ok("sts", "decode", *common, "--token", made["token"])["kwh"] == "10.00"
