"""Terminal-wide settings stored in the ledger (terminal id, clock policy, currency, formats)."""
from __future__ import annotations

from terminal.ledger.models import proxy


def get(key: str, default: str | None = None) -> str | None:
    row = proxy.execute_sql("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else str(row[0])


def put(key: str, value: str) -> None:
    proxy.execute_sql("INSERT INTO meta (key, value) VALUES (?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


MAX_TENDER = "sale.max_tender"
MAX_TENDER_DEFAULT = 1_000_000_000   # minor units: 10,000,000.00 in a currency of 2 decimals


def max_tender() -> int:
    """The most money one sale may tender (minor units): the `sale.max_tender` parameter."""
    value = get(MAX_TENDER)
    return MAX_TENDER_DEFAULT if value is None else int(value)
