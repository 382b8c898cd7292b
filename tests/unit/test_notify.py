"""The notify protocol over a real unix datagram socket, as systemd listens on it."""
from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from terminal import notify


@pytest.fixture(params=["path", "abstract"])
def systemd(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if request.param == "path":
        address = str(tmp_path / "notify")
        sock.bind(address)
    else:
        name = f"ppms-test-{os.getpid()}-{id(sock)}"
        sock.bind("\0" + name)
        address = "@" + name
    sock.settimeout(5)
    yield sock, address
    sock.close()


def test_ready_status_and_stopping_reach_the_socket(systemd: tuple[socket.socket, str]) -> None:
    sock, address = systemd
    env = {"NOTIFY_SOCKET": address}
    assert notify.ready("selling", env)
    assert sock.recv(4096) == b"READY=1\nSTATUS=selling"
    assert notify.status("2 sales waiting", env) and sock.recv(4096) == b"STATUS=2 sales waiting"
    assert notify.stopping(env) and sock.recv(4096) == b"STOPPING=1"


def test_the_heartbeat_pings_at_half_the_watchdog_interval(systemd: tuple[socket.socket, str]) -> None:
    sock, address = systemd
    now = [100.0]
    beat = notify.Heartbeat({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "10000000",
                             "WATCHDOG_PID": str(os.getpid())}, clock=lambda: now[0])
    sent = []
    for t in (100.0, 102.0, 104.9, 105.0, 109.0, 110.1):
        now[0] = t
        sent.append(beat())
    assert sent == [True, False, False, True, False, True]
    sock.settimeout(0.5)
    assert [sock.recv(64) for _ in range(3)] == [b"WATCHDOG=1"] * 3


def test_without_systemd_nothing_is_sent() -> None:
    assert notify.ready("x", {}) is False
    assert notify.Heartbeat({})() is False
    assert notify.watchdog_interval_s({"WATCHDOG_USEC": "5000000", "WATCHDOG_PID": "1"}) is None  # another pid
    assert notify.notify("READY=1", {"NOTIFY_SOCKET": "/nonexistent/socket"}) is False
