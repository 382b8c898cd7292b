"""The report queries: sums of postings and sale lines grouped by a period or a class.

Every figure is a sum over the ledger's own rows (postings, posting lines, sale lines,
readings, meters, cards), never over a second copy. A grouping is one of the names in
`GROUP_KEYS`, each a fixed SQL expression over a posting `p`, its sale `s`, the
customer `c` and the posting's operator `o` (a name outside it is refused before any
SQL is built).
"""
from __future__ import annotations

from typing import Any, Final

from terminal.ledger.rows import Repo

# the primary power type of the sale's meter: its largest share, the first listed on a tie
_PRIMARY = ("(SELECT ms.power_type FROM meter_share ms WHERE ms.meter_id = s.meter_id "
            "ORDER BY ms.percent DESC, ms.ordinal LIMIT 1)")
GROUP_KEYS: Final[dict[str, str]] = {
    "day": "substr(p.posted_at, 1, 10)",
    "month": "substr(p.posted_at, 1, 7)",
    "year": "substr(p.posted_at, 1, 4)",
    "power_type": _PRIMARY,
    "category": "c.category",
    "area": "c.area",
    "tariff_version": "s.tariff_versions",
    "operator": "o.username",
    "terminal": "substr(s.receipt_no, 1, instr(s.receipt_no, '-') - 1)",
    "payment": "s.payment",
}
SALE_SUMS: Final = ("tendered", "kwh", "free_kwh", "fixed", "debt", "vat", "carry_over_used", "change")
_SALE: Final = "LEFT JOIN sale s ON s.id = p.sale_id "
_JOINS: Final = {"category": "LEFT JOIN customer c ON c.id = p.customer_id ",
                 "area": "LEFT JOIN customer c ON c.id = p.customer_id ",
                 "operator": "LEFT JOIN operator o ON o.id = p.operator_id "}
_WHEN = "p.posted_at >= ? AND p.posted_at < ?"
# the registration report's counts per month
MONTHLY_COUNTS: Final[dict[str, str]] = {
    "registrations": "SELECT substr(registered_at, 1, 7), COUNT(*) FROM customer "
                     "WHERE registered_at >= ? AND registered_at < ? GROUP BY 1",
    "installations": "SELECT substr(installed_at, 1, 7), COUNT(*) FROM meter "
                     "WHERE installed_at >= ? AND installed_at < ? GROUP BY 1",
    "cards_made": "SELECT substr(e.at, 1, 7), COUNT(*) FROM card_event e WHERE e.event = 'made' "
                  "AND e.at >= ? AND e.at < ? GROUP BY 1",
    # a card made for a meter that had a card made before it
    "cards_reissued": "SELECT substr(e.at, 1, 7), COUNT(*) FROM card_event e JOIN card k ON k.id = e.card_id "
                      "WHERE e.event = 'made' AND e.at >= ? AND e.at < ? AND EXISTS (SELECT 1 FROM card_event "
                      "e2 JOIN card k2 ON k2.id = e2.card_id WHERE e2.event = 'made' AND k2.meter_id = k.meter_id "
                      "AND e2.id < e.id) GROUP BY 1",
}


def _key(group: str) -> str:
    return GROUP_KEYS[group]    # KeyError for a name the service did not check: a bug, not input


def _from(group: str, sale: bool = True) -> str:
    """The posting `p` and only the rows its key and figures need (each joined by its primary key)."""
    needs_sale = sale or "s." in GROUP_KEYS[group]
    return "FROM posting p " + (_SALE if needs_sale else "") + _JOINS.get(group, "")


