"""Opening the terminal's SQLite ledger.

WAL, ``synchronous=FULL`` (a commit survives power loss), foreign keys on, and a
busy timeout (``[database] busy_timeout_s``, 5 s by default) so the kiosk and the
sync agent can both write: a writer waits that long for the write lock, then the
unit of work refuses with LEDGER_BUSY. Transactions are opened by the unit of work
(`ledger.py`), never here.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

from terminal.ledger.errors import SchemaTooNew
from terminal.ledger.migrations import LATEST, MIGRATIONS
from terminal.ledger.private_files import private_database
from terminal.ledger.seal import attach

BUSY_TIMEOUT_S = 5.0


def connect(path: str | Path, busy_timeout_s: float = BUSY_TIMEOUT_S,
            seal_key_file: str | Path | None = None) -> SqliteDatabase:
    """Open (and create if absent, 0600) the ledger at ``path``, seal it with the key in
    ``seal_key_file`` (default ``<path>.key``) and bring its schema up to date. The seal's
    functions are registered on every connection the database opens (one per thread)."""
    private_database(Path(path))
    pragmas = (("journal_mode", "wal"), ("synchronous", "full"), ("foreign_keys", 1),
               ("busy_timeout", int(busy_timeout_s * 1000)), ("cache_size", -16_000))
    db = SqliteDatabase(str(path), pragmas=pragmas, timeout=busy_timeout_s, autoconnect=True)
    db.connect(reuse_if_open=True)
    attach(db, Path(path), Path(seal_key_file) if seal_key_file else None)
    migrate(db)
    return db


def schema_version(db: Any) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def migrate(db: Any) -> list[int]:
    """Apply every migration newer than the database, each in its own transaction."""
    current = schema_version(db)
    if current > LATEST:
        raise SchemaTooNew(
            f"this database has schema version {current}; this terminal knows up to {LATEST}",
            found=current, known=LATEST,
        )
    applied: list[int] = []
    for number, _name, statements in MIGRATIONS:
        if number <= current:
            continue
        with db.atomic("IMMEDIATE"):
            for sql in statements:
                db.execute_sql(sql)
            db.execute_sql(f"PRAGMA user_version = {number}")
        applied.append(number)
    return applied
