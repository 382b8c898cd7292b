"""The searches (`ppms search`): one page of a file, newest first, and how many rows match.

Each search reads one file (sales, meters, readings, checking results, amendments, the
diary) with the filters it knows; the meter filters (meter number, customer area,
power type, customer-name prefix) select meters first and reach the file through its
meter index, so a page never walks the whole file (migration 23's indexes). Values come
back as stored (integers of minor units and 0.01 kWh); the service formats them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from terminal.ledger.db import FOLD, fold
from terminal.ledger.rows import Repo

KINDS = ("sales", "meters", "readings", "checks", "amendments", "diary")


@dataclass(frozen=True)
class Filters:
    start: str | None = None        # times from (inclusive), ISO text
    end: str | None = None          # times before (exclusive)
    operator: str | None = None     # username
    area: str | None = None
    power_type: str | None = None
    meter: str | None = None        # meter number
    name: str | None = None         # customer-name prefix


@dataclass(frozen=True)
class _File:
    select: str            # columns of an item
    source: str            # FROM ... JOIN ... of an item
    count_source: str      # FROM of the count (the file alone where it can be)
    time: str              # the time column
    order: str
    meter_column: str | None     # how the file names its meter (for the meter filters)
    operator_column: str | None  # operator id column, or the diary's username
    key: str                     # the row's key column
    by_username: bool = False


_CUSTOMER = "JOIN meter m ON m.id = {0} JOIN customer c ON c.id = m.customer_id"
_FILES: dict[str, _File] = {
    "sales": _File(
        "s.uuid, s.receipt_no, s.sold_at, m.number, c.account_no, c.name, c.area, o.username, s.payment, "
        "s.tendered, s.kwh, s.free_kwh, s.credit_kwh, st.status",
        "FROM sale s JOIN sale_status st ON st.sale_id = s.id " + _CUSTOMER.format("s.meter_id")
        + " LEFT JOIN operator o ON o.id = s.operator_id", "FROM sale s", "s.sold_at",
        "s.sold_at DESC, s.id DESC", "s.meter_id", "s.operator_id", "s.id"),
    "meters": _File(
        "m.uuid, m.number, m.status, m.carrier, m.meter_type, m.registered_on, c.account_no, c.name, c.area, "
        "c.category, (SELECT group_concat(power_type || ':' || percent, ',') FROM (SELECT power_type, percent "
        "FROM meter_share WHERE meter_id = m.id ORDER BY ordinal))",
        "FROM meter m JOIN customer c ON c.id = m.customer_id", "FROM meter m", "m.registered_on",
        "m.registered_on DESC, m.id DESC", "m.id", None, "m.id"),
    "readings": _File(
        "rd.uuid, rd.read_at, rd.source, m.number, c.name, rd.total_kwh, rd.remaining_kwh, rd.purchase_count",
        "FROM reading rd " + _CUSTOMER.format("rd.meter_id"), "FROM reading rd", "rd.read_at",
        "rd.read_at DESC, rd.id DESC", "rd.meter_id", None, "rd.id"),
    "checks": _File(
        "k.uuid, k.kind, k.found_at, m.number, c.name, o.username, k.expected_kwh, k.observed_kwh, "
        "k.tolerance_kwh, (SELECT uuid FROM reading WHERE id = k.reading_id)",
        "FROM check_result k " + _CUSTOMER.format("k.meter_id") + " LEFT JOIN operator o ON o.id = k.operator_id",
        "FROM check_result k", "k.found_at", "k.found_at DESC, k.id DESC", "k.meter_id", "k.operator_id", "k.id"),
    "amendments": _File(
        "a.uuid, a.kind, a.at, m.number, c.name, o.username, a.reason, a.fee, "
        "(SELECT number FROM meter WHERE id = a.new_meter_id)",
        "FROM amendment a " + _CUSTOMER.format("a.meter_id") + " LEFT JOIN operator o ON o.id = a.operator_id",
        "FROM amendment a", "a.at", "a.at DESC, a.id DESC", "a.meter_id", "a.operator_id", "a.id"),
    "diary": _File(
        "d.id, d.at, d.operator, d.action, d.entity, d.before, d.after", "FROM diary d", "FROM diary d", "d.at",
        "d.at DESC, d.id DESC", None, "d.operator", "d.id", by_username=True),
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "sales": ("sale_id", "receipt_no", "sold_at", "meter", "account_no", "customer", "area", "operator", "payment",
              "tendered", "kwh", "free_kwh", "credit_kwh", "status"),
    "meters": ("meter_id", "meter", "status", "carrier", "meter_type", "registered_on", "account_no", "customer",
               "area", "category", "power_type"),
    "readings": ("reading_id", "read_at", "source", "meter", "customer", "total_kwh", "remaining_kwh",
                 "purchase_count"),
    "checks": ("check_id", "kind", "found_at", "meter", "customer", "operator", "expected_kwh", "observed_kwh",
               "tolerance_kwh", "reading_id"),
    "amendments": ("amendment_id", "kind", "at", "meter", "customer", "operator", "reason", "fee", "new_meter"),
    "diary": ("entry", "at", "operator", "action", "entity", "before", "after"),
}
# what each search can filter by beyond its time range
SUPPORTED: dict[str, frozenset[str]] = {
    kind: frozenset(({"operator"} if f.operator_column else set())
                    | ({"area", "power_type", "meter", "name"} if f.meter_column else set()))
    for kind, f in _FILES.items()}
SUPPORTED["diary"] = frozenset({"operator", "meter"})


def _meters(f: Filters) -> tuple[str, tuple[Any, ...]] | None:
    """The meters the meter filters select, as a sub-select, or None when none is given."""
    cond: list[str] = []
    params: list[Any] = []
    if f.meter is not None:
        cond.append("m2.number = ?")
        params.append(f.meter)
    if f.area is not None:
        cond.append("c2.area = ?")
        params.append(f.area)
    if f.name is not None:
        prefix = fold(f.name) or ""     # case-blind: "alice" finds "Alice Smith" (and "ÉMILE" finds "Émile")
        cond.append(f"{FOLD}(c2.name) >= ? AND {FOLD}(c2.name) < ?")
        params += [prefix, prefix + "\U0010ffff"]
    if f.power_type is not None:
        cond.append("m2.id IN (SELECT meter_id FROM meter_share WHERE power_type = ?)")
        params.append(f.power_type)
    if not cond:
        return None
    return ("SELECT m2.id FROM meter m2 JOIN customer c2 ON c2.id = m2.customer_id WHERE " + " AND ".join(cond),
            tuple(params))


class Search(Repo):
    def operator_id(self, username: str) -> int | None:
        r = self._one("SELECT id FROM operator WHERE username = ?", (username,))
        return None if r is None else int(r[0])

    def page(self, kind: str, f: Filters, operator_id: int | None, limit: int,
             offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(rows matching, the page's rows as dicts of COLUMNS[kind]). The page's keys are chosen
        first from the file (or its index) alone; only those rows are joined and shown."""
        spec = _FILES[kind]
        source, time_col, key, order = spec.count_source, spec.time, spec.key, spec.order
        meters = _meters(f)
        if kind == "sales" and meters is not None and f.operator is None:
            # the meter's sales from sale_status's (meter, status, time) index: no sale row is read
            source, time_col, key, order = ("FROM sale_status st2", "st2.sold_at", "st2.sale_id",
                                            "st2.sold_at DESC, st2.sale_id DESC")
        cond: list[str] = []
        params: list[Any] = []
        if f.start is not None:
            cond.append(f"{time_col} >= ?")
            params.append(f.start)
        if f.end is not None:
            cond.append(f"{time_col} < ?")
            params.append(f.end)
        if f.operator is not None and spec.operator_column:
            cond.append(f"{spec.operator_column} = ?")
            params.append(f.operator if spec.by_username else operator_id)
        if kind == "diary" and f.meter is not None:
            cond.append("d.entity = ?")
            params.append(f"meter:{f.meter}")
        elif meters is not None and spec.meter_column:
            if key == "st2.sale_id":
                cond.append(f"st2.meter_id IN ({meters[0]})")
            elif kind == "sales":   # with an operator: the sale row is read anyway
                cond.append(f"s.id IN (SELECT sale_id FROM sale_status WHERE meter_id IN ({meters[0]}))")
            else:
                cond.append(f"{spec.meter_column} IN ({meters[0]})")
            params += meters[1]
        where = (" WHERE " + " AND ".join(cond)) if cond else ""
        total = self._one(f"SELECT COUNT(*) {source}{where}", tuple(params))
        keys = f"SELECT {key} {source}{where} ORDER BY {order} LIMIT ? OFFSET ?"
        rows = self._rows(f"SELECT {spec.select} {spec.source} WHERE {spec.key} IN ({keys}) ORDER BY {spec.order}",
                          (*params, limit, offset))
        names = COLUMNS[kind]
        return (0 if total is None else int(total[0])), [dict(zip(names, r)) for r in rows]
