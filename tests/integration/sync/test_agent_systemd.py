"""`ppms sync run` under systemd (`Type=notify`, `WatchdogSec=`): READY=1 once the scheduler
runs, WATCHDOG=1 from the scheduler while it runs (also while the center is unreachable and
the agent backs off), STOPPING=1 on SIGTERM. A real unix datagram socket stands in for
systemd's $NOTIFY_SOCKET."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.sync.center import free_port, terminal


def _messages(sock: socket.socket, until: set[str], within_s: float) -> list[str]:
    got: list[str] = []
    end = time.monotonic() + within_s
    while time.monotonic() < end and not until <= {line for m in got for line in m.splitlines()}:
        sock.settimeout(max(0.1, end - time.monotonic()))
        try:
            got.append(sock.recv(4096).decode())
        except TimeoutError:
            break
    return got


def test_the_agent_tells_systemd_it_is_ready_and_alive_and_stopping(tmp_path: Path) -> None:
    secret = tmp_path / "s.hex"
    secret.write_text("ab" * 32 + "\n")
    secret.chmod(0o600)
    cli = terminal(tmp_path / "t01", "T01", f"http://127.0.0.1:{free_port()}", secret, interval_s=1,
                   backoff_max_s=2)
    address = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    env = {**cli.env(operator=None, password=None), "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000"}
    proc = subprocess.Popen([sys.executable, "-m", "terminal.cli", "sync", "run"], cwd=cli.db.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = _messages(sock, {"READY=1", "WATCHDOG=1"}, within_s=60)
        lines = {line for m in seen for line in m.splitlines()}
        assert "READY=1" in lines and "WATCHDOG=1" in lines, (seen, proc.poll())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        rest = _messages(sock, {"STOPPING=1"}, within_s=5)
        assert "STOPPING=1" in {line for m in rest for line in m.splitlines()}, rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()
