"""`ppms backup` / `ppms restore` (cli.md "Backup"): an online copy verified by `ppms check`,
restored only when it passes, the replaced ledger kept beside; the timer's dated copies,
kept N days, copied to a mounted USB stick, skipped with a reason when there is no room."""
from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms, db_bytes, query
from tests.integration.race_helpers import check_sound, setup

NOW = "2026-03-05T10:00:00"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


def totals(cli: Ppms, date: str = "2026-03-05") -> tuple[object, ...]:
    report = cli.ok("report", "daily", "--date", date)
    sound = check_sound(cli, cli.now or NOW)
    return report["sales"], report["net"], sound["sales"], sound["debits"], sound["credits"]


@pytest.fixture
def cli(tmp_path: Path) -> Ppms:
    cli = Ppms(tmp_path / "live" / "ppms.db", now=NOW)
    cli.db.parent.mkdir()
    return cli


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "stick"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_backup_and_restore_round_trip_keeps_the_totals(cli: Ppms, tmp_path: Path) -> None:
    meter = setup(cli, "card")
    for amount in ("1000.00", "250.00"):
        cli.ok("sell", "--meter", meter, "--amount", amount)
    at_backup = totals(cli)
    copy = tmp_path / "copies" / "ppms-copy.db"
    copy.parent.mkdir()
    made = cli.ok("backup", "--out", str(copy), operator=None, password=None)   # no operator: a read
    assert made["check"]["ok"] is True and made["check"]["sales"] == 2
    for f in (copy, Path(f"{copy}.key"), Path(f"{copy}.head")):
        assert f.stat().st_mode & 0o777 == 0o600, f
    assert not list(copy.parent.glob(".*")), "a staging file was left behind"

    later = cli.ok("sell", "--meter", meter, "--amount", "300.00")
    assert totals(cli) != at_backup
    assert cli.refused("restore", str(copy), operator=None, password=None) == "RESTORE_REFUSED"  # the later sale
    done = cli.ok("restore", str(copy), "--accept-unsent", operator=None, password=None)
    assert totals(cli) == at_backup                              # `ppms check` passes, same totals
    kept = Path(done["kept"])
    assert kept.parent == cli.db.parent and kept.name.startswith("ppms.db.before-restore-")
    old = Ppms(kept, now=NOW)                                    # the replaced ledger is whole, beside
    assert check_sound(old, NOW)["sales"] == 3
    assert query(kept, "SELECT receipt_no FROM sale WHERE uuid = ?", later["sale_id"])
    restored = query(cli.db, "SELECT operator, after FROM diary WHERE action = 'ledger.restored'")
    assert len(restored) == 1 and str(copy) in restored[0][1]
    after = cli.ok("sell", "--meter", meter, "--amount", "100.00")
    assert after["status"] == "completed" and after["receipt_no"] != later["receipt_no"]   # never issued twice
    check_sound(cli, NOW)


def test_restore_refuses_a_copy_that_fails_the_check_and_changes_nothing(cli: Ppms, tmp_path: Path) -> None:
    meter = setup(cli, "card")
    cli.ok("sell", "--meter", meter, "--amount", "1000.00")
    copy = tmp_path / "copy.db"
    cli.ok("backup", "--out", str(copy))
    live_before = db_bytes(cli.db)

    tampered = tmp_path / "tampered.db"
    for suffix in ("", ".key", ".head"):
        Path(f"{tampered}{suffix}").write_bytes(Path(f"{copy}{suffix}").read_bytes())
    con = sqlite3.connect(tampered)                              # a writer without the seal functions
    con.execute("DROP TRIGGER seal_sale_line_update")
    con.execute("UPDATE sale_line SET amount = amount + 1 WHERE ordinal = 0")
    con.commit()
    con.close()
    no_key = tmp_path / "nokey.db"
    no_key.write_bytes(copy.read_bytes())
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a ledger" * 100)
    Path(f"{junk}.key").write_text(secrets.token_hex(32))   # (all zeros is the chains' genesis: printed)
    for bad in (tampered, no_key, junk, tmp_path / "absent.db"):
        assert cli.refused("restore", str(bad)) == "RESTORE_REFUSED", bad
        assert db_bytes(cli.db) == live_before, f"restoring {bad} changed the ledger"
        assert sorted(p.name for p in cli.db.parent.iterdir() if p.name.startswith(("ppms.db.", ".ppms"))) \
            == ["ppms.db.head", "ppms.db.key", "ppms.db.leases"], "a refused restore left files beside"
    check_sound(cli, NOW)


