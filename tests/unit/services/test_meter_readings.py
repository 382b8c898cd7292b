"""Meter reading by hand and from a handheld device's CSV: recorded beside the bus and card
readings, each anomaly kind flagged and stored, a bad file refused whole with its line."""
from __future__ import annotations

import json

import pytest

from sync.schema import decode
from terminal.domain.errors import EnergyInvalid
from terminal.services import auth, meter_readings, parameters, selling
from terminal.services.errors import (
    CsvRowInvalid,
    InvalidArgument,
    MeterCancelled,
    MeterNotFound,
    PermissionDenied,
    ReadingExists,
)
from tests.helpers.ppms import dump_tables, sealed

METER = "0123456789"
OTHER = "0123456790"
HEADER = "meter,read_at,kwh,remaining_credit\n"


@pytest.fixture
def sold(world):
    """Two meters; METER bought 56.51 kWh at 2026-03-05T10:00."""
    world.tariff()
    world.register(METER)
    world.register(OTHER, address="Plot 2")
    selling.sell(world.ctx, world.admin, METER, "1000.00")
    world.at("2026-03-06T10:00:00")
    return world


def _checks(world) -> list[tuple[str, int, int]]:
    with world.ctx.ledger.read() as r:
        return [(k, e, o) for k, e, o in r.search._rows(
            "SELECT kind, expected_kwh, observed_kwh FROM check_result ORDER BY id")]


def _outbox(world, kind: str) -> list[object]:
    rows = world.models.Outbox.select().where(world.models.Outbox.kind == kind).order_by(world.models.Outbox.seq)
    return [decode(kind, row.payload) for row in rows]


def test_a_manual_reading_is_recorded_with_its_outbox_row_and_diary_entry(sold):
    out = meter_readings.add_reading(sold.ctx, sold.admin, METER, "10.00", "46.51", "2026-03-06T09:00:00")
    assert (out["source"], out["total_kwh"], out["remaining_kwh"], out["flags"]) == ("manual", "10.00", "46.51", [])
    row = sold.models.Reading.get(sold.models.Reading.uuid == out["reading_id"])
    assert (row.source, row.total_kwh, row.remaining_kwh, row.read_at) == ("manual", 1000, 4651, "2026-03-06T09:00:00")
    [rec] = _outbox(sold, "meter_reading")
    assert (rec.reading_id, rec.meter, rec.total_kwh, rec.remaining_kwh, rec.flags) == (
        out["reading_id"], METER, 1000, 4651, None)
    assert sold.models.Diary.select().where(sold.models.Diary.action == "reading.recorded").count() == 1
    assert _checks(sold) == []
    assert sold.verify()["ok"]


def test_a_reading_lower_than_the_last_is_flagged_and_stored(sold):
    meter_readings.add_reading(sold.ctx, sold.admin, METER, "20.00", at="2026-03-06T08:00:00")
    out = meter_readings.add_reading(sold.ctx, sold.admin, METER, "19.99", at="2026-03-06T09:00:00")
    assert out["flags"] == ["reading_lower"] and out["consumption"] == {"since": "2026-03-06T08:00:00",
                                                                         "kwh": "-0.01"}
    assert _checks(sold) == [("reading_lower", 2000, 1999)]
    [flag] = _outbox(sold, "check_result")
    assert (flag.kind, flag.meter, flag.reading_id, flag.expected_kwh, flag.observed_kwh) == (
        "reading_lower", METER, out["reading_id"], 2000, 1999)
    assert sold.verify()["ok"]


