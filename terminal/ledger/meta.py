"""Terminal-wide settings stored in the ledger (terminal id, clock policy, currency)."""
from __future__ import annotations

from terminal.ledger.models import Meta


def get(key: str, default: str | None = None) -> str | None:
    row = Meta.get_or_none(Meta.key == key)
    return default if row is None else str(row.value)


def put(key: str, value: str) -> None:
    Meta.insert(key=key, value=value).on_conflict_replace().execute()
