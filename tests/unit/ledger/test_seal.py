"""The seal's chain, head and key: unit tests on real SQLite files."""
from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from terminal.ledger import Ledger, seal
from terminal.ledger.errors import LedgerUnsound, SealKeyMissing


def codes(d: Ledger) -> set[tuple[str, str | None, str | None]]:
    findings, _head = d.seal_check()
    return {(f.code, f.table, f.row) for f in findings}


def test_digest_keeps_types_and_the_mac_needs_key_and_place() -> None:
    assert seal.digest(5, "a") != seal.digest("5", "a") != seal.digest(5, None)
    d = seal.digest(1, "x")
    base = seal.link(b"k" * 16, None, "sale", "1", d)
    assert base == seal.link(b"k" * 16, seal.GENESIS, "sale", "1", d)
    assert base not in {seal.link(b"j" * 16, None, "sale", "1", d), seal.link(b"k" * 16, "1" * 64, "sale", "1", d),
                        seal.link(b"k" * 16, None, "sale", "2", d), seal.link(b"k" * 16, None, "diary", "1", d)}


def test_two_ledgers_in_one_process_each_seal_with_their_own_key(tmp_path: Path) -> None:
    a, b = Ledger(tmp_path / "a.db"), Ledger(tmp_path / "b.db")
    assert seal.read_key(tmp_path / "a.db.key") != seal.read_key(tmp_path / "b.db.key")
    for d, value in ((a, "A"), (b, "B")):
        with d.unit_of_work() as uow:
            uow.meta.put("terminal_id", value)
    assert codes(a) == set() and codes(b) == set()
    assert seal.chain_head(a.db).mac != seal.chain_head(b.db).mac
    a.close()
    b.close()
    shutil.copy2(tmp_path / "b.db.key", tmp_path / "a.db.key")       # a's seals under b's key
    c = Ledger(tmp_path / "a.db")
    assert ("SEAL_CHAIN_BROKEN", "meta", "terminal_id") in codes(c)
    c.close()


def test_the_head_follows_commits_not_rollbacks_and_never_leaves_the_chain(tmp_path: Path) -> None:
    d = Ledger(tmp_path / "l.db")
    sealer = d.sealer
    with d.unit_of_work() as uow:
        uow.meta.put("k", "1")
    committed = seal.chain_head(d.db)
    assert sealer.head() == committed
    with pytest.raises(RuntimeError), d.unit_of_work() as uow:
        uow.meta.put("k", "2")
        raise RuntimeError("rolled back")
    assert sealer.head() == committed == seal.chain_head(d.db)
    with d.unit_of_work() as uow:
        uow.meta.put("k", "3")
    assert sealer.head() == seal.chain_head(d.db) != committed
    def put_head(head: seal.Head) -> None:
        sealer.head_path.unlink()
        seal.write_head(sealer.head_path, sealer.key, head)

    put_head(committed)                      # a head that lags (a kill before its write)
    assert codes(d) == set()
    put_head(seal.Head(committed.seq, "f" * 64))                                         # off the chain
    assert ("SEAL_HEAD_OFF_CHAIN", None, None) in codes(d)
    with d.unit_of_work() as uow:
        uow.meta.put("k", "4")
    assert sealer.head() == seal.Head(committed.seq, "f" * 64)                         # kept as evidence
    put_head(seal.Head(seal.chain_head(d.db).seq + 5, "0" * 64))
    assert ("SEAL_TAIL_CUT", None, None) in codes(d)
    d.close()


def test_the_head_keeps_a_good_slot_when_a_write_is_torn(tmp_path: Path) -> None:
    d = Ledger(tmp_path / "l.db")
    sealer = d.sealer
    for value in ("1", "2"):
        with d.unit_of_work() as uow:
            uow.meta.put("k", value)
    latest = seal.chain_head(d.db)
    assert sealer.head() == latest
    data = bytearray(sealer.head_path.read_bytes())
    newer = 0 if b'"seq": %d,' % latest.seq in data[:seal.SLOT] else 1
    data[newer * seal.SLOT + 10] ^= 1                  # the newer slot half written
    sealer.head_path.write_bytes(bytes(data))
    older = sealer.head()
    assert older is not None and older.seq < latest.seq and codes(d) == set()     # it lags
    d.close()


def test_rows_changed_unsealed_or_missing_are_named(tmp_path: Path) -> None:
    d = Ledger(tmp_path / "l.db")
    with d.unit_of_work() as uow:
        uow.meta.put("a", "1")
        uow.meta.put("b", "2")
    d.close()
    con = sqlite3.connect(tmp_path / "l.db")
    for op in ("insert", "update", "delete"):
        con.execute(f"DROP TRIGGER seal_meta_{op}")
    con.execute("UPDATE meta SET value = '9' WHERE key = 'a'")
    con.execute("DELETE FROM meta WHERE key = 'b'")
    con.execute("INSERT INTO meta VALUES ('c', '3')")
    con.commit()
    con.close()
    found = codes(Ledger(tmp_path / "l.db"))
    assert {("SEAL_ROW_CHANGED", "meta", "a"), ("SEAL_ROW_MISSING", "meta", "b"),
            ("SEAL_ROW_UNSEALED", "meta", "c"), ("TRIGGER_MISSING", None, None)} <= found


def test_a_sealed_ledger_needs_its_key_and_a_stripped_one_is_refused(tmp_path: Path) -> None:
    Ledger(tmp_path / "l.db").close()
    (tmp_path / "l.db.key").rename(tmp_path / "elsewhere.key")
    with pytest.raises(SealKeyMissing):
        Ledger(tmp_path / "l.db")
    Ledger(tmp_path / "l.db", seal_key_file=tmp_path / "elsewhere.key").close()      # the configured key file
    con = sqlite3.connect(tmp_path / "l.db")
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE name LIKE 'seal%' AND type = 'trigger'")\
            .fetchall():
        con.execute(f"DROP TRIGGER {name}")
    con.execute("DROP TABLE seal")
    con.execute(f"PRAGMA user_version = {seal.SEALED_SINCE - 1}")
    con.commit()
    con.close()
    with pytest.raises(LedgerUnsound):
        Ledger(tmp_path / "l.db", seal_key_file=tmp_path / "elsewhere.key")


def test_ledger_files_are_the_service_users_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        d = Ledger(tmp_path / "new.db")
        with d.unit_of_work() as uow:
            uow.meta.put("k", "v")
        for name in ("new.db", "new.db-wal", "new.db-shm", "new.db.key", "new.db.head"):
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
        d.close()
        made_before = tmp_path / "old.db"
        sqlite3.connect(made_before).close()
        made_before.chmod(0o644)
        Ledger(made_before).close()
        assert stat.S_IMODE(made_before.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_the_seal_migration_number_is_the_one_the_seal_checks_for() -> None:
    from terminal.ledger.migrations import MIGRATIONS
    assert [n for n, name, _ in MIGRATIONS if name == "seal"] == [seal.SEALED_SINCE]
