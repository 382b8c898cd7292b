"""The center's ``sale`` table partitioned by month on PostgreSQL (declarative partitioning,
``PARTITION BY RANGE (at)``, ``at`` being ISO text: month ``2026-03`` holds
``'2026-03' <= at < '2026-04'``).

`ppms-central init` creates the table partitioned, and it, `serve` and `partitions` (a
monthly timer's job) create the months ahead: from `BACK` months before this one to
`AHEAD` after it, each ``sale_YYYY_MM``, and ``sale_default`` for a sale outside them (a
terminal whose clock is years off). DDL never runs inside a request: an ingest only ever
inserts. A month's partition can later be detached and archived whole (docs/scaling.md).
SQLite (the small site) keeps one table.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

import peewee

from central import db as central_db
from central.models import Sale

BACK, AHEAD = 12, 12
log = logging.getLogger("ppms.central")


def _month(day: date, shift: int) -> tuple[int, int]:
    n = day.year * 12 + day.month - 1 + shift
    return n // 12, n % 12 + 1


def _bound(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def is_partitioned(db: Any) -> bool:
    if central_db.is_sqlite(db):
        return False
    row = db.execute_sql("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                         "WHERE c.relname = 'sale' AND pg_table_is_visible(c.oid)").fetchone()
    return row is not None


def create_table(db: Any) -> None:
    """The sale table, partitioned on PostgreSQL (before `create_tables`, which then adds its indexes)."""
    if central_db.is_sqlite(db) or db.table_exists("sale"):
        return
    table: Any = Sale._schema   # type: ignore[attr-defined]
    sql, params = table._create_table(safe=False).query()
    db.execute_sql(sql + " PARTITION BY RANGE (at)", params)


def ensure_months(db: Any, today: date) -> list[str]:
    """The monthly partitions from BACK months ago to AHEAD ahead, and the default one; the
    partitions of the table, by name."""
    if not is_partitioned(db):
        return []
    for shift in range(-BACK, AHEAD + 1):
        y, m = _month(today, shift)
        ny, nm = _month(date(y, m, 1), 1)
        try:
            with db.atomic():
                db.execute_sql(f'CREATE TABLE IF NOT EXISTS "sale_{y:04d}_{m:02d}" PARTITION OF sale '
                               f"FOR VALUES FROM ('{_bound(y, m)}') TO ('{_bound(ny, nm)}')")
        except peewee.DatabaseError as exc:   # sale_default already holds rows of that month
            log.warning("partition sale_%04d_%02d not created: %s", y, m, str(exc).splitlines()[0])
    with db.atomic():
        db.execute_sql('CREATE TABLE IF NOT EXISTS "sale_default" PARTITION OF sale DEFAULT')
    return names(db)


def names(db: Any) -> list[str]:
    rows: Any = db.execute_sql("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                               "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'sale' "
                               "ORDER BY c.relname").fetchall()
    return [str(r[0]) for r in rows]
