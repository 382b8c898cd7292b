"""deploy/install.sh into a scratch root (DESTDIR): service users in the root's own passwd,
folders, files and permissions, the units enabled (pcscd's socket too) and verified against
the installed release; then installed again over it: the old release copies the ledger first
(the real box's path: as the `ppms` user), the new one checks it, the ledger and the
technician's settings are kept, the previous release stays beside the new one; and a release
that cannot open the ledger is rolled back to the one that ran it, the ledger untouched."""
from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from terminal.config import load_settings
from terminal.ledger.migrations import LATEST
from tests.helpers.ppms import ROOT, Ppms, db_bytes
from tests.integration.deploy_rig import UNITS, install, release_env, verify, with_systemd_units
from tests.integration.race_helpers import check_sound, setup

NOW = "2026-03-05T10:00:00"
pytestmark = [pytest.mark.timeout(900),
              pytest.mark.skipif(os.geteuid() != 0, reason="the installer runs as root (chown, useradd)")]


def passwd(root: Path, name: str) -> dict[str, list[str]]:
    return {line.split(":")[0]: line.split(":") for line in (root / "etc" / name).read_text().splitlines()}


def mode(path: Path) -> tuple[int, int, int]:
    st = path.lstat()
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


@pytest.fixture
def root() -> Iterator[Path]:
    """A scratch root the service user can reach, as on a box (pytest's tmp is root's alone, 0700):
    the installer runs the ledger's copy and check as the root's `ppms` user."""
    top = Path(tempfile.mkdtemp(prefix="ppms-install-", dir="/tmp"))
    top.chmod(0o755)
    yield top / "root"
    shutil.rmtree(top, ignore_errors=True)


def test_install_into_a_scratch_root_then_upgrade_in_place_keeping_the_data(root: Path) -> None:
    with_systemd_units(root)                             # the distribution's units, pcscd's among them
    install(root, "--role", "both")
    users, groups = passwd(root, "passwd"), passwd(root, "group")
    for user, home in (("ppms", "/var/lib/ppms"), ("ppms-central", "/var/lib/ppms-central")):
        entry = users[user]
        assert int(entry[2]) < 1000 and entry[5] == home and entry[6] == "/usr/sbin/nologin", entry
        assert groups[user][2] == entry[3]
    uid, gid = int(users["ppms"][2]), int(users["ppms"][3])
    assert uid != 0 and "ppms" not in (Path("/etc/passwd").read_text()), "the running system was touched"

    assert mode(root / "var/lib/ppms") == (0o700, uid, gid)
    assert mode(root / "var/lib/ppms/backups") == (0o700, uid, gid)
    assert mode(root / "var/lib/ppms-central")[0] == 0o700
    assert mode(root / "etc/ppms") == (0o750, 0, gid)
    assert mode(root / "etc/ppms/terminal.toml") == (0o640, 0, gid)
    assert mode(root / "etc/udev/rules.d/70-ppms.rules")[0] == 0o644
    for unit in UNITS:
        assert mode(root / "etc/systemd/system" / unit)[:2] == (0o644, 0)
    wants = {p.name for d in ("multi-user.target.wants", "timers.target.wants")
             for p in (root / "etc/systemd/system" / d).iterdir()}
    assert wants == {"ppms-kiosk.service", "ppms-sync.service", "ppms-backup.timer", "ppms-central.service"}
    assert (root / "etc/systemd/system/sockets.target.wants/pcscd.socket").is_symlink()
    assert mode(root / "media/ppms-backup")[0] & 0o002 == 0
    assert mode(root / "etc/ppms/backup.env") == mode(root / "etc/ppms/kiosk.env") == (0o640, 0, gid)
    assert (root / "etc/ppms/receipts/default.toml").is_file() and (root / "opt/ppms/share/docs/install.md").is_file()
    settings = load_settings(root / "etc/ppms/terminal.toml", {})
    assert settings.database.path == "/var/lib/ppms/ppms.db" and settings.card_reader.type == "pcsc"

    release = root / "opt/ppms" / os.readlink(root / "opt/ppms/venv")
    ppms = root / "opt/ppms/venv/bin/ppms"
    assert release.parent == root / "opt/ppms/releases" and ppms.is_file()
    res = subprocess.run([str(ppms), "--help"], capture_output=True, text=True, check=False, env=release_env())
    assert res.returncode == 0 and "backup" in res.stdout, res
    has_center = (ROOT / "central").is_dir()            # `ppms-central` comes with the center's package
    for unit in [u for u in UNITS if has_center or u != "ppms-central.service"]:   # against the installed release
        res = verify(root, unit)
        assert (res.returncode, res.stdout + res.stderr) == (0, ""), (unit, res)

    # a terminal at work: its ledger, a changed setting
    cli = Ppms(root / "var/lib/ppms/ppms.db", now=NOW)
    meter = setup(cli, "card")
    cli.ok("sell", "--meter", meter, "--amount", "1000.00")
    for f in cli.db.parent.rglob("*"):                  # written by the kiosk, as the ledger's owner
        os.chown(f, uid, gid)
    ledger_before = db_bytes(cli.db)
    config = root / "etc/ppms/terminal.toml"
    config.write_text(config.read_text().replace('name = "Estate office 1"', 'name = "Kibera kiosk 4"'))
    passwd_before = (root / "etc/passwd").read_text()

    install(root, "--role", "both")                      # the upgrade, in place
    assert (root / "etc/passwd").read_text() == passwd_before
    assert db_bytes(cli.db) == ledger_before
    assert check_sound(cli, NOW)["sales"] == 1
    assert 'name = "Kibera kiosk 4"' in config.read_text()
    assert (root / "etc/ppms/terminal.toml.dist").is_file()
    new_release = root / "opt/ppms" / os.readlink(root / "opt/ppms/venv")
    assert new_release != release and (root / "opt/ppms" / os.readlink(root / "opt/ppms/venv.previous")) == release
    assert sorted(p.name for p in (root / "opt/ppms/releases").iterdir()) == sorted([release.name, new_release.name])
    copies = sorted((root / "var/lib/ppms/backups").glob("pre-upgrade-*.db"))   # the old release's copy
    assert len(copies) == 1 and mode(copies[0]) == (0o600, uid, gid)
    assert check_sound(Ppms(copies[0], now=NOW), NOW)["sales"] == 1

    # a release that cannot open the ledger: the installer goes back to the one that ran it
    con = sqlite3.connect(cli.db)
    con.execute(f"PRAGMA user_version = {LATEST + 1}")          # a ledger of a later release
    con.close()
    ledger_before = db_bytes(cli.db)
    failed = install(root, "--role", "both", expect=1)
    assert "back on releases/" in failed.stdout, failed
    assert root / "opt/ppms" / os.readlink(root / "opt/ppms/venv") == new_release
    assert db_bytes(cli.db) == ledger_before
