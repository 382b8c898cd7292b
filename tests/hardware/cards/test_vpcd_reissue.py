"""Reissue card on the real PC/SC stack (pyscard -> pcscd -> vpcd -> card emulator), through
the real services: the lost card blacklisted, the new card carrying the untaken purchase, the
old card refused by selling, error-tolerance selling and card reading."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from hardware.cards import CardTerminal, UtilityKeys
from hardware.cards.emulator import CardEmulator
from hardware.cards.meter_sim import PrepaidMeterSim
from hardware.cards.pcsc import PcscReader
from terminal import bootstrap
from terminal.devices.card import CardCarrier, CardStationAdapter
from terminal.devices.sts import StsCarriers
from terminal.domain.errors import PpmsError
from terminal.services import amendment_credit, auth, cards, check, registration, selling, setup
from terminal.services.ports import MeterRef

from .conftest import READER, VPCD_PORT, Slot

pytestmark = [pytest.mark.hardware, pytest.mark.pcscd]

KEYS = UtilityKeys(1234, b"utility secret for hardware tests")
METER = "0123456789"
SAMPLE = Path(__file__).resolve().parents[2] / "unit" / "domain" / "sample_tariff.toml"


class RigCards:
    """bootstrap's pcsc wiring over the rig's reader, with the test utility's keys."""

    def __init__(self, profile: str) -> None:
        self.terminal = CardTerminal(PcscReader(READER).connect, profile, KEYS)

    def for_meter(self, meter: MeterRef) -> CardCarrier:
        return CardCarrier(lambda: self.terminal, meter)

    def station(self) -> CardStationAdapter:
        return CardStationAdapter(lambda: self.terminal)


@pytest.fixture
def rig(slot: Slot, tmp_path: Path) -> Iterator[tuple[bootstrap.App, RigCards, Slot]]:
    cfg = tmp_path / "terminal.toml"
    cfg.write_text('[terminal]\nid = "T01"\n[database]\npath = "ppms.db"\n[printer]\ntype = "none"\n')
    rig_cards = RigCards(slot.emu.front.profile.name)
    app = bootstrap.build(config=cfg, env={"PPMS_FAKE_NOW": "2026-03-05T10:00:00"}, initialising=True,
                          allow_fake_clock=True, card_station=rig_cards.station(),
                          carriers=bootstrap.CarrierRouter({"card": rig_cards, "sts": StsCarriers("")}))
    yield app, rig_cards, slot
    app.close()
    slot.remove()


def code_of(fn, *args, **kw) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(PpmsError) as info:
        fn(*args, **kw)
    return info.value.code


def test_reissue_on_the_real_reader(rig: tuple[bootstrap.App, RigCards, Slot], tmp_path: Path) -> None:
    app, rig_cards, slot = rig
    ctx = app.ctx
    setup.initialise(ctx, "secret1", True)
    admin = auth.login(ctx, "admin", "secret1")
    setup.import_tariff(ctx, admin, SAMPLE.read_text())
    registration.register(ctx, admin, "Jane Doe", "Plot 1", METER, "RES")
    old = cards.make(ctx, admin, "user", METER)["card_serial"]
    sale = selling.sell(ctx, admin, METER, "1000.00")
    slot.remove()                                                   # the card is lost
    new_card = Slot(CardEmulator(tmp_path / "new-card.bin", slot.emu.front.profile.name, port=VPCD_PORT))
    new_card.insert()
    out = amendment_credit.reissue_card(ctx, admin, METER, "lost")
    assert out["old_card"] == old and out["carried_sequence"] == 1
    contents = rig_cards.terminal.read()
    assert contents.pending and contents.purchase is not None and contents.purchase.energy == 5651
    new_card.remove()
    slot.insert()                                                   # the lost card turns up again
    assert code_of(selling.sell, ctx, admin, METER, "500.00") == "CARD_BLACKLISTED"
    assert code_of(cards.rewrite, ctx, admin, sale["sale_id"], supervisor_override="insists") == "CARD_BLACKLISTED"
    assert code_of(cards.read, ctx, admin) == "CARD_BLACKLISTED"
    meter = PrepaidMeterSim(METER, KEYS, clock=lambda: datetime(2026, 3, 6, 8, 0, 0).astimezone())
    assert meter.take_card(new_card.emu.chip).added == 5651   # nothing paid is lost
    assert check.verify(ctx)["ok"]
