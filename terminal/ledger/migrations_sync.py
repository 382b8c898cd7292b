"""Migration 20 (sync): the outbox rows not yet sent, indexed, so the agent's batches, its
backlog and the offline limit's money since the last sync read only the unsent rows, whatever
the outbox's size. An index adds no table or column: the seal is unchanged."""
from __future__ import annotations

from typing import Final

M0020_SYNC: Final = [
    "CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox(seq) WHERE sent_at IS NULL",
]
