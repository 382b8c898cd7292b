"""Gapless per-terminal counters (receipt numbers, outbox sequence, account numbers).

A counter is advanced inside the caller's unit of work, so a number is either used
by a committed row or never handed out: no gaps.
"""
from __future__ import annotations

from terminal.ledger.rows import Repo


class Counters(Repo):
    def next_value(self, name: str) -> int:
        row = self._one("INSERT INTO counter(name, value) VALUES (?, 1) "
                        "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value", (name,))
        assert row is not None
        return int(row[0])

    def current_value(self, name: str) -> int:
        row = self._one("SELECT value FROM counter WHERE name = ?", (name,))
        return 0 if row is None else int(row[0])
