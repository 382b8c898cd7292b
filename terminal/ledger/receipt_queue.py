"""Receipts that could not be printed, waiting for `ppms receipt retry`."""
from __future__ import annotations

from typing import Any

from terminal.ledger.rows import Repo


class ReceiptQueue(Repo):
    def add(self, sale_id: int, kind: str, reason: str, at: str) -> None:
        self._run("INSERT INTO receipt_queue (sale_id, kind, queued_at, reason) VALUES (?, ?, ?, ?)",
                  (sale_id, kind, at, reason))

    def waiting(self) -> list[dict[str, Any]]:
        rows = self._rows("SELECT q.id, s.receipt_no, q.kind, q.queued_at, q.reason FROM receipt_queue q "
                          "JOIN sale s ON s.id = q.sale_id WHERE q.done_at IS NULL ORDER BY q.id")
        return [dict(zip(("queue_id", "receipt_no", "kind", "queued_at", "reason"), r)) for r in rows]

    def open_items(self) -> list[tuple[int, int, str]]:
        """(queue id, sale id, kind) of every receipt still waiting, oldest first."""
        return [(int(q), int(s), str(k)) for q, s, k in self._rows(
            "SELECT id, sale_id, kind FROM receipt_queue WHERE done_at IS NULL ORDER BY id")]

    def done(self, queue_id: int, at: str) -> None:
        self._run("UPDATE receipt_queue SET done_at = ? WHERE id = ?", (at, queue_id))
