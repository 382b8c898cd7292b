"""STS tokens made for registered meters (append-only)."""
from __future__ import annotations

from typing import Any

from terminal.ledger.ids import new_id
from terminal.ledger.rows import Repo


class StsTokens(Repo):
    def record(self, meter_id: int, sale_id: int | None, kind: str, token_class: int, subclass: int,
               tid: int | None, value: int | None, digits: str, issued_at: str, operator_id: int | None) -> str:
        token_uuid = new_id()
        self._run("INSERT INTO sts_token (uuid, meter_id, sale_id, kind, token_class, subclass, tid, value, digits, "
                  "issued_at, operator_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (token_uuid, meter_id, sale_id, kind, token_class, subclass, tid, value, digits, issued_at,
                   operator_id))
        return token_uuid

    def last_tid(self, meter_id: int) -> int | None:
        """The highest TID issued to the meter under its current key (since its last key change)."""
        row = self._one("SELECT MAX(tid) FROM sts_token WHERE meter_id = ? AND id > COALESCE("
                        "(SELECT MAX(id) FROM sts_token WHERE meter_id = ? AND kind = 'key_change'), 0)",
                        (meter_id, meter_id))
        return None if row is None or row[0] is None else int(row[0])

    def for_meter(self, meter_id: int) -> list[dict[str, Any]]:
        cols = ("token_id", "kind", "class", "subclass", "tid", "value", "token", "issued_at", "sale_id")
        return [dict(zip(cols, r)) for r in self._rows(
            "SELECT uuid, kind, token_class, subclass, tid, value, digits, issued_at, sale_id "
            "FROM sts_token WHERE meter_id = ? ORDER BY id", (meter_id,))]
