"""Real PC/SC stack for card tests: pcscd + vsmartcard-vpcd + our card emulator.

The rig (pcscd start/stop, `wait_card`, `Slot`) lives in tests/hardware/pcsc_rig.py, shared
with tests/hardware/cards_cli; other folders import the session fixture `pcscd` from here.
A missing pcscd or vpcd driver FAILS the tests.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.cards.emulator import CardEmulator
from tests.hardware.pcsc_rig import READER, VPCD_PORT, Slot, run_pcscd, wait_card

__all__ = ["READER", "VPCD_PORT", "Slot", "pcscd", "wait_card"]


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """pcscd for the session: started here when its socket does not answer, stopped at the end."""
    yield from run_pcscd(tmp_path_factory.mktemp("pcscd") / "pcscd.log")


@pytest.fixture(params=["acr38", "acr39"])
def slot(request: pytest.FixtureRequest, pcscd: None, tmp_path: Path) -> Iterator[Slot]:
    """A blank card image behind the chosen reader profile, inserted."""
    wait_card(False)  # the previous test's card is gone
    emu = CardEmulator(tmp_path / "card.bin", request.param, port=VPCD_PORT)
    s = Slot(emu)
    s.insert()
    yield s
    emu.remove()
