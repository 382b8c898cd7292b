"""The meter reading and registration monthly reports, over rows written through a
sealed connection (readings, and amendments in the office functions' `amendment` file)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms, sealed

METERS = ("0100000001", "0100000002", "0100000003")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Ppms:
    cli = Ppms(tmp_path_factory.mktemp("office") / "ppms.db")
    cli.with_sample_tariff(*METERS)         # registered and installed 2026-03-05
    con = sealed(cli.db)
    with con:
        ids = {n: i for n, i in con.execute("SELECT number, id FROM meter")}
        for i, (meter, at, total, flags) in enumerate((
                (METERS[0], "2026-02-20T09:00:00", 10000, 0),       # before the period
                (METERS[0], "2026-03-10T09:00:00", 12550, 0),
                (METERS[0], "2026-03-25T09:00:00", 13000, 0),
                (METERS[1], "2026-03-12T09:00:00", 5000, 0),
                (METERS[1], "2026-03-28T09:00:00", 4900, 0x10))):  # backwards, and a status flag
            con.execute("INSERT INTO reading (uuid, meter_id, read_at, recorded_at, source, total_kwh, "
                        "remaining_kwh, status_flags) VALUES (?, ?, ?, ?, 'card', ?, 800, ?)",
                        (f"r{i}", ids[meter], at, at, total, flags))
        # the office functions' amendment file (migration 15); the report counts its (kind, at)
        meter_of = {"basic_file": METERS[0], "reissue_card": METERS[1], "cancel_meter": METERS[2]}
        cancelled = '{"credit_value": 0, "arrears_settled": 0, "refund": 0, "carry_over": 0}'  # nothing left
        con.executemany("INSERT INTO amendment (uuid, kind, meter_id, customer_id, at, after) "
                        "SELECT ?, ?, m.id, m.customer_id, ?, ? FROM meter m WHERE m.number = ?", [
            (f"a{i}", kind, at, cancelled if kind == "cancel_meter" else None, meter_of[kind])
            for i, (kind, at) in enumerate((
                ("basic_file", "2026-03-06T10:00:00"), ("basic_file", "2026-03-07T10:00:00"),
                ("reissue_card", "2026-03-08T10:00:00"), ("cancel_meter", "2026-04-02T10:00:00"),
                ("basic_file", "2026-05-01T10:00:00")))])
    con.close()
    return cli


def test_reading_report(office: Ppms) -> None:
    data = office.ok("report", "reading", "--from", "2026-03-01", "--to", "2026-03-31")
    rows = {r["meter"]: r for r in data["rows"]}
    assert rows[METERS[0]]["readings"] == 2 and rows[METERS[0]]["consumption"] == "30.00"   # 130.00 - 100.00
    assert rows[METERS[0]]["anomalies"] == ""
    assert rows[METERS[1]]["consumption"] == "-1.00"
    assert "total below the reading before" in rows[METERS[1]]["anomalies"]
    assert "status flags 0x0010" in rows[METERS[1]]["anomalies"]
    assert data["not_read"] == [METERS[2]] and rows[METERS[2]]["anomalies"] == "not read"
    assert data["totals"] == {"meters_read": 2, "meters_not_read": 1, "readings": 4, "consumption": "29.00"}


def test_registration_report_counts_amendments_by_kind(office: Ppms) -> None:
    data = office.ok("report", "registration", "--from", "2026-03-01", "--to", "2026-05-31")
    months = {r["key"]: r for r in data["rows"]}
    assert list(months) == ["2026-03", "2026-04", "2026-05"]
    assert months["2026-03"]["registrations"] == 3 and months["2026-03"]["installations"] == 3
    assert months["2026-03"]["amendments"] == {"basic_file": 2, "cancel_meter": 0, "reissue_card": 1}
    assert months["2026-04"]["cancellations"] == 1 and months["2026-05"]["amendments"]["basic_file"] == 1
    assert data["totals"]["amendments"] == {"basic_file": 3, "cancel_meter": 1, "reissue_card": 1}
    assert data["totals"]["registrations"] == 3


def test_registration_report_of_a_month_without_amendments(tmp_path: Path) -> None:
    cli = Ppms(tmp_path / "ppms.db")
    cli.with_sample_tariff(METERS[0])
    data = cli.ok("report", "registration", "--from", "2026-03-01", "--to", "2026-03-31")
    assert data["rows"] == [{"key": "2026-03", "registrations": 1, "installations": 1, "cancellations": 0,
                             "cards_made": 0, "cards_reissued": 0, "amendments": {}}]


def test_check_passes(office: Ppms) -> None:
    assert office.ok("check")["ok"] is True
