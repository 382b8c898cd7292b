"""The outbox: one row per sale, reversal, registration, ... for the central server.

Written in the same transaction as the thing it reports; `seq` is the gapless
per-terminal sequence number the central server uses to detect loss.
"""
from __future__ import annotations

import uuid as uuidlib
from typing import Any

from terminal.ledger import counters
from terminal.ledger.canonical import dumps
from terminal.ledger.models import Outbox, proxy


def enqueue(terminal_id: str, kind: str, entity_uuid: str, payload: dict[str, Any], at: str) -> int:
    seq = counters.next_value("outbox")
    proxy.execute_sql(
        "INSERT INTO outbox (seq, uuid, terminal_id, kind, entity_uuid, payload, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, str(uuidlib.uuid4()), terminal_id, kind, entity_uuid, dumps(payload), at))
    return seq


def pending(limit: int = 500) -> list[Outbox]:
    return list(Outbox.select().where(Outbox.sent_at.is_null()).order_by(Outbox.seq).limit(limit))


def has_row(kind: str, entity_uuid: str) -> bool:
    return Outbox.select().where((Outbox.kind == kind) & (Outbox.entity_uuid == entity_uuid)).exists()