def test_consumption_far_above_the_meters_own_average_is_flagged(sold):
    # 10 kWh a day for 20 days; the factor (3 by default) allows 30 kWh a day after that
    for when, kwh in (("2026-03-06T10:00:00", "0.00"), ("2026-03-16T10:00:00", "100.00"),
                      ("2026-03-26T10:00:00", "200.00")):
        sold.at(when)
        assert meter_readings.add_reading(sold.ctx, sold.admin, OTHER, kwh)["flags"] == []
    sold.at("2026-03-27T10:00:00")
    assert meter_readings.add_reading(sold.ctx, sold.admin, OTHER, "230.00")["flags"] == []   # exactly 3x
    sold.at("2026-03-28T10:00:00")
    assert meter_readings.add_reading(sold.ctx, sold.admin, OTHER, "262.85")["flags"] == []  # 32.85 <= 3 x 230/21
    sold.at("2026-03-29T10:00:00")
    out = meter_readings.add_reading(sold.ctx, sold.admin, OTHER, "300.00")
    assert out["flags"] == ["consumption_high"]
    # the average to the last reading: 262.85 kWh over 22 days; 3x that for one day is 35.84 kWh
    assert _checks(sold) == [("consumption_high", 3 * 26285 // 22, 3715)]
    assert sold.verify()["ok"]


def test_consumption_high_is_judged_by_the_parameter(sold):
    parameters.set_param(sold.ctx, sold.admin, "reading.high_consumption_factor", "10")
    for when, kwh in (("2026-03-06T10:00:00", "0.00"), ("2026-03-16T10:00:00", "100.00"),
                      ("2026-03-17T10:00:00", "150.00")):
        sold.at(when)
        assert meter_readings.add_reading(sold.ctx, sold.admin, OTHER, kwh)["flags"] == []


@pytest.mark.parametrize(("remaining", "flagged"), [("46.51", False), ("45.51", False), ("45.50", True),
                                                    ("47.51", False), ("47.52", True)])
def test_remaining_credit_must_fit_energy_bought_less_consumed(sold, remaining, flagged):
    """56.51 kWh bought, 10.00 consumed: 46.51 remaining, within 1.00 kWh (the tolerance)."""
    out = meter_readings.add_reading(sold.ctx, sold.admin, METER, "10.00", remaining)
    assert out["flags"] == (["credit_mismatch"] if flagged else [])
    expected = [("credit_mismatch", 4651, int(remaining.replace(".", "")))] if flagged else []
    assert _checks(sold) == expected


def test_a_sale_after_the_reading_is_not_counted_as_bought(sold):
    out = meter_readings.add_reading(sold.ctx, sold.admin, METER, "0.00", "0.00", "2026-03-05T09:59:59")
    assert out["flags"] == []


def test_bad_manual_readings_are_refused_and_nothing_is_stored(sold):
    meter_readings.add_reading(sold.ctx, sold.admin, METER, "10.00", at="2026-03-06T09:00:00")
    before = dump_tables(sold.ctx.ledger.path)
    for call, error in (((("nope", "10.00")), MeterNotFound), (((METER, "-1")), EnergyInvalid),
                        (((METER, "1.234")), EnergyInvalid), (((METER, "10", "x")), EnergyInvalid)):
        with pytest.raises(error):
            meter_readings.add_reading(sold.ctx, sold.admin, *call)
    with pytest.raises(InvalidArgument):
        meter_readings.add_reading(sold.ctx, sold.admin, METER, "11.00", at="2026-03-07T09:00:00")  # future
    with pytest.raises(InvalidArgument):
        meter_readings.add_reading(sold.ctx, sold.admin, METER, "11.00", at="yesterday")
    with pytest.raises(ReadingExists):
        meter_readings.add_reading(sold.ctx, sold.admin, METER, "11.00", at="2026-03-06T09:00:00")
    assert dump_tables(sold.ctx.ledger.path) == before


def test_a_handheld_file_is_stored_in_time_order_with_its_lines(sold):
    text = (HEADER + f"{OTHER},2026-03-06T08:00:00,5.00,\n\n{METER},2026-03-06T09:00:00,10.00,46.51\n"
            f"{OTHER},2026-03-06T07:00:00,6.00,\n")
    out = meter_readings.import_readings(sold.ctx, sold.admin, text, "route-7.csv")
    assert (out["readings"], out["flagged"], out["file"]) == (3, 1, "route-7.csv")
    assert [(i["line"], i["meter"], i["flags"]) for i in out["items"]] == [
        (2, OTHER, ["reading_lower"]), (4, METER, []), (5, OTHER, [])]   # 07:00 comes before 08:00
    recs = _outbox(sold, "meter_reading")
    assert {(r.line, r.source, r.import_id) for r in recs} == {(n, "handheld", out["import_id"]) for n in (2, 4, 5)}
    assert sold.models.Reading.select().where(sold.models.Reading.source == "handheld").count() == 3
    assert sold.verify()["ok"]


@pytest.mark.parametrize(("rows", "line", "reason"), [
    (f"{METER},2026-03-06T08:00:00,5.00,\nnope,2026-03-06T08:00:00,5.00,\n", 3, "METER_NOT_FOUND"),
    (f"{METER},2026-03-06T08:00:00,5.00,\n\n{OTHER},2026-03-06T08:00:00,5.5.0,\n", 4, "ENERGY_INVALID"),
    (f"{METER},2026-03-06T08:00:00,5.00,\n{OTHER},03/06/2026,5.00,\n", 3, "INVALID_ARGUMENT"),
    (f"{METER},2026-03-06T08:00:00,5.00,\n{OTHER},2026-03-06T08:00:00,5.00,-1\n", 3, "ENERGY_INVALID"),
    (f"{METER},2026-03-06T08:00:00,5.00,\n{METER},2026-03-06T08:00:00,6.00,\n", 3, "READING_EXISTS"),
    (f"{METER},2026-03-06T08:00:00,5.00,\n{METER},2026-03-06T09:00:00\n", 3, "COLUMNS"),
    (f"{METER},2026-03-06T08:00:00,5.00,\n{OTHER},2026-03-08T08:00:00,5.00,\n", 3, "INVALID_ARGUMENT"),
])
def test_one_bad_row_among_good_ones_refuses_the_file_with_its_line(sold, rows, line, reason):
    before = dump_tables(sold.ctx.ledger.path)
    with pytest.raises(CsvRowInvalid) as refused:
        meter_readings.import_readings(sold.ctx, sold.admin, HEADER + rows + f"{OTHER},2026-03-06T09:00:00,7.00,\n")
    assert refused.value.details == {"line": line, "reason": reason}
    assert dump_tables(sold.ctx.ledger.path) == before


def test_a_row_already_recorded_refuses_the_file(sold):
    meter_readings.add_reading(sold.ctx, sold.admin, METER, "5.00", at="2026-03-06T08:00:00")
    meter_readings.import_readings(sold.ctx, sold.admin, HEADER + f"{METER},2026-03-06T08:00:00,5.00,\n")
    with pytest.raises(CsvRowInvalid) as refused:   # the same file again
        meter_readings.import_readings(sold.ctx, sold.admin, HEADER + f"{METER},2026-03-06T08:00:00,5.00,\n")
    assert refused.value.details == {"line": 2, "reason": "READING_EXISTS"}


@pytest.mark.parametrize("text", ["", "meter,kwh\n", "meter,read_at,kwh,credit\n0123456789,2026-03-06,1,\n"])
def test_a_file_without_the_header_is_refused_at_line_1(sold, text):
    with pytest.raises(CsvRowInvalid) as refused:
        meter_readings.import_readings(sold.ctx, sold.admin, text)
    assert refused.value.details == {"line": 1, "reason": "HEADER"}


def test_a_file_of_nothing_but_the_header_is_refused(sold):
    with pytest.raises(InvalidArgument):
        meter_readings.import_readings(sold.ctx, sold.admin, "\ufeff" + HEADER + "\n,,,\n")


def test_consumption_per_period(sold):
    for when, kwh in (("2026-03-06T10:00:00", "1.00"), ("2026-03-16T10:00:00", "101.00"),
                      ("2026-03-31T22:00:00", "151.50")):
        sold.at(when)
        meter_readings.add_reading(sold.ctx, sold.admin, OTHER, kwh)
    out = meter_readings.consumption(sold.ctx, sold.admin, OTHER)
    assert out["periods"] == [
        {"from": "2026-03-06T10:00:00", "to": "2026-03-16T10:00:00", "kwh": "100.00", "days": 10.0},
        {"from": "2026-03-16T10:00:00", "to": "2026-03-31T22:00:00", "kwh": "50.50", "days": 15.5}]
    assert out["total_kwh"] == "150.50"
    later = meter_readings.consumption(sold.ctx, sold.admin, OTHER, "2026-03-16", "2026-03-31")
    assert later["readings"] == 2 and later["total_kwh"] == "50.50"


def test_meter_reading_needs_its_permission(sold):
    auth.add_operator(sold.ctx, sold.admin, "audit", "Auditor", "auditor", "password1")
    auditor = auth.login(sold.ctx, "audit", "password1")
    before = dump_tables(sold.ctx.ledger.path)
    for call in (lambda: meter_readings.add_reading(sold.ctx, auditor, METER, "1.00"),
                 lambda: meter_readings.import_readings(sold.ctx, auditor, HEADER + f"{METER},2026-03-06,1,\n"),
                 lambda: meter_readings.consumption(sold.ctx, auditor, METER)):
        with pytest.raises(PermissionDenied):
            call()
    assert dump_tables(sold.ctx.ledger.path) == before
    assert json.loads(json.dumps(before["reading"])) == []


def test_check_names_a_reading_or_checking_result_without_its_outbox_row(sold):
    out = meter_readings.add_reading(sold.ctx, sold.admin, METER, "20.00", at="2026-03-06T08:00:00")
    con = sealed(sold.ctx.ledger.path)   # written with the key, as a buggy service would: no outbox rows
    try:
        with con:
            con.execute("INSERT INTO reading (uuid, meter_id, read_at, recorded_at, source, total_kwh) SELECT "
                        "'00000000-0000-7000-8000-000000000001', id, '2026-03-06T09:00:00', '2026-03-06T10:00:00', "
                        "'handheld', 2100 FROM meter WHERE number = ?", (METER,))
            con.execute("INSERT INTO check_result (uuid, kind, meter_id, reading_id, found_at, expected_kwh, "
                        "observed_kwh) SELECT '00000000-0000-7000-8000-000000000002', 'reading_lower', m.id, r.id, "
                        "'2026-03-06T10:00:00', 1, 0 FROM meter m, reading r WHERE m.number = ? AND r.uuid = ?",
                        (OTHER, out["reading_id"]))
    finally:
        con.close()
    codes = sorted(p["code"] for p in sold.verify()["problems"])
    assert codes == ["CHECK_OUTBOX_MISSING", "CHECK_READING_MISMATCH", "READING_OUTBOX_MISSING"]


def test_a_cancelled_meter_takes_no_reading(sold):
    con = sealed(sold.ctx.ledger.path)   # as cancel-meter leaves it
    try:
        with con:
            con.execute("UPDATE meter SET status = 'cancelled' WHERE number = ?", (OTHER,))
    finally:
        con.close()
    with pytest.raises(MeterCancelled):
        meter_readings.add_reading(sold.ctx, sold.admin, OTHER, "1.00")
    with pytest.raises(CsvRowInvalid) as refused:
        meter_readings.import_readings(sold.ctx, sold.admin, HEADER + f"{OTHER},2026-03-06T08:00:00,1.00,\n")
    assert refused.value.details == {"line": 2, "reason": "METER_CANCELLED"}
    assert sold.verify()["ok"]
