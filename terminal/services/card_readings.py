"""Meter readings carried back on user cards (the meter writes its return record).

A reading is recorded once: the same return data read again (the card read twice, or
read at `card read` and again when selling) is not recorded a second time. The meter's
time on the card is UTC; the ledger keeps local wall-clock times like every other
row, so `read_at` is that instant in the terminal's time zone.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sync.device_records import ReadingRecord
from terminal.domain.money import format_kwh
from terminal.ledger import Fact, Outgoing, UnitOfWork
from terminal.services.auth import Session
from terminal.services.context import Context


def local_time(utc_iso: str) -> str:
    t = datetime.fromisoformat(utc_iso)
    return t.astimezone().replace(tzinfo=None).isoformat(timespec="seconds")


def record(ctx: Context, session: Session, uow: UnitOfWork, reading: dict[str, Any],
           card: str | None) -> dict[str, Any] | None:
    """Record a card's return data (in the caller's unit of work). None when the meter is
    not registered here or this reading is already recorded."""
    meter = uow.meters.by_number(str(reading["meter"]))
    if meter is None:
        return None
    at = ctx.now_iso()
    read_at = local_time(str(reading["time"]))
    detail = {"card": card, "meter_time_utc": reading["time"], "flags": reading.get("flag_names", [])}
    uuid = uow.readings.record_card(meter.id, read_at, at, int(reading["cumulative"]), int(reading["remaining"]),
                                    int(reading["last_sequence"]), int(reading["flags"]), detail)
    if uuid is None:
        return None
    view = {"reading_id": uuid, "meter": meter.number, "source": "card", "read_at": read_at,
            "total_kwh": format_kwh(int(reading["cumulative"])), "remaining_kwh": format_kwh(int(reading["remaining"])),
            "purchase_count": int(reading["last_sequence"]), "status_flags": reading.get("flag_names", []),
            "card": card}
    uow.record(Fact("reading.recorded", f"meter:{meter.number}", session.username, at,
                    after={k: v for k, v in view.items() if k != "reading_id"},
                    outbox=Outgoing("reading", uuid, ReadingRecord(
                        uuid, "card", meter.number, read_at, int(reading["cumulative"]), int(reading["remaining"]),
                        int(reading["last_sequence"]), tuple(reading.get("flag_names", [])), card))))
    return view
