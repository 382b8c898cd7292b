"""Run the `ppms` command in a subprocess, the way a script or a field agent does.

    cli = Ppms(tmp_path / "ppms.db")
    cli.init()                                  # ppms init --password-stdin --allow-fake-clock
    sale = cli.ok("sell", "--meter", M, "--amount", "1000.00")   # exit 0, parsed JSON
    res = cli.run("sell", "--meter", "nope", "--amount", "1")    # Result(code, data, stdout, stderr)

Every call gets its own environment (PPMS_DB, PPMS_OPERATOR, PPMS_PASSWORD,
PPMS_FAKE_NOW) and runs from the database's folder with the project root on
PYTHONPATH, so the tests do not depend on the current directory. The database
helpers read SQLite directly, read-only where they can.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import secret_watch

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TARIFF = ROOT / "tests" / "unit" / "domain" / "sample_tariff.toml"
ADMIN_PASSWORD = "secret1"
DEFAULT_NOW = "2026-03-05T10:00:00"
_UNSET: Any = object()


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    data: Any = None

    @property
    def error_code(self) -> str | None:
        if isinstance(self.data, dict) and isinstance(self.data.get("error"), dict):
            return str(self.data["error"].get("code"))
        return None

    def __str__(self) -> str:
        return f"exit {self.code}\nstdout: {self.stdout}\nstderr: {self.stderr}"


@dataclass
class Ppms:
    db: Path
    operator: str = "admin"
    password: str = ADMIN_PASSWORD
    now: str | None = DEFAULT_NOW
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self, operator: str | None = _UNSET, password: str | None = _UNSET,
            now: str | None = _UNSET, db_env: bool = True) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PPMS_")}
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        if db_env:
            env["PPMS_DB"] = str(self.db)
        for key, value in (("PPMS_OPERATOR", self.operator if operator is _UNSET else operator),
                           ("PPMS_PASSWORD", self.password if password is _UNSET else password),
                           ("PPMS_FAKE_NOW", self.now if now is _UNSET else now)):
            if value is not None:
                env[key] = value
        env.update(self.extra_env)
        return env

    def run(self, *args: str, as_json: bool = True, timeout: float = 120,
            operator: str | None = _UNSET, password: str | None = _UNSET,
            now: str | None = _UNSET, db_env: bool = True, stdin: str | None = None) -> Result:
        """Run `ppms ARGS --json`; db_env=False leaves PPMS_DB unset (for --db/--config);
        `stdin` is what the command reads there (a new password for --password-stdin)."""
        argv = [sys.executable, "-m", "terminal.cli", *args] + (["--json"] if as_json else [])
        env = self.env(operator, password, now, db_env)
        proc = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=timeout,
                              cwd=self.db.parent, input=stdin if stdin is not None else "", env=env)
        secret_watch.saw(list(args), env, stdin, proc.stdout, proc.stderr)
        data = None
        if as_json and proc.stdout.strip():
            data = json.loads(proc.stdout)
        return Result(proc.returncode, proc.stdout, proc.stderr, data)

    def ok(self, *args: str, **kw: Any) -> Any:
        res = self.run(*args, **kw)
        assert res.code == 0, f"ppms {' '.join(args)} failed: {res}"
        return res.data

    def refused(self, *args: str, **kw: Any) -> str:
        """Run a command that must be refused (exit 2, JSON error); return its error code."""
        res = self.run(*args, **kw)
        assert res.code == 2, f"ppms {' '.join(args)} was not refused with exit 2: {res}"
        assert res.error_code, f"no JSON error: {res}"
        assert set(res.data) == {"error"} and res.data["error"]["message"], res.data
        return res.error_code

    # --- set-ups used by several tests ---------------------------------------------------

    def init(self) -> Any:
        return self.ok("init", "--password-stdin", "--allow-fake-clock",
                       operator=None, password=None, stdin=ADMIN_PASSWORD + "\n")

    def add_operator(self, username: str, role: str, password: str) -> Any:
        """ppms operator add, the new password on standard input (never on the command line)."""
        return self.ok("operator", "add", "--username", username, "--role", role, "--password-stdin",
                       stdin=password + "\n")

    def with_sample_tariff(self, *meters: str) -> None:
        """init, import the sample tariff and register residential meters."""
        self.init()
        self.ok("tariff", "import", str(SAMPLE_TARIFF))
        for i, meter in enumerate(meters):
            self.ok("customer", "register", "--name", f"Customer {i}", "--address", f"Plot {i}",
                    "--meter", meter, "--power-type", "RES")


# --- reading the database directly -------------------------------------------------------

def checkpoint(db: Path) -> None:
    """Fold the WAL into the main file so its bytes are the whole database."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        con.close()


def copy_ledger(db: Path, dest: Path) -> Path:
    """Copy a ledger (checkpointed) with its seal key and head to the database path `dest`."""
    import shutil
    for suffix in ("", ".key", ".head"):
        shutil.copy2(f"{db}{suffix}", f"{dest}{suffix}")
    return dest


def db_bytes(db: Path) -> bytes:
    checkpoint(db)
    return db.read_bytes()


def read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def dump_tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a stable order."""
    con = read_only(db)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        con.close()


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = read_only(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def sealed(db: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the terminal's seal functions (the key beside the
    database): writes through it are sealed as the terminal's own, triggers still apply."""
    from terminal.ledger.seal import DIGEST, MAC, digest, key_file_for, link, read_key
    key = read_key(key_file_for(db))
    con = sqlite3.connect(db)
    con.create_function(DIGEST, -1, digest, deterministic=True)
    con.create_function(MAC, 4, lambda *a: link(key, *a), deterministic=True)
    return con
