"""Meter readings' history, checking results and the meter account's ledger queries
(statement, accounts receivable, the transaction book): read-only SQL over append-only
rows, except `CheckResults.add`, which appends a finding (migration 23)."""
from __future__ import annotations

from dataclasses import dataclass

from terminal.ledger.canonical import dumps
from terminal.ledger.journal import MONEY_ACCOUNTS
from terminal.ledger.rows import COUNTED_SQL, Repo

_MONEY_IN = "(" + ", ".join(f"'{a}'" for a in MONEY_ACCOUNTS) + ")"
BALANCE_ACCOUNTS = ("CARRY_OVER", "ARREARS")   # the customer's account: carry-over less arrears


@dataclass(frozen=True)
class ReadingPoint:
    """A reading of a meter's register: its row, time, total and remaining energy (0.01 kWh)."""
    id: int
    uuid: str
    read_at: str
    total_kwh: int
    remaining_kwh: int | None
    source: str


@dataclass(frozen=True)
class StatementRow:
    """One posting on a meter's account: the money paid in (or out, negative), the energy
    credited (negative for a reversal) and the change of the customer's balance."""
    posting_id: int
    kind: str
    at: str
    memo: str
    receipt_no: str | None
    meter: str | None        # the sale's meter (None for a posting that names no sale)
    operator: str | None
    paid: int
    kwh: int
    balance_change: int


@dataclass(frozen=True)
class BookLine:
    posting_id: int
    posted_at: str
    kind: str
    memo: str
    operator: str | None
    account: str
    account_no: str | None
    debit: int
    credit: int


class MeterHistory(Repo):
    """What a meter's readings and purchases say about its energy."""

    _POINT = "SELECT id, uuid, read_at, total_kwh, remaining_kwh, source FROM reading "

    def before(self, meter_id: int, read_at: str) -> ReadingPoint | None:
        """The meter's latest reading with a total before `read_at`."""
        r = self._one(self._POINT + "WHERE meter_id = ? AND read_at < ? AND total_kwh IS NOT NULL "
                      "ORDER BY read_at DESC, id DESC LIMIT 1", (meter_id, read_at))
        return None if r is None else ReadingPoint(*r)

    def point(self, uuid: str) -> ReadingPoint:
        r = self._one(self._POINT + "WHERE uuid = ?", (uuid,))
        assert r is not None, "a reading just recorded"
        return ReadingPoint(*r)

    def first(self, meter_id: int) -> ReadingPoint | None:
        r = self._one(self._POINT + "WHERE meter_id = ? AND total_kwh IS NOT NULL ORDER BY read_at, id LIMIT 1",
                      (meter_id,))
        return None if r is None else ReadingPoint(*r)

    def latest_with_credit(self, meter_id: int) -> ReadingPoint | None:
        """The meter's latest reading that gives both its total and its remaining credit."""
        r = self._one(self._POINT + "WHERE meter_id = ? AND total_kwh IS NOT NULL AND remaining_kwh IS NOT NULL "
                      "ORDER BY read_at DESC, id DESC LIMIT 1", (meter_id,))
        return None if r is None else ReadingPoint(*r)

    def between(self, meter_id: int, start: str, end: str) -> list[ReadingPoint]:
        """Readings with a total from `start` to before `end`, in time order."""
        return [ReadingPoint(*r) for r in self._rows(
            self._POINT + "WHERE meter_id = ? AND read_at >= ? AND read_at < ? AND total_kwh IS NOT NULL "
            "ORDER BY read_at, id", (meter_id, start, end))]

    def seen(self, meter_id: int, read_at: str, source: str) -> bool:
        return self._one("SELECT 1 FROM reading WHERE meter_id = ? AND read_at = ? AND source = ?",
                         (meter_id, read_at, source)) is not None

    def initial_kwh(self, meter_id: int) -> int:
        """The register at installation (the latest installation's initial reading), else 0."""
        r = self._one("SELECT initial_kwh FROM installation WHERE meter_id = ? AND initial_kwh IS NOT NULL "
                      "ORDER BY id DESC LIMIT 1", (meter_id,))
        return 0 if r is None else int(r[0])

    def bought_kwh(self, meter_id: int, up_to: str) -> int:
        """Energy credited to the meter (paid and free) by the standing sales made up to `up_to`."""
        r = self._one("SELECT COALESCE(SUM(s.credit_kwh), 0) FROM sale_status st JOIN sale s ON s.id = st.sale_id "
                      f"WHERE st.meter_id = ? AND st.status IN {COUNTED_SQL} AND st.sold_at <= ?", (meter_id, up_to))
        assert r is not None
        return int(r[0])

    def meters_with_readings(self) -> list[int]:
        return [int(r[0]) for r in self._rows("SELECT DISTINCT meter_id FROM reading ORDER BY meter_id")]


