"""The ledger disk's free space, for `ppms check` and the kiosk's status line: `low` below
`[database] warn_free_mb` (a DISK_LOW warning in the journal), selling refused with
DISK_FULL below `min_free_mb`."""
from __future__ import annotations

import logging
from typing import Any

from terminal.services.context import Context

log = logging.getLogger(__name__)


def disk_space(ctx: Context) -> dict[str, Any]:
    state = ctx.ledger.disk_space()
    if state.low:
        log.warning("DISK_LOW: the ledger's disk has %.1f MB free, below the %g MB warning level (selling stops "
                    "at %g MB)", state.free_mb, state.warn_free_mb, state.min_free_mb)
    return state.as_dict()
