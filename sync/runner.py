"""`ppms sync now|run|status`: the agent built from the terminal's `[sync]` settings.

`run` is one APScheduler 3.x interval job (``coalesce=True``, ``max_instances=1``: a pass
never overlaps the next, missed runs fold into one). While the center is unreachable the
next pass waits ``interval * 2**failures`` seconds (at most ``backoff_max_s``) times a
random factor from 0.5 to 1 (full jitter, so a fleet of terminals does not return at once);
the first pass that gets through resets it.
"""
from __future__ import annotations

import logging
import random
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sync.agent import Agent, ApplyChange, PassResult
from sync.client import CenterClient, read_secret
from sync.errors import SyncError, SyncNotConfigured, SyncRefused, SyncUnreachable
from terminal.ledger import sync_state as keys

log = logging.getLogger("ppms.sync")


def build_agent(app: Any, apply: ApplyChange | None) -> Agent:
    """`app`: the terminal as `terminal.bootstrap.build` makes it."""
    s = app.settings.sync
    if not s.url:
        raise SyncNotConfigured("no center is configured: set sync.url (and sync.secret_file)", key="sync.url")
    client = CenterClient(s.url, app.ctx.terminal_id, read_secret(s.secret_file), s.ca_file, s.timeout_s)
    return Agent(app.ledger, client, app.ctx.terminal_id, app.ctx.now, apply, s.batch_size)


def status(app: Any) -> dict[str, Any]:
    with app.ledger.read() as r:
        values = r.sync.values()
        backlog = r.sync.backlog()
        extent = r.outbox.extent()
    drift = values.get(keys.DRIFT)
    return {"url": app.settings.sync.url, "backlog": backlog, "outbox_rows": extent[0], "last_seq": extent[1],
            "cursor": int(values.get(keys.CURSOR, "0")), "last_sync": values.get(keys.LAST_OK),
            "clock_drift_s": None if drift is None else float(drift),
            "offline_max_hours": None if keys.MAX_HOURS not in values else int(values[keys.MAX_HOURS]),
            "offline_max_amount": None if keys.MAX_AMOUNT not in values else int(values[keys.MAX_AMOUNT])}


def backoff_s(failures: int, interval_s: float, most_s: float, rnd: Callable[[], float] = random.random) -> float:
    """The wait before the next try after `failures` passes in a row found no center."""
    ceiling = min(most_s, interval_s * 2 ** min(failures, 30))
    return float(ceiling * (0.5 + 0.5 * rnd()))


class Runner:
    """The scheduled agent: `pass_once` is the job; `start`/`stop` the scheduler."""

    def __init__(self, agent: Agent, interval_s: float, backoff_max_s: float) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler
        self.agent = agent
        self.interval_s = interval_s
        self.backoff_max_s = backoff_max_s
        self.failures = 0
        self.last: PassResult | None = None
        self.scheduler = BackgroundScheduler(job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": max(1, int(interval_s))})
        self.job = self.scheduler.add_job(self.pass_once, "interval", seconds=interval_s, id="sync",
                                          next_run_time=datetime.now())

    def pass_once(self) -> None:
        try:
            self.last = self.agent.once()
        except (SyncUnreachable, SyncRefused) as exc:
            self.failures += 1
            wait = backoff_s(self.failures, self.interval_s, self.backoff_max_s)
            log.warning("sync pass failed (%s); next try in %.1f s", exc.code, wait)
            self.job.modify(next_run_time=datetime.now() + timedelta(seconds=wait))
            return
        except SyncError as exc:
            log.error("sync pass refused: %s %s", exc.code, exc.message)
            return
        self.failures = 0
        log.info("sync pass: %s", self.last.as_json())

    def run_until_stopped(self, ready: Callable[[], object] | None = None,
                          heartbeat: Callable[[], object] | None = None, beat_every_s: float = 5.0) -> None:
        """Run until SIGTERM/SIGINT. `ready` is called once the scheduler runs (systemd's READY=1);
        `heartbeat` is a job of the same scheduler (systemd's WATCHDOG=1): a scheduler that hangs
        stops the pings, and systemd restarts the agent."""
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        if heartbeat is not None:
            self.scheduler.add_job(heartbeat, "interval", seconds=beat_every_s, id="watchdog")
        self.scheduler.start()
        if ready is not None:
            ready()
        try:
            stop.wait()
        finally:
            self.scheduler.shutdown(wait=True)