class CheckResults(Repo):
    """The checking results (append-only): what an inspector visits."""

    def add(self, uuid: str, kind: str, meter_id: int, reading_id: int | None, found_at: str,
            operator_id: int | None, expected_kwh: int, observed_kwh: int, tolerance_kwh: int | None,
            detail: dict[str, object]) -> None:
        self._run("INSERT INTO check_result (uuid, kind, meter_id, reading_id, found_at, operator_id, expected_kwh, "
                  "observed_kwh, tolerance_kwh, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (uuid, kind, meter_id, reading_id, found_at, operator_id, expected_kwh, observed_kwh,
                   tolerance_kwh, dumps(detail)))

    def flagged(self, reading_id: int, kind: str) -> bool:
        return self._one("SELECT 1 FROM check_result WHERE reading_id = ? AND kind = ?",
                         (reading_id, kind)) is not None

    def without_outbox(self) -> list[str]:
        """Checking results with no outbox row (`ppms check`)."""
        return [str(r[0]) for r in self._rows(
            "SELECT c.uuid FROM check_result c WHERE NOT EXISTS (SELECT 1 FROM outbox o "
            "WHERE o.entity_uuid = c.uuid AND o.kind = 'check_result') ORDER BY c.id")]

    def readings_without_outbox(self) -> list[str]:
        """Manual and handheld readings with no outbox row (`ppms check`)."""
        return [str(r[0]) for r in self._rows(
            "SELECT r.uuid FROM reading r WHERE r.source IN ('manual', 'handheld') AND NOT EXISTS ("
            "SELECT 1 FROM outbox o WHERE o.entity_uuid = r.uuid AND o.kind = 'meter_reading') ORDER BY r.id")]

    def wrong_meter(self) -> list[str]:
        """Checking results whose reading is another meter's (`ppms check`)."""
        return [str(r[0]) for r in self._rows(
            "SELECT c.uuid FROM check_result c JOIN reading r ON r.id = c.reading_id "
            "WHERE r.meter_id <> c.meter_id ORDER BY c.id")]


