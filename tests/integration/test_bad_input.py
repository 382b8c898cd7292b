"""Bad input through the `ppms` command: each refusal has its stable error code in
JSON, exit 2, and leaves the ledger as it was.

A successful login by the `ppms` command writes nothing (auth.login(record=False):
the command's own changes carry the operator's name), so "as it was" means byte
for byte, and every table equal, for every refusal. A wrong password changes the
operator's failed-attempt counter and the diary, and nothing else; five lock the
operator.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ppms import (
    SAMPLE_TARIFF,
    Ppms,
    checkpoint,
    copy_ledger,
    db_bytes,
    dump_tables,
    query,
)

METER = "0123456789"
SAMPLE = SAMPLE_TARIFF.read_text(encoding="utf-8")
SECOND_BLOCK = 'price = { ENERGY = "20.00", REP = "1.00" }'
COM = SAMPLE.split("[[preferential]]")[0].split("[[power_type]]")[1].replace('"RES"', '"COM"')

# (name, file text, the key the refusal must name)
BAD_TARIFFS = [
    ("not TOML", 'currency = "KES"\n[[power_type\n', ""),
    ("unknown currency", SAMPLE.replace('"KES"', '"XYZ"'), "currency"),
    ("unknown sub-item in a price", SAMPLE.replace('REP = "0.60"', 'LEVY = "0.60"'),
     "power_type[0].block[0].price.LEVY"),
    ("negative price", SAMPLE.replace('ENERGY = "12.00"', 'ENERGY = "-12.00"'),
     "power_type[0].block[0].price.ENERGY"),
    ("bad date", SAMPLE.replace("2026-01-01", "2026-02-30"), "power_type[0].effective_from"),
    ("blocks out of order", SAMPLE.replace(SECOND_BLOCK, 'up_to_kwh = "50"\n' + SECOND_BLOCK + "\n"
                                           "[[power_type.block]]\n" + SECOND_BLOCK),
     "power_type[0].block[1].up_to_kwh"),
    ("missing key", SAMPLE.replace('vat_percent = "16"', ""), "power_type[0].vat_percent"),
    ("good power type then a bad one", SAMPLE.replace("[[preferential]]", "[[power_type]]" + COM.replace(
        'vat_percent = "16"', 'vat_percent = "sixteen"') + "[[preferential]]"), "power_type[1].vat_percent"),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger with the sample tariff, two meters, one sale and a cashier c1, built once."""
    cli = Ppms(tmp_path_factory.mktemp("template") / "ppms.db")
    cli.with_sample_tariff(METER, "0123456780")
    cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    cli.add_operator("c1", "cashier", "secret2")
    checkpoint(cli.db)
    return cli.db


@pytest.fixture
def cli(template: Path, tmp_path: Path) -> Ppms:
    copy_ledger(template, tmp_path / "ppms.db")
    return Ppms(tmp_path / "ppms.db")


def assert_unchanged(before: dict, db: Path) -> None:
    """Every table as it was, and the file byte for byte (after a WAL checkpoint)."""
    after = dump_tables(db)
    for table, rows in before["tables"].items():
        assert after[table] == rows, f"table {table} changed"
    assert db_bytes(db) == before["bytes"]


def snapshot(db: Path) -> dict:
    return {"tables": dump_tables(db), "bytes": db_bytes(db)}


def money_tables(dump: dict) -> dict:
    """Every table but the diary, the operators and the seal (which seals their changes)."""
    return {t: rows for t, rows in dump.items() if t not in ("diary", "operator", "seal")}


