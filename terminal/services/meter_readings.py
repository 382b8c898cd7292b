"""Meter reading by hand and from a handheld reading device's file, and consumption per period.

Beside the card's return data (`card_readings.py`) and the RS-485 bus (`readings.py`),
these readings feed the same `reading` table, source `manual` (`ppms reading add`) or
`handheld` (`ppms reading import FILE.csv`). Each reading is checked as it is recorded
(`meter_checks.py`): a register lower than the meter's last reading, consumption far
above the meter's own average (`reading.high_consumption_factor`), and a remaining credit
that does not fit the energy bought less the energy consumed
(`account.check_tolerance_kwh`); each anomaly is stored as a checking result.

A reading file is all or nothing: its header is `meter,read_at,kwh,remaining_credit`
(remaining_credit may be empty); a bad row refuses the whole file with CSV_ROW_INVALID
and details.line (the file's line, the header being line 1), and nothing of it is
stored. Its rows are recorded in time order, so each is checked against the ones before.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.account_records import MeterReadingRecord
from terminal.domain.errors import PpmsError
from terminal.domain.money import format_kwh, parse_kwh
from terminal.ledger import Fact, Outgoing, Repositories, UnitOfWork
from terminal.ledger.ids import new_id
from terminal.ledger.repos import MeterRow
from terminal.services import account_params
from terminal.services.account_books import day_span
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import CsvRowInvalid, InvalidArgument, MeterCancelled, ReadingExists
from terminal.services.meter_checks import reading_anomalies, store_finding
from terminal.services.meter_state import find_meter

HEADER = ("meter", "read_at", "kwh", "remaining_credit")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Entry:
    meter: MeterRow
    read_at: str
    total_kwh: int
    remaining_kwh: int | None
    line: int | None = None


def reading_time(text: str, now: datetime, key: str = "at") -> str:
    """A reading's time as the ledger keeps it (local, to the second); never in the future."""
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidArgument(f"{text!r} is not a time: write 2026-03-05T10:00:00", key=key) from None
    if t.tzinfo is not None:
        t = t.astimezone().replace(tzinfo=None)
    if t > now:
        raise InvalidArgument(f"the reading time {text} is in the future", key=key)
    return t.replace(microsecond=0).isoformat(timespec="seconds")


def _entry(r: Repositories, meter_no: str, read_at: str, kwh: str, remaining: str | None, source: str,
           line: int | None = None) -> Entry:
    total = parse_kwh(kwh.strip())
    left = None if remaining is None or not remaining.strip() else parse_kwh(remaining.strip())
    meter = find_meter(r, meter_no)
    if meter.status == "cancelled":
        raise MeterCancelled(f"meter {meter.number} is cancelled", meter=meter.number)
    if r.meter_history.seen(meter.id, read_at, source):
        raise ReadingExists(f"meter {meter.number} already has a {source} reading at {read_at}",
                            meter=meter.number, read_at=read_at)
    return Entry(meter, read_at, total, left, line)


def _store(uow: UnitOfWork, session: Session, e: Entry, source: str, at: str,
           import_id: str | None = None) -> dict[str, Any]:
    """Record one reading and the anomalies it shows (the caller's unit of work)."""
    tolerance, factor = account_params.tolerance_kwh(uow), account_params.high_consumption_factor(uow)
    last = uow.meter_history.before(e.meter.id, e.read_at)
    findings = reading_anomalies(uow, e.meter.id, e.read_at, e.total_kwh, e.remaining_kwh, tolerance, factor)
    uuid = new_id()
    uow.readings.record(uuid, e.meter.id, e.read_at, at, source, total_kwh=e.total_kwh,
                        remaining_kwh=e.remaining_kwh, remaining_money=None, purchase_count=None, status_flags=None,
                        detail={"import_id": import_id, "line": e.line} if import_id else {})
    flags = tuple(f.kind for f in findings)
    view: dict[str, Any] = {
        "reading_id": uuid, "meter": e.meter.number, "source": source, "read_at": e.read_at,
        "total_kwh": format_kwh(e.total_kwh),
        "remaining_kwh": None if e.remaining_kwh is None else format_kwh(e.remaining_kwh),
        "consumption": None if last is None else {"since": last.read_at,
                                                 "kwh": format_kwh(e.total_kwh - last.total_kwh)},
        "flags": list(flags)}
    if e.line is not None:
        view["line"] = e.line
    uow.record(Fact("reading.recorded", f"meter:{e.meter.number}", session.username, at,
                    after={"reading_id": uuid, "source": source, "total_kwh": e.total_kwh,
                           "remaining_kwh": e.remaining_kwh, "flags": list(flags)},
                    outbox=Outgoing("meter_reading", uuid, MeterReadingRecord(
                        uuid, source, e.meter.number, e.read_at, e.total_kwh, e.remaining_kwh, import_id, e.line,
                        flags or None))))
    point = uow.meter_history.point(uuid)
    view["checks"] = [{"check_id": store_finding(uow, session, e.meter, f, at, point), "kind": f.kind,
                       "expected_kwh": format_kwh(f.expected_kwh), "observed_kwh": format_kwh(f.observed_kwh)}
                      for f in findings]
    return view