class ReportRows(Repo):
    def sale_sums(self, group: str, start: str, end: str) -> list[tuple[Any, ...]]:
        """(key, kind, count, *SALE_SUMS) of the sale and reversal postings made between two times."""
        sums = ", ".join(f"SUM(s.{c})" for c in SALE_SUMS)
        return self._rows(f"SELECT {_key(group)} AS k, p.kind, COUNT(*), {sums} {_from(group)}"
                          f"WHERE p.kind IN ('sale', 'reversal') AND {_WHEN} GROUP BY k, p.kind", (start, end))

    def sale_payments(self, group: str, start: str, end: str) -> list[tuple[Any, ...]]:
        """(key, kind, payment, tendered) of the sale and reversal postings made between two times."""
        return self._rows(f"SELECT {_key(group)} AS k, p.kind, s.payment, SUM(s.tendered) {_from(group)}"
                          f"WHERE p.kind IN ('sale', 'reversal') AND {_WHEN} GROUP BY k, p.kind, s.payment",
                          (start, end))

    def sale_sub_items(self, group: str, start: str, end: str) -> list[tuple[Any, ...]]:
        """(key, kind, sub-item, energy money, lines' kWh) of the sales behind the sale and reversal
        postings made between two times."""
        return self._rows(f"SELECT {_key(group)} AS k, p.kind, l.sub_item, SUM(l.amount), SUM(l.kwh) {_from(group)}"
                          "JOIN sale_line l ON l.sale_id = p.sale_id AND l.kind = 'energy' "
                          f"WHERE p.kind IN ('sale', 'reversal') AND {_WHEN} GROUP BY k, p.kind, l.sub_item",
                          (start, end))

    def account_moves(self, group: str, start: str, end: str, money: tuple[str, ...],
                      fee_prefix: str) -> list[tuple[Any, ...]]:
        """(key, money accounts' debit - credit, fee accounts' credit - debit) of the postings other
        than sales and reversals made between two times (a sale's posting debits its money account
        with the sale's tendered, its reversal credits it back: `sale_sums` has those)."""
        marks = ", ".join("?" * len(money))
        return self._rows(
            f"SELECT {_key(group)} AS k, "
            f"COALESCE(SUM(CASE WHEN l.account IN ({marks}) THEN l.debit - l.credit END), 0), "
            "COALESCE(SUM(CASE WHEN l.account LIKE ? THEN l.credit - l.debit END), 0) "
            f"{_from(group, sale=False)}JOIN posting_line l ON l.posting_id = p.id "
            f"WHERE p.kind NOT IN ('sale', 'reversal') AND {_WHEN} GROUP BY k",
            (*money, fee_prefix + "%", start, end))

    def readings(self, start: str, end: str) -> list[tuple[Any, ...]]:
        """(area, meter number, read_at, source, total kWh, remaining kWh, flags, detail) of the
        readings taken between two times, by area, meter and time."""
        return self._rows(
            "SELECT c.area, m.number, r.read_at, r.source, r.total_kwh, r.remaining_kwh, r.status_flags, r.detail "
            "FROM reading r JOIN meter m ON m.id = r.meter_id JOIN customer c ON c.id = m.customer_id "
            "WHERE r.read_at >= ? AND r.read_at < ? ORDER BY c.area, m.number, r.read_at", (start, end))

    def previous_totals(self, before: str) -> dict[str, int]:
        """Each meter's latest total reading taken before a time (meter number -> 0.01 kWh)."""
        return {str(n): int(t) for n, t in self._rows(
            "SELECT m.number, r.total_kwh FROM reading r JOIN meter m ON m.id = r.meter_id "
            "WHERE r.read_at < ? AND r.total_kwh IS NOT NULL "
            "AND r.read_at = (SELECT MAX(x.read_at) FROM reading x WHERE x.meter_id = r.meter_id "
            "AND x.read_at < ? AND x.total_kwh IS NOT NULL)", (before, before))}

    def installed_meters(self, before: str) -> list[tuple[str | None, str]]:
        """(area, meter number) of every meter installed before a time and not cancelled or replaced."""
        return [(a, str(n)) for a, n in self._rows(
            "SELECT c.area, m.number FROM meter m JOIN customer c ON c.id = m.customer_id "
            "WHERE m.installed_at IS NOT NULL AND m.installed_at < ? AND m.status = 'installed' "
            "ORDER BY c.area, m.number", (before,))]

    def monthly_counts(self, what: str, start: str, end: str) -> dict[str, int]:
        """{YYYY-MM: how many} of one of `MONTHLY_COUNTS` between two times."""
        return {str(k): int(n) for k, n in self._rows(MONTHLY_COUNTS[what], (start, end))}

    def amendments_by_kind(self, start: str, end: str) -> list[tuple[str, str, int]]:
        """(YYYY-MM, kind, how many) of the amendment file's rows between two times."""
        return [(str(m), str(k), int(n)) for m, k, n in self._rows(
            "SELECT substr(at, 1, 7), kind, COUNT(*) FROM amendment WHERE at >= ? AND at < ? "
            "GROUP BY 1, 2", (start, end))]

    def shift_cash(self, start: str, end: str) -> list[tuple[Any, ...]]:
        """(shift id, operator, opened_at, closed_at, float, cash_in, expected, counted, difference) of the
        shifts closed between two times and of those opened then and still open (close figures None)."""
        return self._rows(
            "SELECT s.id, o.username, s.opened_at, c.closed_at, s.float, c.cash_in, c.expected, c.counted, "
            "c.difference FROM shift s JOIN operator o ON o.id = s.operator_id "
            "LEFT JOIN shift_close c ON c.shift_id = s.id WHERE (c.closed_at >= ? AND c.closed_at < ?) "
            "OR (c.shift_id IS NULL AND s.opened_at >= ? AND s.opened_at < ?) ORDER BY s.id",
            (start, end, start, end))
