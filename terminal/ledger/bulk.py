"""Rows written in bulk and sealed in batch: the writer of the demo builder (`services/demo_bulk.py`).

A sale made through the selling service writes its rows one statement at a time, and each
row's seal trigger computes its seal. Here the rows of many sales are queued, written with
`executemany`, and sealed by one `executemany` of computed seals: the digest and the chained
mac the triggers compute (`seal.digest`, `seal.link`, the row keyed as `seal_schema.key_sql`
keys it), in the order the rows were written. Rows carry their primary key (the writer hands
out the next ids), so the digest is taken from the very values stored.

The insert seal triggers of the tables written are dropped while the writer is open and made
again, with the SQL they had, before it closes, inside the caller's transaction: a ledger whose
triggers are missing is never committed, and `ppms check` finds every row sealed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from terminal.ledger.diary import GENESIS
from terminal.ledger.seal import COMPACT, CUT, Sealer, digest, digest_hex, link_hex, link_message
from terminal.ledger.seal import GENESIS as SEAL_GENESIS

_PLAIN = re.compile(r"[A-Za-z0-9_./:-]*")
_ROW_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def row_digest(row: tuple[Any, ...], compact: bool = True) -> bytes | str:
    """The seal's digest of a row in the ledger's form (`seal.digest`, or `seal.digest_hex`
    before migration 27), without the per-value look for bytes when the row has none."""
    if any(isinstance(v, bytes) for v in row):
        return digest(*row) if compact else digest_hex(*row)
    h = hashlib.sha256(_ROW_JSON(list(row)).encode("utf-8"))
    return h.digest()[:CUT] if compact else h.hexdigest()


class Chain:
    """The seal's mac in the ledger's form (`seal.link`, or `seal.link_hex` before migration
    27), with the key's HMAC state made once; the first form's JSON text is written directly
    when its parts are plain (hex, a table name, a key of digits and codes: nothing JSON would
    escape)."""

    def __init__(self, key: bytes, compact: bool = True) -> None:
        self._key, self._base, self.compact = key, hmac.new(key, digestmod=hashlib.sha256), compact

    def link(self, prev: bytes | str | None, table: str, row_key: str, row_digest: bytes | str) -> bytes | str:
        h = self._base.copy()
        if self.compact:
            h.update(link_message(prev, table, row_key, row_digest))
            return h.digest()[:CUT]
        if not (isinstance(prev, str | None) and isinstance(row_digest, str)
                and _PLAIN.fullmatch(table) and _PLAIN.fullmatch(row_key)):
            return link_hex(self._key, str(prev) if prev is not None else None, table, row_key, str(row_digest))
        h.update(f'["{prev or SEAL_GENESIS}","{table}","{row_key}","{row_digest}"]'.encode("ascii"))
        return h.hexdigest()


class BulkRows:
    """Queued rows of some tables, written and sealed by `flush`; use it as a context manager
    inside one write transaction (a unit of work)."""

    def __init__(self, db: Any, sealer: Sealer, tables: Sequence[str]) -> None:
        self._db, self._chain = db, Chain(sealer.key, sealer.form == COMPACT)
        self.tables = tuple(tables)             # in the order they are written (foreign keys)
        self._columns: dict[str, list[str]] = {}
        self._keys: dict[str, list[int]] = {}
        self._rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in self.tables}
        self._next: dict[str, int] = {}
        self._triggers: dict[str, str] = {}
        for table in self.tables:
            info = db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()
            self._columns[table] = [str(r[1]) for r in info]
            self._keys[table] = [i for i, r in sorted(enumerate(info), key=lambda e: int(e[1][5])) if r[5]]
            if len(self._keys[table]) == 1:
                key = self._columns[table][self._keys[table][0]]
                self._next[table] = int(db.execute_sql(f"SELECT COALESCE(MAX({key}), 0) + 1 FROM {table}")
                                        .fetchone()[0])

    def __enter__(self) -> BulkRows:
        for table in self.tables:
            name = f"seal_{table}_insert"
            row = self._db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                       (name,)).fetchone()
            if row is not None:
                self._triggers[name] = str(row[0])
                self._db.execute_sql(f"DROP TRIGGER {name}")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is None:
            self.flush()
        for sql in self._triggers.values():
            self._db.execute_sql(sql)
        self._triggers.clear()

    def next_id(self, table: str) -> int:
        """The primary key the next row of `table` gets (a table keyed by one integer)."""
        value = self._next[table]
        self._next[table] = value + 1
        return value

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        """Queue one row: every column, in the table's order."""
        if len(row) != len(self._columns[table]):
            raise ValueError(f"{table} has {len(self._columns[table])} columns, not {len(row)}")
        self._rows[table].append(row)

    def add_named(self, table: str, values: dict[str, Any]) -> None:
        """Queue one row given by column name (every column of the table: KeyError names one missing)."""
        self.add(table, tuple(values[c] for c in self._columns[table]))

    def set_counter(self, name: str, value: int) -> None:
        """Move a counter (`counter` table, sealed by its own trigger) to the value the rows used."""
        self._db.execute_sql("INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE "
                             "SET value = excluded.value WHERE value <> excluded.value", (name, value))

    def last_diary_hash(self) -> str:
        """The hash the next diary entry chains on."""
        last = self._db.execute_sql("SELECT hash FROM diary ORDER BY id DESC LIMIT 1").fetchone()
        return GENESIS if last is None else str(last[0])

    def flush(self) -> None:
        """Write every queued row, then their seals (chained on the seal chain's end)."""
        cursor = self._db.cursor()
        for table in self.tables:
            rows = self._rows[table]
            if rows:
                marks = ", ".join("?" * len(self._columns[table]))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(self._columns[table])}) VALUES ({marks})",
                                   rows)
        last = self._db.execute_sql("SELECT mac FROM seal ORDER BY seq DESC LIMIT 1").fetchone()
        prev: bytes | str | None = None if last is None else last[0]
        seals: list[tuple[str, str, bytes | str, bytes | str]] = []
        for table in self.tables:
            keys = self._keys[table]
            for row in self._rows[table]:
                row_key = "/".join(str(row[i]) for i in keys)
                found = row_digest(row, self._chain.compact)
                prev = self._chain.link(prev, table, row_key, found)
                seals.append((table, row_key, found, prev))
            self._rows[table] = []
        cursor.executemany("INSERT INTO seal (tbl, row_key, digest, mac) VALUES (?, ?, ?, ?)", seals)
