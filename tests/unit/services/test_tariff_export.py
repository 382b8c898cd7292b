"""`tariff export` gives back the TOML `tariff import` reads: importing it changes nothing."""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings

from terminal.domain.tariff import TariffSheet, parse_tariff
from terminal.domain.tariff_toml import sheet_to_toml
from terminal.services import auth, setup, tariff_sheets
from terminal.services.errors import NoTariff, PermissionDenied
from tests.helpers.ppms import dump_tables
from tests.unit.domain.tariff_sheets import sheets
from tests.unit.services.conftest import SAMPLE, World


def by_code(sheet: TariffSheet) -> TariffSheet:
    """The sheet with its power types and preferentials in code order (the ledger's order)."""
    return TariffSheet(sheet.currency, tuple(sorted(sheet.power_types, key=lambda p: p.code)),
                       tuple(sorted(sheet.preferentials, key=lambda p: p.code)))


@settings(max_examples=12, deadline=None)
@given(sheet=sheets(days=(date(2016, 3, 10), date(2027, 3, 1))))
def test_import_export_import_changes_nothing(sheet):
    with tempfile.TemporaryDirectory() as tmp:
        w = World(Path(tmp))
        try:
            setup.import_tariff(w.ctx, w.admin, sheet_to_toml(sheet))
            exported = tariff_sheets.export(w.ctx, w.admin)["toml"]
            assert by_code(parse_tariff(exported)) == by_code(sheet)
            db = Path(w.app.db.database)
            before = dump_tables(db)
            again = setup.import_tariff(w.ctx, w.admin, exported)
            assert not any(x["new"] for x in again["power_types"] + again["preferentials"])
            assert dump_tables(db) == before
            assert tariff_sheets.export(w.ctx, w.admin)["toml"] == exported
            assert w.verify()["ok"]
        finally:
            w.app.close()


def test_export_is_the_version_in_force_and_list_shows_every_version(world):
    world.tariff()
    later = SAMPLE.read_text().replace('effective_from = "2026-01-01"', 'effective_from = "2026-04-01"') \
        .replace('ENERGY = "12.00"', 'ENERGY = "13.00"')
    setup.import_tariff(world.ctx, world.admin, later)
    text = tariff_sheets.export(world.ctx, world.admin)["toml"]
    assert parse_tariff(text) == parse_tariff(SAMPLE.read_text())
    world.at("2026-04-01T08:00:00")
    assert 'ENERGY = "13"' in tariff_sheets.export(world.ctx, world.admin)["toml"]
    listed = tariff_sheets.listed(world.ctx, world.admin)["power_types"][0]
    assert [(v["version"], v["in_force"], v["blocks"][0]["comprehensive_price"]) for v in listed["versions"]] == [
        (1, False, "12.6"), (2, True, "13.6")]


def test_the_preferential_sheet_alone(world):
    world.tariff()
    shown = tariff_sheets.preferential_show(world.ctx, world.admin)["preferentials"]
    assert shown == [{"code": "LIFELINE", "name": "Lifeline households", "version": 1,
                      "valid_from": "2026-03-05T10:00:00", "power_types": ["RES"],
                      "free_kwh_per_period": "50.00", "discount_percent": {"ENERGY": "10"}}]
    body = tariff_sheets.preferential_export(world.ctx, world.admin)["toml"]
    assert body.startswith("[[preferential]]")
    unchanged = tariff_sheets.preferential_import(world.ctx, world.admin, body)
    assert unchanged["preferentials"] == [{"code": "LIFELINE", "version": 1, "new": False}]
    changed = tariff_sheets.preferential_import(world.ctx, world.admin, body.replace('ENERGY = "10"', 'ENERGY = "15"'))
    assert changed["preferentials"] == [{"code": "LIFELINE", "version": 2, "new": True}]
    assert tariff_sheets.preferential_show(world.ctx, world.admin)["preferentials"][0]["discount_percent"] == {
        "ENERGY": "15"}


def test_a_preferential_sheet_naming_an_unknown_power_type_is_refused_with_its_own_line(world):
    from terminal.domain.errors import TariffFileInvalid
    world.tariff()
    bad = '[[preferential]]\ncode = "X"\nname = "X"\npower_types = ["COM"]\n'
    before = dump_tables(Path(world.app.db.database))
    with pytest.raises(TariffFileInvalid):
        tariff_sheets.preferential_import(world.ctx, world.admin, bad)
    broken = '[[preferential]]\ncode = "X"\nname = = "X"\n'
    with pytest.raises(TariffFileInvalid) as exc:
        tariff_sheets.preferential_import(world.ctx, world.admin, broken)
    assert exc.value.details["line"] == 3
    assert dump_tables(Path(world.app.db.database)) == before


def test_export_before_any_tariff_and_without_permission(world):
    with pytest.raises(NoTariff):
        tariff_sheets.export(world.ctx, world.admin)
    world.tariff()
    auth.add_operator(world.ctx, world.admin, "cash1", "c", "cashier", "secret1")
    cashier = auth.login(world.ctx, "cash1", "secret1")
    for call in (tariff_sheets.export, tariff_sheets.listed, tariff_sheets.preferential_show,
                 tariff_sheets.preferential_export):
        with pytest.raises(PermissionDenied):
            call(world.ctx, cashier)
    with pytest.raises(PermissionDenied):
        tariff_sheets.preferential_import(world.ctx, cashier, "")
