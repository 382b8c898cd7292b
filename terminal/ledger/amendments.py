"""The amendment file (append-only, migration 15) and the file changes amendments make.

An amendment row holds its kind, meter, customer, time, operator, reason, fee (minor units),
the one posting that carries its money (fee, refund; None when no money moved), the new
meter of a replacement, and the file before and after as canonical JSON. A replacement's
`after` is also the new meter's first credit record, the credit transfer: `credit_kwh`
(0.01 kWh) and `credit_value` (minor units, the value of that energy on the old meter).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from terminal.ledger.canonical import dumps
from terminal.ledger.rows import COUNTED_SQL, Repo

CUSTOMER_FIELDS = ("name", "address", "phone", "area", "category", "building", "id_number")


@dataclass(frozen=True)
class AmendmentRow:
    id: int
    uuid: str
    kind: str
    meter: str
    at: str
    operator: str | None
    reason: str | None
    fee: int
    posting_id: int | None
    new_meter: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Transfer:
    """A credit transfer into a meter (its first credit record, purchase sequence 1)."""
    old_meter_id: int
    at: str
    credit_kwh: int
    credit_value: int


@dataclass(frozen=True)
class SaleCredit:
    """A standing sale's credit: paid and free kWh, and its energy money per power type."""
    sale_id: int
    sold_at: str
    kwh: int
    free_kwh: int
    tariff_versions: dict[str, int]


_SELECT = ("SELECT a.id, a.uuid, a.kind, m.number, a.at, o.username, a.reason, a.fee, a.posting_id, n.number, "
           "a.before, a.after FROM amendment a JOIN meter m ON m.id = a.meter_id "
           "LEFT JOIN meter n ON n.id = a.new_meter_id LEFT JOIN operator o ON o.id = a.operator_id ")


def _row(r: tuple[Any, ...]) -> AmendmentRow:
    return AmendmentRow(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), r[5], r[6], int(r[7]),
                        None if r[8] is None else int(r[8]), r[9],
                        None if r[10] is None else json.loads(r[10]), None if r[11] is None else json.loads(r[11]))


