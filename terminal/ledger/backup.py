"""Copies of the ledger file: SQLite's online backup, with the seal's key and head beside.

A copy is three files, all 0600: `FILE` (the database, one consistent snapshot taken with
SQLite's backup API while the kiosk and the sync agent go on writing: in WAL mode the
snapshot blocks no writer), `FILE.key` (the seal key: without it the copy cannot be
verified or written by a terminal) and `FILE.head` (the head file as it was before the
snapshot: the head only moves forward, so it lies on the copy's chain, at or behind its end).

Each copy is made under a hidden temporary name in the target folder, fsynced, and moved
into place only when the caller has verified it (`commit`); `discard` removes a refused one.
A full disk is DiskFull (DISK_FULL) and leaves no partial copy behind.
"""
from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from terminal.ledger.errors import DiskFull, NotALedgerCopy
from terminal.ledger.private_files import PRIVATE, create_private
from terminal.ledger.seal import key_file_for

SIDE_FILES = (".key", ".head")


@dataclass(frozen=True)
class Copy:
    """A copy of a ledger: the database file and its key file (the head beside, `<path>.head`)."""
    path: Path
    key: Path

    @property
    def head(self) -> Path:
        return Path(f"{self.path}.head")

    def files(self) -> list[Path]:
        return [self.path, self.key, self.head]


def ledger_copy(path: Path, configured_key: str | Path | None = None) -> Copy:
    """A ledger's files: its key where `[database] seal_key_file` says, else beside it."""
    return Copy(path, Path(configured_key) if configured_key else key_file_for(path))


def size_of(db: Any) -> int:
    """The ledger's size in bytes (its pages), what a copy of it needs."""
    return int(db.execute_sql("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
               .fetchone()[0])


def snapshot_of_file(source: Copy, dest: Path) -> Copy:
    """A copy on disk (`ppms restore FILE`) staged beside `dest`, as `snapshot` does; a file
    SQLite cannot read is NotALedgerCopy."""
    try:
        con = sqlite3.connect(f"file:{source.path}?mode=ro&immutable=1", uri=True)
        try:
            return snapshot(con, source.key, source.head, dest)
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise NotALedgerCopy(f"{source.path} is not a ledger copy ({exc})", path=str(source.path)) from None


@dataclass(frozen=True)
class Numbers:
    """What a restore must know of the ledger it replaces (or of another copy): the highest
    number each counter issued, and the outbox rows after the restored copy's that the center
    never acknowledged: (sequence, kind, receipt number of a sale)."""
    counters: dict[str, int]
    unsent: list[tuple[int, str, str | None]]


def numbers_of(path: Path, after_seq: int) -> Numbers | None:
    """`Numbers` of the ledger file at `path`, read-only and without its seal (a ledger that
    fails `ppms check` still tells its counters); None when there is none or SQLite cannot
    read it."""
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            counters = {str(n): int(v) for n, v in con.execute("SELECT name, value FROM counter")}
            unsent = [(int(q), str(k), None if r is None else str(r)) for q, k, r in con.execute(
                "SELECT o.seq, o.kind, s.receipt_no FROM outbox o LEFT JOIN sale s ON o.kind = 'sale' "
                "AND s.uuid = o.entity_uuid WHERE o.sent_at IS NULL AND o.seq > ? ORDER BY o.seq", (after_seq,))]
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return Numbers(counters, unsent)


def staging_for(dest: Path) -> Copy:
    stage = dest.parent / f".{dest.name}.partial"
    return Copy(stage, Path(f"{stage}.key"))


def snapshot(source: sqlite3.Connection, key: Path, head: Path, dest: Path) -> Copy:
    """The ledger behind `source` copied beside `dest` under a staging name (see the module
    docstring); `key` and `head` are the ledger's seal key and head files."""
    stage = staging_for(dest)
    discard(stage)
    try:
        head_bytes = head.read_bytes() if head.exists() else b""   # before the snapshot: it lags, never leads
        create_private(stage.path)
        target = sqlite3.connect(stage.path)
        try:
            source.backup(target)
        finally:
            target.close()
        create_private(stage.key, key.read_text(encoding="ascii"))
        _write_private(stage.head, head_bytes)
        for f in stage.files():
            _fsync(f)
    except (OSError, sqlite3.Error) as exc:
        discard(stage)
        if _is_full(exc):
            raise DiskFull(f"no room for the ledger's copy in {dest.parent}: nothing was copied; free some space",
                           folder=str(dest.parent)) from None
        raise
    return stage


def commit(stage: Copy, dest: Copy) -> None:
    """Move a verified staged copy into place (each rename atomic; the database last)."""
    for src, dst in ((stage.key, dest.key), (stage.head, dest.head), (stage.path, dest.path)):
        os.replace(src, dst)
    _fsync_dir(dest.path.parent)
    if dest.key.parent != dest.path.parent:
        _fsync_dir(dest.key.parent)


def discard(stage: Copy) -> None:
    for f in [*stage.files(), Path(f"{stage.path}-wal"), Path(f"{stage.path}-shm")]:
        f.unlink(missing_ok=True)


def set_aside(live: Copy, suffix: str) -> Copy | None:
    """Rename a ledger's files (with its WAL and SHM, so the set still opens) to `<name>.<suffix>`;
    None when there is no ledger there."""
    if not live.path.exists():
        return None
    kept = Copy(Path(f"{live.path}.{suffix}"), Path(f"{live.path}.{suffix}.key"))
    moves = [(live.path, kept.path), (live.key, kept.key), (live.head, kept.head),
             (Path(f"{live.path}-wal"), Path(f"{kept.path}-wal")), (Path(f"{live.path}-shm"), Path(f"{kept.path}-shm"))]
    for src, dst in moves:
        if src.exists():
            os.replace(src, dst)
    _fsync_dir(live.path.parent)
    return kept


def copy_files(copy: Copy, folder: Path) -> Copy:
    """A finished copy's three files copied into `folder` (a USB stick), fsynced; DiskFull when it is full."""
    out = Copy(folder / copy.path.name, folder / copy.key.name)
    try:
        for src, dst in zip(copy.files(), out.files(), strict=True):
            tmp = dst.with_name(f".{dst.name}.partial")
            shutil.copyfile(src, tmp)
            os.chmod(tmp, PRIVATE)
            _fsync(tmp)
            os.replace(tmp, dst)
        _fsync_dir(folder)
    except OSError as exc:
        for dst in out.files():
            dst.with_name(f".{dst.name}.partial").unlink(missing_ok=True)
        if _is_full(exc):
            raise DiskFull(f"no room for the copy on {folder}", folder=str(folder)) from None
        raise
    return out


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    code = getattr(exc, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF == 13) or "disk is full" in str(exc).lower()
