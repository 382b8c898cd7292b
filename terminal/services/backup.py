"""`ppms backup` and `ppms restore`: copies of the ledger, each verified by `ppms check`.

- `backup(ctx, open_copy, out)`: SQLite's online backup of the ledger into `out` (the seal
  key as `out.key`, the head as `out.head`), verified with the same check as `ppms check`
  before it is moved into place; a copy that fails is removed (BACKUP_UNSOUND); no room is
  DISK_FULL. Needs no operator: it changes nothing in the ledger.
- `scheduled(ctx, open_copy, folder, keep_days, usb)`: the timer's backup: a copy named
  `ppms-<terminal>-<time>.db` in `folder`, copies older than `keep_days` removed (the newest
  always kept), and the copy put on a mounted USB stick when `usb` is given. Too little room
  skips it with the reason (a warning in the journal), never fills the ledger's disk.
- `restore(...)`: refused (RESTORE_REFUSED, nothing changed) unless the file, staged beside
  the ledger and migrated there when it is older, passes the check; then the old ledger is
  kept beside as `<db>.before-restore-<time>` (with its key, head and WAL) and the copy
  moved into its place; the restored ledger's diary records `ledger.restored`. A copy is
  older than the ledger it replaces: every counter (receipt numbers, the outbox sequence,
  account numbers, card orders) is moved past the highest number the replaced ledger used,
  the skipped ranges written down (`number_skip`) so that `ppms check` and an auditor see
  every gap explained and the center never gets a sequence number twice (`_numbers`).
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from terminal.ledger import Fact
from terminal.ledger import backup as copies
from terminal.ledger.errors import DiskFull, NotALedgerCopy
from terminal.ledger.space import free_bytes
from terminal.services import check
from terminal.services.context import Context
from terminal.services.errors import BackupUnsound, RestoreRefused

log = logging.getLogger(__name__)

OpenCopy = Callable[[Path, Path], AbstractContextManager[Context]]
"""(database, seal key) -> the terminal built on that file (bootstrap's), closed on exit."""

STAMP = "%Y%m%dT%H%M%S"
NAME = re.compile(r"^ppms-(?P<tid>[A-Z0-9]{1,8})-(?P<at>\d{8}T\d{6})\.db$")
MARGIN = 1 << 20          # a copy needs its size and this much more on the target disk


def backup(ctx: Context, open_copy: OpenCopy, out: Path) -> dict[str, Any]:
    out = out.absolute()
    if out.is_dir():
        out = out / name_for(ctx)
    need = _size(ctx)
    free = free_bytes(out)
    if free < need + MARGIN:
        raise DiskFull(f"{out.parent} has {free // 1024} kB free; the ledger's copy needs {need // 1024} kB: "
                       "nothing was copied", free_kb=free // 1024, needed_kb=need // 1024)
    dest = copies.Copy(out, Path(f"{out}.key"))
    stage = copies.snapshot(ctx.ledger.db.connection(), ctx.ledger.seal_key_path,  # type: ignore[no-untyped-call]
                            ctx.ledger.sealer.head_path, out)
    report = _verify(open_copy, stage, refuse=BackupUnsound)
    copies.commit(stage, dest)
    log.info("backup %s: %d sales, seal head %s, %d bytes", out, report["sales"], report["seal_head"]["seq"],
             out.stat().st_size)
    return {"backup": str(out), "key": str(dest.key), "bytes": out.stat().st_size, "check": _summary(report)}


def scheduled(ctx: Context, open_copy: OpenCopy, folder: Path, keep_days: int,
              usb: Path | None = None) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"folder": str(folder), "skipped": None, "removed": [], "usb": None}
    need, free = _size(ctx), free_bytes(folder / "x")
    if free < need + MARGIN:
        out["skipped"] = _skip("DISK_LOW", f"backup skipped: {folder} has {free // 1024} kB free, the copy needs "
                               f"{need // 1024} kB; free some space (old copies, logs)",
                               free_kb=free // 1024, needed_kb=need // 1024)
        return out
    made = backup(ctx, open_copy, folder / name_for(ctx))
    out |= {"backup": made["backup"], "bytes": made["bytes"], "check": made["check"]}
    out["removed"] = prune(folder, ctx.now(), keep_days)
    if usb is not None:
        out["usb"] = _to_usb(ctx, Path(made["backup"]), usb, keep_days)
    return out


def restore(open_copy: OpenCopy, live: Path, live_key: str | None, source: Path, at: datetime, by: str,
            numbers_from: Sequence[Path] = (), skip: int | None = None,
            accept_unsent: bool = False) -> dict[str, Any]:
    """`live_key`: `[database] seal_key_file` ("" or None: beside the ledger). The numbers: see
    `_numbers`; `skip` moves every counter that many further (None: not given)."""
    src = copies.Copy(source.absolute(), Path(f"{source.absolute()}.key"))
    for f, what in ((src.path, "the copy"), (src.key, "its seal key")):
        if not f.is_file():
            raise RestoreRefused(f"{what} {f} is not there: nothing was restored", path=str(f), problems="MISSING")
    try:
        stage = copies.snapshot_of_file(src, live)
    except NotALedgerCopy as exc:
        raise RestoreRefused(f"{exc.message}: nothing was restored", path=str(src.path),
                             problems=exc.code) from None
    report = _verify(open_copy, stage, refuse=RestoreRefused)
    try:
        high, lost = _numbers(stage, live, numbers_from, skip, accept_unsent)
    except RestoreRefused:
        copies.discard(stage)
        raise
    target = copies.ledger_copy(live, live_key)
    kept = copies.set_aside(target, f"before-restore-{at.strftime(STAMP)}")
    copies.commit(stage, target)
    kept_path = None if kept is None else str(kept.path)
    with open_copy(live, target.key) as ctx, ctx.ledger.unit_of_work() as uow:
        reason = f"restore of {src.path} over the ledger kept as {kept_path}"
        skipped = {name: list(r) for name, value in sorted(high.items())
                   if (r := uow.counters.skip_to(name, value, ctx.now_iso(), reason)) is not None}
        uow.record(Fact("ledger.restored", "ledger", by, ctx.now_iso(), after={
            "from": str(src.path), "kept": kept_path, "sales": report["sales"], "skipped": skipped,
            "unsent_lost": lost}))
    log.warning("ledger %s restored from %s by %s; the one it replaced is kept as %s; numbers skipped: %s",
                live, src.path, by, kept_path, skipped or "none")
    if lost["rows"]:
        log.warning("RESTORE_UNSENT_LOST: %d outbox rows the center never received are only in %s (receipts %s)",
                    lost["rows"], kept_path, _listed(lost["receipts"]))
    return {"restored": str(live), "from": str(src.path), "kept": kept_path, "check": _summary(report),
            "skipped": skipped, "unsent_lost": lost}


def _numbers(stage: copies.Copy, live: Path, numbers_from: Sequence[Path], skip: int | None,
             accept_unsent: bool) -> tuple[dict[str, int], dict[str, Any]]:
    """The value each counter must stand at after the restore, so that no receipt number, outbox
    sequence, account number or card order issued after the copy was taken is issued again: the
    highest each one reached on the ledger being replaced and on each of `numbers_from` (other
    copies of this terminal's ledger), plus `skip`. Refused when nothing tells them (the replaced
    ledger is gone or unreadable, no other copy, no `skip`: NUMBERS_UNKNOWN), and when the
    replaced ledger holds rows the center never received that the copy lacks, unless the
    technician accepts that they stay only in the kept file (UNSENT_AFTER_COPY)."""
    copied = copies.numbers_of(stage.path, 0)
    assert copied is not None                  # the staged copy has just passed the check
    after = copied.counters.get("outbox", 0)
    known = [n for n in [copies.numbers_of(live, after)] if n is not None]
    for path in numbers_from:
        other = copies.numbers_of(path.absolute(), after)
        if other is None:
            raise RestoreRefused(f"{path} cannot be read as a ledger: nothing was restored", path=str(path),
                                 problems="NUMBERS_UNREADABLE")
        known.append(other)
    if not known and skip is None:
        raise RestoreRefused(
            f"the ledger at {live} is missing or cannot be read, so the receipt and sequence numbers it used "
            "after the copy are unknown: give --numbers-from FILE (a newer copy of this terminal's ledger) or "
            "--skip N (at least the sales since the copy, see the center's dashboard); nothing was restored",
            path=str(live), problems="NUMBERS_UNKNOWN")
    unsent = sorted({row for n in known for row in n.unsent})
    lost_receipts = [u[2] for u in unsent if u[2]]
    lost = {"rows": len(unsent), "seqs": [u[0] for u in unsent], "receipts": lost_receipts}
    if unsent and not accept_unsent:
        raise RestoreRefused(
            f"the ledger being replaced holds {len(unsent)} outbox rows after the copy that the center never "
            f"received (receipts {_listed(lost_receipts)}): run `ppms sync now` first, or give "
            "--accept-unsent to keep them only in the replaced file; nothing was restored",
            path=str(live), problems="UNSENT_AFTER_COPY", rows=len(unsent))
    names = set(copied.counters).union(*(n.counters for n in known))
    high = {name: max([copied.counters.get(name, 0), *(n.counters.get(name, 0) for n in known)]) + (skip or 0)
            for name in names}
    return high, lost


def _listed(receipts: list[str], most: int = 20) -> str:
    more = f" and {len(receipts) - most} more" if len(receipts) > most else ""
    return (", ".join(receipts[:most]) or "none") + more


def name_for(ctx: Context) -> str:
    return f"ppms-{ctx.terminal_id}-{ctx.now().strftime(STAMP)}.db"


def prune(folder: Path, now: datetime, keep_days: int) -> list[str]:
    """Remove the timer's copies (and their key and head) older than `keep_days`; the newest stays."""
    dated = sorted(_dated(folder))
    cutoff = now - timedelta(days=keep_days)
    removed: list[str] = []
    for at, path in dated[:-1]:
        if at < cutoff:
            for f in copies.Copy(path, Path(f"{path}.key")).files():
                f.unlink(missing_ok=True)
            removed.append(path.name)
    if removed:
        log.info("backups older than %d days removed from %s: %s", keep_days, folder, ", ".join(removed))
    return removed


def _dated(folder: Path) -> Iterator[tuple[datetime, Path]]:
    for path in folder.iterdir():
        m = NAME.match(path.name)
        if m:
            yield datetime.strptime(m["at"], STAMP), path


def _to_usb(ctx: Context, made: Path, usb: Path, keep_days: int) -> dict[str, Any]:
    if not os.path.ismount(usb):
        return {"path": str(usb), "skipped": _skip("USB_NOT_MOUNTED", f"no USB stick mounted at {usb}: the "
                                                   "copy stays on the terminal only")}
    need = made.stat().st_size
    try:
        free = free_bytes(usb / "x")          # an automount with no stick in it fails here
    except OSError as exc:
        return {"path": str(usb), "skipped": _skip("USB_WRITE_FAILED", f"the USB stick at {usb} cannot be read: "
                                                   f"{exc.strerror or exc}")}
    if free < need + MARGIN:
        return {"path": str(usb), "skipped": _skip("USB_FULL", f"the USB stick at {usb} has {free // 1024} kB "
                                                   f"free, the copy needs {need // 1024} kB",
                                                   free_kb=free // 1024, needed_kb=need // 1024)}
    try:
        put = copies.copy_files(copies.Copy(made, Path(f"{made}.key")), usb)
    except (DiskFull, OSError) as exc:
        return {"path": str(usb), "skipped": _skip("USB_WRITE_FAILED", f"copy to {usb} failed: {exc}")}
    return {"path": str(put.path), "skipped": None, "removed": prune(usb, ctx.now(), keep_days)}


def _skip(code: str, message: str, **details: Any) -> dict[str, Any]:
    log.warning("%s: %s", code, message)
    return {"code": code, "message": message, **details}


def _verify(open_copy: OpenCopy, stage: copies.Copy, refuse: type[BackupUnsound | RestoreRefused]) -> dict[str, Any]:
    try:
        with open_copy(stage.path, stage.key) as ctx:
            report = check.verify(ctx)
    except Exception as exc:
        copies.discard(stage)
        if isinstance(exc, DiskFull):
            raise
        raise refuse(f"the copy cannot be opened as a ledger: {getattr(exc, 'message', exc)}",
                     problems=getattr(exc, "code", type(exc).__name__)) from None
    if not report["ok"]:
        copies.discard(stage)
        codes = sorted({p["code"] for p in report["problems"]})
        raise refuse(f"the copy fails `ppms check` ({', '.join(codes)}): nothing was kept or changed",
                     problems=",".join(codes))
    return report


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    return {k: report[k] for k in ("ok", "sales", "pending_sales", "postings", "debits", "credits", "seal_head")}


def _size(ctx: Context) -> int:
    with ctx.ledger.read():
        return copies.size_of(ctx.ledger.db)
