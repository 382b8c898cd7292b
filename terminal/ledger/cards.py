"""The card repository: cards made or blacklisted here, their events, and the
meter readings that user cards carry back (the `reading` table, source 'card').

Call inside the service's transaction."""
from __future__ import annotations

from dataclasses import dataclass

from terminal.ledger.canonical import dumps
from terminal.ledger.ids import new_id
from terminal.ledger.models import proxy


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


def by_serial(serial: str) -> CardRow | None:
    r = proxy.execute_sql(_SELECT + "WHERE c.serial = ?", (serial,)).fetchone()
    return None if r is None else CardRow(*r)


def of_meter(meter_id: int) -> list[CardRow]:
    return [CardRow(*r) for r in proxy.execute_sql(_SELECT + "WHERE c.meter_id = ? ORDER BY c.id",
                                                   (meter_id,)).fetchall()]


def issued_user_card(meter_id: int) -> CardRow | None:
    r = proxy.execute_sql(_SELECT + "WHERE c.meter_id = ? AND c.card_type = 'user' AND c.status = 'issued' "
                          "ORDER BY c.id DESC LIMIT 1", (meter_id,)).fetchone()
    return None if r is None else CardRow(*r)


def blacklisted_serials() -> list[str]:
    return [str(r[0]) for r in proxy.execute_sql("SELECT serial FROM card WHERE status = 'blacklisted' "
                                                 "ORDER BY serial").fetchall()]


def put(serial: str, status: str, at: str, *, meter_id: int | None = None, card_type: str | None = None,
        made_by: int | None = None, made: bool = False) -> int:
    """Insert the card or change its status (and, when `made`, who made it for which meter)."""
    row = by_serial(serial)
    if row is None:
        return int(proxy.execute_sql(
            "INSERT INTO card (serial, meter_id, card_type, status, made_at, made_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (serial, meter_id, card_type, status, at if made else None, made_by, at)).lastrowid)
    if made:
        proxy.execute_sql("UPDATE card SET meter_id = ?, card_type = ?, status = ?, made_at = ?, made_by = ?, "
                          "updated_at = ? WHERE id = ?", (meter_id, card_type, status, at, made_by, at, row.id))
    else:
        proxy.execute_sql("UPDATE card SET status = ?, updated_at = ? WHERE id = ?", (status, at, row.id))
    return row.id


def event(card_id: int, kind: str, at: str, operator_id: int | None, reason: str | None = None) -> None:
    proxy.execute_sql("INSERT INTO card_event (card_id, event, at, operator_id, reason) VALUES (?, ?, ?, ?, ?)",
                      (card_id, kind, at, operator_id, reason))


def events(card_id: int) -> list[dict[str, object]]:
    return [{"event": r[0], "at": r[1], "operator": r[2], "reason": r[3]} for r in proxy.execute_sql(
        "SELECT e.event, e.at, o.username, e.reason FROM card_event e LEFT JOIN operator o ON o.id = e.operator_id "
        "WHERE e.card_id = ? ORDER BY e.id", (card_id,)).fetchall()]


def record_reading(meter_id: int, read_at: str, recorded_at: str, total: int, remaining: int,
                   last_sequence: int, flags: int, detail: dict[str, object]) -> str | None:
    """A reading from a card's return data; None when this very reading is already recorded."""
    seen = proxy.execute_sql(
        "SELECT 1 FROM reading WHERE source = 'card' AND meter_id = ? AND read_at = ? AND total_kwh = ? "
        "AND remaining_kwh = ? AND purchase_count = ?", (meter_id, read_at, total, remaining, last_sequence)
    ).fetchone()
    if seen is not None:
        return None
    uuid = new_id()
    proxy.execute_sql(
        "INSERT INTO reading (uuid, meter_id, read_at, recorded_at, source, total_kwh, remaining_kwh, "
        "purchase_count, status_flags, detail) VALUES (?, ?, ?, ?, 'card', ?, ?, ?, ?, ?)",
        (uuid, meter_id, read_at, recorded_at, total, remaining, last_sequence, flags, dumps(detail)))
    return uuid


def readings(meter_id: int) -> list[dict[str, object]]:
    return [{"read_at": r[0], "source": r[1], "total_kwh": r[2], "remaining_kwh": r[3], "purchase_count": r[4],
             "status_flags": r[5]} for r in proxy.execute_sql(
        "SELECT read_at, source, total_kwh, remaining_kwh, purchase_count, status_flags FROM reading "
        "WHERE meter_id = ? ORDER BY read_at, id", (meter_id,)).fetchall()]
