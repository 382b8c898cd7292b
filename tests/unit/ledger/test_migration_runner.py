"""The migration runner: every number a database has not had is applied, whatever order the
migrations landed in; all pending migrations commit together or not at all; a database that
has had a migration this terminal does not know is refused."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from terminal.ledger import db as ledger_db
from terminal.ledger.errors import SchemaTooNew
from terminal.ledger.migrations import MIGRATIONS

T_HIGH = (999, "landed_first", ["CREATE TABLE landed_first (x INTEGER)"])
T_LOW = (998, "landed_later", ["CREATE TABLE landed_later (x INTEGER)"])


def legacy_ledger(path: Path, upto: int) -> None:
    """A ledger as the old runner left it: migrations up to `upto`, user_version, no record."""
    con = sqlite3.connect(path)
    for number, _name, statements in MIGRATIONS:
        if number > upto:
            break
        for sql in statements:
            con.execute(sql)
        con.execute(f"PRAGMA user_version = {number}")
    con.execute("INSERT INTO meta (key, value) VALUES ('currency', 'KES')")
    con.commit()
    con.close()


def content(path: Path) -> tuple[object, ...]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        schema = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        meta = con.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
        return con.execute("PRAGMA user_version").fetchone()[0], schema, meta
    finally:
        con.close()


def test_a_migration_numbered_below_the_latest_applied_is_still_applied(tmp_path: Path) -> None:
    d = ledger_db.connect(tmp_path / "l.db")
    assert ledger_db.migrate(d, [*MIGRATIONS, T_HIGH]) == [999]
    assert ledger_db.schema_version(d) == 999
    assert ledger_db.migrate(d, [*MIGRATIONS, T_HIGH, T_LOW]) == [998]       # 998 landed after 999
    assert d.execute_sql("SELECT name FROM sqlite_master WHERE name = 'landed_later'").fetchone()
    assert ledger_db.migrate(d, [*MIGRATIONS, T_LOW, T_HIGH]) == []         # once each
    assert ledger_db.applied_migrations(d) == {n for n, _, _ in MIGRATIONS} | {998, 999}
    assert ledger_db.schema_version(d) == 999
    d.close()


def test_a_legacy_ledger_counts_every_number_up_to_its_user_version(tmp_path: Path) -> None:
    legacy_ledger(tmp_path / "l.db", upto=12)
    d = ledger_db.connect(tmp_path / "l.db")
    assert ledger_db.applied_migrations(d) == {n for n, _, _ in MIGRATIONS}
    assert d.execute_sql("SELECT value FROM meta WHERE key = ?", (ledger_db.APPLIED_KEY,)).fetchone()[0] \
        == ",".join(str(n) for n, _, _ in MIGRATIONS)
    d.close()


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    legacy_ledger(path, upto=8)
    before = content(path)
    broken = (999, "broken", ["CREATE TABLE half_done (x INTEGER)", "INSERT INTO no_such_table VALUES (1)"])
    original = list(MIGRATIONS)
    MIGRATIONS.append(broken)
    try:
        with pytest.raises(Exception, match="no_such_table"):
            ledger_db.connect(path)
    finally:
        MIGRATIONS[:] = original
    assert content(path) == before          # 10, 11, 12 and 14 rolled back with it: still version 8
    d = ledger_db.connect(path)             # the fixed release then upgrades it
    assert ledger_db.schema_version(d) == max(n for n, _, _ in MIGRATIONS)
    d.close()


def test_a_database_that_had_an_unknown_migration_is_refused(tmp_path: Path) -> None:
    d = ledger_db.connect(tmp_path / "l.db")
    ledger_db.migrate(d, [*MIGRATIONS, T_LOW])
    d.close()
    before = content(tmp_path / "l.db")
    with pytest.raises(SchemaTooNew) as info:          # a release without migration 998
        ledger_db.connect(tmp_path / "l.db")
    assert info.value.details["unknown"] == [998]
    assert content(tmp_path / "l.db") == before
