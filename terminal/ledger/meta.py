"""Terminal-wide settings stored in the ledger (terminal id, clock policy, currency, formats,
the most one sale may tender)."""
from __future__ import annotations

from terminal.ledger.rows import Repo

MAX_TENDER = "sale.max_tender"
MAX_TENDER_DEFAULT = 1_000_000_000   # minor units: 10,000,000.00 in a currency of 2 decimals


class Meta(Repo):
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return default if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        self._run("INSERT INTO meta (key, value) VALUES (?, ?) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def max_tender(self) -> int:
        """The most money one sale may tender (minor units): the `sale.max_tender` parameter."""
        value = self.get(MAX_TENDER)
        return MAX_TENDER_DEFAULT if value is None else int(value)