class Amendments(Repo):
    def insert(self, uuid: str, kind: str, meter_id: int, customer_id: int, at: str, operator_id: int,
               reason: str | None, fee: int, posting_id: int | None, new_meter_id: int | None,
               before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
        return int(self._run(
            "INSERT INTO amendment (uuid, kind, meter_id, customer_id, at, operator_id, reason, fee, posting_id, "
            "new_meter_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uuid, kind, meter_id, customer_id, at, operator_id, reason, fee, posting_id, new_meter_id,
             None if before is None else dumps(before), None if after is None else dumps(after))).lastrowid)

    def listed(self, meter_id: int | None = None) -> list[AmendmentRow]:
        """The amendment file, oldest first (of one meter, old or new side, when given)."""
        if meter_id is None:
            return [_row(r) for r in self._rows(_SELECT + "ORDER BY a.id")]
        return [_row(r) for r in self._rows(_SELECT + "WHERE a.meter_id = ? OR a.new_meter_id = ? ORDER BY a.id",
                                            (meter_id, meter_id))]

    def transfer_into(self, meter_id: int) -> Transfer | None:
        r = self._one("SELECT meter_id, at, after FROM amendment WHERE new_meter_id = ? AND kind = 'replace_meter'",
                      (meter_id,))
        if r is None:
            return None
        after = json.loads(r[2])
        return Transfer(int(r[0]), str(r[1]), int(after["credit_kwh"]), int(after["credit_value"]))

    # ------------------------------------------------------------ credit records
    def standing_sales(self, meter_id: int) -> list[SaleCredit]:
        """The meter's completed, unreversed sales, newest first."""
        return [SaleCredit(int(i), str(at), int(k), int(f), json.loads(tv)) for i, at, k, f, tv in self._rows(
            "SELECT s.id, s.sold_at, s.kwh, s.free_kwh, s.tariff_versions FROM sale s JOIN sale_status st "
            f"ON st.sale_id = s.id WHERE s.meter_id = ? AND st.status IN {COUNTED_SQL} ORDER BY s.id DESC",
            (meter_id,))]

    def energy_by_power_type(self, sale_id: int) -> list[tuple[str, int]]:
        return [(str(pt), int(a)) for pt, a in self._rows(
            "SELECT power_type, SUM(amount) FROM sale_line WHERE sale_id = ? AND kind = 'energy' "
            "GROUP BY power_type ORDER BY power_type", (sale_id,))]

    def last_reported_sequence(self, meter_id: int) -> int | None:
        """The highest purchase number a reading of the meter says it has taken."""
        r = self._one("SELECT MAX(purchase_count) FROM reading WHERE meter_id = ?", (meter_id,))
        return None if r is None or r[0] is None else int(r[0])

    # ------------------------------------------------------------ the files
    def customer_file(self, customer_id: int) -> dict[str, Any]:
        r = self._one(f"SELECT {', '.join(CUSTOMER_FIELDS)}, closed_at FROM customer WHERE id = ?", (customer_id,))
        assert r is not None
        return {**dict(zip(CUSTOMER_FIELDS, r)), "closed_at": r[-1]}

    def set_customer(self, customer_id: int, changes: dict[str, str | None]) -> None:
        cols = [k for k in changes if k in CUSTOMER_FIELDS]
        if cols:
            self._run(f"UPDATE customer SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                      (*(changes[c] for c in cols), customer_id))

    def close_customer(self, customer_id: int, at: str) -> None:
        self._run("UPDATE customer SET closed_at = ? WHERE id = ?", (at, customer_id))

    def open_meters(self, customer_id: int) -> int:
        """The customer's meters that are neither cancelled nor replaced."""
        r = self._one("SELECT COUNT(*) FROM meter WHERE customer_id = ? AND status NOT IN ('cancelled', 'replaced')",
                      (customer_id,))
        return int(r[0]) if r else 0

    def meter_file(self, meter_id: int) -> dict[str, Any]:
        r = self._one("SELECT meter_type, maker, model, capacity_a, registered_on FROM meter WHERE id = ?",
                      (meter_id,))
        assert r is not None
        return dict(zip(("meter_type", "maker", "model", "capacity_a", "registered_on"), r))

    def set_capacity(self, meter_id: int, capacity_a: int) -> None:
        self._run("UPDATE meter SET capacity_a = ? WHERE id = ?", (capacity_a, meter_id))

    def set_status(self, meter_id: int, status: str, replaced_by: int | None = None) -> None:
        self._run("UPDATE meter SET status = ?, replaced_by = ? WHERE id = ?", (status, replaced_by, meter_id))

    def set_shares(self, meter_id: int, split: list[tuple[str, int]]) -> None:
        self._run("DELETE FROM meter_share WHERE meter_id = ?", (meter_id,))
        self._many("INSERT INTO meter_share (meter_id, ordinal, power_type, percent) VALUES (?, ?, ?, ?)",
                   [(meter_id, i, code, pct) for i, (code, pct) in enumerate(split, 1)])

    def copy_meter_file(self, old_meter_id: int, new_meter_id: int) -> None:
        """The replacement takes the old meter's type, maker, model and capacity."""
        self._run("UPDATE meter SET (meter_type, maker, model, capacity_a) = (SELECT meter_type, maker, model, "
                  "capacity_a FROM meter WHERE id = ?) WHERE id = ?", (old_meter_id, new_meter_id))

    def closed_accounts(self) -> list[tuple[str, int, int]]:
        """(account no, carry-over, arrears) of every closed customer, for `ppms check`."""
        return [(str(a), int(c), int(d)) for a, c, d in self._rows(
            "SELECT c.account_no, COALESCE(SUM(CASE WHEN l.account = 'CARRY_OVER' THEN l.credit - l.debit END), 0), "
            "COALESCE(SUM(CASE WHEN l.account = 'ARREARS' THEN l.debit - l.credit END), 0) FROM customer c "
            "LEFT JOIN posting_line l ON l.customer_id = c.id WHERE c.closed_at IS NOT NULL "
            "GROUP BY c.id ORDER BY c.account_no")]

    def postings(self) -> list[tuple[str, str, int, dict[str, Any], dict[str, int]]]:
        """(uuid, kind, fee, after, account -> debit - credit of its posting) of every amendment,
        for `ppms check`."""
        out = []
        for uuid, kind, fee, after, pid in self._rows(
                "SELECT uuid, kind, fee, after, posting_id FROM amendment ORDER BY id"):
            nets = {} if pid is None else {str(acc): int(n) for acc, n in self._rows(
                "SELECT account, SUM(debit - credit) FROM posting_line WHERE posting_id = ? GROUP BY account",
                (pid,))}
            out.append((str(uuid), str(kind), int(fee), json.loads(after) if after else {}, nets))
        return out

    def stray_postings(self) -> list[int]:
        """Postings of kind `amendment` that no amendment names."""
        return [int(r[0]) for r in self._rows(
            "SELECT id FROM posting WHERE kind = 'amendment' AND id NOT IN "
            "(SELECT posting_id FROM amendment WHERE posting_id IS NOT NULL) ORDER BY id")]
