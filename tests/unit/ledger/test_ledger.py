"""The ledger's guarantees: append-only money rows, balanced postings, the diary chain,
gapless counters, migrations."""
from __future__ import annotations

import sqlite3

import pytest

from terminal.ledger import Ledger, db
from terminal.ledger.errors import AppendOnlyViolation, SchemaTooNew, UnbalancedPosting
from terminal.ledger.journal import Line
from terminal.ledger.migrations import APPEND_ONLY, LATEST
from tests.helpers.ppms import sealed


@pytest.fixture
def ledger(tmp_path):
    yield tmp_path / "l.db"


@pytest.fixture
def led(ledger):
    the = Ledger(ledger)
    yield the
    the.close()


def test_pragmas_and_schema(ledger):
    db.connect(ledger).close()
    con = sqlite3.connect(ledger)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST
    d = db.connect(ledger)  # reopening applies nothing new
    assert db.migrate(d) == []
    assert d.execute_sql("PRAGMA synchronous").fetchone()[0] == 2   # FULL
    assert d.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_newer_database_is_refused(ledger):
    db.connect(ledger).close()
    con = sqlite3.connect(ledger)
    con.execute(f"PRAGMA user_version = {LATEST + 1}")
    con.commit()
    with pytest.raises(SchemaTooNew):
        db.connect(ledger)


def test_posting_must_balance_and_rows_are_append_only(ledger, led):
    with led.unit_of_work() as uow:
        pid = uow.journal.post("test", [Line("CASH", debit=100), Line("REVENUE:ENERGY", credit=100)],
                               "2026-01-01T00:00:00", None)
    with pytest.raises(UnbalancedPosting), led.unit_of_work() as uow:
        uow.journal.post("test", [Line("CASH", debit=100), Line("VAT_PAYABLE", credit=99)],
                         "2026-01-01T00:00:00", None)
    with pytest.raises(AppendOnlyViolation, match="posting rows are never updated"), led.unit_of_work():
        led.db.execute_sql(f"UPDATE posting SET memo = 'x' WHERE id = {pid}")   # the typed error, code kept
    con = sealed(ledger)
    for sql in ("UPDATE posting_line SET debit = 1", "DELETE FROM posting_line", "DELETE FROM posting",
                f"UPDATE posting SET memo = 'x' WHERE id = {pid}"):
        with pytest.raises(sqlite3.IntegrityError, match="LEDGER_APPEND_ONLY"):
            con.execute(sql)
    with led.read() as r:
        assert r.journal.balance("CASH") == 100 and r.journal.unbalanced_postings() == []
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {f"{t}_no_update" for t in APPEND_ONLY} <= names and {f"{t}_no_delete" for t in APPEND_ONLY} <= names


def test_diary_chain_detects_tampering(ledger, led):
    with led.unit_of_work() as uow:
        for i in range(5):
            uow.diary.append(f"2026-01-01T00:00:0{i}", "admin", "test", f"thing:{i}", after={"i": i})
    with led.read() as r:
        assert r.diary.verify_chain() == []
    con = sealed(ledger)
    con.execute("DROP TRIGGER diary_no_update")   # an attacker with the file can drop triggers...
    con.execute("UPDATE diary SET after = '{\"i\":9}' WHERE id = 3")
    con.commit()
    with led.read() as r:
        broken = r.diary.verify_chain()            # ...but not forge the chain
    assert [b.entry_id for b in broken] == [3]


def test_counters_are_gapless_across_rollbacks(led):
    with led.unit_of_work() as uow:
        assert uow.counters.next_value("receipt") == 1
    with pytest.raises(RuntimeError), led.unit_of_work() as uow:
        uow.counters.next_value("receipt")
        raise RuntimeError("the sale failed")
    with led.unit_of_work() as uow:
        assert uow.counters.next_value("receipt") == 2