def test_backup_of_an_unsound_ledger_is_refused_and_leaves_no_copy(cli: Ppms, tmp_path: Path) -> None:
    meter = setup(cli, "card")
    cli.ok("sell", "--meter", meter, "--amount", "1000.00")
    con = sqlite3.connect(cli.db)
    con.execute("DROP TRIGGER seal_customer_update")
    con.execute("UPDATE customer SET name = 'Someone else'")
    con.commit()
    con.close()
    assert cli.refused("backup", "--out", str(tmp_path / "copy.db")) == "BACKUP_UNSOUND"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live"]


@root_only
def test_the_timers_copies_are_kept_n_days_and_put_on_the_usb_stick(cli: Ppms, tmp_path: Path,
                                                                      mounted: Path) -> None:
    meter = setup(cli, "card")
    cli.ok("sell", "--meter", meter, "--amount", "1000.00")
    folder = tmp_path / "backups"
    days = ["2026-03-05T02:00:00", "2026-03-12T02:00:00", "2026-03-20T02:00:00"]
    runs = [cli.ok("backup", "--dir", str(folder), "--keep-days", "7", "--usb", str(mounted), now=day)
            for day in days]
    assert [r["skipped"] for r in runs] == [None, None, None]
    assert [r["removed"] for r in runs] == [[], [], ["ppms-T01-20260305T020000.db", "ppms-T01-20260312T020000.db"]]
    on_disk = sorted(p.name for p in folder.iterdir())
    assert on_disk == sorted(f"ppms-T01-20260320T020000.db{s}" for s in ("", ".head", ".key"))
    assert sorted(p.name for p in mounted.iterdir()) == on_disk
    stick = Ppms(mounted / "ppms-T01-20260320T020000.db", now="2026-03-20T02:00:00")
    assert check_sound(stick, "2026-03-20T02:00:00")["sales"] == 1       # the stick's copy is a sound ledger

    unmounted = tmp_path / "no-stick"
    unmounted.mkdir()
    res = cli.ok("backup", "--dir", str(folder), "--usb", str(unmounted), now="2026-03-21T02:00:00")
    assert res["usb"]["skipped"]["code"] == "USB_NOT_MOUNTED" and res["backup"]
    assert not list(unmounted.iterdir())


@root_only
def test_the_timer_skips_with_the_reason_when_its_disk_is_low(cli: Ppms, tmp_path: Path, mounted: Path) -> None:
    meter = setup(cli, "card")
    cli.ok("sell", "--meter", meter, "--amount", "1000.00")
    filler = mounted / "filler"
    with filler.open("wb") as f:          # leave less room than the ledger's size
        f.write(b"\0" * (4 * 1024 * 1024 - 512 * 1024))
    res = cli.run("backup", "--dir", str(mounted / "backups"))
    assert res.code == 0, res
    assert res.data["skipped"]["code"] == "DISK_LOW" and "backup" not in res.data
    assert "DISK_LOW" in res.stderr                                # the journal hears why
    assert not [p for p in (mounted / "backups").iterdir()]
    assert cli.refused("backup", "--out", str(mounted / "one.db")) == "DISK_FULL"
    assert sorted(p.name for p in mounted.iterdir()) == ["backups", "filler"]
