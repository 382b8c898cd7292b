"""Tariff import (versions, atomicity) and registration."""
from __future__ import annotations

import sqlite3

import pytest

from terminal.domain.errors import ShareSplitInvalid, TariffFileInvalid
from terminal.services import selling
from terminal.services.errors import (
    CategoryNotFound,
    CurrencyMismatch,
    InvalidArgument,
    MeterExists,
    PowerTypeNotFound,
    TariffVersionConflict,
)
from tests.unit.services.conftest import SAMPLE


def count(world, table: str) -> int:
    return sqlite3.connect(world.app.db.database).execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_reimport_is_idempotent_and_later_date_is_a_new_version(world):
    first = world.tariff()
    assert first["power_types"] == [{"code": "RES", "version": 1, "new": True}]
    assert world.tariff()["power_types"] == [{"code": "RES", "version": 1, "new": False}]
    text = SAMPLE.read_text().replace('effective_from = "2026-01-01"', 'effective_from = "2026-04-01"')
    text = text.replace('ENERGY = "12.00"', 'ENERGY = "13.00"')
    from terminal.services import setup
    assert setup.import_tariff(world.ctx, world.admin, text)["power_types"][0]["version"] == 2
    world.register()
    assert selling.quote(world.ctx, world.admin, "0123456789", amount="1000.00")["tariff_version"] == 1
    world.at("2026-04-01T00:00:01")
    assert selling.quote(world.ctx, world.admin, "0123456789", amount="1000.00")["tariff_version"] == 2


def test_same_date_different_prices_conflicts(world):
    from terminal.services import setup
    world.tariff()
    with pytest.raises(TariffVersionConflict):
        setup.import_tariff(world.ctx, world.admin, SAMPLE.read_text().replace('"12.00"', '"12.50"'))


def test_bad_file_stores_nothing(world):
    from terminal.services import setup
    bad = SAMPLE.read_text().replace('price = { ENERGY = "12.00", REP = "0.60" }',
                                     'price = { ENERGY = "12.00", XYZ = "0.60" }')
    with pytest.raises(TariffFileInvalid) as exc:
        setup.import_tariff(world.ctx, world.admin, bad)
    assert "XYZ" in exc.value.details["key"] or "XYZ" in exc.value.message
    assert count(world, "tariff_version") == 0 and count(world, "power_type") == 0


def test_other_currency_refused(world):
    from terminal.services import setup
    world.tariff()
    text = SAMPLE.read_text().replace('currency = "KES"', 'currency = "USD"')
    with pytest.raises(CurrencyMismatch):
        setup.import_tariff(world.ctx, world.admin, text)


def test_registration_checks(world):
    world.tariff()
    with pytest.raises(PowerTypeNotFound):
        world.register(power_type="XXX")
    with pytest.raises(CategoryNotFound):
        world.register(category="NOPE")
    with pytest.raises(ShareSplitInvalid):
        world.register(power_type="RES:60")
    with pytest.raises(InvalidArgument):
        world.register(meter="bad meter!")
    view = world.register()
    assert view["meter"]["status"] == "installed" and view["customer"]["account_no"] == "T01-C000001"
    with pytest.raises(MeterExists):
        world.register()
    assert count(world, "customer") == 1 and count(world, "outbox") == 2   # tariff + registration


def test_identical_reimport_writes_nothing(world):
    world.tariff()
    db = sqlite3.connect(world.app.db.database)
    def state():
        return (db.execute("SELECT rowid, * FROM power_type").fetchall(),
                db.execute("SELECT COUNT(*) FROM diary").fetchone())
    before = state()
    world.tariff()
    after = state()
    assert before == after
