from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.printers.errors import ReceiptDataError
from hardware.printers.verify import (
    VerifiedReceipt,
    check_verify_payload,
    make_verify_payload,
)

KEY = b"terminal T01 receipt key"
WHEN = datetime(2026, 3, 5, 10, 0)


def test_round_trip_and_tamper() -> None:
    qr = make_verify_payload(KEY, receipt_no="T01-000123", meter="0123456789", issued_at=WHEN,
                             tendered="1000.00", kwh="56.51")
    assert qr.startswith("PPMS1|T01-000123|0123456789|2026-03-05T10:00:00|1000.00|56.51|-|")
    assert check_verify_payload(KEY, qr) == VerifiedReceipt(
        "T01-000123", "0123456789", WHEN, "1000.00", "56.51", "")
    assert check_verify_payload(b"another key", qr) is None
    assert check_verify_payload(KEY, qr.replace("1000.00", "9000.00")) is None
    assert check_verify_payload(KEY, "garbage") is None


@given(st.text(st.characters(exclude_characters="|", codec="utf-8"), min_size=1, max_size=20),
       st.text("0123456789", min_size=20, max_size=20))
def test_any_fields_round_trip(receipt_no: str, token: str) -> None:
    qr = make_verify_payload(KEY, receipt_no=receipt_no, meter="m", issued_at=WHEN,
                             tendered="1.00", kwh="0.10", token=token)
    got = check_verify_payload(KEY, qr)
    assert got is not None and got.receipt_no == receipt_no and got.token == token


def test_separator_in_a_field_is_refused() -> None:
    with pytest.raises(ReceiptDataError):
        make_verify_payload(KEY, receipt_no="A|B", meter="m", issued_at=WHEN,
                            tendered="1.00", kwh="1.00")


def test_sample_receipt_qr_verifies() -> None:
    from hardware.printers.sample import DEMO_KEY, sample_sale

    got = check_verify_payload(DEMO_KEY, sample_sale().verify_payload)
    assert got is not None and got.receipt_no == "T01-000123"
    assert got.token == sample_sale().token
