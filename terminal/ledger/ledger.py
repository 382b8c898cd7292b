"""The ledger as an object: one SQLite file, its models, its repositories, its units of work.

`bootstrap` builds one `Ledger` per terminal and the services context carries it
(`ctx.ledger`); nothing here is a module global, so several ledgers live side by side
in one process (the sync tests run several terminals) and each thread has its own
connection to each.

    with ledger.unit_of_work() as uow:   one write transaction, BEGIN IMMEDIATE: commit on a
        uow.sales.insert(...)            clean exit, rollback on an exception. Its repositories
        uow.record(Fact(...))            are the only way to the rows; `record` writes a
                                         business fact's diary entry and outbox row together.
    with ledger.read() as r:             a read-only snapshot (BEGIN DEFERRED): the same
        r.sales.load(...)                repositories; it never takes the write lock. A write
                                         inside it is a programming error: rolled back and
                                         refused (OutsideUnitOfWork) when the read ends.
                                         (Not PRAGMA query_only: toggling it expires every
                                         prepared statement, which doubled a sale's cost.)

Nesting: a unit of work opened inside a running one (same ledger, same thread) becomes a
SAVEPOINT: its exception rolls back its own writes only, and nothing is committed until the
outermost one ends (the demo batches 500 sales into one commit this way). A read opened
inside a unit of work reads that unit's own writes; a unit of work opened inside a read is
refused (OutsideUnitOfWork): decide what to write after the read, then write.

Faults, by type (`errors.py`): the write lock not obtained within the busy timeout ->
LedgerBusy (LEDGER_BUSY); SQLITE_FULL -> DiskFull (DISK_FULL). Either way the transaction is
rolled back (when SQLite has not already done so) and nothing is written.

Time only goes forward: once the ledger has a clock (`ledger.clock`, the terminal's, set by
the services context), every outermost unit of work checks it against the ledger's latest
write right after BEGIN IMMEDIATE and refuses with ClockBehindLedger (CLOCK_BEHIND_LEDGER)
when it is behind by more than `clock_tolerance_s` (`clock_mark.py`).

The seal (`seal.py`): every row change is sealed by triggers in its own transaction; after
the outermost unit of work commits, the head file beside the database moves to the chain's
end (`Sealer.committed`). `seal_check()` verifies the seal for `ppms check`.

A PENDING sale's owner holds its lease (`take_lease`, `leases.py`); a seller asks for
headroom on the disk before anything reaches a carrier (`require_headroom`, `space.py`); one
process at a time works the note acceptor's intakes (`cash_intake_owner`, `cash_intakes.py`).
"""
from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import peewee

from sync.schema import WireRecord
from terminal.ledger import cash_intakes, clock_mark, leases, seal, seal_check, space
from terminal.ledger import db as ledger_db
from terminal.ledger.amendments import Amendments
from terminal.ledger.audit import Audit
from terminal.ledger.bank_payments import BankPayments
from terminal.ledger.cards import Cards
from terminal.ledger.cash_intakes import CashIntakes
from terminal.ledger.counters import Counters
from terminal.ledger.diary import Diary
from terminal.ledger.errors import (
    AppendOnlyViolation,
    DiskFull,
    LedgerBusy,
    LedgerError,
    OutsideUnitOfWork,
)
from terminal.ledger.journal import Journal
from terminal.ledger.meta import Meta
from terminal.ledger.meter_accounts import AccountBooks, CheckResults, MeterHistory
from terminal.ledger.meter_files import MeterFiles
from terminal.ledger.models import Models
from terminal.ledger.operators import Operators
from terminal.ledger.outbox import Outbox
from terminal.ledger.readings import Readings
from terminal.ledger.receipt_queue import ReceiptQueue
from terminal.ledger.report_rows import ReportRows
from terminal.ledger.repos import Customers, Meters, Tariffs
from terminal.ledger.sales import Sales
from terminal.ledger.search import Search
from terminal.ledger.setup_rows import Authority, DeviceSettings, Dictionary, Parameters, Shifts, TariffBook
from terminal.ledger.sts_tokens import StsTokens
from terminal.ledger.sync_state import SyncState
from terminal.ledger.transfers import Transfers

