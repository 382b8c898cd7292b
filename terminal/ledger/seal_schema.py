"""The seal's SQL: the `seal` table, each table's seal triggers, and migration 14.

A row is keyed by its primary key (its values as text, joined by "/"), never by its
rowid (VACUUM may renumber those). Its digest covers every column in table order; the
triggers read the row as stored (`WHERE rowid = NEW.rowid`) so the digest is the one
`seal_check` computes from the table. A later migration that adds a column to a table
must re-create that table's seal triggers with `table_seal(...)` and seal its rows
again with `seal_rows(...)`; `ppms check` finds a table or column left out. The triggers'
SQL does not depend on the seal's form: the functions they call write 16-byte BLOBs once
migration 27 has run (`seal_form.py`; a BLOB keeps its type in the TEXT columns below).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from terminal.ledger.seal import CHAIN, DIGEST, MAC, TOMBSTONE

SEAL_TABLE: Final = """CREATE TABLE seal (
        seq INTEGER PRIMARY KEY,
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        digest TEXT NOT NULL,
        mac TEXT NOT NULL)"""

_LAST_MAC: Final = "(SELECT mac FROM seal ORDER BY seq DESC LIMIT 1)"
# LIMIT -1 OFFSET 0 keeps SQLite from flattening the sub-select (which would compute the digest twice)
_ONCE: Final = "LIMIT -1 OFFSET 0"


def key_sql(keys: Sequence[str], prefix: str = "") -> str:
    return " || '/' || ".join(f"CAST({prefix}{k} AS TEXT)" for k in keys)


def digest_sql(columns: Sequence[str]) -> str:
    return f"{DIGEST}({', '.join(columns)})"


def _append(table: str, select: str, row_digest: str = "d") -> str:
    return (f"INSERT INTO seal (tbl, row_key, digest, mac) SELECT '{table}', k, {row_digest}, "
            f"{MAC}({_LAST_MAC}, '{table}', k, {row_digest}) FROM ({select} {_ONCE})")


def table_seal(table: str, keys: Sequence[str], columns: Sequence[str]) -> list[str]:
    """The three triggers that seal `table`'s rows: as inserted, as updated, as deleted."""
    row = f"SELECT {key_sql(keys)} AS k, {digest_sql(columns)} AS d FROM {table} WHERE rowid = NEW.rowid"
    tomb = f"'{TOMBSTONE}'"
    gone = _append(table, f"SELECT {key_sql(keys, 'OLD.')} AS k", tomb)
    moved = f"{gone} WHERE k IS NOT {key_sql(keys, 'NEW.')}"
    return [
        f"CREATE TRIGGER seal_{table}_insert AFTER INSERT ON {table} BEGIN {_append(table, row)}; END",
        f"CREATE TRIGGER seal_{table}_update AFTER UPDATE ON {table} BEGIN {moved}; {_append(table, row)}; END",
        f"CREATE TRIGGER seal_{table}_delete AFTER DELETE ON {table} BEGIN {gone}; END",
    ]


def seal_rows(table: str, keys: Sequence[str], columns: Sequence[str]) -> str:
    """Seal every row `table` holds now, in rowid order, in one statement (a migration's step)."""
    return (f"INSERT INTO seal (tbl, row_key, digest, mac) SELECT '{table}', k, d, "
            f"{CHAIN}({_LAST_MAC}, '{table}', k, d) OVER (ORDER BY r ROWS BETWEEN UNBOUNDED PRECEDING "
            f"AND CURRENT ROW) FROM (SELECT rowid AS r, {key_sql(keys)} AS k, {digest_sql(columns)} AS d "
            f"FROM {table} {_ONCE}) ORDER BY r")


# every table of schema version 13: (primary key, columns in table order); a table a
# migration before 14 adds is one entry here (cash's note_intake tables, when merged)
SEALED_TABLES: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "meta": (("key",), "key value"),
    "counter": (("name",), "name value"),
    "operator": (("id",), "id username full_name role password_hash failed_attempts locked active created_at"),
    "role_permission": (("role", "permission"), "role permission"),
    "power_type": (("code",), "code name"),
    "tariff_version": (("id",), "id power_type version effective_from currency data imported_at imported_by"),
    "preferential_version": (("id",), "id code version valid_from data"),
    "customer": (("id",), "id uuid account_no name address phone category area registered_at"),
    "meter": (("id",), "id uuid number customer_id carrier status registered_on installed_at sts"),
    "meter_share": (("meter_id", "ordinal"), "meter_id ordinal power_type percent"),
    "sale": (("id",), "id uuid receipt_no meter_id customer_id operator_id sold_at payment currency tendered "
                      "carry_over_used kwh free_kwh credit_kwh change fixed months_charged charged_through debt "
                      "vat tariff_versions free_period_start carrier carrier_ref"),
    "sale_line": (("sale_id", "ordinal"), "sale_id ordinal kind power_type block sub_item kwh amount"),
    "sale_usage": (("sale_id", "power_type"), "sale_id meter_id power_type sold_at kwh"),
    "sale_event": (("id",), "id sale_id status at operator_id detail"),
    "sale_status": (("sale_id",), "sale_id meter_id status updated_at sold_at charged_through"),
    "posting": (("id",), "id uuid kind sale_id customer_id posted_at operator_id memo"),
    "posting_line": (("id",), "id posting_id account customer_id debit credit"),
    "outbox": (("seq",), "seq uuid terminal_id kind entity_uuid payload created_at sent_at"),
    "diary": (("id",), "id at operator action entity before after prev_hash hash"),
    "reading": (("id",), "id uuid meter_id read_at recorded_at source total_kwh remaining_kwh remaining_money "
                         "purchase_count status_flags detail"),
    "sts_token": (("id",), "id uuid meter_id sale_id kind token_class subclass tid value digits issued_at "
                           "operator_id"),
    "receipt_queue": (("id",), "id sale_id kind queued_at reason done_at"),
    "card": (("id",), "id serial meter_id card_type status made_at made_by updated_at"),
    "card_event": (("id",), "id card_id event at operator_id reason"),
    "clock_mark": (("id",), "id latest"),                                     # migration 12
    "cash_intake": (("id",), "id uuid meter_id customer_id operator_id amount_due started_at"),  # migration 10
    "note_intake": (("id",), "id intake_id number counter stage bill_type value at"),
    "cash_intake_settlement": (("intake_id",), "intake_id outcome sale_id amount at detail"),
}


def seal_guards(ops: Sequence[str] = ("UPDATE", "DELETE")) -> list[str]:
    """The triggers that keep the seal's own rows as written."""
    return [f"CREATE TRIGGER seal_no_{op.lower()} BEFORE {op} ON seal BEGIN SELECT "
            f"RAISE(ABORT, 'LEDGER_APPEND_ONLY: seal rows are never changed'); END" for op in ops]


def _m0014() -> list[str]:
    out = [SEAL_TABLE, *seal_guards()]
    for table, (keys, columns) in SEALED_TABLES.items():
        out += [*table_seal(table, keys, columns.split()), seal_rows(table, keys, columns.split())]
    return out


M0014_SEAL: Final = _m0014()
