"""Disk full: a sale is refused with DISK_FULL before anything reaches a carrier, nothing is
left PENDING behind a written card, and recovery keeps working and completes once space
returns. On a 2 MB tmpfs the test mounts (root), with a filler file; `[database]
min_free_mb` is 1 here (16 by default)."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms
from tests.integration.race_helpers import check_sound, setup, spawn, statuses, wait_until

NOW = "2026-03-05T10:00:00"

pytestmark = [pytest.mark.timeout(300),
              pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")]


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(filler: Path, leave: int) -> None:
    """Grow the filler until only `leave` bytes are free (0: until the disk refuses)."""
    with filler.open("ab") as f:
        while True:
            st = os.statvfs(filler.parent)
            room = st.f_bavail * st.f_frsize - leave
            if room <= 0:
                return
            try:
                f.write(b"\0" * min(room, 65536))
                f.flush()
            except OSError:
                return


def sell_untouched(cli: Ppms, meter: str, hold: Path) -> None:
    """A sale refused with DISK_FULL whose carrier was never asked to write."""
    before = statuses(cli)
    res = spawn(cli, "sell", "--meter", meter, "--amount", "500.00", now=NOW, RACE_HOLD=str(hold)).result()
    assert (res.code, res.data and res.data["error"]["code"]) == (2, "DISK_FULL"), res
    assert "DELIVERING" not in res.stderr, "the card was written on a full disk"
    assert statuses(cli) == before, "a refused sale left rows behind"


def test_disk_full_refuses_before_the_card_and_recovery_completes_later(tiny_disk: Path) -> None:
    cli = Ppms(tiny_disk / "ppms.db", now=NOW, extra_env={"PPMS_DATABASE_MIN_FREE_MB": "1"})
    meter = setup(cli, "card")
    assert cli.ok("sell", "--meter", meter, "--amount", "1000.00")["status"] == "completed"
    # a seller killed during its card write leaves an abandoned PENDING sale
    hold = tiny_disk / "hold"
    hold.mkdir()
    seller = spawn(cli, "sell", "--meter", meter, "--amount", "1000.00", now=NOW, RACE_HOLD=str(hold))
    wait_until(lambda: "pending" in statuses(cli).values(), what="the sale to be PENDING")
    seller.proc.kill()
    seller.proc.wait(10)
    (hold / "release").touch()   # later sellers' writes would go straight on

    filler = tiny_disk / "filler"
    fill(filler, 0)                                  # the disk full to the last block
    sell_untouched(cli, meter, hold)
    res = cli.run("sale", "recover")
    assert res.code == 0 or res.error_code == "DISK_FULL", f"recovery on a full disk: {res}"

    filler.unlink()
    fill(filler, 256 * 1024)                         # some room, less than the headroom
    sell_untouched(cli, meter, hold)
    recovered = cli.ok("sale", "recover")["recovered"]   # recovery works on what is left
    assert [r["action"] for r in recovered] in ([], ["voided"]), recovered
    assert "pending" not in statuses(cli).values()

    filler.unlink()                                  # space returns
    assert cli.ok("sell", "--meter", meter, "--amount", "500.00")["status"] == "completed"
    report = check_sound(cli, NOW)
    assert report["pending_sales"] == 0
    assert sorted(statuses(cli).values()) == ["completed", "completed", "voided"]


def test_selling_until_the_disk_is_full_keeps_every_reported_sale_and_resumes(tiny_disk: Path) -> None:
    """Sell on a nearly full disk: DISK_LOW in the journal first (below `warn_free_mb`), then
    DISK_FULL; the ledger is sound, every sale reported sold is in it, and selling goes on
    once space is back."""
    cli = Ppms(tiny_disk / "ppms.db", now=NOW,
               extra_env={"PPMS_DATABASE_MIN_FREE_MB": "1", "PPMS_DATABASE_WARN_FREE_MB": "1.1"})
    meter = setup(cli, "card")
    filler = tiny_disk / "filler"
    fill(filler, 1024 * 1024 + 160 * 1024)
    reported: list[str] = []
    warned = 0
    for _ in range(120):
        res = cli.run("sell", "--meter", meter, "--amount", "500.00")
        if res.code != 0:
            assert (res.code, res.error_code) == (2, "DISK_FULL"), res
            assert "DISK_FULL" in res.stderr                  # the journal says why selling stopped
            break
        reported.append(res.data["receipt_no"])
        warned += "DISK_LOW" in res.stderr
    else:
        pytest.fail("the disk never filled")
    assert reported and warned, (len(reported), warned)
    report = check_sound(cli, NOW)
    assert report["disk"]["low"] is True and report["pending_sales"] == 0
    assert {r: statuses(cli)[r] for r in reported} == {r: "completed" for r in reported}
    assert report["sales"] == len(reported)

    filler.unlink()                                          # space returns
    assert cli.ok("sell", "--meter", meter, "--amount", "500.00")["status"] == "completed"
    report = check_sound(cli, NOW)
    assert report["sales"] == len(reported) + 1 and report["disk"]["low"] is False


def test_the_low_space_warning_is_a_parameter_over_the_config(tmp_path: Path) -> None:
    """`ppms setup param set disk.warn_free_mb N` moves the DISK_LOW threshold (from the next
    start, so the next command): here above the disk's size, so every sale warns."""
    cli = Ppms(tmp_path / "ppms.db", now=NOW)
    meter = setup(cli, "card")
    assert check_sound(cli, NOW)["disk"]["low"] is False            # the config's 256 MB: plenty free
    assert "DISK_LOW" not in cli.run("sell", "--meter", meter, "--amount", "500.00").stderr
    cli.ok("setup", "param", "set", "disk.warn_free_mb", "100000000")   # 100 TB
    report = check_sound(cli, NOW)
    assert report["disk"]["low"] is True and report["disk"]["warn_free_mb"] == 100000000
    res = cli.run("sell", "--meter", meter, "--amount", "500.00")
    assert res.code == 0 and "DISK_LOW" in res.stderr, res
