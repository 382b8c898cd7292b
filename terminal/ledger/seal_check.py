"""Verifying the seal (`ppms check`): the chain, every row against its latest seal,
the head file, and the triggers the migrations made.

Each finding is a `Finding(code, message, table, row)`:

    SEAL_CHAIN_BROKEN   a seal does not follow from the one before (forged, edited, cut out)
    SEAL_ROW_CHANGED    a row differs from its latest seal (edited without the key)
    SEAL_ROW_UNSEALED   a row has no seal (inserted without the key)
    SEAL_ROW_MISSING    a sealed row is gone without a sealed delete
    SEAL_TAIL_CUT       the chain ends before the head file's point (rows cut from the end)
    SEAL_HEAD_OFF_CHAIN the head file's point is not on the chain (the chain was rewritten)
    SEAL_HEAD_MISSING   no head file, or one not signed with the ledger's key
    TRIGGER_MISSING     a trigger a migration made (or a table's seal trigger) is gone
    TRIGGER_ALTERED     a trigger's SQL is not the migration's
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from terminal.ledger.db import applied_migrations
from terminal.ledger.migrations import MIGRATIONS
from terminal.ledger.seal import GENESIS, MAC, TOMBSTONE, Head, LedgerDatabase, chain_head, sealer_of
from terminal.ledger.seal_schema import digest_sql, key_sql

ROWS_PER_FINDING = 20     # rows named per (code, table); the rest are counted


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    table: str | None = None
    row: str | None = None
    trigger: str | None = None


def verify(db: LedgerDatabase) -> tuple[list[Finding], Head]:
    """Every finding, and the chain's head as this ledger holds it."""
    findings = [*trigger_findings(db), *chain_findings(db), *_capped(row_findings(db))]
    head = chain_head(db)
    findings += head_findings(db, head)
    return findings, head


def chain_findings(db: LedgerDatabase) -> Iterator[Finding]:
    sql = (f"SELECT seq, tbl, row_key FROM (SELECT seq, tbl, row_key, mac, {MAC}(COALESCE(LAG(mac) OVER "
           f"(ORDER BY seq), '{GENESIS}'), tbl, row_key, digest) AS due FROM seal) WHERE mac IS NOT due ORDER BY seq")
    for seq, table, row_key in db.execute_sql(sql):
        yield Finding("SEAL_CHAIN_BROKEN", f"seal {seq} ({table} {row_key}) does not follow from the seal "
                      "before it: the chain was forged, edited or cut", str(table), str(row_key))


