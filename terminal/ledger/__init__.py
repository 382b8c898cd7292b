"""The terminal's ledger: SQLite through peewee, append-only money rows, double-entry
journal, hash-chained diary, outbox, numbered migrations; `Ledger` is its object, and
`Ledger.unit_of_work()` / `Ledger.read()` the only ways to its rows (see `ledger.py`)."""
from __future__ import annotations

from terminal.ledger.ledger import Fact, Ledger, Outgoing, Repositories, UnitOfWork

__all__ = ["Fact", "Ledger", "Outgoing", "Repositories", "UnitOfWork"]
