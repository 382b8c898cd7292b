"""Migration 23: the checking results and the indexes the searches read.

- `check_result`: one append-only row per finding an inspector may visit: a reading lower
  than the meter's last (`reading_lower`), consumption far above the meter's own average
  (`consumption_high`), a reading's remaining credit that does not fit the energy bought
  less the energy consumed (`credit_mismatch`), and the account check's meter whose
  energy bought differs from consumed + remaining beyond the tolerance
  (`account_mismatch`). Energy in 0.01 kWh: what was expected, what was observed, and the
  tolerance in force; the reading it was found on, when there is one. Sealed from its first
  row.
- indexes for the searches (`terminal/ledger/search.py`): sales by time and by operator,
  meters by registration day, customers by area and by name, readings by time, diary entries by time, operator and
  entity.
"""
from __future__ import annotations

from typing import Final

from terminal.ledger.seal_schema import table_seal

CHECK_KINDS: Final = ("reading_lower", "consumption_high", "credit_mismatch", "account_mismatch")
CHECK_RESULT_COLUMNS: Final = ("id uuid kind meter_id reading_id found_at operator_id expected_kwh observed_kwh "
                               "tolerance_kwh detail").split()
APPEND_ONLY_ACCOUNTS: Final = ("check_result",)

M0023_CHECKS_AND_SEARCH: Final = [
    f"""CREATE TABLE check_result (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ({", ".join(f"'{k}'" for k in CHECK_KINDS)})),
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        reading_id INTEGER REFERENCES reading(id),
        found_at TEXT NOT NULL,
        operator_id INTEGER REFERENCES operator(id),
        expected_kwh INTEGER NOT NULL,
        observed_kwh INTEGER NOT NULL,
        tolerance_kwh INTEGER,
        detail TEXT)""",
    "CREATE INDEX check_result_meter ON check_result(meter_id, found_at)",
    "CREATE INDEX check_result_found ON check_result(found_at)",
    "CREATE INDEX check_result_reading ON check_result(reading_id, kind) WHERE reading_id IS NOT NULL",
    *table_seal("check_result", ("id",), CHECK_RESULT_COLUMNS),
    "CREATE INDEX sale_sold_at ON sale(sold_at)",
    "CREATE INDEX sale_operator ON sale(operator_id, sold_at)",
    "CREATE INDEX meter_registered ON meter(registered_on)",
    "CREATE INDEX customer_area ON customer(area, name)",
    "CREATE INDEX customer_name ON customer(name)",
    "CREATE INDEX reading_read_at ON reading(read_at)",
    "CREATE INDEX diary_at ON diary(at)",
    "CREATE INDEX diary_operator ON diary(operator, at)",
    "CREATE INDEX diary_entity ON diary(entity, at)",
]
