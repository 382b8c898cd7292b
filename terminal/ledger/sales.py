"""The sale repository: a sale's immutable record, its lines, its usage rows and its
status (the only mutable row; every change is also an append-only event), and the
meter's selling history a sale is decided on."""
from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter

from terminal.ledger.rows import COUNTED_SQL, Repo


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


@dataclass(frozen=True)
class SaleHistory:
    counted_in_period: int      # standing sales in the free-energy period
    last_charged_month: int | None  # year*12 + month-1 of the last month with a fixed charge
    pending: int                # sales waiting for recovery
    carried: int                # sales whose purchase went to the carrier (not pending/voided)


@dataclass(frozen=True)
class DaySale:
    """One sale of a day, for the daily report (integers)."""
    status: str
    payment: str
    tendered: int
    kwh: int
    free_kwh: int
    vat: int
    fixed: int
    debt: int
    change: int
    carry_over_used: int


_COLUMNS = [f.name for f in fields(SaleRecord)]
_values = attrgetter(*_COLUMNS)   # dataclasses.astuple deep-copies: too slow for the sale path
_SQL_COLUMNS = ", ".join(_COLUMNS)
_INSERT = f"INSERT INTO sale ({_SQL_COLUMNS}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_DAY_COLUMNS = [f.name for f in fields(DaySale)][2:]


