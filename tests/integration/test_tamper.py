"""The tamper suite: a real ledger made with the `ppms` command, copied per case, changed
with plain sqlite3 by someone who has the file but not the terminal's key (dropping the
triggers that stand in the way), and `ppms check` must exit 3 and name the rows."""
from __future__ import annotations

import re
import shutil
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from terminal.ledger import diary
from terminal.ledger.migrations import MIGRATIONS
from terminal.ledger.seal import SEALED_SINCE
from tests.helpers.ppms import Ppms, checkpoint, copy_ledger

METERS = ("10001", "10002", "10003")
FILES = ("ppms.db", "ppms.db.key", "ppms.db.head")
BEFORE_SEAL = max(n for n, _, _ in MIGRATIONS if n < SEALED_SINCE)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """init, tariff, three customers, sales (one reversed), debt, a cashier with one wrong
    password, a permission granted and revoked, a printed receipt; `before_last/` holds the
    files as they were before the last sale."""
    home = tmp_path_factory.mktemp("ledger")
    cli = Ppms(home / "ppms.db", extra_env={"PPMS_PRINTER_PATH": str(home / "receipts.bin")})
    cli.with_sample_tariff(*METERS)
    cli.ok("account", "debt", "add", "--meter", METERS[1], "--amount", "80.00", "--reason", "old arrears")
    cli.add_operator("cashier1", "cashier", "cashier-pw1")
    assert cli.run("sale", "show", "1", operator="cashier1", password="wrong").code == 2
    cli.ok("operator", "grant", "cashier", "reports")
    cli.ok("operator", "revoke", "cashier", "reports")
    for meter, amount in ((METERS[0], "1000.00"), (METERS[1], "777.77"), (METERS[2], "500.00")):
        cli.ok("sell", "--meter", meter, "--amount", amount)
    cli.ok("sale", "reverse", "T01-000003", "--reason", "wrong meter")
    cli.ok("sale", "reprint", "T01-000001")
    checkpoint(home / "ppms.db")
    shutil.copytree(home, home / "before_last", ignore=shutil.ignore_patterns("before_last"))
    cli.ok("sell", "--meter", METERS[0], "--amount", "300.00")
    checkpoint(home / "ppms.db")
    return home


def copy_of(ledger: Path, dest: Path, source: Path | None = None) -> Ppms:
    return Ppms(copy_ledger((source or ledger) / "ppms.db", dest / "ppms.db"))


def tamper(db: Path, *sql: str, params: tuple[object, ...] = ()) -> None:
    con = sqlite3.connect(db)          # no seal functions: this is what a writer without the key has
    try:
        for statement in sql:
            con.execute(statement, params if "?" in statement else ())
        con.commit()
    finally:
        con.close()


def one(db: Path, sql: str) -> object:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def unsound(cli: Ppms) -> set[tuple[str, str | None]]:
    """Run `ppms check`; it must exit 3. The (code, "table row") pairs it names."""
    res = cli.run("check")
    assert res.code == 3, res
    assert res.data["ok"] is False
    return {(p["code"], f"{p['table']} {p['row']}" if p.get("row") and p.get("table") else p.get("trigger"))
            for p in res.data["problems"]}


def drop(*triggers: str) -> str:
    return ";".join(f"DROP TRIGGER {t}" for t in triggers)


def test_the_untampered_ledger_is_sound_and_reports_its_head(ledger: Path, tmp_path: Path) -> None:
    res = copy_of(ledger, tmp_path).run("check")
    assert res.code == 0, res
    head = res.data["seal_head"]
    assert head["seq"] == one(tmp_path / "ppms.db", "SELECT MAX(seq) FROM seal") and len(head["mac"]) == 16


def test_ledger_key_head_and_receipt_files_are_the_service_users_only(ledger: Path) -> None:
    for name in (*FILES, "ppms.db-wal", "ppms.db-shm", "receipts.bin"):
        path = ledger / name
        if path.exists() or name == "receipts.bin":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


Case = Callable[[Path], "set[tuple[str, str | None]] | None"]


def _balanced_carry_over_credit(db: Path) -> None:
    tamper(db, *drop("seal_posting_insert", "seal_posting_line_insert").split(";"),
           "INSERT INTO posting (id, uuid, kind, customer_id, posted_at, memo) "
           "VALUES (900, 'forged', 'adjustment', 1, '2026-03-05T11:00:00', '')",
           "INSERT INTO posting_line (id, posting_id, account, customer_id, debit, credit) VALUES "
           "(9001, 900, 'CASH', NULL, 50000, 0), (9002, 900, 'CARRY_OVER', 1, 0, 50000)")


