"""systemd's notify protocol, without a dependency: READY=1, WATCHDOG=1, STATUS=... .

The units in systemd/ run the kiosk, the sync agent and the center with `Type=notify` and
`WatchdogSec=`: systemd passes `$NOTIFY_SOCKET` (a unix datagram socket; a leading "@" is
the abstract namespace) and `$WATCHDOG_USEC`. A long-running command calls

    notify.ready("selling")                  once it can serve (the unit is "started" then)
    beat = notify.Heartbeat()                 then, from the loop whose hang must restart it
    beat()                                    (the kiosk's Kivy Clock, the agent's scheduler
                                               loop), as often as it likes: WATCHDOG=1 goes out
                                               at most every half interval
    notify.stopping()                         on a clean shutdown

Without `$NOTIFY_SOCKET` (a terminal, the tests) every call does nothing and returns False.
The heartbeat must come from the work loop itself, never from a free-running thread: a
hung loop then stops the pings and systemd restarts the service (`Restart=on-failure`).
"""
from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Mapping


def notify(state: str, env: Mapping[str, str] | None = None) -> bool:
    """Send `state` ("READY=1", "WATCHDOG=1", "STATUS=...") to systemd; False when not under it."""
    env = os.environ if env is None else env
    address = env.get("NOTIFY_SOCKET", "")
    if not address or address[0] not in "/@":
        return False
    target = "\0" + address[1:] if address[0] == "@" else address
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(target)
            sock.sendall(state.encode("utf-8"))
    except OSError:
        return False
    return True


def ready(status: str = "", env: Mapping[str, str] | None = None) -> bool:
    return notify("READY=1" + (f"\nSTATUS={status}" if status else ""), env)


def status(text: str, env: Mapping[str, str] | None = None) -> bool:
    return notify(f"STATUS={text}", env)


def stopping(env: Mapping[str, str] | None = None) -> bool:
    return notify("STOPPING=1", env)


def watchdog_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """systemd's watchdog interval for this process (`$WATCHDOG_USEC`, for `$WATCHDOG_PID` when
    set), or None when no watchdog is asked for."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000


class Heartbeat:
    """WATCHDOG=1 at most every half of systemd's interval; call it from the work loop."""

    def __init__(self, env: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.env = dict(os.environ if env is None else env)
        interval = watchdog_interval_s(self.env)
        self.every = None if interval is None else interval / 2
        self.clock = clock
        self.last: float | None = None

    def __call__(self, *_: object) -> bool:
        """Ping when due (any arguments ignored, so it can be a Kivy Clock callback)."""
        if self.every is None:
            return False
        now = self.clock()
        if self.last is not None and now - self.last < self.every:
            return False
        self.last = now
        return notify("WATCHDOG=1", self.env)
