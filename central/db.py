"""The center's database from a URL: ``sqlite:///PATH`` (the embedded default for a small
site: WAL, a busy timeout, foreign keys) or ``postgresql://USER@HOST:PORT/DB``.

Every worker process opens its own connection (peewee keeps one per thread); a request's
writes run in one transaction (`Database.atomic`), on SQLite as BEGIN IMMEDIATE so two
workers never deadlock upgrading a read lock.
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, urlsplit

import peewee

from central.errors import AdminInvalid

ENV_DB = "PPMS_CENTRAL_DB"


def database_url(given: str | None) -> str:
    url = given or os.environ.get(ENV_DB)
    if not url:
        raise AdminInvalid(f"no database: give --db URL or set {ENV_DB}", key="--db")
    return url


def connect(url: str) -> peewee.Database:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else parts.path
        if not path:
            raise AdminInvalid(f"{url!r}: a SQLite URL is sqlite:///PATH", key="--db")
        return peewee.SqliteDatabase(path, timeout=30, pragmas={
            "journal_mode": "wal", "synchronous": "full", "foreign_keys": 1, "busy_timeout": 30000})
    if parts.scheme in ("postgresql", "postgres"):
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        kw: dict[str, Any] = {"host": parts.hostname or query.pop("host", None), "port": parts.port or 5432,
                              "user": parts.username, "password": parts.password, **query}
        return peewee.PostgresqlDatabase(parts.path.lstrip("/"), autorollback=True,
                                         **{k: v for k, v in kw.items() if v is not None})
    raise AdminInvalid(f"{url!r}: the database URL must start with sqlite:/// or postgresql://", key="--db")


def is_sqlite(db: peewee.Database) -> bool:
    return isinstance(db, peewee.SqliteDatabase)


def write(db: peewee.Database) -> Any:
    """One write transaction (BEGIN IMMEDIATE on SQLite)."""
    if is_sqlite(db):
        return db.atomic("IMMEDIATE")
    return db.atomic()


APPEND_ONLY = ("conflict_note",)


def append_only(db: Any) -> None:
    """Triggers that refuse any UPDATE or DELETE of the tables kept for good (`APPEND_ONLY`)."""
    for table in APPEND_ONLY:
        if is_sqlite(db):
            for op in ("UPDATE", "DELETE"):
                db.execute_sql(f'CREATE TRIGGER IF NOT EXISTS "{table}_no_{op.lower()}" BEFORE {op} ON "{table}" '
                               f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        else:
            db.execute_sql(f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                           f"$$BEGIN RAISE EXCEPTION '{table} is append-only'; END$$")
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')
            db.execute_sql(f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                           f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