class Sales(Repo):
    def insert(self, rec: SaleRecord, lines: list[LineRecord], usage: dict[str, int], status: str,
               operator_id: int) -> int:
        sid = int(self._run(_INSERT, _values(rec)).lastrowid)
        self._many("INSERT INTO sale_line (sale_id, ordinal, kind, power_type, block, sub_item, kwh, amount) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [(sid, i, ln.kind, ln.power_type, ln.block, ln.sub_item, ln.kwh, ln.amount)
                    for i, ln in enumerate(lines, 1)])
        self._many("INSERT INTO sale_usage (sale_id, meter_id, power_type, sold_at, kwh) VALUES (?, ?, ?, ?, ?)",
                   [(sid, rec.meter_id, pt, rec.sold_at, k) for pt, k in usage.items()])
        self._run("INSERT INTO sale_status (sale_id, meter_id, status, updated_at, sold_at, charged_through) "
                  "VALUES (?, ?, ?, ?, ?, ?)", (sid, rec.meter_id, status, rec.sold_at, rec.sold_at,
                                                rec.charged_through))
        self._run("INSERT INTO sale_event (sale_id, status, at, operator_id) VALUES (?, ?, ?, ?)",
                  (sid, status, rec.sold_at, operator_id))
        return sid

    def set_status(self, sale_id: int, status: str, at: str, operator_id: int | None, detail: str | None,
                   passing: tuple[tuple[str, str | None], ...] = ()) -> None:
        """Move a sale to `status`, recording an event for each state it passes through on the way
        (`passing`: (status, detail) pairs, in order) and for the new one."""
        self._run("UPDATE sale_status SET status = ?, updated_at = ? WHERE sale_id = ?", (status, at, sale_id))
        self._many("INSERT INTO sale_event (sale_id, status, at, operator_id, detail) VALUES (?, ?, ?, ?, ?)",
                   [(sale_id, st, at, operator_id, d) for st, d in (*passing, (status, detail))])

    def reversal(self, sale_id: int) -> tuple[str, str | None, str | None] | None:
        """(time, operator's username, reason) of the sale's `reversed` event, or None."""
        row = self._one("SELECT e.at, o.username, e.detail FROM sale_event e LEFT JOIN operator o "
                        "ON o.id = e.operator_id WHERE e.sale_id = ? AND e.status = 'reversed'", (sale_id,))
        return None if row is None else (str(row[0]), row[1], row[2])

    def find_id(self, key: str) -> int | None:
        """A sale by its UUID or its receipt number."""
        row = self._one("SELECT id FROM sale WHERE uuid = ? OR receipt_no = ?", (key, key))
        return None if row is None else int(row[0])

    def load(self, sale_id: int) -> tuple[SaleRecord, list[LineRecord]]:
        row = self._one(f"SELECT {_SQL_COLUMNS} FROM sale WHERE id = ?", (sale_id,))
        assert row is not None
        rec = SaleRecord(*row)
        lines = [LineRecord(kind, amount, pt, block, sub, kwh) for kind, amount, pt, block, sub, kwh in
                 self._rows("SELECT kind, amount, power_type, block, sub_item, kwh FROM sale_line "
                            "WHERE sale_id = ? ORDER BY ordinal", (sale_id,))]
        return rec, lines

    def posting_id(self, sale_id: int, kind: str = "sale") -> int | None:
        row = self._one("SELECT id FROM posting WHERE sale_id = ? AND kind = ?", (sale_id, kind))
        return None if row is None else int(row[0])

    def usage(self, sale_id: int) -> dict[str, int]:
        """The sale's kWh per power type (its usage rows), in power type order."""
        return {str(pt): int(k) for pt, k in self._rows(
            "SELECT power_type, kwh FROM sale_usage WHERE sale_id = ? ORDER BY power_type", (sale_id,))}

    def status(self, sale_id: int) -> str:
        r = self._one("SELECT status FROM sale_status WHERE sale_id = ?", (sale_id,))
        assert r is not None
        return str(r[0])

    def used_kwh(self, meter_id: int, power_type: str, start: str, end: str) -> int:
        r = self._one("SELECT COALESCE(SUM(u.kwh), 0) FROM sale_usage u JOIN sale_status s ON s.sale_id = u.sale_id "
                      "WHERE u.meter_id = ? AND u.power_type = ? AND u.sold_at >= ? AND u.sold_at < ? "
                      f"AND s.status IN {COUNTED_SQL}", (meter_id, power_type, start, end))
        return int(r[0]) if r else 0

    def history(self, meter_id: int, period_start: str, period_end: str) -> SaleHistory:
        """One index (sale_status_history) answers it all, whatever the ledger's size."""
        r = self._one("SELECT "
                      f"COALESCE(SUM(status IN {COUNTED_SQL} AND sold_at >= ? AND sold_at < ?), 0), "
                      f"MAX(CASE WHEN status IN {COUNTED_SQL} THEN charged_through END), "
                      "COALESCE(SUM(status = 'pending'), 0), "
                      "COALESCE(SUM(status NOT IN ('pending', 'voided')), 0) "
                      "FROM sale_status WHERE meter_id = ?",
                      (period_start, period_end, meter_id))
        assert r is not None
        return SaleHistory(int(r[0]), None if r[1] is None else int(r[1]), int(r[2]), int(r[3]))

    def pending_ids(self, meter_id: int | None = None) -> list[int]:
        if meter_id is None:
            return [r[0] for r in self._rows("SELECT sale_id FROM sale_status WHERE status = 'pending' "
                                             "ORDER BY sale_id")]
        return [r[0] for r in self._rows("SELECT sale_id FROM sale_status WHERE meter_id = ? AND status = 'pending' "
                                         "ORDER BY sale_id", (meter_id,))]

    def latest_counted_id(self, meter_id: int) -> int | None:
        r = self._one(f"SELECT MAX(sale_id) FROM sale_status WHERE meter_id = ? AND status IN {COUNTED_SQL}",
                      (meter_id,))
        return None if r is None or r[0] is None else int(r[0])

    def of_day(self, start: str, end: str) -> list[DaySale]:
        return [DaySale(*r) for r in self._rows(
            f"SELECT ss.status, s.payment, {', '.join('s.' + k for k in _DAY_COLUMNS)} FROM sale s "
            "JOIN sale_status ss ON ss.sale_id = s.id WHERE s.sold_at >= ? AND s.sold_at < ?", (start, end))]

    def posted_between(self, kind: str, start: str, end: str) -> list[DaySale]:
        """The sales behind the postings of `kind` ('sale' or 'reversal') made between two times."""
        return [DaySale(*r) for r in self._rows(
            f"SELECT ss.status, s.payment, {', '.join('s.' + k for k in _DAY_COLUMNS)} FROM posting p "
            "JOIN sale s ON s.id = p.sale_id JOIN sale_status ss ON ss.sale_id = s.id "
            "WHERE p.kind = ? AND p.posted_at >= ? AND p.posted_at < ?", (kind, start, end))]

    def energy_by_sub_item(self, kind: str, start: str, end: str) -> dict[str, int]:
        """Energy money by sub-item of the sales behind the postings of `kind` made between two times."""
        return {str(sub): int(amt) for sub, amt in self._rows(
            "SELECT l.sub_item, SUM(l.amount) FROM posting p JOIN sale_line l ON l.sale_id = p.sale_id "
            "WHERE p.kind = ? AND p.posted_at >= ? AND p.posted_at < ? AND l.kind = 'energy' "
            "GROUP BY l.sub_item", (kind, start, end))}

    def audit_rows(self) -> list[tuple[int, str, str, int, int]]:
        """(id, uuid, receipt no, tendered, carry-over used) of every sale, for `ppms check`."""
        return [(int(a), str(b), str(c), int(d), int(e)) for a, b, c, d, e in self._rows(
            "SELECT id, uuid, receipt_no, tendered, carry_over_used FROM sale ORDER BY id")]

    def line_sums(self) -> dict[int, int]:
        return {int(s): int(a) for s, a in self._rows("SELECT sale_id, SUM(amount) FROM sale_line GROUP BY sale_id")}

    def statuses(self) -> dict[int, str]:
        return {int(s): str(st) for s, st in self._rows("SELECT sale_id, status FROM sale_status")}

    def postings_by_kind(self) -> dict[tuple[int, str], int]:
        return {(int(s), str(k)): int(n) for s, k, n in self._rows(
            "SELECT sale_id, kind, COUNT(*) FROM posting WHERE sale_id IS NOT NULL GROUP BY sale_id, kind")}