def add_reading(ctx: Context, session: Session, meter_no: str, kwh: str, remaining: str | None = None,
                at: str | None = None) -> dict[str, Any]:
    """`ppms reading add`: one reading entered by hand."""
    session.require(Permission.METER_READING)
    read_at = ctx.now_iso() if at is None else reading_time(at, ctx.now())
    with ctx.ledger.unit_of_work() as uow:
        entry = _entry(uow, meter_no, read_at, kwh, remaining, "manual")
        return _store(uow, session, entry, "manual", ctx.now_iso())


def _row_entry(r: Repositories, row: list[str], line: int, now: datetime, seen: set[tuple[int, str]]) -> Entry:
    def refuse(reason: str, message: str) -> CsvRowInvalid:
        return CsvRowInvalid(f"line {line}: {message}; nothing of the file was stored", line=line, reason=reason)

    if len(row) not in (3, 4):
        raise refuse("COLUMNS", f"{len(row)} values where {','.join(HEADER)} wants 4")
    try:
        read_at = reading_time(row[1], now, key="read_at")
        e = _entry(r, row[0], read_at, row[2], row[3] if len(row) == 4 else None, "handheld", line)
    except PpmsError as exc:
        raise refuse(exc.code, exc.message) from None
    if (e.meter.id, read_at) in seen:
        raise refuse("READING_EXISTS", f"meter {e.meter.number} at {read_at} is on an earlier line")
    seen.add((e.meter.id, read_at))
    return e


def import_readings(ctx: Context, session: Session, text: str, name: str = "") -> dict[str, Any]:
    """`ppms reading import FILE.csv`: a handheld device's readings, all or nothing."""
    session.require(Permission.METER_READING)
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = next(rows, None)
    if header is None or tuple(h.strip().lower() for h in header) != HEADER:
        raise CsvRowInvalid(f"line 1: the header must be {','.join(HEADER)}", line=1, reason="HEADER")
    import_id = new_id()
    now, at = ctx.now(), ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        entries: list[Entry] = []
        seen: set[tuple[int, str]] = set()
        for row in rows:
            if not any(v.strip() for v in row):
                continue
            if len(entries) >= MAX_ROWS:
                raise CsvRowInvalid(f"line {rows.line_num}: a file holds at most {MAX_ROWS} readings",
                                    line=rows.line_num, reason="TOO_MANY_ROWS")
            entries.append(_row_entry(uow, row, rows.line_num, now, seen))
        if not entries:
            raise InvalidArgument("the file holds no readings", key="FILE")
        stored = [_store(uow, session, e, "handheld", at, import_id)
                  for e in sorted(entries, key=lambda e: (e.read_at, e.line or 0))]
        flagged = sum(bool(v["flags"]) for v in stored)
        uow.record(Fact("reading.import", f"import:{import_id}", session.username, at,
                        after={"file": name, "readings": len(stored), "flagged": flagged}))
    return {"import_id": import_id, "file": name, "readings": len(stored), "flagged": flagged,
            "items": sorted(stored, key=lambda v: v["line"])}


def consumption(ctx: Context, session: Session, meter_no: str, start: str | None = None,
                end: str | None = None) -> dict[str, Any]:
    """Consumption per period: between each two readings of the meter (within the days given)."""
    session.require(Permission.METER_READING)
    since, until = day_span(start, end)
    with ctx.ledger.read() as r:
        meter = find_meter(r, meter_no)
        points = r.meter_history.between(meter.id, since or "", until or "9999")
    periods = [{"from": a.read_at, "to": b.read_at, "kwh": format_kwh(b.total_kwh - a.total_kwh),
                "days": round(_days(a.read_at, b.read_at), 2)} for a, b in zip(points, points[1:])]
    total = points[-1].total_kwh - points[0].total_kwh if len(points) > 1 else 0
    return {"meter": meter.number, "readings": len(points), "periods": periods, "total_kwh": format_kwh(total)}


def _days(a: str, b: str) -> float:
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() / 86400