class AccountBooks(Repo):
    """The meter account's statement, the receivable and the transaction book."""

    def statement(self, customer_id: int, start: str | None, end: str | None) -> list[StatementRow]:
        """Postings on the customer's account in time order: the sales and reversals of each of
        its meters (with the meter's number) and the postings that name no sale (debts, fees,
        transfers, money held)."""
        cond, params = self._span("p.posted_at", start, end)
        rows = self._rows(
            "SELECT p.id, p.kind, p.posted_at, p.memo, s.receipt_no, sm.number, o.username, "
            f" COALESCE(SUM(CASE WHEN l.account IN {_MONEY_IN} THEN l.debit - l.credit END), 0),"
            " CASE p.kind WHEN 'sale' THEN s.credit_kwh WHEN 'reversal' THEN -s.credit_kwh ELSE 0 END,"
            " COALESCE(SUM(CASE WHEN l.account IN ('CARRY_OVER', 'ARREARS') AND l.customer_id = p.customer_id"
            "  THEN l.credit - l.debit END), 0)"
            " FROM posting p JOIN posting_line l ON l.posting_id = p.id LEFT JOIN sale s ON s.id = p.sale_id"
            " LEFT JOIN meter sm ON sm.id = s.meter_id LEFT JOIN operator o ON o.id = p.operator_id"
            f" WHERE p.customer_id = ?{cond} GROUP BY p.id ORDER BY p.posted_at, p.id", (customer_id, *params))
        return [StatementRow(int(a), str(b), str(c), str(d), e, m, f, int(g), int(h or 0), int(i))
                for a, b, c, d, e, m, f, g, h, i in rows]

    def balance_before(self, customer_id: int, start: str) -> int:
        """The customer's balance (carry-over less arrears) before `start`."""
        r = self._one("SELECT COALESCE(SUM(l.credit - l.debit), 0) FROM posting p JOIN posting_line l "
                      "ON l.posting_id = p.id WHERE p.customer_id = ? AND l.customer_id = ? "
                      "AND l.account IN ('CARRY_OVER', 'ARREARS') AND p.posted_at < ?",
                      (customer_id, customer_id, start))
        assert r is not None
        return int(r[0])

    def arrears_movements(self, as_of_end: str) -> list[tuple[int, str, str, str, str, int]]:
        """(customer id, account no, name, posting kind, day posted, debit - credit) of every ARREARS
        line posted before `as_of_end`, by customer and time (the receivable's input)."""
        return [(int(a), str(b), str(c), str(d), str(e), int(f)) for a, b, c, d, e, f in self._rows(
            "SELECT c.id, c.account_no, c.name, p.kind, substr(p.posted_at, 1, 10), l.debit - l.credit "
            "FROM posting_line l JOIN posting p ON p.id = l.posting_id JOIN customer c ON c.id = l.customer_id "
            "WHERE l.account = 'ARREARS' AND l.customer_id IS NOT NULL AND p.posted_at < ? "
            "ORDER BY c.account_no, p.posted_at, l.id", (as_of_end,))]

    def _book_where(self, start: str | None, end: str | None, account: str | None,
                    operator: str | None) -> tuple[str, tuple[str, ...]]:
        cond, params = self._span("p.posted_at", start, end)
        if account is not None:
            cond += " AND l.account = ?"
            params += (account,)
        if operator is not None:
            cond += " AND p.operator_id = (SELECT id FROM operator WHERE username = ?)"
            params += (operator,)
        return cond, params

    def book_totals(self, start: str | None, end: str | None, account: str | None,
                    operator: str | None) -> tuple[int, int, int]:
        """(lines, debits, credits) of the book's lines that match."""
        cond, params = self._book_where(start, end, account, operator)
        r = self._one("SELECT COUNT(*), COALESCE(SUM(l.debit), 0), COALESCE(SUM(l.credit), 0) FROM posting_line l "
                      f"JOIN posting p ON p.id = l.posting_id WHERE 1 = 1{cond}", params)
        assert r is not None
        return int(r[0]), int(r[1]), int(r[2])

    def book(self, start: str | None, end: str | None, account: str | None, operator: str | None,
             limit: int, offset: int) -> list[BookLine]:
        """One page of the journal's lines in the order they were written (time order: the clock only goes forward)."""
        cond, params = self._book_where(start, end, account, operator)
        return [BookLine(*r) for r in self._rows(
            "SELECT p.id, p.posted_at, p.kind, p.memo, o.username, l.account, c.account_no, l.debit, l.credit "
            "FROM posting_line l JOIN posting p ON p.id = l.posting_id LEFT JOIN operator o ON o.id = p.operator_id "
            f"LEFT JOIN customer c ON c.id = l.customer_id WHERE 1 = 1{cond} ORDER BY l.id "
            "LIMIT ? OFFSET ?", (*params, limit, offset))]

    @staticmethod
    def _span(column: str, start: str | None, end: str | None) -> tuple[str, tuple[str, ...]]:
        cond, params = "", tuple[str, ...]()
        if start is not None:
            cond, params = f" AND {column} >= ?", (start,)
        if end is not None:
            cond, params = cond + f" AND {column} < ?", (*params, end)
        return cond, params
