"""Token identifiers: minutes since the base date, 24 bits.

IEC 62055-41 has three base dates, 1993-01-01, 2014-01-01 and 2035-01-01; a meter
moves to the next one with a key change token that sets the rollover bit. Aware
datetimes are converted to UTC; naive datetimes are taken as UTC.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .errors import TidError

BASE_DATES: dict[int, datetime] = {
    year: datetime(year, 1, 1, tzinfo=UTC) for year in (1993, 2014, 2035)
}
TID_MAX = (1 << 24) - 1


def _base(base_date: int) -> datetime:
    try:
        return BASE_DATES[base_date]
    except KeyError:
        raise TidError(
            f"unknown STS base date {base_date} (1993, 2014 or 2035)", code="TID_OUT_OF_RANGE"
        ) from None


def tid_from_datetime(issued: datetime, base_date: int = 1993) -> int:
    """The TID of a token issued at ``issued`` (whole minutes since the base date)."""
    when = issued.replace(tzinfo=UTC) if issued.tzinfo is None else issued
    minutes = int((when - _base(base_date)).total_seconds() // 60)
    if not 0 <= minutes <= TID_MAX:
        raise TidError(
            f"{issued.isoformat()} cannot be written as a token time from base date "
            f"{base_date}: the meter needs a key change to the next base date",
            code="TID_OUT_OF_RANGE",
        )
    return minutes


def datetime_from_tid(tid: int, base_date: int = 1993) -> datetime:
    """The issue time (UTC) a TID stands for."""
    if not 0 <= tid <= TID_MAX:
        raise TidError(f"TID {tid} is not a 24-bit number", code="TID_OUT_OF_RANGE")
    return _base(base_date) + timedelta(minutes=tid)


def next_tid(last_tid: int | None, now_tid: int) -> int:
    """The TID for the next token of a meter whose last token had ``last_tid``.

    TIDs are unique per meter: a second token in the same minute takes the next
    minute. A clock earlier than the last TID issued refuses to vend
    (``CLOCK_BEHIND_LAST_TOKEN``): the terminal's clock must be put right first.
    """
    if not 0 <= now_tid <= TID_MAX:
        raise TidError(f"TID {now_tid} is not a 24-bit number", code="TID_OUT_OF_RANGE")
    if last_tid is None or now_tid > last_tid:
        return now_tid
    if now_tid < last_tid:
        raise TidError(
            "the terminal clock is earlier than the last token made for this meter; "
            "set the clock right before selling",
            code="CLOCK_BEHIND_LAST_TOKEN",
        )
    if last_tid >= TID_MAX:
        raise TidError("no token time left on this base date", code="TID_OUT_OF_RANGE")
    return last_tid + 1
