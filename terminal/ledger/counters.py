"""Gapless per-terminal counters (receipt numbers, outbox sequence, account numbers).

A counter is advanced inside the caller's unit of work, so a number is either used
by a committed row or never handed out: no gaps. The one exception is a restore of an
older copy (`skip_to`): the counter moves past the numbers the replaced ledger used, and
the skipped range is written down (`number_skip`, migration 29) so the gap is explained.
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

    def values(self) -> dict[str, int]:
        return {str(n): int(v) for n, v in self._rows("SELECT name, value FROM counter")}

    def skip_to(self, name: str, value: int, at: str, reason: str) -> tuple[int, int] | None:
        """Move counter `name` to `value` (the next number is `value` + 1), recording the numbers
        skipped; None when it already stands there or beyond."""
        first = self.current_value(name) + 1
        if value < first:
            return None
        self._run("INSERT INTO counter(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = ?",
                  (name, value, value))
        self._run("INSERT INTO number_skip (counter, first, last, at, reason) VALUES (?, ?, ?, ?, ?)",
                  (name, first, value, at, reason))
        return first, value

    def skipped(self, name: str) -> list[tuple[int, int]]:
        """The ranges [first, last] of `name`'s numbers a restore skipped, in order."""
        return [(int(a), int(b)) for a, b in self._rows(
            "SELECT first, last FROM number_skip WHERE counter = ? ORDER BY first", (name,))]

    def skipped_seqs_in_outbox(self) -> int:
        """Outbox rows whose sequence number lies in a range a restore skipped (none, on a sound ledger)."""
        row = self._one("SELECT COUNT(*) FROM outbox o JOIN number_skip k ON k.counter = 'outbox' "
                        "AND o.seq BETWEEN k.first AND k.last")
        return 0 if row is None else int(row[0])
