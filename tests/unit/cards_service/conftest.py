"""A World whose card carrier is the real adapter over the in-memory SLE4442 reader
(`hardware.cards.fake`): the driver, layout, PSC rule and refusals all run for real."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from hardware.cards import CardTerminal, UtilityKeys
from hardware.cards.fake import FakeCardReader, Sle4442Chip
from hardware.cards.meter_sim import MeterOutcome, PrepaidMeterSim
from terminal import bootstrap
from terminal.devices.card import CardCarrier, CardStationAdapter
from terminal.devices.sts import StsCarriers
from terminal.services import auth, registration, setup
from terminal.services.clock import FixedClock
from terminal.services.ports import MeterRef

SAMPLE = Path(__file__).resolve().parents[1] / "domain" / "sample_tariff.toml"
KEYS = UtilityKeys(4711, b"unit-test utility card secret 0123456789")
METER = "0123456789"


class FakeReaderCards:
    """The pcsc wiring of bootstrap, with the in-memory reader in place of pyscard."""

    def __init__(self, reader: FakeCardReader, keys: UtilityKeys = KEYS) -> None:
        self.reader = reader
        self.terminal = CardTerminal(reader.connect, reader.profile, keys)

    def for_meter(self, meter: MeterRef) -> CardCarrier:
        return CardCarrier(lambda: self.terminal, meter)

    def station(self) -> CardStationAdapter:
        return CardStationAdapter(lambda: self.terminal)


class CardWorld:
    def __init__(self, tmp: Path, profile: str) -> None:
        cfg = tmp / "terminal.toml"
        cfg.write_text('[terminal]\nid = "T01"\n[database]\npath = "ppms.db"\n[printer]\ntype = "none"\n')
        self.db_path = tmp / "ppms.db"
        self.reader = FakeCardReader(profile)
        self.reader.insert(Sle4442Chip.blank())
        self.cards = FakeReaderCards(self.reader)
        carriers = bootstrap.CarrierRouter({"card": self.cards, "sts": StsCarriers("")})
        env = {"PPMS_FAKE_NOW": "2026-03-05T10:00:00"}
        self.app = bootstrap.build(config=cfg, env=env, initialising=True, allow_fake_clock=True,
                                   carriers=carriers, card_station=self.cards.station())
        self.ctx = self.app.ctx
        assert isinstance(self.ctx.clock, FixedClock)
        self.clock = self.ctx.clock
        setup.initialise(self.ctx, "secret1", True)
        self.admin = auth.login(self.ctx, "admin", "secret1")
        setup.import_tariff(self.ctx, self.admin, SAMPLE.read_text())
        registration.register(self.ctx, self.admin, "Jane Doe", "Plot 1", METER, "RES")
        self.meter = PrepaidMeterSim(METER, KEYS, clock=lambda: datetime(2026, 3, 6, 8, 0, 0).astimezone())

    def at(self, when: str) -> None:
        self.clock.at = datetime.fromisoformat(when)

    def operator(self, username: str, role: str) -> auth.Session:
        auth.add_operator(self.ctx, self.admin, username, username, role, "secret1")
        return auth.login(self.ctx, username, "secret1")

    @property
    def chip(self) -> Sle4442Chip:
        assert self.reader.chip is not None
        return self.reader.chip

    def swap(self, chip: Sle4442Chip) -> Sle4442Chip | None:
        old = self.reader.remove()
        self.reader.insert(chip)
        return old

    def into_meter(self, consume: int = 0) -> MeterOutcome:
        """Take the card out, put it in the meter, let the meter use some energy, put it back."""
        chip = self.reader.remove()
        assert chip is not None
        outcome = self.meter.take_card(chip)
        if consume:
            self.meter.consume(consume)
            self.meter.take_card(chip)   # the meter writes its fresh reading on the card
        self.reader.insert(chip)
        return outcome

    def dump(self) -> list[str]:
        """The whole ledger as SQL text: equal dumps mean nothing changed."""
        con = sqlite3.connect(self.db_path)
        try:
            return list(con.iterdump())
        finally:
            con.close()

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        con = sqlite3.connect(self.db_path)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


@pytest.fixture(params=["acr38", "acr39"])
def cw(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CardWorld]:
    w = CardWorld(tmp_path, request.param)
    yield w
    w.app.close()
