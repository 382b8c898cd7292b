"""Time only goes forward: the ledger's high-water mark of time.

`clock_mark` holds one row, the latest time a write transaction ran at. Every outermost
unit of work, right after BEGIN IMMEDIATE, compares the terminal's clock with it: a clock
more than the tolerance ([database] clock_tolerance_s, 300 s by default: room for an NTP
step) behind the mark refuses the write (CLOCK_BEHIND_LEDGER, nothing written); otherwise
the mark moves forward to the clock. One place every write passes, so no service can date
a sale before the meter's registration, a reversal before its sale, or count a month twice.

The mark is kept by the unit of work (`ledger.py`), not by the services; the clock is the
terminal's (`PPMS_FAKE_NOW` in a fake-clock database), set on the ledger by bootstrap.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from terminal.ledger.errors import ClockBehindLedger

DEFAULT_TOLERANCE_S = 300.0


def _naive(dt: datetime) -> datetime:
    """Local wall-clock time to the second, as the ledger stores times."""
    return (dt.astimezone().replace(tzinfo=None) if dt.tzinfo is not None else dt).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class ClockState:
    """The mark and the clock, as `ppms check` shows them."""
    latest: str | None
    now: str
    behind_s: float          # how far the clock is behind the mark (0 when it is not)
    tolerance_s: float

    @property
    def behind(self) -> bool:
        return self.behind_s > self.tolerance_s


def latest(db: Any) -> str | None:
    row = db.execute_sql("SELECT latest FROM clock_mark WHERE id = 1").fetchone()
    return None if row is None else str(row[0])


def state(db: Any, now: datetime, tolerance_s: float) -> ClockState:
    mark = latest(db)
    behind = 0.0 if mark is None else max(0.0, (datetime.fromisoformat(mark) - _naive(now)).total_seconds())
    return ClockState(latest=mark, now=_naive(now).isoformat(timespec="seconds"), behind_s=behind,
                      tolerance_s=tolerance_s)


def advance(db: Any, now: datetime, tolerance_s: float) -> None:
    """Inside a write transaction: refuse a clock behind the mark, else move the mark to it."""
    current = state(db, now, tolerance_s)
    if current.behind:
        ahead = timedelta(seconds=round(current.behind_s))
        raise ClockBehindLedger(
            f"the terminal's clock ({current.now}) is {ahead} behind the ledger's latest write "
            f"({current.latest}): nothing was written; set the clock right (date, time, time zone) "
            "and try again", latest=current.latest, now=current.now)
    db.execute_sql("INSERT INTO clock_mark (id, latest) VALUES (1, ?) "
                   "ON CONFLICT(id) DO UPDATE SET latest = excluded.latest WHERE excluded.latest > latest",
                   (current.now,))
