"""The systemd units: each verifies cleanly with systemd's own analyser (`systemd-analyze
verify`, no warning at all: an unknown or misspelt key fails too), and each long-running
service runs unprivileged, sandboxed, restarted on failure, with the watchdog where the app
pings it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.deploy_rig import UNITS, directives, verify, with_systemd_units


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with the distribution's units, ours in /etc/systemd/system and the commands they run."""
    root = tmp_path_factory.mktemp("units-root")
    with_systemd_units(root)
    units = root / "etc" / "systemd" / "system"
    units.mkdir(parents=True)
    for name in UNITS:
        (units / name).write_text((Path(__file__).resolve().parents[2] / "systemd" / name).read_text())
    bin_dir = root / "opt" / "ppms" / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    for cmd in ("ppms", "ppms-central"):
        (bin_dir / cmd).write_text("#!/bin/sh\n")
        (bin_dir / cmd).chmod(0o755)
    return root


def test_there_is_a_unit_for_each_service() -> None:
    assert UNITS == ["ppms-backup.service", "ppms-backup.timer", "ppms-central.service", "ppms-kiosk.service",
                     "ppms-sync.service"]


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify_passes_without_a_warning(root: Path, unit: str) -> None:
    res = verify(root, unit)
    assert (res.returncode, res.stdout + res.stderr) == (0, ""), res


def test_a_misspelt_key_is_caught(root: Path) -> None:
    """The check above can fail: systemd-analyze names an unknown key."""
    units = root / "etc" / "systemd" / "system"
    (units / "ppms-typo.service").write_text("[Service]\nExecStart=/opt/ppms/venv/bin/ppms check\n"
                                             "ProtectSytem=strict\n")
    res = verify(root, "ppms-typo.service")
    assert "Unknown key" in res.stderr


@pytest.mark.parametrize("unit", [u for u in UNITS if u.endswith(".service")])
def test_each_service_is_unprivileged_and_sandboxed(unit: str) -> None:
    d = directives(unit)
    assert d["User"][0] in ("ppms", "ppms-central") and d["Group"] == d["User"]
    for key, value in (("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"),
                       ("DevicePolicy", "closed"), ("ProtectHome", "yes"), ("UMask", "0077")):
        assert d.get(key) == [value], (unit, key)
    assert len(d["StateDirectory"]) == 1 and d["StateDirectoryMode"] == ["0700"]
    assert d.get("CapabilityBoundingSet") == [""]
    if d["Type"] != ["oneshot"]:
        assert d["Restart"] == ["on-failure"] and d["Type"] == ["notify"]


def test_the_kiosk_sees_only_its_devices_and_is_watched() -> None:
    d = directives("ppms-kiosk.service")
    allowed = {v.split()[0] for v in d["DeviceAllow"]}
    assert allowed == {"char-drm", "char-input", "char-ttyUSB", "char-ttyACM", "char-ttyS", "char-ttyAMA",
                       "char-usb", "char-usb_device", "char-lp"}
    assert "PrivateDevices" not in d            # it needs /dev/dri and /dev/input (DeviceAllow does it)
    assert d["Environment"].count("SDL_VIDEODRIVER=kmsdrm") == 1
    assert d["ExecStart"][0].startswith("/opt/ppms/venv/bin/ppms kiosk --fullscreen")
    assert d["WatchdogSec"] and d["NotifyAccess"] == ["main"]
    assert directives("ppms-sync.service")["WatchdogSec"] and directives("ppms-sync.service")["PrivateDevices"]
    center = directives("ppms-central.service")      # central/serve.py pings it from gunicorn's master
    assert center["WatchdogSec"] and center["NotifyAccess"] == ["main"] and center["Type"] == ["notify"]


def test_the_backup_timer_runs_the_backup_service() -> None:
    timer = directives("ppms-backup.timer")
    assert timer["Persistent"] == ["true"] and timer["OnCalendar"]
    service = directives("ppms-backup.service")
    assert service["ExecStart"][0].startswith("/opt/ppms/venv/bin/ppms backup --dir /var/lib/ppms/backups ")
