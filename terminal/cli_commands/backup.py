"""`ppms backup` and `ppms restore` (cli.md "Backup"; terminal/services/backup.py)."""
from __future__ import annotations

import argparse
import os
import pwd
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from terminal import bootstrap
from terminal.cli_commands.common import app_of, app_of_settings
from terminal.services.context import Context


def opener(g: dict[str, Any]) -> Any:
    @contextmanager
    def open_copy(path: Path, key: Path) -> Iterator[Context]:
        app = bootstrap.build(config=g["config"], db_path=path, seal_key_file=key)
        try:
            yield app.ctx
        finally:
            app.close()
    return open_copy


def h_backup(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import backup
    from terminal.services.errors import InvalidArgument
    if (ns.out is None) == (ns.dir is None):
        raise InvalidArgument("give --out FILE (one copy) or --dir DIR (the timer's copies)", key="--out")
    if ns.keep_days < 1:
        raise InvalidArgument("--keep-days is at least 1", key="--keep-days")
    app = app_of(g)
    try:
        if ns.out is not None:
            return backup.backup(app.ctx, opener(g), Path(ns.out))
        return backup.scheduled(app.ctx, opener(g), Path(ns.dir), ns.keep_days, Path(ns.usb) if ns.usb else None)
    finally:
        app.close()


def h_restore(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import backup
    settings = app_of_settings(g)
    live = Path(g["db"] or settings.database.path).absolute()
    key = settings.database.seal_key_file or None
    by = f"{pwd.getpwuid(os.geteuid()).pw_name}@{os.uname().nodename}"
    if ns.skip is not None and ns.skip < 0:
        from terminal.services.errors import InvalidArgument
        raise InvalidArgument("--skip is 0 or more", key="--skip")
    as_owner_of(live)
    return backup.restore(opener(g), live, key, Path(ns.file), datetime.now(), by,
                          numbers_from=[Path(p) for p in ns.numbers_from], skip=ns.skip,
                          accept_unsent=ns.accept_unsent)


def as_owner_of(live: Path) -> None:
    """Root restores as the ledger's owner (the service user), so the files stay the service's."""
    if os.geteuid() != 0:
        return
    here = live if live.exists() else live.parent
    st = here.stat()
    if st.st_uid != 0:
        os.setgid(st.st_gid)
        os.setuid(st.st_uid)


def register(sub: Any) -> None:
    x = sub.add_parser("backup", help="copy the ledger (online backup), verified by `ppms check`")
    x.add_argument("--out", help="the copy's file (its seal key beside as FILE.key, the head as FILE.head)")
    x.add_argument("--dir", help="the timer's folder: a dated copy, old ones removed")
    x.add_argument("--keep-days", type=int, default=14, help="with --dir: keep copies this many days (14)")
    x.add_argument("--usb", default="", help="with --dir: also copy onto the USB stick mounted here")
    x.set_defaults(handler=h_backup)
    x = sub.add_parser("restore", help="replace the ledger by a verified copy; the old one is kept beside")
    x.add_argument("file", help="a copy made by `ppms backup` (FILE.key beside it)")
    x.add_argument("--numbers-from", action="append", default=[], metavar="FILE",
                   help="another copy of this terminal's ledger, newer than FILE: no number it used is issued "
                        "again (for when the ledger being replaced is lost or unreadable; repeatable)")
    x.add_argument("--skip", type=int, metavar="N",
                   help="move every receipt and sequence counter N further (a ledger lost with no newer copy: "
                        "N at least the sales made since the copy); the gap is recorded")
    x.add_argument("--accept-unsent", action="store_true",
                   help="restore although the ledger being replaced holds rows the center never received "
                        "(they stay only in the kept file; named in the diary)")
    x.set_defaults(handler=h_restore)
