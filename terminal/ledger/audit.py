"""Read-only queries `ppms check` needs for the ledger's money invariants (each a whole-
ledger scan grouped in SQL, one pass per invariant)."""
from __future__ import annotations

from terminal.domain.vend import CARRY_OVER, DEBT, ENERGY, FIXED, VAT
from terminal.ledger.journal import PAYMENT_ACCOUNTS
from terminal.ledger.rows import COUNTED_SQL, Repo


class Audit(Repo):
    def negative_balances(self) -> list[tuple[str, str, int]]:
        """(account no, account, balance) of every customer whose carry-over (a credit balance)
        or arrears (a debit balance) is below zero."""
        rows = self._rows(
            "SELECT c.account_no, p.account, SUM(CASE p.account WHEN 'CARRY_OVER' THEN p.credit - p.debit "
            "ELSE p.debit - p.credit END) AS balance FROM posting_line p JOIN customer c ON c.id = p.customer_id "
            "WHERE p.customer_id IS NOT NULL AND p.account IN ('CARRY_OVER', 'ARREARS') "
            "GROUP BY p.customer_id, p.account HAVING balance < 0 ORDER BY c.account_no, p.account")
        return [(str(a), str(k), int(b)) for a, k, b in rows]

    def posting_line_mismatches(self) -> list[tuple[str, str, int, int]]:
        """(receipt no, account, posted, as the lines say) wherever a sale's `sale` posting differs
        from its lines: the payment account debited the tendered money, REVENUE:<sub-item> the
        energy lines, VAT_PAYABLE, FIXED_CHARGE_REVENUE and ARREARS their lines, CARRY_OVER the
        change line less the carry-over used. One grouped pass; only the differences come back."""
        case = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in PAYMENT_ACCOUNTS.items())
        posted = "(SELECT sale_id FROM posting WHERE kind = 'sale')"
        rows = self._rows(
            "SELECT s.receipt_no, d.account, SUM(d.posted), SUM(d.wanted) FROM ("
            " SELECT p.sale_id, l.account, l.debit - l.credit AS posted, 0 AS wanted FROM posting p"
            " JOIN posting_line l ON l.posting_id = p.id WHERE p.kind = 'sale' AND p.sale_id IS NOT NULL"
            f" UNION ALL SELECT id, CASE payment {case} ELSE payment END, 0, tendered FROM sale WHERE id IN {posted}"
            f" UNION ALL SELECT id, 'CARRY_OVER', 0, carry_over_used FROM sale WHERE id IN {posted}"
            f" UNION ALL SELECT sale_id, CASE kind WHEN '{ENERGY}' THEN 'REVENUE:' || sub_item"
            f" WHEN '{VAT}' THEN 'VAT_PAYABLE' WHEN '{FIXED}' THEN 'FIXED_CHARGE_REVENUE'"
            f" WHEN '{DEBT}' THEN 'ARREARS' ELSE 'CARRY_OVER' END,"
            f" 0, -amount FROM sale_line WHERE sale_id IN {posted} AND (kind IN ('{VAT}', '{FIXED}', '{DEBT}',"
            f" '{CARRY_OVER}') OR (kind = '{ENERGY}' AND sub_item IS NOT NULL))"
            ") d JOIN sale s ON s.id = d.sale_id GROUP BY d.sale_id, d.account HAVING SUM(d.posted) != SUM(d.wanted)"
            " ORDER BY d.sale_id, d.account")
        return [(str(r), str(a), int(p), int(w)) for r, a, p, w in rows]

    def fixed_months(self) -> list[tuple[int, str, int, int]]:
        """(meter id, receipt no, last month charged as year*12 + month-1, months charged) of each
        counted sale that charged fixed months, by meter and month."""
        rows = self._rows(
            "SELECT s.meter_id, s.receipt_no, s.charged_through, s.months_charged FROM sale s "
            f"JOIN sale_status st ON st.sale_id = s.id WHERE st.status IN {COUNTED_SQL} AND s.months_charged > 0 "
            "ORDER BY s.meter_id, s.charged_through, s.id")
        return [(int(m), str(r), int(c), int(n)) for m, r, c, n in rows]
