"""Gapless per-terminal counters (receipt numbers, outbox sequence).

A counter is read and advanced inside the caller's write transaction, so a
number is either used by a committed row or never handed out: no gaps.
"""
from __future__ import annotations

from terminal.ledger.models import Counter


def next_value(name: str) -> int:
    row = Counter.get_or_none(Counter.name == name)
    if row is None:
        Counter.insert(name=name, value=1).execute()
        return 1
    value = int(row.value) + 1
    Counter.update(value=value).where(Counter.name == name).execute()
    return value


def current_value(name: str) -> int:
    row = Counter.get_or_none(Counter.name == name)
    return 0 if row is None else int(row.value)
