"""Opening the terminal's SQLite ledger.

WAL, ``synchronous=FULL`` (a commit survives power loss), foreign keys on, and a
busy timeout (``[database] busy_timeout_s``, 5 s by default) so the kiosk and the
sync agent can both write: a writer waits that long for the write lock, then the
unit of work refuses with LEDGER_BUSY. Transactions are opened by the unit of work
(`ledger.py`), never here.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

from terminal.ledger import seal_form
from terminal.ledger.errors import SchemaTooNew
from terminal.ledger.migrations import MIGRATIONS
from terminal.ledger.private_files import private_database
from terminal.ledger.seal import COMPACT, COMPACT_SINCE, HEX, attach

BUSY_TIMEOUT_S = 5.0
APPLIED_KEY = "schema.migrations"     # meta: the migration numbers applied, "1,2,5,...,14"
Migration = tuple[int, str, list[str]]
FOLD = "ppms_fold"     # SQL function: a text case-folded (Unicode), for case-blind prefix searches


def fold(text: str | None) -> str | None:
    """``text`` case-folded for comparison: SQLite's own lower()/LIKE fold ASCII only."""
    return None if text is None else text.casefold()


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
    sealer = attach(db, Path(path), Path(seal_key_file) if seal_key_file else None)
    seal_form.register(sealer)
    db.register_function(fold, FOLD, 1, deterministic=True)
    sealer.form = COMPACT if COMPACT_SINCE in applied_migrations(db) else HEX   # migration 27 switches it
    migrate(db)
    return db


def schema_version(db: Any) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def applied_migrations(db: Any) -> set[int]:
    """The migration numbers this database has had: the `schema.migrations` meta key, or for a
    ledger from before that key (a legacy one) every number up to its `user_version`."""
    version = schema_version(db)
    if version == 0:
        return set()
    has_meta = db.execute_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    row = db.execute_sql("SELECT value FROM meta WHERE key = ?", (APPLIED_KEY,)).fetchone() if has_meta else None
    if row is None:
        return set(range(1, version + 1))
    return {int(n) for n in str(row[0]).split(",") if n.strip()}


def migrate(db: Any, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Apply every migration the database has not had, in number order, all in one transaction:
    a migration that fails rolls back every one before it, so the file is as it was and the
    release that made it still opens it. Migrations land in any order (several are written at
    once), so a number below the database's latest is applied too when the database lacks it.
    A database that has had a migration this terminal does not know is refused (SCHEMA_TOO_NEW)."""
    known = {number for number, _name, _sql in migrations}
    version = schema_version(db)
    applied = applied_migrations(db)
    legacy = version > 0 and applied == set(range(1, version + 1))
    unknown = sorted(n for n in applied - known if not legacy or n > max(known))
    if unknown or version > max(known):
        raise SchemaTooNew(
            f"this database has had migrations {unknown} that this terminal does not know "
            f"(schema version {version}; this terminal knows up to {max(known)}): install the newer release",
            found=version, known=max(known), unknown=unknown,
        )
    pending = [(n, sql) for n, _name, sql in sorted(migrations) if n not in applied]
    if not pending:
        return []
    with db.atomic("IMMEDIATE"):
        for _number, statements in pending:
            for sql in statements:
                db.execute_sql(sql)
        done = sorted((applied & known) | {n for n, _sql in pending})
        db.execute_sql("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                       "value = excluded.value", (APPLIED_KEY, ",".join(map(str, done))))
        db.execute_sql(f"PRAGMA user_version = {max(done[-1], version)}")
    return [n for n, _sql in pending]
