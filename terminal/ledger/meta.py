"""Terminal-wide settings stored in the ledger (terminal id, clock policy, currency, formats)."""
from __future__ import annotations

from terminal.ledger.models import proxy


def get(key: str, default: str | None = None) -> str | None:
    row = proxy.execute_sql("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else str(row[0])


def put(key: str, value: str) -> None:
    proxy.execute_sql("INSERT INTO meta (key, value) VALUES (?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
