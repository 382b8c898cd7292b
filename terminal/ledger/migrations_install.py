"""Migration 29 (install): the numbers a restore skipped.

A restore of an older copy puts back a ledger whose counters (receipt numbers, the outbox
sequence, account numbers, service card orders) stand where they stood when the copy was
taken; the numbers issued after it were used on the ledger it replaced (and many reached
the center). The restore moves each counter past the highest number used and writes here
the range it skipped, so a number is never issued twice and every gap in the numbering is
explained: `ppms check` counts a skipped number as issued. Append-only, sealed from its
first row.
"""
from __future__ import annotations

from typing import Final

from terminal.ledger.seal_schema import table_seal

NUMBER_SKIP_COLUMNS: Final = "id counter first last at reason".split()
APPEND_ONLY_INSTALL: Final = ("number_skip",)

M0029_NUMBER_SKIPS: Final = [
    """CREATE TABLE number_skip (
        id INTEGER PRIMARY KEY,
        counter TEXT NOT NULL,
        first INTEGER NOT NULL CHECK (first >= 1),
        last INTEGER NOT NULL CHECK (last >= first),
        at TEXT NOT NULL,
        reason TEXT NOT NULL)""",
    *table_seal("number_skip", ("id",), NUMBER_SKIP_COLUMNS),
]
