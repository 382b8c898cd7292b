"""Migration 15: the files the office functions keep.

- the customer's file gains its building, ID number and the day its account closed;
- the meter's file gains its type (single_phase, three_phase, multi_tariff,
  multi_function), maker, model, capacity in A and, once replaced, the meter that
  replaced it; a meter's `status` is then one of registered, installed, replaced,
  cancelled;
- `installation`: one row per installation (date, installer, seal numbers, initial
  reading in 0.01 kWh), append-only;
- `amendment`: the amendment file, one append-only row per amendment (kind: basic_file,
  power_type, capacity, reissue_card, replace_meter, cancel_meter), with its fee in minor
  units, the posting that carries its money (fee, transfer, refund), the new meter of a
  replacement and the file before and after as canonical JSON.

Customer and meter gain columns, so their seal triggers are made again and their rows
sealed again (seal_schema's rule); the two new tables are sealed from their first row.
"""
from __future__ import annotations

from typing import Final

from terminal.ledger.seal_schema import seal_rows, table_seal

CUSTOMER_COLUMNS: Final = ("id uuid account_no name address phone category area registered_at "
                           "building id_number closed_at").split()
METER_COLUMNS: Final = ("id uuid number customer_id carrier status registered_on installed_at sts "
                        "meter_type maker model capacity_a replaced_by").split()
INSTALLATION_COLUMNS: Final = ("id uuid meter_id installed_on installer seals initial_kwh recorded_at "
                               "operator_id").split()
AMENDMENT_COLUMNS: Final = ("id uuid kind meter_id customer_id at operator_id reason fee posting_id "
                            "new_meter_id before after").split()
APPEND_ONLY_OFFICE: Final = ("installation", "amendment")


def _reseal(table: str, columns: list[str]) -> list[str]:
    return [*(f"DROP TRIGGER seal_{table}_{op}" for op in ("insert", "update", "delete")),
            *table_seal(table, ("id",), columns), seal_rows(table, ("id",), columns)]


M0015_OFFICE_FILES: Final = [
    "ALTER TABLE customer ADD COLUMN building TEXT",
    "ALTER TABLE customer ADD COLUMN id_number TEXT",
    "ALTER TABLE customer ADD COLUMN closed_at TEXT",
    "ALTER TABLE meter ADD COLUMN meter_type TEXT",
    "ALTER TABLE meter ADD COLUMN maker TEXT",
    "ALTER TABLE meter ADD COLUMN model TEXT",
    "ALTER TABLE meter ADD COLUMN capacity_a INTEGER CHECK (capacity_a IS NULL OR capacity_a > 0)",
    "ALTER TABLE meter ADD COLUMN replaced_by INTEGER REFERENCES meter(id)",
    *_reseal("customer", CUSTOMER_COLUMNS),
    *_reseal("meter", METER_COLUMNS),
    """CREATE TABLE installation (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        installed_on TEXT NOT NULL,
        installer TEXT,
        seals TEXT,
        initial_kwh INTEGER CHECK (initial_kwh IS NULL OR initial_kwh >= 0),
        recorded_at TEXT NOT NULL,
        operator_id INTEGER REFERENCES operator(id))""",
    "CREATE INDEX installation_meter ON installation(meter_id)",
    """CREATE TABLE amendment (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('basic_file', 'power_type', 'capacity', 'reissue_card',
                                           'replace_meter', 'cancel_meter')),
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        customer_id INTEGER NOT NULL REFERENCES customer(id),
        at TEXT NOT NULL,
        operator_id INTEGER REFERENCES operator(id),
        reason TEXT,
        fee INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
        posting_id INTEGER REFERENCES posting(id),
        new_meter_id INTEGER REFERENCES meter(id),
        before TEXT,
        after TEXT)""",
    "CREATE INDEX amendment_meter ON amendment(meter_id, at)",
    "CREATE INDEX amendment_at ON amendment(at)",
    *table_seal("installation", ("id",), INSTALLATION_COLUMNS),
    *table_seal("amendment", ("id",), AMENDMENT_COLUMNS),
]
