"""The terminal's ledger: SQLite through peewee, append-only money rows,
double-entry journal, hash-chained diary, outbox, numbered migrations."""
from __future__ import annotations

from typing import Any

from terminal.ledger.models import proxy


def transaction() -> Any:
    """A write transaction (BEGIN IMMEDIATE); nested calls become savepoints."""
    return proxy.atomic()
