"""Shared test configuration.

Soak and fuzz tests are marked ``slow``; they run a short, bounded form unless
``PPMS_SOAK=long`` (``make soak``).
"""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, settings

LONG = os.environ.get("PPMS_SOAK") == "long"
WATCH_FILE = "secret-watch.json"

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", max_examples=5000, deadline=None)
settings.load_profile("long" if LONG else "ci")


@pytest.fixture
def soak_long() -> bool:
    """True when the long soak form is asked for (``make soak``)."""
    return LONG


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No secret the suite used may appear in anything its commands wrote or in any diary
    row (tests/helpers/secret_watch.py): one found fails the whole run. Under xdist each
    worker looks at what its own tests wrote and leaves its count in its temporary folder;
    the controlling process adds them up and fails the run."""
    from tests.helpers import secret_watch
    factory = getattr(session.config, "_tmp_path_factory", None)
    root = factory.getbasetemp() if factory is not None else None
    found = secret_watch.SUITE.findings(root)
    counts = [len(secret_watch.SUITE.secrets), len(secret_watch.SUITE.outputs)]
    if hasattr(session.config, "workerinput"):          # an xdist worker: the controller reports
        if root is not None:
            (root / WATCH_FILE).write_text(json.dumps({"counts": counts, "found": found}), encoding="utf-8")
        return
    for worker_file in sorted(root.glob(f"*/{WATCH_FILE}")) if root is not None else []:
        seen = json.loads(worker_file.read_text(encoding="utf-8"))
        counts = [a + b for a, b in zip(counts, seen["counts"])]
        found += seen["found"]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"secret watch: {counts[0]} secrets against {counts[1]} commands' output "
                            f"and every diary under {root}: {len(found)} found")
        for line in found[:50]:
            reporter.write_line(f"  SECRET LEAKED: {line}", red=True)
    if found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