_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_FULL = 5, 6, 13


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What a fact sends to the center: the outbox row's kind, the entity's UUID and the wire
    record of that kind (`sync.schema`), stored as its canonical encoding."""
    kind: str
    entity_uuid: str
    payload: WireRecord


@dataclass(frozen=True, slots=True)
class Fact:
    """A business fact: its diary entry (action, entity, operator, time, before/after) and,
    when the center must hear of it, its outbox row."""
    action: str
    entity: str
    operator: str
    at: str
    before: Any = None
    after: Any = None
    outbox: Outgoing | None = None


class Repositories:
    """The repositories of one ledger (stateless: the transaction belongs to the scope)."""

    def __init__(self, db: peewee.SqliteDatabase, models: Models) -> None:
        self.counters = Counters(db)
        self.meta = Meta(db)
        self.diary = Diary(db)
        self.journal = Journal(db)
        self.outbox = Outbox(db, self.counters)
        self.sales = Sales(db)
        self.meters = Meters(db, models)
        self.customers = Customers(db, models)
        self.tariffs = Tariffs(db, models)
        self.operators = Operators(db, models)
        self.cards = Cards(db)
        self.sts_tokens = StsTokens(db)
        self.readings = Readings(db)
        self.receipts = ReceiptQueue(db)
        self.cash_intakes = CashIntakes(db)
        self.audit = Audit(db)
        self.meter_files = MeterFiles(db)    # the office's files and installation (issue 11)
        self.transfers = Transfers(db)       # account transfers awaiting approval (issue 11)
        self.parameters = Parameters(db)          # system setup and shifts (migration 18)
        self.dictionary = Dictionary(db)
        self.authority = Authority(db)
        self.device_settings = DeviceSettings(db)
        self.shifts = Shifts(db)
        self.tariff_book = TariffBook(db)
        self.amendments = Amendments(db)
        self.reports = ReportRows(db)
        self.meter_history = MeterHistory(db)    # readings, checking results, the meter account, searches
        self.checks = CheckResults(db)
        self.books = AccountBooks(db)
        self.search = Search(db)
        self.sync = SyncState(db)
        self.bank_payments = BankPayments(db)    # the center's payments waiting for a card meter
        self._db = db

    def quick_check(self) -> str:
        db: Any = self._db
        return str(db.execute_sql("PRAGMA quick_check").fetchone()[0])


class UnitOfWork(Repositories):
    """The repositories of a write transaction, and the one call that records a fact."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger.db, ledger.models)
        self._ledger = ledger

    def record(self, fact: Fact) -> int | None:
        """The fact's outbox row (when it has one) and its diary entry, in this unit of work.
        Returns the outbox sequence number, or None."""
        state = self._ledger._state()
        if not state.depth or state.reading:
            raise OutsideUnitOfWork(f"{fact.action} recorded outside a unit of work")
        seq = None
        if fact.outbox is not None:
            seq = self.outbox.enqueue(self._ledger.terminal_id, fact.outbox.kind, fact.outbox.entity_uuid,
                                      fact.outbox.payload, fact.at)
        self.diary.append(fact.at, fact.operator, fact.action, fact.entity, fact.before, fact.after)
        return seq


class _State(threading.local):
    depth = 0
    reading = False
    changes = 0      # the connection's total_changes when the outermost read began
    begun: tuple[int, int] | None = None   # the change token when the outermost unit of work began


def _classify(exc: BaseException) -> LedgerError | None:
    """The ledger fault an sqlite3/peewee error stands for, if it is one a user must hear of."""
    orig = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc  # peewee wraps
    if not isinstance(orig, sqlite3.Error) and not isinstance(exc, peewee.DatabaseError):
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    text = str(orig).lower()
    if primary == _SQLITE_FULL or "database or disk is full" in text:
        return DiskFull("the ledger's disk is full: nothing was written; free some space and try again")
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        return LedgerBusy("the ledger is busy with another writer: nothing was written; try again")
    if found := re.search(r"LEDGER_APPEND_ONLY: (.*)", str(orig)):
        return AppendOnlyViolation(f"refused: {found[1]} (the ledger keeps every money row as written); "
                                   "nothing was written")
    return None


