"""A real `ppms-central serve` (gunicorn, uvicorn workers) on 127.0.0.1 for the sync tests,
a scratch PostgreSQL cluster, and terminals configured to sync with a center."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.helpers.ppms import ROOT, Ppms


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_secret(path: Path) -> Path:
    path.write_text(secrets.token_hex(32) + "\n")
    path.chmod(0o600)
    return path


class Center:
    def __init__(self, folder: Path, url: str, workers: int = 2) -> None:
        self.folder = folder
        self.url = url
        self.workers = workers
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = folder / "center.log"
        self.cli("init")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PPMS_")}
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        env["PPMS_CENTRAL_DB"] = self.url
        return env

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "central.cli", "--json", *args], capture_output=True,
                              text=True, env=self.env(), cwd=ROOT, timeout=60, input=stdin, check=False)

    def cli(self, *args: str, stdin: str = "") -> Any:
        r = self.run(*args, stdin=stdin)
        assert r.returncode == 0, f"ppms-central {' '.join(args)}: {r.returncode} {r.stdout} {r.stderr}"
        return json.loads(r.stdout)

    def add_terminal(self, tid: str, *extra: str) -> Path:
        secret = write_secret(self.folder / f"{tid}.secret")
        self.cli("terminal", "add", tid, "--secret-file", str(secret), *extra)
        return secret

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "central.cli", "serve", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers)], env=self.env(), cwd=ROOT, start_new_session=True,
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v1/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the center did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once (a crash, mid-request)."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
            self.proc = None

    def summary(self, terminal: str | None = None) -> Any:
        args = ["report", "summary", "--from", "2000-01-01", "--to", "2099-12-31"]
        return self.cli(*args, *(["--terminal", terminal] if terminal else []))


@contextmanager
def running_center(folder: Path, url: str | None = None) -> Iterator[Center]:
    """A center serving from `folder` (made here) on `url`, by default a SQLite file in it."""
    folder.mkdir()
    c = Center(folder, url or f"sqlite:///{folder / 'center.db'}")
    c.start()
    try:
        yield c
    finally:
        c.stop()


def terminal(folder: Path, tid: str, url: str, secret: Path, interval_s: float = 60, batch_size: int = 500,
             backoff_max_s: float = 900) -> Ppms:
    """A terminal ledger whose `[sync]` points at `url` (its config beside the database)."""
    folder.mkdir(parents=True, exist_ok=True)
    cfg = folder / "terminal.toml"
    text = (ROOT / "config" / "terminal.toml").read_text()
    text = text.replace('id = "T01"', f'id = "{tid}"').replace('path = "../var/ppms.db"', 'path = "ppms.db"')
    text = text.replace('invoice_format = "receipts/default.toml"',
                        f'invoice_format = "{ROOT / "config" / "receipts" / "default.toml"}"')
    text = text.replace('[sync]\nurl = ""', f'[sync]\nurl = "{url}"')
    text = text.replace('secret_file = ""                 # this', f'secret_file = "{secret}" # this')
    text = text.replace("interval_s = 60 ", f"interval_s = {interval_s}\nbackoff_max_s = {backoff_max_s} ")
    text = text.replace("batch_size = 500 ", f"batch_size = {batch_size} ")
    text = text.replace('path = "../var/receipts.bin"', 'path = "receipts.bin"')
    text = text.replace('secret_file = "../var/card-secret.hex"', 'secret_file = "card-secret.hex"')
    cfg.write_text(text)
    cli = Ppms(folder / "ppms.db", extra_env={"PPMS_CONFIG": str(cfg)})
    cli.init()
    return cli


class Postgres:
    """A scratch cluster owned by the `postgres` user (postgres refuses to run as root)."""

    def __init__(self) -> None:
        self.bindir = next((p for p in (Path("/usr/lib/postgresql/15/bin"),) if (p / "initdb").exists()),
                           Path(shutil.which("initdb") or "/usr/bin/initdb").parent)
        self.dir = Path(tempfile.mkdtemp(prefix="ppms-pg-"))
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_pg(str(self.bindir / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres")
        self._as_pg(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "pg.log"),
                    "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start")
        self.count = 0

    def _as_pg(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=120,
                       cwd="/")

    def new_database(self) -> str:
        self.count += 1
        name = f"ppms{self.count}"
        self._as_pg(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bindir / "pg_ctl"), "-D",
                        str(self.dir / "data"), "-m", "immediate", "stop"], capture_output=True, timeout=60, cwd="/")
        shutil.rmtree(self.dir, ignore_errors=True)


class Agent:
    """`ppms sync run` for one terminal, as the systemd service runs it."""

    def __init__(self, cli: Ppms) -> None:
        self.cli = cli
        self.log = cli.db.parent / "agent.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "terminal.cli", "sync", "run"], env=cli.env(),
                                     cwd=cli.db.parent, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)
