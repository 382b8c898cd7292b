"""Migration 24: the bank payments the center's feed brings, waiting for a card meter's next
sale (docs/sync.md, "Payments").

- `bank_payment`: one row per payment the center took for a meter (its id, the gateway's
  reference, the meter, the amount in minor units, when it was paid and when it arrived).
- `bank_payment_use`: a payment's use. A row with `terminal` this terminal's id names the
  local sale that carries it (written in that sale's PENDING commit, so a power cut never
  leaves a sale without it); the payment is used unless that sale was voided. A row of
  another terminal (from the feed) says the payment was applied there: used.
Both append-only and sealed from their first row.
"""
from __future__ import annotations

from typing import Final

from terminal.ledger.seal_schema import table_seal

BANK_PAYMENT_COLUMNS: Final = "id payment_id reference meter amount paid_at received_at".split()
BANK_PAYMENT_USE_COLUMNS: Final = "id payment_id sale_uuid terminal at".split()
APPEND_ONLY_PAYMENTS: Final = ("bank_payment", "bank_payment_use")

M0024_BANK_PAYMENTS: Final = [
    """CREATE TABLE bank_payment (
        id INTEGER PRIMARY KEY,
        payment_id TEXT NOT NULL UNIQUE,
        reference TEXT NOT NULL,
        meter TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        paid_at TEXT NOT NULL,
        received_at TEXT NOT NULL)""",
    "CREATE INDEX bank_payment_meter ON bank_payment(meter, id)",
    """CREATE TABLE bank_payment_use (
        id INTEGER PRIMARY KEY,
        payment_id TEXT NOT NULL REFERENCES bank_payment(payment_id),
        sale_uuid TEXT NOT NULL,
        terminal TEXT NOT NULL,
        at TEXT NOT NULL,
        UNIQUE (payment_id, sale_uuid))""",
    *table_seal("bank_payment", ("id",), BANK_PAYMENT_COLUMNS),
    *table_seal("bank_payment_use", ("id",), BANK_PAYMENT_USE_COLUMNS),
]
