"""Meter readings (append-only): from the RS-485 bus (source 'dlt645') and from the return
data user cards carry back (source 'card', recorded once however often the card is read)."""
from __future__ import annotations

from typing import Any

from terminal.ledger.canonical import dumps
from terminal.ledger.ids import new_id
from terminal.ledger.rows import Repo


class Readings(Repo):
    def record_card(self, meter_id: int, read_at: str, recorded_at: str, total: int, remaining: int,
                    last_sequence: int, flags: int, detail: dict[str, object]) -> str | None:
        """A reading from a card's return data; None when this very reading is already recorded."""
        seen = self._one(
            "SELECT 1 FROM reading WHERE source = 'card' AND meter_id = ? AND read_at = ? AND total_kwh = ? "
            "AND remaining_kwh = ? AND purchase_count = ?", (meter_id, read_at, total, remaining, last_sequence))
        if seen is not None:
            return None
        uuid = new_id()
        self._run("INSERT INTO reading (uuid, meter_id, read_at, recorded_at, source, total_kwh, remaining_kwh, "
                  "purchase_count, status_flags, detail) VALUES (?, ?, ?, ?, 'card', ?, ?, ?, ?, ?)",
                  (uuid, meter_id, read_at, recorded_at, total, remaining, last_sequence, flags, dumps(detail)))
        return uuid

    def record(self, uuid: str, meter_id: int, read_at: str, recorded_at: str, source: str, *,
               total_kwh: int | None, remaining_kwh: int | None, remaining_money: int | None,
               purchase_count: int | None, status_flags: int | None, detail: dict[str, Any]) -> None:
        self._run("INSERT INTO reading (uuid, meter_id, read_at, recorded_at, source, total_kwh, remaining_kwh, "
                  "remaining_money, purchase_count, status_flags, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (uuid, meter_id, read_at, recorded_at, source, total_kwh, remaining_kwh, remaining_money,
                   purchase_count, status_flags, dumps(detail)))
