"""The sale repository: a sale's immutable record, its lines, its usage rows and
its status (the only mutable row; every change is also an append-only event)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from terminal.ledger.models import proxy


@dataclass(frozen=True)
class SaleRecord:
    uuid: str
    receipt_no: str
    meter_id: int
    customer_id: int
    operator_id: int
    sold_at: str
    payment: str
    currency: str
    tendered: int
    carry_over_used: int
    kwh: int
    free_kwh: int
    credit_kwh: int
    change: int
    fixed: int
    months_charged: int
    charged_through: int | None
    debt: int
    vat: int
    tariff_versions: str
    free_period_start: str | None
    carrier: str
    carrier_ref: str | None


@dataclass(frozen=True)
class LineRecord:
    kind: str
    amount: int
    power_type: str | None = None
    block: int | None = None
    sub_item: str | None = None
    kwh: int | None = None


_COLUMNS = [f.name for f in fields(SaleRecord)]
_values = attrgetter(*_COLUMNS)   # dataclasses.astuple deep-copies: too slow for the sale path
_SQL_COLUMNS = ", ".join("meter_id" if c == "meter_id" else c for c in _COLUMNS)
_INSERT = f"INSERT INTO sale ({_SQL_COLUMNS}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def insert(rec: SaleRecord, lines: list[LineRecord], usage: dict[str, int], status: str,
           operator_id: int) -> int:
    sid = int(proxy.execute_sql(_INSERT, _values(rec)).lastrowid)
    cur = proxy.cursor()
    cur.executemany("INSERT INTO sale_line (sale_id, ordinal, kind, power_type, block, sub_item, kwh, amount) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(sid, i, ln.kind, ln.power_type, ln.block, ln.sub_item, ln.kwh, ln.amount)
                     for i, ln in enumerate(lines, 1)])
    cur.executemany("INSERT INTO sale_usage (sale_id, meter_id, power_type, sold_at, kwh) VALUES (?, ?, ?, ?, ?)",
                    [(sid, rec.meter_id, pt, rec.sold_at, k) for pt, k in usage.items()])
    proxy.execute_sql("INSERT INTO sale_status (sale_id, meter_id, status, updated_at, sold_at, charged_through) "
                      "VALUES (?, ?, ?, ?, ?, ?)", (sid, rec.meter_id, status, rec.sold_at, rec.sold_at,
                                                    rec.charged_through))
    proxy.execute_sql("INSERT INTO sale_event (sale_id, status, at, operator_id) VALUES (?, ?, ?, ?)",
                      (sid, status, rec.sold_at, operator_id))
    return sid


def set_status(sale_id: int, status: str, at: str, operator_id: int | None, detail: str | None,
               passing: tuple[tuple[str, str | None], ...] = ()) -> None:
    """Move a sale to `status`, recording an event for each state it passes through on the way
    (`passing`: (status, detail) pairs, in order) and for the new one, in the caller's transaction."""
    proxy.execute_sql("UPDATE sale_status SET status = ?, updated_at = ? WHERE sale_id = ?",
                      (status, at, sale_id))
    proxy.cursor().executemany(
        "INSERT INTO sale_event (sale_id, status, at, operator_id, detail) VALUES (?, ?, ?, ?, ?)",
        [(sale_id, st, at, operator_id, d) for st, d in (*passing, (status, detail))])


def find_id(key: str) -> int | None:
    """A sale by its UUID or its receipt number."""
    row = proxy.execute_sql("SELECT id FROM sale WHERE uuid = ? OR receipt_no = ?", (key, key)).fetchone()
    return None if row is None else int(row[0])


def load(sale_id: int) -> tuple[SaleRecord, list[LineRecord]]:
    row = proxy.execute_sql(f"SELECT {_SQL_COLUMNS} FROM sale WHERE id = ?", (sale_id,)).fetchone()
    rec = SaleRecord(*row)
    lines = [LineRecord(kind, amount, pt, block, sub, kwh) for kind, amount, pt, block, sub, kwh in
             proxy.execute_sql("SELECT kind, amount, power_type, block, sub_item, kwh FROM sale_line "
                               "WHERE sale_id = ? ORDER BY ordinal", (sale_id,))]
    return rec, lines


def posting_id(sale_id: int, kind: str = "sale") -> int | None:
    row = proxy.execute_sql("SELECT id FROM posting WHERE sale_id = ? AND kind = ?", (sale_id, kind)).fetchone()
    return None if row is None else int(row[0])


def operator_name(operator_id: int) -> str:
    row = proxy.execute_sql("SELECT username FROM operator WHERE id = ?", (operator_id,)).fetchone()
    return "?" if row is None else str(row[0])


def as_dict(rec: SaleRecord) -> dict[str, Any]:
    return dict(zip(_COLUMNS, _values(rec)))
