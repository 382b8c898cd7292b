"""Meter reading service: one meter, a batch on one bus, recording rules, with a fake bus."""
from __future__ import annotations

import json

import pytest

from terminal.domain.errors import PpmsError
from terminal.services import auth, readings
from terminal.services.errors import (
    MeterAddressInvalid,
    MeterBusNotConfigured,
    PermissionDenied,
)
from tests.fakes.devices import FakeMeterReader


@pytest.fixture
def bus(world):
    world.tariff()
    world.register("202106150042")
    world.register("14000000007", address="Plot 2", area="North")
    world.register("1234567890123", address="Plot 3")  # no bus address: not a 1-12 digit number
    fake = FakeMeterReader()
    fake.add("202106150042", 123456, remaining_kwh=2507, purchases=7)
    fake.add("014000000007", 99, remaining_money=15050, purchases=3)
    world.ctx.meter_reader = fake
    return fake


def test_address_rules():
    assert readings.normalize_address("42") == "000000000042"
    assert readings.bus_address("14000000007") == "014000000007"
    assert readings.bus_address("ABC-1") is None and readings.bus_address("1234567890123") is None
    with pytest.raises(MeterAddressInvalid):
        readings.normalize_address("AAAAAAAAAAAA")


def test_read_registered_meter_is_recorded_with_outbox_and_diary(world, bus):
    out = readings.read_meter(world.ctx, world.admin, "202106150042")
    assert out["recorded"] and out["meter"] == "202106150042" and out["source"] == "dlt645"
    assert (out["total_kwh"], out["remaining_kwh"], out["remaining_money"], out["purchase_count"]) == \
        ("1234.56", "25.07", None, 7)
    row = world.models.Reading.get(world.models.Reading.uuid == out["reading_id"])
    assert (row.source, row.total_kwh, row.remaining_kwh, row.purchase_count, row.status_flags) == \
        ("dlt645", 123456, 2507, 7, 0x0100_0000)
    assert json.loads(row.detail)["port"] == bus.port
    outbox = world.models.Outbox
    assert outbox.select().where((outbox.kind == "reading") & (outbox.entity_uuid == row.uuid)).count() == 1
    assert world.models.Diary.select().where(world.models.Diary.action == "reading.recorded").count() == 1
    assert world.verify()["ok"]


def test_meter_number_without_leading_zeros_is_found_and_money_in_ledger_units(world, bus):
    out = readings.read_meter(world.ctx, world.admin, "014000000007")
    assert out["meter"] == "14000000007" and out["remaining_money"] == "150.50"
    assert world.models.Reading.get(world.models.Reading.uuid == out["reading_id"]).remaining_money == 15050


def test_unknown_address_is_read_and_shown_but_not_recorded(world, bus):
    bus.add("999999999999", 5000, remaining_kwh=0)
    out = readings.read_meter(world.ctx, world.admin, "999999999999")
    assert out["recorded"] is False and out["meter"] is None and out["total_kwh"] == "50.00"
    outbox = world.models.Outbox
    assert world.models.Reading.select().count() == 0
    assert outbox.select().where(outbox.kind == "reading").count() == 0


def test_silent_meter_raises_its_code_and_records_nothing(world, bus):
    world.register("202106150099", address="Plot 9")
    with pytest.raises(PpmsError) as err:
        readings.read_meter(world.ctx, world.admin, "202106150099")
    assert err.value.code == "METER_NO_ANSWER" and world.models.Reading.select().count() == 0


def test_reading_needs_the_permission_and_a_bus(world, bus):
    auth.add_operator(world.ctx, world.admin, "auditor1", "A", "auditor", "auditor-pass-1")
    auditor = auth.login(world.ctx, "auditor1", "auditor-pass-1")
    with pytest.raises(PermissionDenied):
        readings.read_meter(world.ctx, auditor, "202106150042")
    world.ctx.meter_reader = None
    with pytest.raises(MeterBusNotConfigured):
        readings.read_meter(world.ctx, world.admin, "202106150042")
    assert bus.asked == []


def test_batch_of_all_meters_with_an_address_goes_on_past_a_silent_one(world, bus):
    world.register("202106150043", address="Plot 4")   # registered, but silent on the bus
    out = readings.read_batch(world.ctx, world.admin)
    assert [r["address"] for r in out["results"]] == ["014000000007", "202106150042", "202106150043"]
    assert (out["meters"], out["read"], out["recorded"], out["failed"], out["stopped"]) == (3, 2, 2, 1, None)
    silent = out["results"][2]
    assert not silent["ok"] and silent["error"]["code"] == "METER_NO_ANSWER"
    assert world.models.Reading.select().count() == 2
    assert {json.loads(r.detail)["batch"] for r in world.models.Reading.select()} == {out["batch_id"]}
    summary = world.models.Diary.get(world.models.Diary.action == "reading.batch")
    assert json.loads(summary.after)["not_read"] == [{"address": "202106150043", "code": "METER_NO_ANSWER"}]
    assert world.verify()["ok"]


def test_batch_by_area_and_by_addresses(world, bus):
    out = readings.read_batch(world.ctx, world.admin, area="North")
    assert [r["meter"] for r in out["results"]] == ["14000000007"]
    out = readings.read_batch(world.ctx, world.admin, addresses=["202106150042", "777"])
    assert [(r["address"], r["ok"]) for r in out["results"]] == [("202106150042", True), ("000000000777", False)]


def test_batch_stopped_by_the_port_keeps_what_was_read(world, bus):
    bus.port_fails_after = 1
    out = readings.read_batch(world.ctx, world.admin)
    assert out["stopped"]["code"] == "METER_PORT_UNAVAILABLE"
    assert [(r["ok"], r.get("error", {}).get("code")) for r in out["results"]] == \
        [(True, None), (False, "METER_PORT_UNAVAILABLE")]
    assert world.models.Reading.select().count() == 1
