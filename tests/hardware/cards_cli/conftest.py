"""The `ppms` command (subprocesses) with `[card_reader] type = "pcsc"` on the real stack:
pyscard -> pcscd -> vsmartcard-vpcd -> our SLE4442 emulator in this test process.

Uses the second virtual reader ("Virtual PCD 00 01"), so these tests and the driver's
tests (reader 00 00) never share a card."""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hardware.cards import UtilityKeys
from hardware.cards.emulator import CardEmulator
from hardware.cards.fake import Sle4442Chip
from hardware.cards.meter_sim import MeterOutcome, PrepaidMeterSim
from tests.hardware.cards.conftest import pcscd  # noqa: F401  (the real PC/SC daemon fixture)
from tests.hardware.pcsc_rig import READERS, Slot, wait_card

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "unit" / "domain" / "sample_tariff.toml"
READER = "Virtual PCD 00 01"
METER = "0123456789"
UTILITY = 4711
SECRET = bytes(range(32))
KEYS = UtilityKeys(UTILITY, SECRET)


class Terminal:
    """A ledger, a config naming the pcsc reader, the card in the reader and the customer's meter."""

    def __init__(self, tmp: Path, profile: str) -> None:
        self.tmp = tmp
        self.db = tmp / "ppms.db"
        secret = tmp / "card-secret.hex"
        secret.write_text(SECRET.hex() + "\n")
        secret.chmod(0o600)
        self.config = tmp / "terminal.toml"
        self.config.write_text(
            '[terminal]\nid = "T01"\n[database]\npath = "ppms.db"\n[printer]\ntype = "none"\n'
            f'[card_reader]\ntype = "pcsc"\nreader = "{READER}"\nprofile = "{profile}"\n'
            f'utility_code = {UTILITY}\nsecret_file = "card-secret.hex"\n')
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PPMS_")}
        self.env.update(PYTHONPATH=str(ROOT), PPMS_CONFIG=str(self.config), PPMS_OPERATOR="admin",
                        PPMS_PASSWORD="secret1", PPMS_FAKE_NOW="2026-03-05T10:00:00")
        self.image = tmp / "card.bin"
        self.slot = Slot(CardEmulator(self.image, profile, port=READERS[READER]), READER)
        self.meter = PrepaidMeterSim(METER, KEYS)
        self.ok("init", "--allow-fake-clock")  # the admin's password from PPMS_PASSWORD
        self.ok("tariff", "import", str(SAMPLE))
        self.ok("customer", "register", "--name", "Jane Doe", "--address", "Plot 1", "--meter", METER,
                "--power-type", "RES")

    def ppms(self, *args: str, **env: str) -> tuple[int, dict[str, Any]]:
        proc = subprocess.run([sys.executable, "-m", "terminal.cli", *args, "--json"], cwd=ROOT,
                              env=self.env | env, capture_output=True, text=True, timeout=60, check=False)
        assert proc.stdout.strip(), proc.stderr
        return proc.returncode, json.loads(proc.stdout)

    def ok(self, *args: str, **env: str) -> dict[str, Any]:
        code, out = self.ppms(*args, **env)
        assert code == 0, out
        return out

    def refused(self, *args: str, **env: str) -> str:
        code, out = self.ppms(*args, **env)
        assert code == 2, out
        return str(out["error"]["code"])

    # --- the card
    def put_card(self, chip: Sle4442Chip) -> None:
        if self.slot.emu.inserted:
            self.slot.remove()
        chip.save(self.image)
        self.slot.insert()

    def chip(self) -> Sle4442Chip:
        return Sle4442Chip.load(self.image)

    def into_meter(self, consume: int = 0) -> MeterOutcome:
        """The customer takes the card home: the meter takes it, uses some energy, writes its reading."""
        self.slot.remove()
        outcome = self.meter.take_image(self.image)
        if consume:
            self.meter.consume(consume)
            self.meter.take_image(self.image)
        self.slot.insert()
        return outcome

    def pulled_out(self) -> None:
        """The card left the reader by itself (fault injection): wait until pcscd sees it gone."""
        wait_card(False, READER)

    # --- the ledger
    def ledger_bytes(self) -> str:
        """SHA-256 of the database file after a checkpoint, and of its logical dump."""
        con = sqlite3.connect(self.db)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            dump = "\n".join(con.iterdump())
        finally:
            con.close()
        return hashlib.sha256(self.db.read_bytes()).hexdigest() + ":" + hashlib.sha256(dump.encode()).hexdigest()

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


@pytest.fixture
def terminal_for(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    request.getfixturevalue("pcscd")   # the real PC/SC daemon, started if it is not running
    made: list[Terminal] = []

    def build(profile: str = "acr39") -> Terminal:
        wait_card(False, READER)
        t = Terminal(tmp_path, profile)
        t.put_card(Sle4442Chip.blank())
        made.append(t)
        return t

    yield build
    for t in made:
        t.slot.emu.remove()
