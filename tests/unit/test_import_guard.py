"""Dependencies point inward (DESIGN.md): the domain imports only the standard library, the
terminal package imports without Kivy, pyscard or pyserial installed, and a scan of every
import statement holds each arrow: services import no driver, no Kivy, no peewee and nothing
of terminal/devices; hardware nothing of terminal; the CLI and the UI call services only;
only bootstrap builds devices; SQL lives in the ledger only."""
from __future__ import annotations

import ast
import re
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


# --- every arrow of DESIGN.md's "Dependencies point inward", read from the source --------------
# (imports inside functions count too: a lazy import is still a dependency)

TERMINAL = ROOT / "terminal"
DRIVERS = ("serial", "smartcard", "escpos", "hardware")
SCREENS = ("kivy",)
DATABASE = ("peewee", "playhouse", "sqlite3")
SQL = re.compile(r"^\s*(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA|"
                 r"CREATE\s+(TABLE|INDEX|TRIGGER)|BEGIN|COMMIT|ROLLBACK)\b", re.IGNORECASE | re.DOTALL)


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def offending(files: list[Path], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in files:
        bad = sorted(n for n in imports_of(path) if any(n == f or n.startswith(f + ".") for f in forbidden))
        if bad:
            out[str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name] = bad
    return out


def py(*parts: str) -> list[Path]:
    found: list[Path] = []
    for part in parts:
        p = ROOT / part
        found += sorted(p.rglob("*.py")) if p.is_dir() else [p] if p.exists() else []
    return found


def test_the_scan_sees_lazy_imports(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from peewee import Model\n    import serial.tools\n")
    assert offending([sample], DATABASE + DRIVERS) and imports_of(sample) >= {"peewee", "serial.tools"}


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    allowed = set(sys.stdlib_module_names) | {"terminal"}
    bad = {str(p.relative_to(ROOT)): sorted(n for n in imports_of(p) if n.split(".")[0] not in allowed
                                            or (n.startswith("terminal") and not n.startswith("terminal.domain")))
           for p in py("terminal/domain")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_services_import_no_driver_no_screen_no_database_and_nothing_of_devices() -> None:
    forbidden = DRIVERS + SCREENS + DATABASE + ("terminal.devices", "terminal.bootstrap", "terminal.cli",
                                                "terminal.ui", "terminal.ledger.models", "terminal.ledger.db",
                                                "terminal.ledger.rows")
    assert offending(py("terminal/services"), forbidden) == {}


def test_hardware_imports_nothing_of_the_terminal() -> None:
    assert offending(py("hardware"), ("terminal",)) == {}


def test_cli_and_ui_call_services_only() -> None:
    """No ledger, no models, no driver, no device adapter: services (and bootstrap to build them)."""
    forbidden = DRIVERS + DATABASE + ("terminal.ledger", "terminal.devices")
    assert offending(py("terminal/cli.py", "terminal/cli_parser.py", "terminal/cli_commands", "terminal/ui"),
                     forbidden) == {}


def test_devices_are_built_by_bootstrap_only() -> None:
    # the demo scripts set up a demo terminal's key files and card emulator before bootstrap runs
    builders = {TERMINAL / "bootstrap.py", TERMINAL / "demo_run.py", TERMINAL / "demo_cards.py"}
    others = [p for p in py("terminal") if p not in builders and "devices" not in p.relative_to(TERMINAL).parts]
    assert offending(others, ("terminal.devices",)) == {}


def test_sql_lives_in_the_ledger_only() -> None:
    """Services, reports, the CLI and bootstrap never see SQL: the ledger's repositories hold it."""
    found: dict[str, list[str]] = {}
    for path in py("terminal"):
        if "ledger" in path.relative_to(TERMINAL).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
                found.setdefault(str(path.relative_to(ROOT)), []).append(node.value[:40])
    assert found == {}
