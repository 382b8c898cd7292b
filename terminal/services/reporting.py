"""Report use cases: permission checks around the report queries."""
from __future__ import annotations

from datetime import date
from typing import Any

from terminal.reports import daily
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument
from terminal.services.meter_state import ledger_currency


def daily_report(ctx: Context, session: Session, day: str | None = None) -> dict[str, Any]:
    """The daily report of `day` (YYYY-MM-DD); today by the terminal's clock when not given."""
    session.require(Permission.REPORTS)
    try:
        d = ctx.now().date() if day is None else date.fromisoformat(day)
    except ValueError:
        raise InvalidArgument(f"date {day!r} must be YYYY-MM-DD", key="date") from None
    with ctx.ledger.read() as r:
        figures = daily.gather(r, d)
        cur = ledger_currency(r)
    return daily.as_json(figures, cur)
