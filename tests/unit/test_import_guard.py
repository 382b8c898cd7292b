"""Dependencies point inward: the domain imports only the standard library, and the
terminal package imports without Kivy, pyscard or pyserial installed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLOCKER = """
import sys, importlib.abc
class Block(importlib.abc.MetaPathFinder):
    def __init__(self, names): self.names = names
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in self.names:
            raise ImportError('blocked for this test: ' + name)
sys.meta_path.insert(0, Block({blocked!r}))
"""


def run(blocked: set[str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCKER.format(blocked=blocked) + code], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_domain_imports_with_every_third_party_package_blocked():
    code = ("import pkgutil, importlib, terminal.domain as d\n"
            "for m in pkgutil.iter_modules(d.__path__): importlib.import_module('terminal.domain.' + m.name)\n"
            "print('ok')")
    r = run({"kivy", "peewee", "serial", "smartcard", "escpos", "apscheduler", "argon2", "playhouse"}, code)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_terminal_imports_without_device_or_screen_packages():
    code = ("import terminal.cli, terminal.bootstrap, terminal.services.selling, terminal.services.demo\n"
            "print('ok')")
    r = run({"kivy", "serial", "smartcard", "escpos"}, code)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_the_blocker_really_blocks():
    r = run({"json"}, "import json")
    assert r.returncode != 0 and "blocked for this test" in r.stderr
