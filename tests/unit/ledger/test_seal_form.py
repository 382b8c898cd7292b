"""Migration 27: a ledger sealed in the first form (hex digests and macs) converted to the
compact form keeps every finding `check` made before, and a sound one stays sound."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import peewee
import pytest
from peewee import SqliteDatabase

from terminal.ledger import Ledger, seal, seal_check, seal_form
from terminal.ledger import db as ledger_db
from terminal.ledger.migrations import MIGRATIONS

Found = set[tuple[str, str | None, str | None]]


def first_form_ledger(path: Path) -> None:
    """A ledger as the release before migration 27 left it, with some sealed writes."""
    db = SqliteDatabase(str(path), pragmas=(("journal_mode", "wal"), ("foreign_keys", 1)))
    db.connect()
    sealer = seal.attach(db, path)
    seal_form.register(sealer)
    sealer.form = seal.HEX
    ledger_db.migrate(db, [m for m in MIGRATIONS if m[0] < seal.COMPACT_SINCE])
    for n in range(1, 6):
        with db.atomic():
            db.execute_sql("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{n}", str(n)))
            db.execute_sql("INSERT INTO counter (name, value) VALUES ('c', 1) "
                           "ON CONFLICT(name) DO UPDATE SET value = value + 1")
    with db.atomic():
        db.execute_sql("DELETE FROM meta WHERE key = 'k5'")
    assert {r[0] for r in db.execute_sql("SELECT DISTINCT length(mac) FROM seal")} == {64}
    assert sealer.head() == seal.chain_head(db)
    db.close()


def findings_before(path: Path) -> Found:
    """What `check` found in the first form (the old functions on the old chain)."""
    db = SqliteDatabase(str(path))
    db.connect()
    sealer = seal.attach(db, path)
    sealer.form = seal.HEX
    found, _head = seal_check.verify(db)
    db.close()
    return {(f.code, f.table, f.row) for f in found}


def converted(path: Path) -> tuple[Found, Ledger]:
    d = Ledger(path)
    found, head = d.seal_check()
    return {(f.code, f.table, f.row) for f in found}, d


def tamper(path: Path, *sql: str) -> None:
    con = sqlite3.connect(path)
    for statement in sql:
        con.execute(statement)
    con.commit()
    con.close()


def test_a_sound_first_form_ledger_is_sound_compact_and_keeps_sealing(tmp_path: Path) -> None:
    first_form_ledger(tmp_path / "l.db")
    assert findings_before(tmp_path / "l.db") == set()
    found, d = converted(tmp_path / "l.db")
    assert found == set()
    assert d.db.execute_sql("SELECT DISTINCT typeof(digest), length(mac) FROM seal WHERE digest <> 'deleted'")\
        .fetchall() == [("blob", seal.CUT)]
    assert d.sealer.head() == seal.chain_head(d.db)            # the head moved onto the new chain
    with d.unit_of_work() as uow:
        uow.meta.put("after", "1")
    found, head = d.seal_check()
    assert found == [] and d.sealer.head() == head
    d.close()


def test_every_finding_of_the_first_form_is_found_after_the_conversion(tmp_path: Path) -> None:
    first_form_ledger(tmp_path / "l.db")
    tamper(tmp_path / "l.db", "DROP TRIGGER seal_counter_update", "DROP TRIGGER seal_counter_insert",
           "UPDATE counter SET value = 99 WHERE name = 'c'",                   # a row changed
           "INSERT INTO counter (name, value) VALUES ('forged', 1)",           # a row without a seal
           "DROP TRIGGER seal_no_update",                                      # a seal forged mid-chain
           "UPDATE seal SET mac = '" + "ab" * 32 + "' WHERE seq = (SELECT seq FROM seal WHERE row_key = 'k3')")
    before = findings_before(tmp_path / "l.db")
    assert {("SEAL_ROW_CHANGED", "counter", "c"), ("SEAL_ROW_UNSEALED", "counter", "forged"),
            ("SEAL_CHAIN_BROKEN", "meta", "k3")} <= before
    found, d = converted(tmp_path / "l.db")
    d.close()
    assert found == before


def test_a_head_off_the_chain_or_past_its_end_is_still_found(tmp_path: Path) -> None:
    first_form_ledger(tmp_path / "a.db")
    for name in ("b", "c"):
        for suffix in ("", ".key", ".head"):
            shutil.copy2(f"{tmp_path / 'a.db'}{suffix}", f"{tmp_path / name}.db{suffix}")
    key = seal.read_key(tmp_path / "b.db.key")
    end = findings_before(tmp_path / "b.db"), seal.read_head(tmp_path / "b.db.head", key)
    assert end[1] is not None and end[1].seq > 2
    (tmp_path / "b.db.head").unlink()
    seal.write_head(tmp_path / "b.db.head", key, seal.Head(end[1].seq - 1, "f" * 64))
    (tmp_path / "c.db.head").unlink()
    seal.write_head(tmp_path / "c.db.head", key, seal.Head(end[1].seq + 3, "0" * 64))
    assert ("SEAL_HEAD_OFF_CHAIN", None, None) in findings_before(tmp_path / "b.db")
    assert ("SEAL_TAIL_CUT", None, None) in findings_before(tmp_path / "c.db")
    for name, code in (("b", "SEAL_HEAD_OFF_CHAIN"), ("c", "SEAL_TAIL_CUT")):
        found, d = converted(tmp_path / f"{name}.db")
        d.close()
        assert (code, None, None) in found, name


def test_a_conversion_rolled_back_leaves_the_old_head_good(tmp_path: Path) -> None:
    """The converted point is written beside the old one before the commit: when the
    migrations fail after it (all roll back), the old point is the one on the chain."""
    first_form_ledger(tmp_path / "l.db")
    key = seal.read_key(tmp_path / "l.db.key")
    old_head = seal.read_head(tmp_path / "l.db.head", key)
    db = SqliteDatabase(str(tmp_path / "l.db"))
    db.connect()
    sealer = seal.attach(db, tmp_path / "l.db")
    seal_form.register(sealer)
    sealer.form = seal.HEX
    failing = [*MIGRATIONS, (99, "fails", ["INSERT INTO no_such_table VALUES (1)"])]
    with pytest.raises(peewee.OperationalError):
        ledger_db.migrate(db, failing)
    db.close()
    heads = seal.read_heads(tmp_path / "l.db.head", key)
    assert old_head in heads and len({h.seq for h in heads}) == 1 and len({h.mac for h in heads}) == 2
    assert findings_before(tmp_path / "l.db") == set()
    found, d = converted(tmp_path / "l.db")              # and the next try converts it
    d.close()
    assert found == set()
