"""Migration 18: system setup and cashier shifts.

    parameter_change     every change of a parameter (append-only); the value in force is in
                         `meta` under the parameter's key, so readers keep one place to look
    dictionary_entry     the system dictionary: areas, buildings, customer categories, payment
                         methods, amendment reasons; a removed entry stays (active = 0) so the
                         records naming it still resolve
    operator_permission  the authority matrix per operator: a permission granted (1) or
                         revoked (0) on top of the operator's role
    device_setting       the port set: device settings stored over the config file's defaults
    shift, shift_close,  a cashier's shift: opened with a float, closed with the counted cash
    shift_signoff        against what the ledger expects, signed off by a supervisor; all three
                         append-only (a shift is closed and signed once)

Every table is sealed (`seal_schema.table_seal`); the shift tables and parameter_change
refuse UPDATE and DELETE; dictionary entries are never deleted (a stored device setting
is deleted to give the config file's value back).
"""
from __future__ import annotations

from typing import Final

from terminal.ledger.seal_schema import table_seal

SETUP_TABLES: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "parameter_change": (("id",), "id key value previous changed_at operator_id"),
    "dictionary_entry": (("kind", "code"), "kind code name active changed_at"),
    "operator_permission": (("operator_id", "permission"), "operator_id permission granted"),
    "device_setting": (("key",), "key value changed_at"),
    "shift": (("id",), "id uuid operator_id opened_at float posting_mark"),
    "shift_close": (("shift_id",), "shift_id closed_at posting_mark cash_in expected counted difference"),
    "shift_signoff": (("shift_id",), "shift_id signed_at supervisor_id note"),
}
APPEND_ONLY_SETUP: Final = ("parameter_change", "shift", "shift_close", "shift_signoff")
NEVER_DELETED: Final = ("dictionary_entry",)


def _refuse(table: str, ops: tuple[str, ...]) -> list[str]:
    return [f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN SELECT "
            f"RAISE(ABORT, 'LEDGER_APPEND_ONLY: {table} rows are never changed'); END" for op in ops]


def _m0018() -> list[str]:
    out = [
        """CREATE TABLE parameter_change (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            previous TEXT,
            changed_at TEXT NOT NULL,
            operator_id INTEGER REFERENCES operator(id))""",
        "CREATE INDEX parameter_change_key ON parameter_change(key, id)",
        """CREATE TABLE dictionary_entry (
            kind TEXT NOT NULL,
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            active INTEGER NOT NULL CHECK (active IN (0, 1)),
            changed_at TEXT NOT NULL,
            PRIMARY KEY (kind, code))""",
        """CREATE TABLE operator_permission (
            operator_id INTEGER NOT NULL REFERENCES operator(id),
            permission TEXT NOT NULL,
            granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
            PRIMARY KEY (operator_id, permission))""",
        """CREATE TABLE device_setting (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            changed_at TEXT NOT NULL)""",
        """CREATE TABLE shift (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            operator_id INTEGER NOT NULL REFERENCES operator(id),
            opened_at TEXT NOT NULL,
            float INTEGER NOT NULL CHECK (float >= 0),
            posting_mark INTEGER NOT NULL)""",
        "CREATE INDEX shift_operator ON shift(operator_id, id)",
        """CREATE TABLE shift_close (
            shift_id INTEGER PRIMARY KEY REFERENCES shift(id),
            closed_at TEXT NOT NULL,
            posting_mark INTEGER NOT NULL,
            cash_in INTEGER NOT NULL,
            expected INTEGER NOT NULL,
            counted INTEGER NOT NULL CHECK (counted >= 0),
            difference INTEGER NOT NULL,
            CHECK (difference = counted - expected))""",
        """CREATE TABLE shift_signoff (
            shift_id INTEGER PRIMARY KEY REFERENCES shift_close(shift_id),
            signed_at TEXT NOT NULL,
            supervisor_id INTEGER NOT NULL REFERENCES operator(id),
            note TEXT NOT NULL)""",
        # cashiers work shifts; supervisors and admins sign them off (auth.Permission.SHIFTS, SHIFT_SIGNOFF)
        ("INSERT OR IGNORE INTO role_permission (role, permission) VALUES ('admin', 'shifts'), "
         "('supervisor', 'shifts'), ('cashier', 'shifts'), ('admin', 'shift_signoff'), "
         "('supervisor', 'shift_signoff')"),
    ]
    for table in APPEND_ONLY_SETUP:
        out += _refuse(table, ("UPDATE", "DELETE"))
    for table in NEVER_DELETED:
        out += _refuse(table, ("DELETE",))
    for table, (keys, columns) in SETUP_TABLES.items():
        out += table_seal(table, keys, columns.split())
    return out


M0018_SETUP: Final = _m0018()
