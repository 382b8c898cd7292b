"""Read-side queries the services need: a meter's state at the time of a sale.

Everything here is derived from append-only rows (sales that count, postings),
so a reversal restores usage, fixed-charge months and balances by itself.
The selling path is hot (cli.md's bench: a sale within 8 bare commits), so
these are plain SQL on indexed columns, a handful per sale.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from terminal.ledger.models import proxy

# sales whose energy reached the customer and still stand
COUNTED = ("completed", "printed")
_COUNTED_SQL = "('completed','printed')"


def rows(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return list(proxy.execute_sql(sql, params).fetchall())


def one(sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    row = proxy.execute_sql(sql, params).fetchone()
    return None if row is None else tuple(row)


@dataclass(frozen=True)
class MeterRow:
    id: int
    uuid: str
    number: str
    carrier: str
    status: str
    registered_on: str
    sts: str | None
    customer_id: int
    customer_uuid: str
    account_no: str
    customer_name: str
    category: str | None


def meter_row(number: str) -> MeterRow | None:
    r = one("SELECT m.id, m.uuid, m.number, m.carrier, m.status, m.registered_on, m.sts, c.id, c.uuid, "
            "c.account_no, c.name, c.category FROM meter m JOIN customer c ON c.id = m.customer_id "
            "WHERE m.number = ?", (number,))
    return None if r is None else MeterRow(*r)


def meter_row_by_id(meter_id: int) -> MeterRow:
    r = one("SELECT number FROM meter WHERE id = ?", (meter_id,))
    assert r is not None
    found = meter_row(r[0])
    assert found is not None
    return found


def shares(meter_id: int) -> list[tuple[str, int]]:
    """[(power type, percent)] in registration order."""
    return [(pt, pct) for pt, pct in rows(
        "SELECT power_type, percent FROM meter_share WHERE meter_id = ? ORDER BY ordinal", (meter_id,))]


def tariff_in_force(power_type: str, on_date: str) -> tuple[int, int, str] | None:
    """(row id, version, data) of the tariff version in force on a date."""
    r = one("SELECT id, version, data FROM tariff_version WHERE power_type = ? AND effective_from <= ? "
            "ORDER BY effective_from DESC LIMIT 1", (power_type, on_date))
    return None if r is None else (int(r[0]), int(r[1]), str(r[2]))


def preferential_in_force(code: str, at: str) -> tuple[int, int, str] | None:
    r = one("SELECT id, version, data FROM preferential_version WHERE code = ? AND valid_from <= ? "
            "ORDER BY version DESC LIMIT 1", (code, at))
    return None if r is None else (int(r[0]), int(r[1]), str(r[2]))


def used_kwh(meter_id: int, power_type: str, start: str, end: str) -> int:
    r = one("SELECT COALESCE(SUM(u.kwh), 0) FROM sale_usage u JOIN sale_status s ON s.sale_id = u.sale_id "
            f"WHERE u.meter_id = ? AND u.power_type = ? AND u.sold_at >= ? AND u.sold_at < ? "
            f"AND s.status IN {_COUNTED_SQL}", (meter_id, power_type, start, end))
    return int(r[0]) if r else 0


@dataclass(frozen=True)
class SaleHistory:
    counted_in_period: int      # standing sales in the free-energy period
    last_charged_month: int | None  # year*12 + month-1 of the last month with a fixed charge
    pending: int                # sales waiting for recovery
    carried: int                # sales whose purchase went to the carrier (not pending/voided)


def sale_history(meter_id: int, period_start: str, period_end: str) -> SaleHistory:
    """One index (sale_status_history) answers it all, whatever the ledger's size."""
    r = one("SELECT "
            f"COALESCE(SUM(status IN {_COUNTED_SQL} AND sold_at >= ? AND sold_at < ?), 0), "
            f"MAX(CASE WHEN status IN {_COUNTED_SQL} THEN charged_through END), "
            "COALESCE(SUM(status = 'pending'), 0), "
            "COALESCE(SUM(status NOT IN ('pending', 'voided')), 0) "
            "FROM sale_status WHERE meter_id = ?",
            (period_start, period_end, meter_id))
    assert r is not None
    return SaleHistory(int(r[0]), None if r[1] is None else int(r[1]), int(r[2]), int(r[3]))


def customer_balances(customer_id: int) -> tuple[int, int]:
    """(carry-over, arrears) of a customer: the carry-over liability's credit balance and
    the arrears account's debit balance."""
    got = dict(rows("SELECT account, SUM(debit - credit) FROM posting_line WHERE customer_id = ? "
                    "AND account IN ('CARRY_OVER', 'ARREARS') GROUP BY account", (customer_id,)))
    return -int(got.get("CARRY_OVER", 0)), int(got.get("ARREARS", 0))


def pending_sale_ids(meter_id: int | None = None) -> list[int]:
    if meter_id is None:
        return [r[0] for r in rows("SELECT sale_id FROM sale_status WHERE status = 'pending' ORDER BY sale_id")]
    return [r[0] for r in rows("SELECT sale_id FROM sale_status WHERE meter_id = ? AND status = 'pending' "
                               "ORDER BY sale_id", (meter_id,))]


def latest_counted_sale_id(meter_id: int) -> int | None:
    r = one(f"SELECT MAX(sale_id) FROM sale_status WHERE meter_id = ? AND status IN {_COUNTED_SQL}",
            (meter_id,))
    return None if r is None or r[0] is None else int(r[0])


def sale_status(sale_id: int) -> str:
    r = one("SELECT status FROM sale_status WHERE sale_id = ?", (sale_id,))
    assert r is not None
    return str(r[0])
