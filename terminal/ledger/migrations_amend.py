"""Migration 16: the amendment file found by its new meter.

Every sale reads whether its meter began with a credit transfer (a replacement meter, the
`amendment` row whose `new_meter_id` it is): an index keeps that one lookup, not a scan of
the file. An index adds no row, so the seal is unchanged.
"""
from __future__ import annotations

from typing import Final

M0016_AMENDMENT_NEW_METER: Final = [
    "CREATE INDEX amendment_new_meter ON amendment(new_meter_id) WHERE new_meter_id IS NOT NULL",
]
