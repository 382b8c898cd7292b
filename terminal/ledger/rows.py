"""The base of every repository: one ledger's database and plain-SQL helpers.

A repository is stateless apart from its database: the unit of work (or read view)
that hands it out owns the transaction it runs in.
"""
from __future__ import annotations

from typing import Any

from peewee import SqliteDatabase

from terminal.domain.sale import COUNTED

COUNTED_SQL = "(" + ", ".join(f"'{s}'" for s in COUNTED) + ")"


class Repo:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db: Any = db   # peewee is untyped

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._db.execute_sql(sql, params)

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return list(self._db.execute_sql(sql, params).fetchall())

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        row = self._db.execute_sql(sql, params).fetchone()
        return None if row is None else tuple(row)

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self._db.cursor().executemany(sql, rows)
