"""Room on the ledger's disk: a sale starts only when its completion will have room.

A sale's PENDING commit is small; the commit after the carrier write (status, posting,
outbox, diary) is larger. On a nearly full disk the first could succeed and the second fail,
leaving a written card behind a PENDING sale. So before anything reaches a carrier the
seller asks for headroom: the free space of the database's folder (statvfs, blocks free to
an unprivileged writer) must be at least `[database] min_free_mb` (16 MB by default), else
DISK_FULL and nothing is written. Recovery and the other writes do not ask: they must keep
working on what is left (SQLITE_FULL is still DISK_FULL, by type, in the unit of work).
"""
from __future__ import annotations

import os
from pathlib import Path

from terminal.ledger.errors import DiskFull

DEFAULT_MIN_FREE_MB = 16.0


def free_bytes(path: Path) -> int:
    """Free space for the ledger's files in the folder holding `path`."""
    st = os.statvfs(path.parent)
    return st.f_bavail * st.f_frsize


def require_headroom(path: Path, min_free_mb: float) -> None:
    free = free_bytes(path)
    if free < min_free_mb * 1024 * 1024:
        raise DiskFull(f"the ledger's disk has {free // 1024} kB free, less than the {min_free_mb:g} MB a sale "
                       "needs to be recorded safely: nothing was sold; free some space and try again",
                       free_kb=free // 1024, min_free_mb=min_free_mb)
