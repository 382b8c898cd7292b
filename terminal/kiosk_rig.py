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


def pull_card_at_next_write(slot: Any) -> None:
    """The card in the emulated slot is pulled out after the next write to its chip: a
    cashier taking the card while it is being written (the replay's `{"card": "pull_mid_write"}`)."""
    from terminal.services.ports import MeterRef  # noqa: PLC0415
    if slot.meter is None:
        raise ValueError("no card in the reader to pull")
    slot.cards.for_meter(MeterRef(number=slot.meter, carrier="card"))   # the meter's card, made now
    slot.cards.cards[slot.meter].reader.faults.remove_after_writes = 1


def card_put_back(slot: Any, meter_no: str) -> None:
    """A pulled card put back in works again (its fault is over)."""
    card = slot.cards.cards.get(meter_no)
    if card is not None:
        card.reader.faults.remove_after_writes = None
