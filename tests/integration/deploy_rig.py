"""Shared by the install and unit tests: the installer run into a scratch root, systemd's
own units copied into it, and `systemd-analyze verify` over that root."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers.ppms import ROOT

UNITS = sorted(p.name for p in (ROOT / "systemd").iterdir() if p.suffix in (".service", ".timer"))
TEST_PIP = ["--venv-args", "--system-site-packages", "--pip-args", "--no-deps --no-build-isolation"]


def release_env() -> dict[str, str]:
    """The environment the installed release runs in here: its venv holds the package alone, its
    dependencies come from the test run's own site-packages."""
    deps = next(p for p in sys.path if p.endswith("site-packages"))
    return {**os.environ, "PYTHONPATH": deps}


def install(destdir: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    """deploy/install.sh into `destdir` (the venv gets the package alone, built offline with
    Debian's setuptools and wheel: the tests do not reach PyPI)."""
    proc = subprocess.run([str(ROOT / "deploy" / "install.sh"), "--destdir", str(destdir), *TEST_PIP, *args],
                          capture_output=True, text=True, timeout=600, check=False, env=release_env())
    assert proc.returncode == expect, f"install.sh exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def with_systemd_units(root: Path) -> None:
    """The distribution's units (multi-user.target, pcscd.socket, ...) inside `root`, as on a box."""
    target = root / "usr" / "lib" / "systemd" / "system"
    if not target.exists():
        shutil.copytree("/usr/lib/systemd/system", target, symlinks=True)


def verify(root: Path, unit: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", "verify", "--man=no", f"--root={root}",
                           f"/etc/systemd/system/{unit}"], capture_output=True, text=True, timeout=120, check=False)


def directives(unit: str) -> dict[str, list[str]]:
    """Every `Key=value` of a unit file (a key may repeat: DeviceAllow)."""
    out: dict[str, list[str]] = {}
    for line in (ROOT / "systemd" / unit).read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out