def sealed_tables(db: LedgerDatabase) -> list[str]:
    return [str(r[0]) for r in db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name <> 'seal' ORDER BY name")]


def row_findings(db: LedgerDatabase) -> Iterator[Finding]:
    db.execute_sql("DROP TABLE IF EXISTS temp.seal_latest")
    db.execute_sql("CREATE TEMP TABLE seal_latest (tbl TEXT, row_key TEXT, digest TEXT, "
                   "PRIMARY KEY (tbl, row_key)) WITHOUT ROWID")
    try:
        # the bare column beside MAX() is taken from the row holding the maximum (SQLite)
        db.execute_sql("INSERT INTO temp.seal_latest SELECT tbl, row_key, digest FROM "
                       "(SELECT tbl, row_key, digest, MAX(seq) FROM seal GROUP BY tbl, row_key)")
        for table in sealed_tables(db):
            yield from _table_findings(db, table)
        for table, n in db.execute_sql(
                "SELECT tbl, COUNT(*) FROM temp.seal_latest WHERE digest <> ? AND tbl NOT IN "
                "(SELECT name FROM sqlite_master WHERE type = 'table') GROUP BY tbl", (TOMBSTONE,)):
            yield Finding("SEAL_ROW_MISSING", f"table {table} with {n} sealed rows is gone", str(table))
    finally:
        db.execute_sql("DROP TABLE temp.seal_latest")


def _table_findings(db: LedgerDatabase, table: str) -> Iterator[Finding]:
    info = db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()
    columns = [str(r[1]) for r in info]
    keys = [str(r[1]) for r in sorted(info, key=lambda r: int(r[5])) if r[5]] or ["rowid"]
    rows = f"SELECT {key_sql(keys)} AS k, {digest_sql(columns)} AS d FROM \"{table}\""
    for row_key, sealed, _actual in db.execute_sql(
            f"SELECT r.k, l.digest, r.d FROM ({rows}) r LEFT JOIN temp.seal_latest l "
            f"ON l.tbl = ? AND l.row_key = r.k WHERE l.digest IS NOT r.d", (table,)):
        if sealed is None:
            yield Finding("SEAL_ROW_UNSEALED", f"{table} {row_key} has no seal: written without the "
                          "terminal's key", table, str(row_key))
        elif sealed == TOMBSTONE:
            yield Finding("SEAL_ROW_UNSEALED", f"{table} {row_key} was sealed as deleted but is there: "
                          "written without the terminal's key", table, str(row_key))
        else:
            yield Finding("SEAL_ROW_CHANGED", f"{table} {row_key} differs from its seal: changed without "
                          "the terminal's key", table, str(row_key))
    for (row_key,) in db.execute_sql(
            f"SELECT row_key FROM temp.seal_latest WHERE tbl = ? AND digest <> ? "
            f"AND row_key NOT IN (SELECT {key_sql(keys)} FROM \"{table}\")", (table, TOMBSTONE)):
        yield Finding("SEAL_ROW_MISSING", f"{table} {row_key} is sealed but gone: deleted without the "
                      "terminal's key", table, str(row_key))


def _capped(findings: Iterator[Finding]) -> Iterator[Finding]:
    counts: dict[tuple[str, str | None], int] = {}
    for f in findings:
        n = counts[(f.code, f.table)] = counts.get((f.code, f.table), 0) + 1
        if n <= ROWS_PER_FINDING:
            yield f
    for (code, table), n in counts.items():
        if n > ROWS_PER_FINDING:
            yield Finding(code, f"{n - ROWS_PER_FINDING} more {table} rows like the above", table)


def head_findings(db: LedgerDatabase, end: Head) -> list[Finding]:
    sealer = sealer_of(db)
    head = sealer.head()
    if head is None:
        return [Finding("SEAL_HEAD_MISSING", f"the seal head {sealer.head_path} is missing or not signed "
                        "with this ledger's key: a cut from the chain's end cannot be ruled out")]
    if head.seq > end.seq:
        return [Finding("SEAL_TAIL_CUT", f"the chain ends at seal {end.seq} but the head file says the "
                        f"terminal committed up to seal {head.seq}: the rows sealed after {end.seq} were "
                        "removed, with their seals")]
    if head.seq and sealer.mac_at(head.seq) != head.mac:
        return [Finding("SEAL_HEAD_OFF_CHAIN", f"seal {head.seq} is not the one the head file holds: "
                        "the chain was rewritten")]
    return []


def expected_triggers(applied: set[int] | None = None) -> dict[str, str]:
    """Each trigger the migrations leave (those `applied`, or all), by name, with its SQL, in
    the order they run."""
    out: dict[str, str] = {}
    for _number, _name, statements in sorted(m for m in MIGRATIONS if applied is None or m[0] in applied):
        for sql in statements:
            if m := re.match(r"\s*CREATE TRIGGER (\w+)", sql):
                out[m[1]] = sql
            elif m := re.match(r"\s*DROP TRIGGER (?:IF EXISTS )?(\w+)", sql):
                out.pop(m[1], None)
    return out


def trigger_findings(db: LedgerDatabase) -> Iterator[Finding]:
    present = {str(n): str(s) for n, s in db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    expected = expected_triggers(applied_migrations(db))
    for table in sealed_tables(db):
        for op in ("insert", "update", "delete"):
            expected.setdefault(f"seal_{table}_{op}", "")
    for name, sql in sorted(expected.items()):
        if name not in present:
            yield Finding("TRIGGER_MISSING", f"trigger {name} is missing: someone dropped it", trigger=name)
        elif sql and present[name] != sql:
            yield Finding("TRIGGER_ALTERED", f"trigger {name} is not the one the migration made",
                          trigger=name)
