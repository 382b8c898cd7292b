"""Migration 17: account transfers waiting for a second operator's approval.

- `account_transfer`: one append-only row per request: carry-over or arrears, from one
  meter's customer to another's, the amount in minor units, the reason, who asked and when;
- `account_transfer_decision`: at most one append-only row per request (its primary key is
  the request's): approved (with the balanced posting that moved the money) or rejected,
  who decided and when. A request without a decision is awaiting approval.

Both tables are sealed from their first row and refuse UPDATE and DELETE. The admin and
supervisor roles of an older ledger get the new permission `approve_transfer`.
"""
from __future__ import annotations

from typing import Final

from terminal.ledger.seal_schema import table_seal

TRANSFER_COLUMNS: Final = ("id uuid what from_meter_id to_meter_id from_customer_id to_customer_id amount "
                           "reason requested_at requested_by").split()
DECISION_COLUMNS: Final = "transfer_id decision decided_at decided_by note posting_id".split()
APPEND_ONLY_TRANSFERS: Final = ("account_transfer", "account_transfer_decision")

M0017_ACCOUNT_TRANSFERS: Final = [
    """CREATE TABLE account_transfer (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        what TEXT NOT NULL CHECK (what IN ('carry_over', 'arrears')),
        from_meter_id INTEGER NOT NULL REFERENCES meter(id),
        to_meter_id INTEGER NOT NULL REFERENCES meter(id),
        from_customer_id INTEGER NOT NULL REFERENCES customer(id),
        to_customer_id INTEGER NOT NULL REFERENCES customer(id),
        amount INTEGER NOT NULL CHECK (amount > 0),
        reason TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        requested_by INTEGER NOT NULL REFERENCES operator(id),
        CHECK (from_customer_id <> to_customer_id))""",
    """CREATE TABLE account_transfer_decision (
        transfer_id INTEGER PRIMARY KEY REFERENCES account_transfer(id),
        decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
        decided_at TEXT NOT NULL,
        decided_by INTEGER NOT NULL REFERENCES operator(id),
        note TEXT,
        posting_id INTEGER UNIQUE REFERENCES posting(id),
        CHECK ((decision = 'approved') = (posting_id IS NOT NULL)))""",
    *table_seal("account_transfer", ("id",), TRANSFER_COLUMNS),
    *table_seal("account_transfer_decision", ("transfer_id",), DECISION_COLUMNS),
    # a ledger made before: its admin and supervisor roles may approve, as a new ledger's do
    ("INSERT OR IGNORE INTO role_permission (role, permission) VALUES ('admin', 'approve_transfer'), "
     "('supervisor', 'approve_transfer')"),
]
