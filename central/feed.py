"""The change feed (`GET /api/v1/feed`): master data the center sends every terminal, in
the order of its cursor (a number the database assigns, never a time)."""
from __future__ import annotations

import json
from typing import Any

from central import db as central_db
from central.clock import now_text
from central.errors import BadRequest
from central.models import Change, Terminal
from central.reports import center_currency
from terminal.domain.money import currency, format_money

MAX_LIMIT = 1000
KINDS = ("tariff", "customer", "meter", "blacklist", "parameter", "operator", "payment")


def queue(kind: str, data: dict[str, Any]) -> int:
    """Append one change inside the caller's transaction; its cursor."""
    if kind not in KINDS:
        raise BadRequest(f"no feed kind {kind!r}", field="kind")
    return int(Change.insert(kind=kind, data=json.dumps(data, sort_keys=True, ensure_ascii=False),
                             created_at=now_text()).execute())


def add(kind: str, data: dict[str, Any]) -> int:
    """Append one change in its own transaction; its cursor."""
    with central_db.write(Change._meta.database):
        return queue(kind, data)


def _int(text: str | None, name: str, default: int, high: int) -> int:
    if text is None:
        return default
    if not text.isdigit() or len(text) > 18:
        raise BadRequest(f"{name} must be a whole number", field=name)
    return min(int(text), high)


def page(terminal: str, cursor_text: str | None, limit_text: str | None) -> dict[str, Any]:
    cursor = _int(cursor_text, "cursor", 0, 2 ** 62)
    limit = max(1, _int(limit_text, "limit", 500, MAX_LIMIT))
    rows = list(Change.select().where(Change.cursor > cursor).order_by(Change.cursor).limit(limit))
    t = Terminal.get_by_id(terminal)
    cur = currency(center_currency())
    return {"changes": [{"cursor": r.cursor, "kind": r.kind, "data": json.loads(r.data)} for r in rows],
            "next_cursor": rows[-1].cursor if rows else cursor,
            "offline_limits": {"max_hours": t.offline_max_hours, "max_amount": format_money(t.offline_max_amount, cur)},
            "server_time": now_text()}
