"""Gapless per-terminal counters (receipt numbers, outbox sequence, account numbers).

A counter is advanced inside the caller's write transaction, so a number is
either used by a committed row or never handed out: no gaps.
"""
from __future__ import annotations

from terminal.ledger.models import proxy


def next_value(name: str) -> int:
    cur = proxy.execute_sql(
        "INSERT INTO counter(name, value) VALUES (?, 1) "
        "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value", (name,))
    return int(cur.fetchone()[0])


def current_value(name: str) -> int:
    row = proxy.execute_sql("SELECT value FROM counter WHERE name = ?", (name,)).fetchone()
    return 0 if row is None else int(row[0])
