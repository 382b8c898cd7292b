"""The system diary: a hash-chained, append-only audit log.

Each entry stores the SHA-256 of its canonical form, which includes the hash
of the entry before it; changing, deleting or reordering any entry breaks the
chain from there on, and `verify_chain` says where. Entries are written by
`UnitOfWork.record` (with the fact's outbox row, when it has one).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from terminal.ledger.canonical import dumps
from terminal.ledger.rows import Repo

GENESIS = "0" * 64


def entry_hash(at: str, operator: str, action: str, entity: str,
               before: str | None, after: str | None, prev_hash: str) -> str:
    canonical = dumps([at, operator, action, entity, before, after, prev_hash])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


class Diary(Repo):
    def append(self, at: str, operator: str, action: str, entity: str,
               before: Any = None, after: Any = None) -> str:
        """Append one entry and return its hash."""
        last = self._one("SELECT hash FROM diary ORDER BY id DESC LIMIT 1")
        prev = GENESIS if last is None else str(last[0])
        b = None if before is None else dumps(before)
        a = None if after is None else dumps(after)
        h = entry_hash(at, operator, action, entity, b, a, prev)
        self._run("INSERT INTO diary (at, operator, action, entity, before, after, prev_hash, hash) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (at, operator, action, entity, b, a, prev, h))
        return h

    def verify_chain(self) -> list[ChainBreak]:
        problems: list[ChainBreak] = []
        prev = GENESIS
        for rid, at, op, action, entity, before, after, prev_hash, h in self._run(
                "SELECT id, at, operator, action, entity, before, after, prev_hash, hash FROM diary ORDER BY id"):
            if prev_hash != prev:
                problems.append(ChainBreak(rid, "previous hash does not match the entry before"))
            if entry_hash(at, op, action, entity, before, after, prev_hash) != h:
                problems.append(ChainBreak(rid, "entry content does not match its hash"))
            prev = h
        return problems