@pytest.mark.parametrize("name,text,key", BAD_TARIFFS, ids=[b[0] for b in BAD_TARIFFS])
def test_malformed_tariff_is_refused_whole(cli: Ppms, tmp_path: Path, name: str, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    before = snapshot(cli.db)
    res = cli.run("tariff", "import", str(path))
    assert (res.code, res.error_code) == (2, "TARIFF_INVALID"), res
    details = res.data["error"]["details"]
    assert details["key"] == key, details
    if key:
        assert key in res.data["error"]["message"]
    assert details["line"] is not None, "the refusal must name the line"
    assert_unchanged(before, cli.db)


def test_tariff_refused_inside_the_store_leaves_nothing(cli: Ppms, tmp_path: Path) -> None:
    """A file that parses but conflicts when stored: COM (new, valid) must not be kept."""
    changed = SAMPLE.replace('fixed_monthly = "150.00"', 'fixed_monthly = "175.00"')
    path = tmp_path / "conflict.toml"
    path.write_text("currency = \"KES\"\n[[power_type]]" + COM + "[[power_type]]"
                    + changed.split("[[power_type]]", 1)[1], encoding="utf-8")
    before = snapshot(cli.db)
    assert cli.refused("tariff", "import", str(path)) == "TARIFF_VERSION_CONFLICT"
    assert_unchanged(before, cli.db)
    path.write_text(SAMPLE.replace('"KES"', '"USD"'), encoding="utf-8")
    before = snapshot(cli.db)
    assert cli.refused("tariff", "import", str(path)) == "CURRENCY_MISMATCH"
    assert_unchanged(before, cli.db)


@pytest.mark.parametrize("args,code", [
    (("tariff", "import", "no-such-file.toml"), "INVALID_ARGUMENT"),
    (("tariff", "import", "not-utf8.toml"), "INVALID_ARGUMENT"),
    (("sell", "--meter", METER), "USAGE"),
    (("sell", "--meter", METER, "--amount", "100.00", "--payment", "cheque"), "USAGE"),
    (("frobnicate",), "USAGE"),
], ids=["missing file", "not utf-8", "no amount", "bad payment", "no such command"])
def test_refused_before_login_leaves_the_file_byte_for_byte(cli: Ppms, args: tuple[str, ...],
                                                             code: str) -> None:
    (cli.db.parent / "not-utf8.toml").write_bytes(b"\xff\xfe currency")
    before = db_bytes(cli.db)
    assert cli.refused(*args) == code
    assert db_bytes(cli.db) == before


@pytest.mark.parametrize("args,code", [
    (("sell", "--meter", "9999999999", "--amount", "100.00"), "METER_NOT_FOUND"),
    (("quote", "--meter", "9999999999", "--amount", "100.00"), "METER_NOT_FOUND"),
    (("sell", "--meter", METER, "--amount", "-50.00"), "AMOUNT_INVALID"),
    (("sell", "--meter", METER, "--amount", "-0.01"), "AMOUNT_INVALID"),
    (("sell", "--meter", METER, "--amount", "ten"), "AMOUNT_INVALID"),
    (("sell", "--meter", METER, "--amount", "1e3"), "AMOUNT_INVALID"),
    (("sell", "--meter", METER, "--amount", "100.001"), "AMOUNT_INVALID"),
    (("sell", "--meter", METER, "--amount", ""), "AMOUNT_INVALID"),
    (("sell", "--meter", METER, "--amount", "NaN"), "AMOUNT_INVALID"),
    (("sell", "--meter", METER, "--amount", "10.00"), "AMOUNT_BELOW_MINIMUM"),
    (("sell", "--meter", "0123456780", "--amount", "100.00"), "AMOUNT_TOO_SMALL"),
    (("quote", "--meter", METER, "--kwh", "-3"), "ENERGY_INVALID"),
    (("sale", "show", "T01-999999"), "SALE_NOT_FOUND"),
    (("sale", "reverse", "T01-999999", "--reason", "test"), "SALE_NOT_FOUND"),
    (("account", "debt", "add", "--meter", METER, "--amount", "-5.00", "--reason", "x"), "AMOUNT_INVALID"),
    (("account", "debt", "add", "--meter", "9999999999", "--amount", "5.00", "--reason", "x"),
     "METER_NOT_FOUND"),
    (("report", "daily", "--date", "2026-02-30"), "INVALID_ARGUMENT"),
    (("customer", "register", "--name", "X", "--address", "Y", "--meter", METER, "--power-type", "RES"),
     "METER_EXISTS"),
])
def test_refused_input_changes_nothing(cli: Ppms, args: tuple[str, ...], code: str) -> None:
    before = snapshot(cli.db)
    assert cli.refused(*args) == code
    assert_unchanged(before, cli.db)


@pytest.mark.parametrize("args", [
    ("tariff", "import", str(SAMPLE_TARIFF)),
    ("sale", "reverse", "T01-000001", "--reason", "customer changed mind"),
    ("account", "debt", "add", "--meter", METER, "--amount", "100.00", "--reason", "arrears"),
    ("operator", "add", "--username", "c2", "--role", "admin", "--password-stdin"),
    ("operator", "grant", "cashier", "setup"),
], ids=["tariff import", "sale reverse", "debt add", "operator add", "grant"])
def test_missing_permission(cli: Ppms, args: tuple[str, ...]) -> None:
    before = snapshot(cli.db)
    res = cli.run(*args, operator="c1", password="secret2")
    assert (res.code, res.error_code) == (2, "PERMISSION_DENIED"), res
    assert "c1" in res.data["error"]["message"]
    assert_unchanged(before, cli.db)


def _failed_attempts(cli: Ppms, user: str) -> tuple[int, int]:
    return query(cli.db, "SELECT failed_attempts, locked FROM operator WHERE username = ?", user)[0]


def test_wrong_password_counts_and_five_lock_until_unlocked(cli: Ppms) -> None:
    sell = ("sell", "--meter", METER, "--amount", "500.00")
    for attempt in range(1, 5):
        before = dump_tables(cli.db)
        res = cli.run(*sell, operator="c1", password="wrong-password")
        assert (res.code, res.error_code) == (2, "AUTH_FAILED"), res
        after = dump_tables(cli.db)
        assert money_tables(after) == money_tables(before)
        new = sorted(set(after["diary"]) - set(before["diary"]))
        assert [(r[2], r[3]) for r in new] == [("c1", "login.failed")], new
        assert _failed_attempts(cli, "c1") == (attempt, 0)
    # a right password resets the counter ...
    cli.ok("quote", "--meter", METER, "--amount", "100.00", operator="c1", password="secret2")
    assert _failed_attempts(cli, "c1") == (0, 0)
    # ... five wrong ones in a row lock
    for _ in range(5):
        assert cli.refused(*sell, operator="c1", password="wrong-password") == "AUTH_FAILED"
    assert _failed_attempts(cli, "c1") == (5, 1)
    actions = [r[0] for r in query(cli.db, "SELECT action FROM diary ORDER BY id DESC LIMIT 2")]
    assert actions == ["operator.locked", "login.failed"]
    before = dump_tables(cli.db)
    assert cli.refused(*sell, operator="c1", password="secret2") == "OPERATOR_LOCKED"
    assert money_tables(dump_tables(cli.db)) == money_tables(before)
    # a cashier cannot unlock; the admin can
    assert cli.refused("operator", "unlock", "c1", operator="c1", password="secret2") == "OPERATOR_LOCKED"
    cli.ok("operator", "unlock", "c1")
    assert _failed_attempts(cli, "c1") == (0, 0)
    sale = cli.ok(*sell, operator="c1", password="secret2")
    assert sale["status"] == "completed" and sale["operator"] == "c1"
    assert cli.ok("check")["ok"] is True


def test_unknown_operator_is_refused_and_written_to_the_diary(cli: Ppms) -> None:
    before = dump_tables(cli.db)
    res = cli.run("sell", "--meter", METER, "--amount", "100.00", operator="nobody", password="secret2")
    assert (res.code, res.error_code) == (2, "AUTH_FAILED"), res
    after = dump_tables(cli.db)
    assert money_tables(after) == money_tables(before) and after["operator"] == before["operator"]
    new = sorted(set(after["diary"]) - set(before["diary"]))
    assert [(r[2], r[3]) for r in new] == [("nobody", "login.failed")], new
    assert {r[1] for r in set(after["seal"]) - set(before["seal"])} == {"diary"}   # sealed: the entry only
    assert cli.ok("check")["ok"] is True
