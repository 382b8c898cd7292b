"""The daily report's shift cash: each cashier shift's declared cash against the expected, in
the JSON (old and new daily), the screen text, CSV, the receipt printer's lines and the PDF."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms

DAY = "2026-03-05"
METERS = ("0100000001", "0100000002")


@pytest.fixture(scope="module")
def shifts(tmp_path_factory: pytest.TempPathFactory) -> Ppms:
    home = tmp_path_factory.mktemp("shifts")
    cli = Ppms(home / "ppms.db", extra_env={"PPMS_PRINTER_TYPE": "file",
                                             "PPMS_PRINTER_PATH": str(home / "receipts.bin")})
    cli.with_sample_tariff(*METERS)
    cli.add_operator("cash1", "cashier", "cash-pass-1")
    one = {"operator": "cash1", "password": "cash-pass-1"}
    cli.ok("shift", "open", "--float", "200.00", now=f"{DAY}T10:30:00", **one)
    cli.ok("sell", "--meter", METERS[0], "--amount", "1000.00", "--payment", "cash", now=f"{DAY}T11:00:00", **one)
    cli.ok("sell", "--meter", METERS[1], "--amount", "500.00", "--payment", "mobile", now=f"{DAY}T11:30:00", **one)
    cli.ok("shift", "close", "--counted", "1190.00", now=f"{DAY}T17:00:00", **one)     # 10.00 short
    cli.ok("shift", "open", "--float", "50.00", now=f"{DAY}T18:00:00")                 # admin's, still open
    cli.now = f"{DAY}T20:00:00"
    return cli


def test_the_daily_json_lists_each_shift_declared_against_expected(shifts: Ppms) -> None:
    for data in (shifts.ok("report", "daily", "--date", DAY),
                 shifts.ok("report", "daily", "--from", DAY, "--to", DAY)):
        first, second = data["shifts"]
        assert (first["operator"], first["float"], first["cash_in"], first["expected"], first["counted"],
                first["difference"]) == ("cash1", "200.00", "1000.00", "1200.00", "1190.00", "-10.00")
        assert (second["operator"], second["float"], second["closed_at"], second["counted"]) == (
            "admin", "50.00", None, None)
    other_day = shifts.ok("report", "daily", "--date", "2026-03-04")
    assert other_day["shifts"] == []


def test_text_and_csv_carry_the_shift_cash(shifts: Ppms) -> None:
    old = shifts.run("report", "daily", "--date", DAY, as_json=False).stdout
    assert "Shift cash" in old and "1200.00" in old and "1190.00" in old and "-10.00" in old
    assert "open since 18:00" in old
    text = shifts.run("report", "daily", "--from", DAY, "--to", DAY, as_json=False).stdout
    assert "Shift cash: declared against expected" in text and "Declared" in text and "-10.00" in text
    csv = shifts.run("report", "daily", "--from", DAY, "--to", DAY, "--format", "csv", as_json=False).stdout
    assert "\nshifts\nkey,operator,opened_at,closed_at,float,cash_in,expected,counted,difference\n" in csv
    assert "cash1,2026-03-05 10:30,2026-03-05 17:00,200.00,1000.00,1200.00,1190.00,-10.00" in csv
    old_csv = shifts.run("report", "daily", "--date", DAY, "--format", "csv", as_json=False).stdout
    assert "shift.1.difference,-10.00" in old_csv


def test_the_receipt_printer_prints_the_shift_cash(shifts: Ppms) -> None:
    printed = Path(shifts.extra_env["PPMS_PRINTER_PATH"])
    before = printed.read_bytes() if printed.exists() else b""
    shifts.ok("report", "daily", "--from", DAY, "--to", DAY, "--print")
    new = printed.read_bytes()[len(before):]
    assert b"Shift cash" in new and b"Declared 1190.00" in new and b"-10.00" in new


def test_the_pdf_shows_the_shift_cash(shifts: Ppms, tmp_path: Path) -> None:
    out = tmp_path / "daily.pdf"
    shifts.ok("report", "daily", "--from", DAY, "--to", DAY, "--format", "pdf", "--out", str(out))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Shift cash: declared against expected" in text
    line = next(ln for ln in text.splitlines() if "cash1" in ln)
    assert line.split()[-5:] == ["200.00", "1000.00", "1200.00", "1190.00", "-10.00"]
