from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from terminal import bootstrap
from terminal.ledger.models import Models
from terminal.services import auth, check, registration, setup
from terminal.services.clock import FixedClock
from tests.fakes.carriers import FakeCarriers

SAMPLE = Path(__file__).resolve().parents[1] / "domain" / "sample_tariff.toml"
DEMO_TARIFF = Path(__file__).resolve().parents[3] / "config" / "tariffs" / "demo.toml"


class World:
    """A real SQLite ledger, the real services, fake devices and a settable clock."""

    def __init__(self, tmp: Path) -> None:
        cfg = tmp / "terminal.toml"
        cfg.write_text('[terminal]\nid = "T01"\n[database]\npath = "ppms.db"\n[printer]\ntype = "none"\n')
        self.carriers = FakeCarriers()
        env = {"PPMS_FAKE_NOW": "2026-03-05T10:00:00"}
        self.app = bootstrap.build(config=cfg, env=env, initialising=True, allow_fake_clock=True,
                                   carriers=self.carriers)
        self.ctx = self.app.ctx
        assert isinstance(self.ctx.clock, FixedClock)
        self.clock = self.ctx.clock
        setup.initialise(self.ctx, "secret1", True)
        self.admin = auth.login(self.ctx, "admin", "secret1")

    def at(self, when: str) -> None:
        self.clock.at = datetime.fromisoformat(when)

    def tariff(self, path: Path = SAMPLE) -> dict[str, Any]:
        return setup.import_tariff(self.ctx, self.admin, path.read_text())

    @property
    def models(self) -> Models:
        """This world's model classes, bound to its own ledger."""
        return self.app.ledger.models

    def verify(self) -> dict[str, Any]:
        return check.verify(self.ctx)

    def balance(self, account: str) -> int:
        with self.ctx.ledger.read() as r:
            return r.journal.balance(account)

    def balances(self, customer_id: int) -> tuple[int, int]:
        """(carry-over, arrears) of a customer."""
        with self.ctx.ledger.read() as r:
            return r.customers.balances(customer_id)

    def register(self, meter: str = "0123456789", power_type: str = "RES", **kw: Any) -> dict[str, Any]:
        return registration.register(self.ctx, self.admin, kw.pop("name", "Jane Doe"),
                                     kw.pop("address", "Plot 1"), meter, power_type, **kw)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.app.close()
