"""The outbox: one row per sale, reversal, registration, ... for the central server.

Written in the same unit of work as the thing it reports (`UnitOfWork.record`);
`seq` is the gapless per-terminal sequence number the central server uses to detect
loss. `encode` is the one place a payload becomes the stored record: the versioned wire
record of `sync/schema.py`, its canonical UTF-8 JSON (docs/sync-wire.md); `decode` the one
place a stored row becomes a record again, the rows of an older terminal included.
"""
from __future__ import annotations

import json
from typing import Any

from sync import schema
from sync.errors import WireRecordInvalid
from sync.schema import VERSION_KEY, WireRecord
from sync.views import record_from_view
from terminal.ledger.counters import Counters
from terminal.ledger.ids import new_id
from terminal.ledger.rows import Repo


def encode(kind: str, record: WireRecord) -> str:
    """The stored form of an outbox record of `kind`: the record's canonical encoding
    (WireRecordInvalid when the record is not of `kind` or does not hold)."""
    if record.KIND != kind:
        raise WireRecordInvalid(f"a {record.KIND} record is not an outbox {kind}", kind=kind, field=None,
                                reason="not a record of this kind")
    return schema.encode(record).decode("utf-8")


def decode(kind: str, stored: str, currency_code: str | None = None) -> WireRecord:
    """The record a stored outbox row holds. A row written before the wire records (by a terminal
    since upgraded, not yet sent) holds the CLI's JSON view, which never has the record's
    top-level "v": it is read back with `sync.views.record_from_view` (``currency_code``: the
    ledger's, the currency of a debt and of a DL/T 645 reading's money) and checked as a record
    is. Anything else is refused (WireRecordInvalid and its kin)."""
    try:
        value = json.loads(stored)
    except ValueError:
        value = None   # not JSON: schema.decode says so
    if isinstance(value, dict) and VERSION_KEY not in value:
        stored = encode(kind, record_from_view(kind, value, currency_code))
    record: WireRecord = schema.decode(kind, stored)
    return record


class Outbox(Repo):
    def __init__(self, db: Any, counters: Counters) -> None:
        super().__init__(db)
        self._counters = counters

    def enqueue(self, terminal_id: str, kind: str, entity_uuid: str, payload: WireRecord, at: str) -> int:
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

    def count(self, kind: str, entity_uuid: str) -> int:
        """How many rows of `kind` the outbox holds for an entity (index outbox_entity)."""
        row = self._one("SELECT COUNT(*) FROM outbox WHERE entity_uuid = ? AND kind = ?", (entity_uuid, kind))
        assert row is not None
        return int(row[0])
