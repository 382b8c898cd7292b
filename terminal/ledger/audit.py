"""Read-only queries `ppms check` needs for the ledger's money invariants (each a whole-
ledger scan grouped in SQL, one pass per invariant)."""
from __future__ import annotations

from terminal.ledger.models import proxy

_COUNTED_SQL = "('completed','printed')"


def negative_balances() -> list[tuple[str, str, int]]:
    """(account no, account, balance) of every customer whose carry-over (a credit balance)
    or arrears (a debit balance) is below zero."""
    cur = proxy.execute_sql(
        "SELECT c.account_no, p.account, SUM(CASE p.account WHEN 'CARRY_OVER' THEN p.credit - p.debit "
        "ELSE p.debit - p.credit END) AS balance FROM posting_line p JOIN customer c ON c.id = p.customer_id "
        "WHERE p.customer_id IS NOT NULL AND p.account IN ('CARRY_OVER', 'ARREARS') "
        "GROUP BY p.customer_id, p.account HAVING balance < 0 ORDER BY c.account_no, p.account")
    return [(str(a), str(k), int(b)) for a, k, b in cur.fetchall()]


def sale_posting_nets() -> dict[int, dict[str, int]]:
    """{sale id: {account: debit - credit}} of each sale's `sale` posting."""
    out: dict[int, dict[str, int]] = {}
    for sale_id, account, net in proxy.execute_sql(
            "SELECT p.sale_id, l.account, SUM(l.debit - l.credit) FROM posting p "
            "JOIN posting_line l ON l.posting_id = p.id WHERE p.kind = 'sale' AND p.sale_id IS NOT NULL "
            "GROUP BY p.sale_id, l.account"):
        out.setdefault(int(sale_id), {})[str(account)] = int(net)
    return out


def sale_line_sums() -> dict[int, dict[tuple[str, str | None], int]]:
    """{sale id: {(line kind, sub-item): amount}} of the sales that have a posting."""
    out: dict[int, dict[tuple[str, str | None], int]] = {}
    for sale_id, kind, sub_item, amount in proxy.execute_sql(
            "SELECT l.sale_id, l.kind, CASE l.kind WHEN 'energy' THEN l.sub_item END, SUM(l.amount) "
            "FROM sale_line l WHERE l.sale_id IN (SELECT sale_id FROM posting WHERE kind = 'sale') "
            "GROUP BY l.sale_id, l.kind, 3"):
        out.setdefault(int(sale_id), {})[(str(kind), sub_item)] = int(amount)
    return out


def posted_sales() -> list[tuple[int, str, str, int, int]]:
    """(id, receipt no, payment, tendered, carry-over used) of the sales with a posting."""
    cur = proxy.execute_sql("SELECT id, receipt_no, payment, tendered, carry_over_used FROM sale "
                            "WHERE id IN (SELECT sale_id FROM posting WHERE kind = 'sale') ORDER BY id")
    return [(int(i), str(r), str(p), int(t), int(u)) for i, r, p, t, u in cur.fetchall()]


def fixed_months() -> list[tuple[int, str, int, int]]:
    """(meter id, receipt no, last month charged as year*12 + month-1, months charged) of each
    counted sale that charged fixed months, by meter and month."""
    cur = proxy.execute_sql(
        "SELECT s.meter_id, s.receipt_no, s.charged_through, s.months_charged FROM sale s "
        f"JOIN sale_status st ON st.sale_id = s.id WHERE st.status IN {_COUNTED_SQL} AND s.months_charged > 0 "
        "ORDER BY s.meter_id, s.charged_through, s.id")
    return [(int(m), str(r), int(c), int(n)) for m, r, c, n in cur.fetchall()]
