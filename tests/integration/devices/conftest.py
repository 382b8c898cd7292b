"""The real `ppms` command in subprocesses against real pty pairs (socat) with the
DL/T 645 meter simulator and the ccTalk bill validator simulator on the other end.

Ptys refuse even parity (FIELD-NOTES), so the meter bus runs 2400 8N1 here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hardware.meters.ptypair import PtyPair

ROOT = Path(__file__).resolve().parents[3]
SAMPLE_TARIFF = ROOT / "tests" / "unit" / "domain" / "sample_tariff.toml"
PASSWORD = "admin-pass-1"


@dataclass
class Terminal:
    """A terminal config + database driven through `python -m terminal.cli`."""
    home: Path
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.home / "terminal.toml"

    def write_config(self) -> None:
        lines = ['[terminal]', 'id = "T01"', '[database]', 'path = "ppms.db"']
        for name, values in self.sections.items():
            lines.append(f"[{name}]")
            for key, value in values.items():
                lines.append(f"{key} = {_toml(value)}")
        self.config.write_text("\n".join(lines) + "\n")

    def run(self, *args: str, timeout: float = 60) -> tuple[int, dict[str, Any]]:
        self.write_config()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PPMS_OPERATOR": "admin", "PPMS_PASSWORD": PASSWORD,
               "PPMS_CONFIG": str(self.config), "ESCPOS_CAPABILITIES_PICKLE_DIR": "/tmp/escpos-cache"}
        env.pop("PPMS_DB", None)
        env.pop("PPMS_FAKE_NOW", None)
        proc = subprocess.run([sys.executable, "-m", "terminal.cli", *args, "--json"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        assert proc.stdout.strip(), proc.stderr
        return proc.returncode, json.loads(proc.stdout)

    def ok(self, *args: str) -> dict[str, Any]:
        code, out = self.run(*args)
        assert code == 0, out
        return out


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + " }"
    return json.dumps(str(value))


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[PtyPair]:
    with PtyPair(tmp_path / "tty", "dev") as pair:
        yield pair


@pytest.fixture
def terminal(tmp_path: Path) -> Terminal:
    """An initialised terminal with the sample tariff, no devices yet."""
    t = Terminal(tmp_path, {"printer": {"type": "none"}})
    t.ok("init")  # the admin's password from PPMS_PASSWORD
    t.ok("tariff", "import", str(SAMPLE_TARIFF))
    return t
