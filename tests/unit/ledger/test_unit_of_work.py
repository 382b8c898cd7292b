"""The unit of work's rules: one write transaction, savepoints when nested, reads that never
take the write lock, a fact recorded with its diary entry and outbox row, faults by type."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from sync.errors import WireRecordInvalid
from sync.records import DebtRecord
from sync.schema import decode
from terminal.ledger import Fact, Ledger, Outgoing, outbox
from terminal.ledger.errors import LedgerBusy, OutsideUnitOfWork


@pytest.fixture
def led(tmp_path: Path):
    the = Ledger(tmp_path / "l.db", terminal_id="T01", busy_timeout_s=0.2)
    yield the
    the.close()


OWN_META_COUNT = "SELECT COUNT(*) FROM meta WHERE key <> 'schema.migrations'"   # the migrations' own record


def rows(led: Ledger, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(led.path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def debt(i: int) -> DebtRecord:
    return DebtRecord(f"00000000-0000-4000-8000-{i:012d}", "0123456789", "KES", 100 * i, 100 * i, "old bill",
                      "2026-01-01T00:00:00")


def fact(i: int, sent: bool = True) -> Fact:
    return Fact("thing.done", f"thing:{i}", "admin", "2026-01-01T00:00:00", before=None, after={"i": i},
                outbox=Outgoing("debt", f"uuid-{i}", debt(i)) if sent else None)


def test_a_fact_is_its_diary_entry_and_outbox_row_in_one_commit(led: Ledger) -> None:
    with led.unit_of_work() as uow:
        assert uow.record(fact(1)) == 1
        assert uow.record(fact(2, sent=False)) is None
    stored = rows(led, "SELECT seq, terminal_id, kind, entity_uuid, payload FROM outbox")
    assert [r[:4] for r in stored] == [(1, "T01", "debt", "uuid-1")] and decode("debt", stored[0][4]) == debt(1)
    assert stored[0][4] == ('{"a":100,"ar":100,"at":"2026-01-01T00:00:00","cur":"KES",'
                            '"id":"00000000-0000-4000-8000-000000000001","m":"0123456789","v":1,"why":"old bill"}')
    assert rows(led, "SELECT action, entity FROM diary ORDER BY id") == [("thing.done", "thing:1"),
                                                                          ("thing.done", "thing:2")]
    with pytest.raises(RuntimeError), led.unit_of_work() as uow:
        uow.record(fact(3))
        raise RuntimeError("the service failed after recording")
    assert rows(led, "SELECT COUNT(*) FROM diary") == [(2,)] and rows(led, "SELECT COUNT(*) FROM outbox") == [(1,)]


def test_recording_outside_a_unit_of_work_or_writing_in_a_read_is_refused(led: Ledger) -> None:
    with led.unit_of_work() as uow:
        pass
    with pytest.raises(OutsideUnitOfWork):
        uow.record(fact(1))
    with led.read() as r:
        with pytest.raises(OutsideUnitOfWork), led.unit_of_work():
            pass
    with pytest.raises(OutsideUnitOfWork, match="a write inside a read"), led.read() as r:
        r.meta.put("x", "y")
    assert rows(led, "SELECT COUNT(*) FROM diary") == [(0,)] and rows(led, OWN_META_COUNT) == [(0,)]


def test_a_nested_unit_of_work_is_a_savepoint(led: Ledger) -> None:
    with led.unit_of_work() as outer:
        outer.meta.put("kept", "1")
        with pytest.raises(RuntimeError), led.unit_of_work() as inner:
            inner.meta.put("dropped", "1")
            raise RuntimeError("the inner work failed")
        with led.unit_of_work() as inner:
            inner.meta.put("inner", "1")
        with led.read() as r:            # a read inside the write sees its own writes
            assert r.meta.get("inner") == "1"
        assert rows(led, OWN_META_COUNT) == [(0,)]   # nothing committed before the outer end
    assert sorted(rows(led, "SELECT key FROM meta WHERE key <> 'schema.migrations'")) == [("inner",), ("kept",)]


def test_reads_never_take_the_write_lock_and_a_writer_gets_ledger_busy(led: Ledger) -> None:
    with led.unit_of_work() as uow:
        uow.meta.put("currency", "KES")
    other = sqlite3.connect(led.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with led.read() as r:
            assert r.meta.get("currency") == "KES"
        with pytest.raises(LedgerBusy) as err:
            with led.unit_of_work() as uow:
                uow.meta.put("currency", "EUR")
        assert err.value.code == "LEDGER_BUSY"
    finally:
        other.execute("ROLLBACK")
        other.close()
    with led.unit_of_work() as uow:      # the ledger is usable again at once
        uow.meta.put("currency", "EUR")
    assert rows(led, "SELECT value FROM meta WHERE key <> 'schema.migrations'") == [("EUR",)]


def test_each_thread_has_its_own_transaction(led: Ledger) -> None:
    started, go_on = threading.Event(), threading.Event()

    def write() -> None:
        with led.unit_of_work() as uow:
            uow.meta.put("thread", "1")
            started.set()
            go_on.wait(10)

    t = threading.Thread(target=write)
    t.start()
    assert started.wait(10)
    with led.read() as r:                # the other thread's uncommitted write is not seen here
        assert r.meta.get("thread") is None
    go_on.set()
    t.join(10)
    with led.read() as r:
        assert r.meta.get("thread") == "1"


def test_a_stored_row_reads_back_as_its_record_an_older_terminals_text_view_included() -> None:
    record = debt(7)
    stored = outbox.encode("debt", record)
    legacy = ('{"amount":"7.00","arrears":"7.00","at":"2026-01-01T00:00:00",'
              '"debt_id":"00000000-0000-4000-8000-000000000007","meter":"0123456789","reason":"old bill"}')
    assert outbox.decode("debt", stored) == record and outbox.decode("debt", legacy, "KES") == record
    refused = {
        "a spaced record": stored.replace(",", ", "),
        "a record of a newer version": stored.replace('"v":1', '"v":2'),
        "a view that does not fit": legacy.replace('"amount":"7.00",', ""),
        "a view whose money does not parse": legacy.replace('"7.00"', '"seven"', 1),
        "not JSON": "debt 7.00",
    }
    for what, text in refused.items():
        with pytest.raises(WireRecordInvalid):
            outbox.decode("debt", text, "KES")
        assert what
    with pytest.raises(WireRecordInvalid):
        outbox.encode("sale", record)   # a debt is not a sale


def test_the_change_token_tells_whether_anything_was_written_since_a_read(led: Ledger) -> None:
    """A sale decides once on what it read when nothing was written between that read and its
    unit of work; a commit by another connection, or a write by this one, means it reads again."""
    with led.read():
        token = led.change_token()
    assert not led.unchanged_since(token)                     # outside a unit of work: no answer
    with led.unit_of_work():
        assert led.unchanged_since(token)
    with led.read():
        token = led.change_token()
    other = Ledger(led.path, terminal_id="T01")               # another connection's commit
    with other.unit_of_work() as uow:
        uow.meta.put("y", "1")
    other.close()
    with led.unit_of_work():
        assert not led.unchanged_since(token)
    with led.read():
        token = led.change_token()
    with led.unit_of_work() as uow:
        uow.meta.put("x", "1")                               # this connection's own write
    with led.unit_of_work():
        assert not led.unchanged_since(token)
