"""Opening the terminal's SQLite ledger.

WAL, ``synchronous=FULL`` (a commit survives power loss), foreign keys on, a
busy timeout so the kiosk and the sync agent can both write, and every
transaction ``BEGIN IMMEDIATE`` so a writer takes the lock up front instead of
failing half-way. Keep transactions short: never hold one across a device or
network call.
"""
from __future__ import annotations

from pathlib import Path

from peewee import SqliteDatabase

from terminal.ledger.errors import SchemaTooNew
from terminal.ledger.migrations import LATEST, MIGRATIONS
from terminal.ledger.models import bind_models
from terminal.ledger.private_files import private_database
from terminal.ledger.seal import attach

PRAGMAS = (
    ("journal_mode", "wal"),
    ("synchronous", "full"),
    ("foreign_keys", 1),
    ("busy_timeout", 10_000),
    ("cache_size", -16_000),
)


def connect(path: str | Path, seal_key_file: str | Path | None = None) -> SqliteDatabase:
    """Open (and create if absent, 0600) the ledger at ``path``, seal it with the key in
    ``seal_key_file`` (default ``<path>.key``) and bring its schema up to date."""
    private_database(Path(path))
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, lock_type="IMMEDIATE", autoconnect=True)
    db.connect(reuse_if_open=True)
    attach(db, Path(path), Path(seal_key_file) if seal_key_file else None)
    migrate(db)
    bind_models(db)
    return db


def schema_version(db: SqliteDatabase) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def migrate(db: SqliteDatabase) -> list[int]:
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
        with db.atomic():
            for sql in statements:
                db.execute_sql(sql)
            db.execute_sql(f"PRAGMA user_version = {number}")
        applied.append(number)
    return applied