def _both_sides_plus_100(db: Path) -> set[tuple[str, str | None]]:
    posting = "(SELECT id FROM posting WHERE sale_id = 1 AND kind = 'sale')"
    lines = [one(db, f"SELECT id FROM posting_line WHERE posting_id = {posting} AND account = '{a}'")
             for a in ("CASH", "REVENUE:ENERGY")]
    tamper(db, *drop("posting_line_no_update", "seal_posting_line_update").split(";"),
           f"UPDATE posting_line SET debit = debit + 10000 WHERE id = {lines[0]}",
           f"UPDATE posting_line SET credit = credit + 10000 WHERE id = {lines[1]}")
    return {("SEAL_ROW_CHANGED", f"posting_line {i}") for i in lines}


def _tendered_with_its_carry_over_line(db: Path) -> None:
    tamper(db, *drop("sale_no_update", "seal_sale_update", "sale_line_no_update", "seal_sale_line_update").split(";"),
           "UPDATE sale SET tendered = tendered + 10000 WHERE id = 1",
           "UPDATE sale_line SET amount = amount + 10000 WHERE sale_id = 1 AND kind = 'carry_over'")


def _kwh_times_ten(db: Path) -> None:
    tamper(db, *drop("sale_no_update", "seal_sale_update").split(";"),
           "UPDATE sale SET kwh = kwh * 10, credit_kwh = credit_kwh * 10 WHERE id = 2")


def _last_diary_rows_deleted(db: Path) -> None:
    tamper(db, *drop("diary_no_delete", "seal_diary_delete").split(";"),
           "DELETE FROM diary WHERE id > (SELECT MAX(id) - 2 FROM diary)")


