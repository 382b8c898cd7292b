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


def write_private(path: Path, text: str) -> None:
    """Replace `path` atomically (a reader sees the old or the new text, never half), 0600."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
