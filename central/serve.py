"""`ppms-central serve` under systemd: gunicorn's master, watched.

`ppms-central serve` execs ``python -m central.serve ARGS`` (gunicorn's own arguments). The
master is gunicorn's, with three additions for `Type=notify` and `WatchdogSec=` (systemd
passes `$NOTIFY_SOCKET` and `$WATCHDOG_USEC`; without them each does nothing):

- READY=1 once the master has bound its socket and started its workers (gunicorn's own);
- WATCHDOG=1 from the master's loop (it passes about once a second, reaping and starting
  workers), at most every half interval and only while it has a worker: a master that hangs
  stops the pings and systemd restarts the service; a hung worker is gunicorn's to kill and
  replace (`--timeout`);
- STOPPING=1 when the master stops (SIGTERM from `systemctl stop`).
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any

from gunicorn import systemd
from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.arbiter import Arbiter


def watchdog_interval_s() -> float | None:
    """systemd's watchdog interval for this process (`$WATCHDOG_USEC`, for `$WATCHDOG_PID` when
    set), or None when no watchdog is asked for."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000


class WatchedArbiter(Arbiter):  # type: ignore[misc]   # gunicorn is untyped
    def __init__(self, app: Any) -> None:
        super().__init__(app)
        interval = watchdog_interval_s()
        self._every = None if interval is None else interval / 2
        self._last = 0.0

    def manage_workers(self) -> None:
        super().manage_workers()
        now = time.monotonic()
        if self._every is not None and self.WORKERS and now - self._last >= self._every:
            systemd.sd_notify("WATCHDOG=1", self.log)
            self._last = now

    def stop(self, graceful: bool = True) -> None:
        systemd.sd_notify("STOPPING=1", self.log)
        super().stop(graceful)


class CenterApplication(WSGIApplication):  # type: ignore[misc]
    """gunicorn's application with our master (`serve` passes none of --daemon, --pythonpath,
    --check-config or --spew, the options gunicorn's own `run` looks at first)."""

    def run(self) -> None:
        try:
            WatchedArbiter(self).run()
        except RuntimeError as exc:
            print(f"\nError: {exc}\n", file=sys.stderr, flush=True)
            sys.exit(1)


def main() -> None:
    CenterApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="ppms-central serve").run()


if __name__ == "__main__":
    main()
