"""The system diary: a hash-chained, append-only audit log.

Each entry stores the SHA-256 of its canonical form, which includes the hash
of the entry before it; changing, deleting or reordering any entry breaks the
chain from there on, and `verify_chain` says where.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from terminal.ledger.canonical import dumps
from terminal.ledger.models import Diary, proxy

GENESIS = "0" * 64


def entry_hash(at: str, operator: str, action: str, entity: str,
               before: str | None, after: str | None, prev_hash: str) -> str:
    canonical = dumps([at, operator, action, entity, before, after, prev_hash])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(at: str, operator: str, action: str, entity: str,
           before: Any = None, after: Any = None) -> str:
    """Append one entry (inside the caller's transaction) and return its hash."""
    last = proxy.execute_sql("SELECT hash FROM diary ORDER BY id DESC LIMIT 1").fetchone()
    prev = GENESIS if last is None else str(last[0])
    b = None if before is None else dumps(before)
    a = None if after is None else dumps(after)
    h = entry_hash(at, operator, action, entity, b, a, prev)
    proxy.execute_sql("INSERT INTO diary (at, operator, action, entity, before, after, prev_hash, hash) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (at, operator, action, entity, b, a, prev, h))
    return h


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify_chain() -> list[ChainBreak]:
    problems: list[ChainBreak] = []
    prev = GENESIS
    for row in Diary.select().order_by(Diary.id).iterator():
        if row.prev_hash != prev:
            problems.append(ChainBreak(row.id, "previous hash does not match the entry before"))
        expected = entry_hash(row.at, row.operator, row.action, row.entity,
                              row.before, row.after, row.prev_hash)
        if expected != row.hash:
            problems.append(ChainBreak(row.id, "entry content does not match its hash"))
        prev = row.hash
    return problems