def _diary_row_edited_chain_recomputed(db: Path) -> None:
    con = sqlite3.connect(db)
    for t in ("diary_no_update", "seal_diary_update"):
        con.execute(f"DROP TRIGGER {t}")
    con.execute("UPDATE diary SET operator = 'cashier1' WHERE id = 3")
    prev = con.execute("SELECT hash FROM diary WHERE id = 2").fetchone()[0]
    for row in con.execute("SELECT id, at, operator, action, entity, before, after FROM diary WHERE id >= 3 "
                           "ORDER BY id").fetchall():
        h = diary.entry_hash(*row[1:], prev)
        con.execute("UPDATE diary SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, row[0]))
        prev = h
    con.commit()
    con.close()


def _forged_diary_row_appended(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER seal_diary_insert")
    prev = con.execute("SELECT hash FROM diary ORDER BY id DESC LIMIT 1").fetchone()[0]
    row = ("2026-03-05T12:00:00", "admin", "operator.unlock", "operator:cashier1", None, None)
    con.execute("INSERT INTO diary (id, at, operator, action, entity, before, after, prev_hash, hash) "
                "VALUES (999, ?, ?, ?, ?, ?, ?, ?, ?)", (*row, prev, diary.entry_hash(*row, prev)))
    con.commit()
    con.close()


def _last_sale_removed_and_counter_decremented(db: Path) -> None:
    triggers = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    last = "(SELECT MAX(id) FROM sale)"
    tamper(db, *[f"DROP TRIGGER {t}" for t in triggers],
           f"DELETE FROM posting_line WHERE posting_id IN (SELECT id FROM posting WHERE sale_id = {last})",
           f"DELETE FROM posting WHERE sale_id = {last}",
           f"DELETE FROM outbox WHERE entity_uuid = (SELECT uuid FROM sale WHERE id = {last})",
           *[f"DELETE FROM {t} WHERE sale_id = {last}" for t in ("sale_line", "sale_usage", "sale_event",
                                                                 "sale_status", "receipt_queue")],
           f"DELETE FROM sale WHERE id = {last}",
           "UPDATE counter SET value = value - 1 WHERE name IN ('receipt', 'outbox')")


def _outbox_payload_edited(db: Path) -> None:
    tamper(db, "DROP TRIGGER seal_outbox_update",
           "UPDATE outbox SET payload = replace(payload, '\"t\":100000,', '\"t\":10000,') "
           "WHERE kind = 'sale' AND payload LIKE '%T01-000001%'")


def _meter_moved(db: Path) -> None:
    tamper(db, "DROP TRIGGER seal_meter_update", "UPDATE meter SET customer_id = 2 WHERE id = 1")


def _operator_hash_edited(db: Path) -> None:
    tamper(db, "DROP TRIGGER seal_operator_update",
           "UPDATE operator SET password_hash = (SELECT password_hash FROM operator WHERE username = 'cashier1') "
           "WHERE username = 'admin'")


def _operator_unlocked(db: Path) -> None:
    tamper(db, "DROP TRIGGER seal_operator_update",
           "UPDATE operator SET failed_attempts = 0, locked = 0 WHERE username = 'cashier1'")


def _permission_inserted(db: Path) -> None:
    tamper(db, "DROP TRIGGER seal_role_permission_insert",
           "INSERT INTO role_permission (role, permission) VALUES ('cashier', 'operators')")


def _seal_chain_recomputed(db: Path) -> None:
    """Edit a sale, then rewrite every seal from it on with a key the attacker made up."""
    from terminal.ledger.seal import digest, link
    con = sqlite3.connect(db)
    for t in ("sale_no_update", "seal_sale_update", "seal_no_update"):
        con.execute(f"DROP TRIGGER {t}")
    con.execute("UPDATE sale SET kwh = kwh * 10 WHERE id = 1")
    cols = [r[1] for r in con.execute("PRAGMA table_info(sale)")]
    new = digest(*con.execute(f"SELECT {', '.join(cols)} FROM sale WHERE id = 1").fetchone())
    first = con.execute("SELECT MAX(seq) FROM seal WHERE tbl = 'sale' AND row_key = '1'").fetchone()[0]
    con.execute("UPDATE seal SET digest = ? WHERE seq = ?", (new, first))
    prev = con.execute("SELECT mac FROM seal WHERE seq = ?", (first - 1,)).fetchone()[0]
    for seq, tbl, key, dig in con.execute("SELECT seq, tbl, row_key, digest FROM seal WHERE seq >= ? ORDER BY seq",
                                          (first,)).fetchall():
        prev = link(b"guessed key 0123456789", prev, tbl, key, dig)
        con.execute("UPDATE seal SET mac = ? WHERE seq = ?", (prev, seq))
    con.commit()
    con.close()


CASES: dict[str, tuple[Case, set[tuple[str, str | None]]]] = {
    "balanced carry-over credit inserted": (_balanced_carry_over_credit, {
        ("SEAL_ROW_UNSEALED", "posting 900"), ("SEAL_ROW_UNSEALED", "posting_line 9001"),
        ("SEAL_ROW_UNSEALED", "posting_line 9002"), ("TRIGGER_MISSING", "seal_posting_insert")}),
    "+100.00 on both sides of a posting": (_both_sides_plus_100, {("TRIGGER_MISSING", "posting_line_no_update")}),
    "tendered changed with its carry-over line": (_tendered_with_its_carry_over_line, {
        ("SEAL_ROW_CHANGED", "sale 1"), ("SEAL_ROW_CHANGED", "sale_line 1/6")}),
    "kWh x10": (_kwh_times_ten, {("SEAL_ROW_CHANGED", "sale 2")}),
    "last diary rows deleted": (_last_diary_rows_deleted, {("TRIGGER_MISSING", "diary_no_delete")}),
    "diary row edited, chain recomputed": (_diary_row_edited_chain_recomputed, {
        ("SEAL_ROW_CHANGED", "diary 3"), ("SEAL_ROW_CHANGED", "diary 4")}),
    "forged diary row appended": (_forged_diary_row_appended, {("SEAL_ROW_UNSEALED", "diary 999")}),
    "last sale removed, counters decremented": (_last_sale_removed_and_counter_decremented, {
        ("SEAL_ROW_MISSING", "sale 4"), ("SEAL_ROW_MISSING", "sale_line 4/1"),
        ("SEAL_ROW_CHANGED", "counter receipt"), ("SEAL_ROW_CHANGED", "counter outbox"),
        ("TRIGGER_MISSING", "sale_no_delete")}),
    "outbox payload edited": (_outbox_payload_edited, {("SEAL_ROW_CHANGED", "outbox 6")}),
    "meter moved to another customer": (_meter_moved, {("SEAL_ROW_CHANGED", "meter 1")}),
    "operator's hash edited": (_operator_hash_edited, {("SEAL_ROW_CHANGED", "operator 1")}),
    "operator's lock edited": (_operator_unlocked, {("SEAL_ROW_CHANGED", "operator 2")}),
    "permission inserted": (_permission_inserted, {("SEAL_ROW_UNSEALED", "role_permission cashier/operators")}),
    "a trigger dropped": (lambda db: tamper(db, "DROP TRIGGER sale_no_update"),
                          {("TRIGGER_MISSING", "sale_no_update")}),
    "a seal trigger replaced by one that does nothing": (lambda db: tamper(
        db, "DROP TRIGGER seal_sale_insert",
        "CREATE TRIGGER seal_sale_insert AFTER INSERT ON sale BEGIN SELECT 1; END"),
        {("TRIGGER_ALTERED", "seal_sale_insert")}),
    "seal chain recomputed with another key": (_seal_chain_recomputed, {
        ("SEAL_CHAIN_BROKEN", "sale 1"), ("SEAL_HEAD_OFF_CHAIN", None)}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_finds_the_tampering_and_names_the_rows(ledger: Path, tmp_path: Path, case: str) -> None:
    cli = copy_of(ledger, tmp_path)
    change, expected = CASES[case]
    expected = expected | (change(tmp_path / "ppms.db") or set())
    found = unsound(cli)
    assert expected <= found, sorted(found)


def test_deleted_diary_rows_are_named(ledger: Path, tmp_path: Path) -> None:
    cli = copy_of(ledger, tmp_path)
    last = int(one(tmp_path / "ppms.db", "SELECT MAX(id) FROM diary"))  # type: ignore[call-overload]
    _last_diary_rows_deleted(tmp_path / "ppms.db")
    assert {("SEAL_ROW_MISSING", f"diary {last - 1}"), ("SEAL_ROW_MISSING", f"diary {last}")} <= unsound(cli)


def test_a_cut_tail_is_found_by_the_head(ledger: Path, tmp_path: Path) -> None:
    """The database as it was before the last sale (rows and seals cut consistently) beside today's head."""
    cli = copy_of(ledger, tmp_path, ledger / "before_last")
    shutil.copy2(ledger / "ppms.db.head", tmp_path / "ppms.db.head")
    assert ("SEAL_TAIL_CUT", None) in unsound(cli)
    assert copy_of(ledger, tmp_path, ledger / "before_last").run("check").code == 0   # its own head: sound


def test_a_missing_or_forged_head_is_unsound(ledger: Path, tmp_path: Path) -> None:
    cli = copy_of(ledger, tmp_path)
    (tmp_path / "ppms.db.head").write_text('{"seq": 1, "mac": "00", "sig": "00"}\n')
    assert ("SEAL_HEAD_MISSING", None) in unsound(cli)
    (tmp_path / "ppms.db.head").unlink()
    assert ("SEAL_HEAD_MISSING", None) in unsound(cli)


def test_a_ledger_whose_seal_was_removed_is_refused(ledger: Path, tmp_path: Path) -> None:
    cli = copy_of(ledger, tmp_path)
    strip_seal(tmp_path / "ppms.db")
    res = cli.run("check")
    assert res.code == 3 and res.error_code == "LEDGER_UNSOUND", res
    assert cli.run("sell", "--meter", METERS[0], "--amount", "100.00").code == 3
    assert one(tmp_path / "ppms.db", "PRAGMA user_version") == BEFORE_SEAL  # nothing was sealed afresh


def strip_seal(db: Path) -> None:
    """The ledger as a terminal before the seal left it: the version before the seal's, no seal,
    and none of what the (additive) migrations after the seal added."""
    con = sqlite3.connect(db)
    undo_after_seal(con)
    names = con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'seal%'").fetchall()
    for (name,) in names:
        con.execute(f"DROP TRIGGER {name}")
    con.execute("DROP TABLE seal")
    con.execute(f"PRAGMA user_version = {BEFORE_SEAL}")
    con.commit()
    con.close()


def undo_after_seal(con: sqlite3.Connection) -> None:
    """Take back the migrations after the seal's: each only adds tables, indexes, triggers
    and columns, so dropping them leaves the schema the seal's migration found."""
    for _number, _name, statements in (m for m in reversed(MIGRATIONS) if m[0] > SEALED_SINCE):
        for sql in reversed(statements):
            if found := re.match(r"\s*CREATE (TABLE|INDEX|TRIGGER) (\w+)", sql):
                con.execute(f"DROP {found[1]} IF EXISTS {found[2]}")
            elif found := re.match(r"\s*ALTER TABLE (\w+) ADD COLUMN (\w+)", sql):
                con.execute(f"ALTER TABLE {found[1]} DROP COLUMN {found[2]}")


def test_a_ledger_made_before_the_seal_is_sealed_on_upgrade(ledger: Path, tmp_path: Path) -> None:
    cli = copy_of(ledger, tmp_path)
    strip_seal(tmp_path / "ppms.db")
    for name in FILES[1:]:
        (tmp_path / name).unlink()
    res = cli.run("check")
    assert res.code == 0, res
    assert stat.S_IMODE((tmp_path / "ppms.db.key").stat().st_mode) == 0o600
    n_rows = sum(int(one(tmp_path / "ppms.db", f"SELECT COUNT(*) FROM {t}"))  # type: ignore[call-overload]
                 for t in ("sale", "sale_line", "posting", "posting_line", "diary", "operator"))
    assert int(one(tmp_path / "ppms.db", "SELECT COUNT(*) FROM seal")) >= n_rows  # type: ignore[call-overload]
    cli.ok("sell", "--meter", METERS[1], "--amount", "200.00")
    assert cli.run("check").code == 0
    _kwh_times_ten(tmp_path / "ppms.db")
    assert ("SEAL_ROW_CHANGED", "sale 2") in unsound(cli)
