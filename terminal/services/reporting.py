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
    if day is None:
        return daily.gather(ctx.now().date(), ledger_currency())
    try:
        d = date.fromisoformat(day)
    except ValueError:
        raise InvalidArgument(f"date {day!r} must be YYYY-MM-DD", key="date") from None
    return daily.gather(d, ledger_currency())
