"""A real `ppms-central serve` holding a sample center (central/sample.py), with a user of each
role, for the dashboard's browser and HTTP tests."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from central import db as central_db
from central import sample, users
from central.models import proxy
from tests.helpers.ppms import ROOT
from tests.integration.sync.center import free_port

PASSWORDS = {"viola": "viewer password 1", "audrey": "auditor password 2", "adam": "administrator password 3",
             "lockme": "lockout password 4"}
ROLES = {"viola": "viewer", "audrey": "auditor", "adam": "administrator", "lockme": "viewer"}


class Dashboard:
    def __init__(self, folder: Path, insecure_cookies: bool = True, sales: int = 150) -> None:
        self.folder = folder
        self.url = f"sqlite:///{folder / 'center.db'}"
        db = central_db.connect(self.url)      # filled here, in one go (`ppms-central user add`: its own test)
        proxy.initialize(db)
        with db.connection_context():
            sample.fill(db, 3, sales)
            for user, password in PASSWORDS.items():
                users.add_user(user, ROLES[user], password)
        self.serve(insecure_cookies)

    def serve(self, insecure_cookies: bool) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = self.folder / "center.log"
        args = [sys.executable, "-m", "central.cli", "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"]
        self.proc = subprocess.Popen(args + (["--insecure-cookies"] if insecure_cookies else []), env=self.env(),
                                     cwd=ROOT, start_new_session=True, stdout=self.log.open("ab"),
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/api/v1/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError(f"the center did not start: {self.log.read_text()[-3000:]}")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PPMS_")}
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        env["PPMS_CENTRAL_DB"] = self.url
        return env

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "central.cli", "--json", *args], capture_output=True, text=True,
                              env=self.env(), cwd=ROOT, timeout=60, input=stdin, check=False)

    def cli(self, *args: str, stdin: str = "") -> Any:
        import json
        r = self.run(*args, stdin=stdin)
        assert r.returncode == 0, f"ppms-central {' '.join(args)}: {r.stdout} {r.stderr}"
        return json.loads(r.stdout)

    def session(self, user: str) -> tuple[requests.Session, str]:
        """A logged-in HTTP session and its CSRF token (read from the page, as a browser would)."""
        s = requests.Session()
        form = s.get(self.base + "/login", timeout=30)
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        r = s.post(self.base + "/login", data={"csrf": token.group(1), "username": user,
                                               "password": PASSWORDS[user], "next": "/"}, timeout=30)
        assert r.status_code == 200 and r.url == self.base + "/", r.text[:500]
        found = re.search(r'name="csrf" value="([^"]+)"', r.text)
        assert found is not None
        return s, found.group(1)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
