"""The self-service kiosk's stand-in for a note acceptor, for `make run`, the replay files
and the tests: the ccTalk bill validator simulator on a real pty pair (socat), which a
replay's `note` step feeds (`ppms kiosk --cash-simulator`). The card reader's stand-in is
the emulated reader's slot (`bootstrap.kiosk_card_events`)."""
from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class CashRig:
    device: Any          # hardware.cash.simulator.SimulatedBillValidator
    port: str            # the terminal's end of the pty pair


@contextlib.contextmanager
def cash_simulator() -> Iterator[CashRig]:
    """A pty pair with the bill validator simulator on one end; the terminal uses `port`."""
    from hardware.cash import CashSettings  # noqa: PLC0415
    from hardware.cash.simulator import CashSimulator, SimulatedBillValidator  # noqa: PLC0415
    from hardware.meters.ptypair import PtyPair  # noqa: PLC0415
    with tempfile.TemporaryDirectory(prefix="ppms-cash-") as folder, PtyPair(Path(folder), "cash") as pair:
        device = SimulatedBillValidator()
        with CashSimulator(CashSettings(pair.a), device):
            yield CashRig(device, pair.b)
