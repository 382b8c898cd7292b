"""Room on the ledger's disk: a sale starts only when its completion will have room.

A sale's PENDING commit is small; the commit after the carrier write (status, posting,
outbox, diary) is larger. On a nearly full disk the first could succeed and the second fail,
leaving a written card behind a PENDING sale. So before anything reaches a carrier the
seller asks for headroom: the free space of the database's folder (statvfs, blocks free to
an unprivileged writer) must be at least `[database] min_free_mb` (16 MB by default), else
DISK_FULL and nothing is written. Recovery and the other writes do not ask: they must keep
working on what is left (SQLITE_FULL is still DISK_FULL, by type, in the unit of work).

Before it comes to that, a low-space warning: below `[database] warn_free_mb` (256 MB by
default) each sale's headroom check writes DISK_LOW to the journal (the sale goes on), and
`ppms check` reports the disk as `low` (`state`), so a technician hears of it in time.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from terminal.ledger.errors import DiskFull

DEFAULT_MIN_FREE_MB = 16.0
DEFAULT_WARN_FREE_MB = 256.0
MB = 1024 * 1024

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpaceState:
    """The ledger disk's free space against its two thresholds."""
    free: int             # bytes
    warn_free_mb: float
    min_free_mb: float

    @property
    def low(self) -> bool:
        return self.free < self.warn_free_mb * MB

    @property
    def free_mb(self) -> float:
        return self.free // (MB // 10) / 10      # rounded down to 0.1 MB

    def as_dict(self) -> dict[str, object]:
        return {"free_mb": self.free_mb, "warn_free_mb": self.warn_free_mb, "min_free_mb": self.min_free_mb,
                "low": self.low}


def state(path: Path, min_free_mb: float, warn_free_mb: float) -> SpaceState:
    return SpaceState(free_bytes(path), warn_free_mb, min_free_mb)


def free_bytes(path: Path) -> int:
    """Free space for the ledger's files in the folder holding `path`."""
    st = os.statvfs(path.parent)
    return st.f_bavail * st.f_frsize


def require_headroom(path: Path, min_free_mb: float, warn_free_mb: float = 0.0) -> None:
    free = free_bytes(path)
    if min_free_mb * MB <= free < warn_free_mb * MB:
        log.warning("DISK_LOW: the ledger's disk has %.1f MB free, below the %g MB warning level; selling "
                    "stops at %g MB: free some space (old backups, logs) or move the ledger to a larger disk",
                    free / MB, warn_free_mb, min_free_mb)
    if free < min_free_mb * MB:
        raise DiskFull(f"the ledger's disk has {free // 1024} kB free, less than the {min_free_mb:g} MB a sale "
                       "needs to be recorded safely: nothing was sold; free some space and try again",
                       free_kb=free // 1024, min_free_mb=min_free_mb)
