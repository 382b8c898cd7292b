"""Terminal status for the dashboard: each terminal's last sync, backlog, clock drift, offline
limits, the money of its last batch, and the conflicts and sequence gaps an auditor
acknowledges with a note (``conflict_note``: rows are only ever inserted).

The center sees a terminal's sales only once they are synced: what it sold since is the
terminal's backlog (a count of outbox rows it reported with its last batch). The money of
the last batch is what it sold while it was last out of touch, the figure its offline
limits bound.
"""
from __future__ import annotations

from typing import Any

from peewee import fn

from central import db as central_db
from central.clock import now_text
from central.errors import BadRequest, NotFound
from central.models import Conflict, ConflictNote, Item, Sale, Terminal
from central.reports import center_currency, gaps
from terminal.domain.money import currency, format_money

MAX_NOTE = 500


def terminals() -> list[dict[str, Any]]:
    cur = currency(center_currency())
    found: Any = Item.select(Item.terminal, fn.COUNT(Item.id), fn.MAX(Item.seq)).group_by(Item.terminal).tuples()
    counts = {str(t): (int(n), int(m or 0)) for t, n, m in found}
    out = []
    for t in Terminal.select().order_by(Terminal.id):
        n, top = counts.get(t.id, (0, 0))
        last_batch: Any = 0
        if t.last_sync:
            last_batch = Sale.select(fn.COALESCE(fn.SUM(Sale.tendered), 0)).join(Item, on=Item.id == Sale.item) \
                .where((Sale.terminal == t.id) & (Sale.kind == "sale") & (Item.received_at == t.last_sync)).scalar()
        out.append({"id": t.id, "last_sync": t.last_sync, "backlog": t.backlog, "clock_drift_s": t.clock_drift_s,
                    "offline_max_hours": t.offline_max_hours,
                    "offline_max_amount": format_money(t.offline_max_amount, cur),
                    "last_batch_money": format_money(int(last_batch or 0), cur),
                    "items": n, "gaps": gaps(t.id) if n < top else []})
    return out


def notes() -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for n in ConflictNote.select().order_by(ConflictNote.id):
        out.setdefault(n.subject, []).append({"note": n.note, "by": n.username, "at": n.at})
    return out


def conflicts(limit: int = 200) -> list[dict[str, Any]]:
    return [{"id": c.id, "terminal": c.terminal, "seq": c.seq, "uuid": c.uuid, "kind": c.kind, "reason": c.reason,
             "received_at": c.received_at, "subject": f"conflict:{c.id}"}
            for c in Conflict.select().order_by(Conflict.id.desc()).limit(limit)]


def acknowledge(subject: str, note: str, username: str) -> dict[str, Any]:
    """An auditor's note on a conflict (``conflict:ID``) or a gap (``gap:TERMINAL:FIRST-LAST``)."""
    text = note.strip()
    if not text or len(text) > MAX_NOTE:
        raise BadRequest(f"the note is 1 to {MAX_NOTE} characters", field="note")
    kind, _, rest = subject.partition(":")
    if kind == "conflict" and rest.isdigit():
        row = Conflict.get_or_none(Conflict.id == int(rest))
        if row is None:
            raise NotFound(f"no conflict {rest}")
        terminal = row.terminal
    elif kind == "gap":
        terminal, _, span = rest.partition(":")
        first, _, last = span.partition("-")
        if not (first.isdigit() and last.isdigit()) or [int(first), int(last)] not in gaps(terminal):
            raise NotFound(f"no sequence gap {span} on terminal {terminal!r}")
    else:
        raise BadRequest("the subject is conflict:ID or gap:TERMINAL:FIRST-LAST", field="subject")
    with central_db.write(ConflictNote._meta.database):
        ConflictNote.insert(terminal=terminal, subject=subject, note=text, username=username, at=now_text()).execute()
    return {"subject": subject, "note": text, "by": username}
