"""Three terminals sell offline, then their agents (`ppms sync run`) drain through a
fault-injecting proxy (dropped connections, delays, resets in the middle of a response,
duplicated requests) while the center is killed (SIGKILL, master and workers) and started
again mid-batch. Once the faults stop and the agents drain: the center holds every outbox
row of every terminal exactly once, its totals equal the terminals' to the minor unit, no
conflict, no gap — on PostgreSQL and on the SQLite default."""
from __future__ import annotations

import time
from pathlib import Path

from tests.helpers.ppms import query
from tests.integration.sync.center import Agent, Center, terminal
from tests.integration.sync.fault_proxy import FaultProxy
from tests.integration.sync.helpers import added, center_items, center_sums, outbox, sums

TERMINALS = ("T01", "T02", "T03")


def backlog(cli: object) -> int:
    return int(query(cli.db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0])  # type: ignore[attr-defined]


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():   # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_faults_and_a_center_crash_lose_nothing_and_duplicate_nothing(center: Center, tmp_path: Path) -> None:
    proxy = FaultProxy(center.port, seed=14)
    terms = []
    for i, tid in enumerate(TERMINALS):
        secret = center.add_terminal(tid)
        cli = terminal(tmp_path / tid, tid, f"http://127.0.0.1:{proxy.port}", secret, interval_s=0.3,
                       batch_size=25, backoff_max_s=1.5)
        cli.ok("demo", "--customers", "3", "--sales", str(60 + 10 * i), "--seed", str(i + 1))
        terms.append(cli)
    total = sum(len(outbox(t)) for t in terms)
    agents = [Agent(t) for t in terms]
    try:
        wait_for(lambda: 0 < len(center_items(center.url)), 120, "the first rows to reach the center")
        center.kill()                  # mid-batch: the agents keep trying through the proxy
        time.sleep(1.0)
        center.start()
        time.sleep(2.0)
        proxy.faults = False
        wait_for(lambda: all(backlog(t) == 0 for t in terms), 240, "the agents to drain")
    finally:
        codes = [a.stop() for a in agents]
        proxy.close()
    assert codes == [0, 0, 0]
    assert proxy.seen["drop"] and proxy.seen["reset_mid_response"] and proxy.seen["duplicate"], proxy.seen
    stored = center_items(center.url)
    expected = sorted((tid, seq, uuid, payload) for tid, t in zip(TERMINALS, terms, strict=True)
                      for seq, uuid, _, payload, _ in outbox(t))
    assert len(stored) == total and sorted(stored) == expected          # no loss, no duplicate
    summary = center.summary()
    assert center_sums(summary) == added(*(sums(t) for t in terms))       # to the minor unit
    for tid, t in zip(TERMINALS, terms, strict=True):
        assert center_sums(center.summary(tid)) == sums(t)
        assert summary["terminals"][tid]["gaps"] == [] and summary["terminals"][tid]["conflicts"] == 0
    assert center.cli("conflicts")["conflicts"] == []
