"""The config file and the environment cannot loosen the terminal's defences, and a bad
config file is refused (CONFIG_INVALID naming the key) before anything is parsed or run."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from terminal.config import DEFAULT_CONFIG, ConfigInvalid, load_settings

BASE = '[terminal]\nid = "T1"\n[database]\npath = "x.db"\n'


def refused(path: Path, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigInvalid) as exc:
        load_settings(path, env=env or {})
    return str(exc.value.details["key"])


@pytest.mark.parametrize("value", ["1000000", "0", "-3", "3"])
def test_security_settings_never_come_from_the_environment(value):
    assert refused(DEFAULT_CONFIG, {"PPMS_SECURITY_LOCKOUT_ATTEMPTS": value}) == "security.lockout_attempts"


@pytest.mark.parametrize("value", ["0", "-3", "1000000"])
def test_lockout_attempts_is_range_checked(tmp_path, value):
    p = tmp_path / "t.toml"
    p.write_text(BASE + f"[security]\nlockout_attempts = {value}\n")
    assert refused(p) == "security.lockout_attempts"


def test_lockout_attempts_from_the_file(tmp_path):
    p = tmp_path / "t.toml"
    p.write_text(BASE + "[security]\nlockout_attempts = 3\n")
    assert load_settings(p, env={}).security.lockout_attempts == 3


@pytest.mark.parametrize("text,key", [
    (BASE + "[securty]\nlockout_attempts = 3\n", "securty"),
    ('[terminal]\nid = 5\n[database]\npath = "x.db"\n', "terminal.id"),
    (BASE.replace('"x.db"', '"' + "x" * 50_000 + '"'), "database.path"),
    (BASE + "[printer]\nport = 70000\n", "printer.port"),
])
def test_wrong_but_once_accepted_values_are_refused(tmp_path, text, key):
    p = tmp_path / "t.toml"
    p.write_text(text)
    assert refused(p) == key


def test_a_long_environment_value_is_refused():
    assert refused(DEFAULT_CONFIG, {"PPMS_PRINTER_PATH": "p" * 5000}) == "printer.path"


@pytest.mark.parametrize("make", ["not_utf8", "deep", "huge", "fifo", "directory", "dev_zero"])
def test_an_unreadable_config_file_is_refused_before_parsing(tmp_path, make):
    p = tmp_path / "t.toml"
    if make == "not_utf8":
        p.write_bytes(BASE.encode() + b'[printer]\npath = "\xff"\n')
    elif make == "deep":
        p.write_text(BASE + "[printer]\npath = " + "[" * 100_000 + "]" * 100_000 + "\n")
    elif make == "huge":
        p.write_text(BASE + "# " + "x" * (2 << 20) + "\n")
    elif make == "fifo":
        os.mkfifo(p)
    elif make == "directory":
        p.mkdir()
    else:
        p = Path("/dev/zero")
    key = refused(p)
    assert key in ("--config", str(p))
