"""Migration 19 (reports): an index on the time of each posting.

Every money report reads the postings made between two times; without this index a
daily report on a ledger of a million sales reads every posting. An index is no row:
it needs no seal trigger.
"""
from __future__ import annotations

from typing import Final

M0019_REPORT_INDEXES: Final = [
    "CREATE INDEX posting_time ON posting(posted_at, kind)",
]
