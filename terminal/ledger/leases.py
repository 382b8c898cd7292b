"""Who owns a PENDING sale: a lease, an OS file lock that dies with its process.

A sale's seller takes the sale's lease (an exclusive `flock` on `<db>.leases/<sale uuid>`,
beside the database) before the PENDING commit and lets it go once the sale is decided
(completed, voided) or left PENDING on purpose (the card pulled mid-write). The kernel
drops the lock when the process dies, however it dies, so only an abandoned sale's lease
can be taken: recovery takes it without waiting, and a sale whose lease it cannot take is
being carried by a live process right now — "in progress", neither voided nor completed.

flock, not fcntl: two opens of the same file in one process conflict under flock (the
kiosk recovers in the process that sells), whereas fcntl locks of one process never do.
The file is removed by whoever holds the lock when it lets go; a taker that locked a file
removed meanwhile (its inode no longer at the path) does not hold the lease and tries again.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


def lease_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".leases")


class Lease:
    """One held lease; `release` removes its file and unlocks it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self._fd = path, fd

    def release(self) -> None:
        if self._fd < 0:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)   # closing the last descriptor drops the lock
            self._fd = -1


def try_take(db_path: Path, sale_uuid: str) -> Lease | None:
    """The sale's lease, or None when a live process holds it (never waits)."""
    folder = lease_dir(db_path)
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{sale_uuid}.lease"
    for _ in range(8):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return Lease(path, fd)
        os.close(fd)   # the holder removed it as we locked: take the path's new file
    return None
