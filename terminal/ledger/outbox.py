"""The outbox: one row per sale, reversal, registration, ... for the central server.

Written in the same unit of work as the thing it reports (`UnitOfWork.record`);
`seq` is the gapless per-terminal sequence number the central server uses to detect
loss. `encode` is the one place a payload becomes the stored record.
"""
from __future__ import annotations

from typing import Any

from terminal.ledger.canonical import dumps
from terminal.ledger.counters import Counters
from terminal.ledger.ids import new_id
from terminal.ledger.rows import Repo


def encode(kind: str, payload: dict[str, Any]) -> str:
    """The stored form of an outbox record of `kind`. Today the payload's canonical JSON;
    the versioned wire record (`sync/schema.py`) takes its place here."""
    return dumps(payload)


class Outbox(Repo):
    def __init__(self, db: Any, counters: Counters) -> None:
        super().__init__(db)
        self._counters = counters

    def enqueue(self, terminal_id: str, kind: str, entity_uuid: str, payload: dict[str, Any], at: str) -> int:
        seq = self._counters.next_value("outbox")
        self._run("INSERT INTO outbox (seq, uuid, terminal_id, kind, entity_uuid, payload, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (seq, new_id(), terminal_id, kind, entity_uuid, encode(kind, payload), at))
        return seq

    def sent_keys(self) -> set[tuple[str, str]]:
        """(kind, entity uuid) of every row, for `ppms check`."""
        return {(str(k), str(e)) for k, e in self._rows("SELECT kind, entity_uuid FROM outbox")}

    def extent(self) -> tuple[int, int]:
        """(row count, highest sequence)."""
        row = self._one("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM outbox")
        assert row is not None
        return int(row[0]), int(row[1])
