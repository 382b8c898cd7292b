"""The wire record of a bank payment put on a card at this terminal (docs/sync.md, "Payments")."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sync.fields import CODE, CURRENCY, METER, TIME, UUID, Field, Int
from sync.records import RECEIPT_NO


@dataclass(frozen=True)
class PaymentAppliedRecord:
    """kind ``payment_applied``: the center's payment ``payment_id`` sold onto the meter by
    the sale ``sale_id`` (payment ``bank``); the center marks it applied everywhere."""
    payment_id: str
    reference: str
    sale_id: str
    receipt_no: str
    meter: str
    currency: str
    amount: int
    at: str
    KIND: ClassVar = "payment_applied"
    WIRE: ClassVar = (Field("payment_id", "id", UUID), Field("reference", "ref", CODE), Field("sale_id", "sid", UUID),
                      Field("receipt_no", "rn", RECEIPT_NO), Field("meter", "m", METER),
                      Field("currency", "cur", CURRENCY), Field("amount", "a", Int(1)), Field("at", "at", TIME))
