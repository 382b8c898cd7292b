"""A `ppms` command for the race, lease and disk tests: the real CLI, with two test hooks.

    python race_child.py ARGS...        (the `ppms` arguments; PPMS_* environment as for ppms)

RACE_BARRIER=DIR   the sale waits, after login and start-up, until DIR/go exists (it first
                   creates DIR/ready-<pid>), so that many sellers decide at the same moment.
RACE_HOLD=DIR      the carrier's write of a sale waits until DIR/release exists; it first
                   prints `DELIVERING <receipt_no>` on stderr (a card write in progress).

Everything else is `terminal.cli.main`: the emulated card or the STS carrier, the real
selling service, the real SQLite file.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from terminal import bootstrap, cli
from terminal.services import selling


def _wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.001)


class HeldCarrier:
    """A carrier whose write waits for the test's release (a card write that takes its time)."""

    def __init__(self, inner: Any, hold: Path) -> None:
        self.inner, self.hold, self.kind = inner, hold, inner.kind

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def deliver(self, purchase: Any) -> Any:
        sys.stderr.write(f"DELIVERING {purchase.receipt_no}\n")
        sys.stderr.flush()
        _wait_for(self.hold / "release")
        return self.inner.deliver(purchase)


class HeldCarriers:
    def __init__(self, inner: Any, hold: Path) -> None:
        self.inner, self.hold = inner, hold

    def for_meter(self, meter: Any) -> HeldCarrier:
        return HeldCarrier(self.inner.for_meter(meter), self.hold)


def main(argv: list[str]) -> int:
    barrier, hold = os.environ.get("RACE_BARRIER"), os.environ.get("RACE_HOLD")
    if barrier:
        real_sell = selling.sell

        def sell_on_barrier(*args: Any, **kwargs: Any) -> Any:
            (Path(barrier) / f"ready-{os.getpid()}").touch()
            _wait_for(Path(barrier) / "go")
            return real_sell(*args, **kwargs)
        selling.sell = sell_on_barrier  # type: ignore[assignment]
    if hold:
        real_build = bootstrap.build_carriers

        def held(settings: Any, cards: Any = None) -> Any:
            return HeldCarriers(real_build(settings, cards), Path(hold))
        bootstrap.build_carriers = held  # type: ignore[assignment]
    return cli.main(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
