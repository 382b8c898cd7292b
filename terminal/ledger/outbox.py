"""The outbox: one row per sale, reversal, registration, ... for the central server.

Written in the same transaction as the thing it reports; `seq` is the gapless
per-terminal sequence number the central server uses to detect loss.
"""
from __future__ import annotations

from typing import Any

from terminal.ledger import counters
from terminal.ledger.canonical import dumps
from terminal.ledger.ids import new_id
from terminal.ledger.models import proxy


def enqueue(terminal_id: str, kind: str, entity_uuid: str, payload: dict[str, Any], at: str) -> int:
    seq = counters.next_value("outbox")
    proxy.execute_sql(
        "INSERT INTO outbox (seq, uuid, terminal_id, kind, entity_uuid, payload, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, new_id(), terminal_id, kind, entity_uuid, dumps(payload), at))
    return seq



def count(kind: str, entity_uuid: str) -> int:
    """How many rows of `kind` the outbox holds for an entity (index outbox_entity)."""
    row = proxy.execute_sql("SELECT COUNT(*) FROM outbox WHERE entity_uuid = ? AND kind = ?",
                            (entity_uuid, kind)).fetchone()
    return int(row[0])
