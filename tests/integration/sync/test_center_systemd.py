"""`ppms-central serve` under systemd (`Type=notify`, `WatchdogSec=`): READY=1 once gunicorn's
master has its workers, WATCHDOG=1 from the master's loop again and again, none while the
master is stopped (a hung master is restarted by systemd), STOPPING=1 on SIGTERM. A real unix
datagram socket stands in for systemd's $NOTIFY_SOCKET."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.helpers.ppms import ROOT
from tests.integration.sync.center import Center, free_port
from tests.integration.sync.test_agent_systemd import _messages


def _lines(messages: list[str]) -> list[str]:
    return [line for m in messages for line in m.splitlines()]


def test_the_center_tells_systemd_it_is_ready_alive_and_stopping(tmp_path: Path) -> None:
    center = Center(tmp_path, f"sqlite:///{tmp_path / 'center.db'}")       # `ppms-central init`
    address = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    env = {**center.env(), "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000"}
    proc = subprocess.Popen([sys.executable, "-m", "central.cli", "serve", "--bind", f"127.0.0.1:{free_port()}",
                             "--workers", "1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        seen = _lines(_messages(sock, {"READY=1", "WATCHDOG=1"}, within_s=90))
        assert "READY=1" in seen and "WATCHDOG=1" in seen, (seen, proc.poll())
        assert seen.index("READY=1") < seen.index("WATCHDOG=1")
        more = _lines(_messages(sock, {"WATCHDOG=1"}, within_s=10))
        assert "WATCHDOG=1" in more                                  # again: every half interval

        proc.send_signal(signal.SIGSTOP)                             # a master that hangs
        _messages(sock, {"(drain)"}, within_s=0.5)                   # what was on its way
        hung = _lines(_messages(sock, {"WATCHDOG=1"}, within_s=3))
        assert "WATCHDOG=1" not in hung, hung                        # systemd would restart it now
        proc.send_signal(signal.SIGCONT)
        assert "WATCHDOG=1" in _lines(_messages(sock, {"WATCHDOG=1"}, within_s=10))

        proc.send_signal(signal.SIGTERM)
        rest = _lines(_messages(sock, {"STOPPING=1"}, within_s=30))
        assert "STOPPING=1" in rest, rest
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()
