"""The kiosk's stand-ins for hardware, for `make run`, the replay files and the tests:
the emulated card reader's slot (a replay puts a meter's card in it and takes it out) and
the ccTalk bill validator simulator on a real pty pair (socat) for the self-service
acceptor, which a replay's `note` step feeds. On a box with a PC/SC reader, the reader's
own watcher publishes the card events instead.
"""
from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from terminal.bootstrap import App, CarrierRouter


def card_events(app: App) -> tuple[Any, Any]:
    """(the emulated slot or None, the PC/SC watcher or None), publishing card events to the
    app's device events; the emulated slot is also the card station the kiosk reads."""
    from terminal.devices.card import PcscCards  # noqa: PLC0415
    from terminal.devices.card_emulated import CardSlot, EmulatedCards  # noqa: PLC0415
    carriers = app.ctx.carriers
    cards = carriers.by_kind.get("card") if isinstance(carriers, CarrierRouter) else None
    if isinstance(cards, EmulatedCards):
        slot = CardSlot(cards, app.ctx.events)
        app.ctx.extras["card_station"] = slot
        return slot, None
    if isinstance(cards, PcscCards) and app.ctx.events is not None:
        return None, cards.watch(app.ctx.events)
    return None, None


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
