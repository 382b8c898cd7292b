"""The card repository: cards made or blacklisted here and their events."""
from __future__ import annotations

from dataclasses import dataclass

from terminal.ledger.rows import Repo


@dataclass(frozen=True)
class CardRow:
    id: int
    serial: str
    meter_id: int | None
    meter: str | None
    card_type: str | None
    status: str
    made_at: str | None


_SELECT = ("SELECT c.id, c.serial, c.meter_id, m.number, c.card_type, c.status, c.made_at FROM card c "
           "LEFT JOIN meter m ON m.id = c.meter_id ")


class Cards(Repo):
    def by_serial(self, serial: str) -> CardRow | None:
        r = self._one(_SELECT + "WHERE c.serial = ?", (serial,))
        return None if r is None else CardRow(*r)

    def issued_user_card(self, meter_id: int) -> CardRow | None:
        r = self._one(_SELECT + "WHERE c.meter_id = ? AND c.card_type = 'user' AND c.status = 'issued' "
                      "ORDER BY c.id DESC LIMIT 1", (meter_id,))
        return None if r is None else CardRow(*r)

    def blacklisted_serials(self) -> list[str]:
        return [str(r[0]) for r in self._rows("SELECT serial FROM card WHERE status = 'blacklisted' ORDER BY serial")]

    def put(self, serial: str, status: str, at: str, *, meter_id: int | None = None, card_type: str | None = None,
            made_by: int | None = None, made: bool = False) -> int:
        """Insert the card or change its status (and, when `made`, who made it for which meter)."""
        row = self.by_serial(serial)
        if row is None:
            return int(self._run(
                "INSERT INTO card (serial, meter_id, card_type, status, made_at, made_by, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (serial, meter_id, card_type, status, at if made else None, made_by, at)).lastrowid)
        if made:
            self._run("UPDATE card SET meter_id = ?, card_type = ?, status = ?, made_at = ?, made_by = ?, "
                      "updated_at = ? WHERE id = ?", (meter_id, card_type, status, at, made_by, at, row.id))
        else:
            self._run("UPDATE card SET status = ?, updated_at = ? WHERE id = ?", (status, at, row.id))
        return row.id

    def event(self, card_id: int, kind: str, at: str, operator_id: int | None, reason: str | None = None) -> None:
        self._run("INSERT INTO card_event (card_id, event, at, operator_id, reason) VALUES (?, ?, ?, ?, ?)",
                  (card_id, kind, at, operator_id, reason))

    def events(self, card_id: int) -> list[dict[str, object]]:
        return [{"event": r[0], "at": r[1], "operator": r[2], "reason": r[3]} for r in self._rows(
            "SELECT e.event, e.at, o.username, e.reason FROM card_event e LEFT JOIN operator o ON o.id = e.operator_id "
            "WHERE e.card_id = ? ORDER BY e.id", (card_id,))]
