"""The ledger's faults through the `ppms` command, with real processes and a real file system:
another writer holding the write lock (reads still answer, a sale is refused with LEDGER_BUSY,
exit 2, after the busy timeout) and a full disk (DISK_FULL, exit 2, nothing written, no
traceback; selling works again once space returns)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms, query

M = "0123456789"
HOLD_LOCK = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.read()          # hold it until the test closes our stdin
con.execute("ROLLBACK")
"""


def test_a_held_write_lock_leaves_reads_answering_and_refuses_a_sale_cleanly(tmp_path: Path) -> None:
    cli = Ppms(tmp_path / "ppms.db")
    cli.with_sample_tariff(M)
    sold = cli.ok("sell", "--meter", M, "--amount", "500.00")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(cli.db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert cli.ok("quote", "--meter", M, "--amount", "500.00")["status"] == "quote"
        assert cli.ok("sale", "show", sold["receipt_no"])["status"] == "completed"
        # the default busy timeout ([database] busy_timeout_s = 5 s): a clear refusal, then exit 2
        res = cli.run("sell", "--meter", M, "--amount", "500.00", timeout=60)
        assert res.code == 2 and res.error_code == "LEDGER_BUSY", res
        assert "Traceback" not in res.stderr
        # a shorter timeout is a setting (PPMS_DATABASE_BUSY_TIMEOUT_S or the config file)
        quick = Ppms(cli.db, extra_env={"PPMS_DATABASE_BUSY_TIMEOUT_S": "0.2"})
        debt = ("account", "debt", "add", "--meter", M, "--amount", "10.00", "--reason", "x")
        assert quick.refused(*debt) == "LEDGER_BUSY"
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert query(cli.db, "SELECT COUNT(*) FROM sale") == [(1,)]
    assert cli.ok("sell", "--meter", M, "--amount", "500.00")["receipt_no"].endswith("000002")
    assert cli.ok("check")["ok"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs of the test's own, unmounted afterwards."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave_bytes: int) -> Path:
    """Fill the file system, then free `leave_bytes` (room for SQLite's shared-memory file,
    not for a sale's pages)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - leave_bytes))
    return filler


def test_a_full_disk_refuses_a_write_with_disk_full_and_nothing_changes(small_disk: Path) -> None:
    # headroom off: this is SQLite's own SQLITE_FULL (the headroom refusal is test_disk_full.py's)
    cli = Ppms(small_disk / "ppms.db", extra_env={"PPMS_DATABASE_MIN_FREE_MB": "0.01"})
    cli.with_sample_tariff(M)
    filler = fill(small_disk, 48 * 1024)
    assert cli.ok("quote", "--meter", M, "--amount", "500.00")["status"] == "quote"   # reads still answer
    for args in (("sell", "--meter", M, "--amount", "500.00"),
                 ("account", "debt", "add", "--meter", M, "--amount", "10.00", "--reason", "arrears")):
        res = cli.run(*args)
        assert res.code == 2 and res.error_code == "DISK_FULL", res
        assert "Traceback" not in res.stderr and "no transaction is active" not in res.stdout
    filler.unlink()                      # space returns: selling works again, nothing was left behind
    assert query(cli.db, "SELECT COUNT(*) FROM sale") == [(0,)]
    assert cli.ok("sell", "--meter", M, "--amount", "500.00")["receipt_no"].endswith("000001")
    assert cli.ok("check")["ok"]
