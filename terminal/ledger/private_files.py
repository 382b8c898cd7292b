"""Files only the service user may read: the ledger, its WAL and SHM (SQLite gives them
the database's mode), the seal's key and head. Made 0600 whatever the umask."""
from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE = 0o600


def create_private(path: Path, text: str = "") -> None:
    """Make `path` (0600) with `text` unless it exists; an existing file is made 0600 when ours."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        restrict(path)
        return
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text)


def private_database(path: Path) -> None:
    """The ledger file made 0600 before SQLite opens it (its WAL and SHM then get 0600 too)."""
    create_private(path)
    for suffix in ("-wal", "-shm"):
        restrict(Path(f"{path}{suffix}"))


def restrict(path: Path) -> None:
    """Take group and other access away from a file this user owns (a ledger made before)."""
    try:
        st = path.stat()
        if stat.S_ISREG(st.st_mode) and st.st_mode & 0o077 and st.st_uid == os.geteuid():
            os.chmod(path, PRIVATE)
    except OSError:
        pass


def write_slot(path: Path, offset: int, data: bytes) -> None:
    """Write `data` at `offset` of `path` (made 0600 if absent), in place."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE)
    try:
        os.pwrite(fd, data, offset)
    finally:
        os.close(fd)
