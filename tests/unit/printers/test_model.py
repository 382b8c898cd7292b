from __future__ import annotations

from datetime import datetime

import pytest

from hardware.printers import ReceiptData, ReceiptDataError, ReceiptKind, ReceiptLine
from hardware.printers.model import token_digits

T0 = datetime(2026, 3, 5, 10, 0)


def test_token_is_normalised_and_grouped() -> None:
    data = ReceiptData(kind=ReceiptKind.SALE, receipt_no="R1", issued_at=T0,
                       token="1234-5678-9012-3456-7890")
    assert data.token == "12345678901234567890"
    assert data.token_grouped == "1234 5678 9012 3456 7890"


@pytest.mark.parametrize("bad", ["1234", "1234567890123456789X", "123456789012345678901",
                                 "１２３４５６７８９０１２３４５６７８９０"])
def test_bad_token_is_refused(bad: str) -> None:
    with pytest.raises(ReceiptDataError) as exc:
        token_digits(bad)
    assert exc.value.code == "RECEIPT_DATA_INVALID"


def test_kind_from_text_and_lines_from_tuples() -> None:
    data = ReceiptData(kind="reversal", receipt_no="R1", issued_at=T0,  # type: ignore[arg-type]
                       lines=(("Refund", "", "-10.00"),))  # type: ignore[arg-type]
    assert data.kind is ReceiptKind.REVERSAL
    assert data.lines == (ReceiptLine("Refund", "", "-10.00"),)


def test_unknown_kind_and_missing_number_are_refused() -> None:
    with pytest.raises(ReceiptDataError):
        ReceiptData(kind="refund", receipt_no="R1", issued_at=T0)  # type: ignore[arg-type]
    with pytest.raises(ReceiptDataError):
        ReceiptData(kind=ReceiptKind.SALE, receipt_no="  ", issued_at=T0)