class _Scope:
    __slots__ = ("_ledger", "_write", "_savepoint", "_outer")

    def __init__(self, ledger: Ledger, write: bool) -> None:
        self._ledger = ledger
        self._write = write
        self._savepoint: str | None = None
        self._outer = False

    def _exec(self, sql: str) -> None:
        db: Any = self._ledger.db
        try:
            db.execute_sql(sql)
        except Exception as exc:
            mapped = _classify(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def _enter(self) -> Any:
        led = self._ledger
        state = led._state()
        if state.depth:
            if self._write:
                if state.reading:
                    raise OutsideUnitOfWork("a unit of work cannot be opened inside a read")
                self._savepoint = f"uow_{state.depth}"
                self._exec(f"SAVEPOINT {self._savepoint}")
            state.depth += 1
            return led._uow if self._write else led._reads
        if self._write:
            self._exec("BEGIN IMMEDIATE")
            state.begun = led.change_token()
            led.sealer.begin()
            if led.clock is not None:
                try:
                    clock_mark.advance(led.db, led.clock(), led.clock_tolerance_s)
                except BaseException:
                    self._rollback()
                    raise
        else:
            self._exec("BEGIN DEFERRED")
            state.reading = True
            state.changes = self._connection().total_changes
        self._outer = True
        state.depth = 1
        return led._uow if self._write else led._reads

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        state = self._ledger._state()
        state.depth -= 1
        if not self._outer:
            if self._savepoint is not None:
                if exc is not None:
                    self._exec(f"ROLLBACK TO {self._savepoint}")
                self._exec(f"RELEASE {self._savepoint}")
            return
        if not self._write:
            state.reading = False
            if exc is None and self._connection().total_changes != state.changes:
                self._rollback()
                raise OutsideUnitOfWork("a write inside a read: it was rolled back; write in a unit of work")
        if exc is None:
            try:
                self._exec("COMMIT")
            except BaseException:
                self._rollback()
                raise
            if self._write:
                self._ledger.sealer.committed()
            return
        self._rollback()
        mapped = _classify(exc)
        if mapped is not None:
            raise mapped from exc

    def _connection(self) -> sqlite3.Connection:
        con: sqlite3.Connection = self._ledger.db.connection()  # type: ignore[no-untyped-call]
        return con

    def _rollback(self) -> None:
        """Roll back unless SQLite already did (a failed COMMIT on a full disk ends the transaction)."""
        con = self._connection()
        if con.in_transaction:
            con.rollback()


class Ledger:
    """One terminal's ledger file. `terminal_id` stamps its outbox rows."""

    def __init__(self, path: str | Path, *, terminal_id: str = "",
                 busy_timeout_s: float = ledger_db.BUSY_TIMEOUT_S,
                 clock_tolerance_s: float = clock_mark.DEFAULT_TOLERANCE_S,
                 min_free_mb: float = space.DEFAULT_MIN_FREE_MB,
                 warn_free_mb: float = space.DEFAULT_WARN_FREE_MB,
                 seal_key_file: str | Path | None = None) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.terminal_id = terminal_id
        self.clock: Callable[[], datetime] | None = None   # the terminal's clock (see the docstring)
        self.clock_tolerance_s = clock_tolerance_s
        self.min_free_mb = min_free_mb
        self.warn_free_mb = warn_free_mb
        self.seal_key_path = Path(seal_key_file) if seal_key_file else seal.key_file_for(self.path)
        self.db = ledger_db.connect(self.path, busy_timeout_s, seal_key_file)
        self.sealer = seal.sealer_of(self.db)
        self.models = Models(self.db)
        self._local = _State()
        self._uow = UnitOfWork(self)
        self._reads = Repositories(self.db, self.models)

    def _state(self) -> _State:
        return self._local

    def unit_of_work(self) -> _WriteScope:
        """One write transaction (see the module docstring for its rules)."""
        return _WriteScope(self, True)

    def read(self) -> _ReadScope:
        """A read-only snapshot that never takes the write lock."""
        return _ReadScope(self, False)

    @property
    def in_unit_of_work(self) -> bool:
        """A unit of work is open in this thread (what it writes is not visible to others yet)."""
        return self._state().depth > 0 and not self._state().reading

    def change_token(self) -> tuple[int, int]:
        """What this thread's connection has seen of the ledger: two equal tokens mean no
        connection (this one or another) committed or wrote anything between them."""
        con = self._connection_of_thread()
        return int(con.execute("PRAGMA data_version").fetchone()[0]), con.total_changes

    def unchanged_since(self, token: tuple[int, int]) -> bool:
        """Inside a unit of work: nothing was written to the ledger between `token` (taken in
        an earlier read) and this unit of work's BEGIN, so what that read saw is still so."""
        state = self._state()
        return state.depth > 0 and not state.reading and state.begun == token

    def _connection_of_thread(self) -> sqlite3.Connection:
        con: sqlite3.Connection = self.db.connection()  # type: ignore[no-untyped-call]
        return con

    def require_headroom(self) -> None:
        """DiskFull unless the ledger's disk has `min_free_mb` free (before a carrier is written)."""
        space.require_headroom(self.path, self.min_free_mb, self.warn_free_mb)

    def disk_space(self) -> space.SpaceState:
        """The disk's free space against `min_free_mb` and `warn_free_mb` (DISK_LOW when below it)."""
        return space.state(self.path, self.min_free_mb, self.warn_free_mb)

    def take_lease(self, sale_uuid: str) -> leases.Lease | None:
        """The sale's lease, or None when a live process holds it."""
        return leases.try_take(self.path, sale_uuid)

    def cash_intake_owner(self) -> AbstractContextManager[bool]:
        """Whether this process may work the note acceptor's intakes, for the block (False
        while another live process holds them; `cash_intakes.owner`)."""
        return cash_intakes.owner(self.path)

    def clock_state(self, now: datetime) -> clock_mark.ClockState:
        with self.read():
            return clock_mark.state(self.db, now, self.clock_tolerance_s)

    def seal_check(self) -> tuple[list[seal_check.Finding], seal.Head]:
        """The seal's findings and the chain's head, in one read snapshot (`seal_check.py`).
        Its scratch table is a temp table of this connection, not a write to the ledger."""
        with self.read():
            con: sqlite3.Connection = self.db.connection()  # type: ignore[no-untyped-call]
            before = con.total_changes
            result = seal_check.verify(self.db)
            self._state().changes += con.total_changes - before
            return result

    def close(self) -> None:
        self.db.close()


class _WriteScope(_Scope):
    __slots__ = ()

    def __enter__(self) -> UnitOfWork:
        uow: UnitOfWork = self._enter()
        return uow


class _ReadScope(_Scope):
    __slots__ = ()

    def __enter__(self) -> Repositories:
        reads: Repositories = self._enter()
        return reads
