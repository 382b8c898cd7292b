"""Terminal-wide settings stored in the ledger (terminal id, clock policy, currency, formats)."""
from __future__ import annotations

from terminal.ledger.rows import Repo


class Meta(Repo):
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return default if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        self._run("INSERT INTO meta (key, value) VALUES (?, ?) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
