"""Double-entry journal.

Accounts are codes; customer sub-ledgers carry the customer id on the line:

    CASH, BANK_CLEARING,        assets: money taken at the terminal, by payment method
    MOBILE_MONEY, CASH_ACCEPTOR (CASH_ACCEPTOR: notes in a self-service acceptor's cash box)
    REVENUE:<sub_item>          energy revenue per sub-item (ENERGY, REP, ...)
    FIXED_CHARGE_REVENUE        fixed monthly charges
    VAT_PAYABLE                 VAT owed to the tax authority
    ARREARS (customer)          what the customer owes from before (asset: debit balance)
    ARREARS_TAKEN_ON            contra for arrears recorded at the terminal
    CARRY_OVER (customer)       change kept for the customer's next sale (liability: credit balance)

A posting's lines always balance; that is checked here before anything is
written, and again by `ppms check` over the whole ledger.

`PAYMENT_ACCOUNTS` (how a sale was paid -> the asset account it debits) is defined
here once; selling, the daily report and `ppms check` import it.
"""
from __future__ import annotations

from dataclasses import dataclass

from terminal.ledger.errors import UnbalancedPosting
from terminal.ledger.ids import new_id
from terminal.ledger.rows import Repo

PAYMENT_ACCOUNTS: dict[str, str] = {
    "cash": "CASH", "bank": "BANK_CLEARING", "mobile": "MOBILE_MONEY",
    "acceptor": "CASH_ACCEPTOR",   # notes in a self-service acceptor's cash box
}
MONEY_ACCOUNTS: tuple[str, ...] = tuple(PAYMENT_ACCOUNTS.values())   # money taken at the terminal


@dataclass(frozen=True)
class Line:
    account: str
    debit: int = 0
    credit: int = 0
    customer_id: int | None = None


class Journal(Repo):
    def post(self, kind: str, lines: list[Line], at: str, operator_id: int | None,
             sale_id: int | None = None, customer_id: int | None = None, memo: str = "") -> int:
        """Write one balanced posting; zero lines are dropped."""
        kept = [ln for ln in lines if ln.debit or ln.credit]
        if any(ln.debit < 0 or ln.credit < 0 or (ln.debit and ln.credit) for ln in kept):
            raise UnbalancedPosting("a posting line must be a positive debit or a positive credit")
        debits = sum(ln.debit for ln in kept)
        credits = sum(ln.credit for ln in kept)
        if debits != credits:
            raise UnbalancedPosting(f"posting {kind} does not balance: debits {debits} != credits {credits}",
                                    debits=debits, credits=credits)
        cur = self._run(
            "INSERT INTO posting (uuid, kind, sale_id, customer_id, posted_at, operator_id, memo) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (new_id(), kind, sale_id, customer_id, at, operator_id, memo))
        pid = int(cur.lastrowid)
        if kept:
            self._many(
                "INSERT INTO posting_line (posting_id, account, customer_id, debit, credit) VALUES (?, ?, ?, ?, ?)",
                [(pid, ln.account, ln.customer_id, ln.debit, ln.credit) for ln in kept])
        return pid

    def balance(self, account: str, customer_id: int | None = None) -> int:
        """Debit minus credit of an account (for one customer's sub-ledger when given)."""
        if customer_id is None:
            row = self._run("SELECT COALESCE(SUM(debit - credit), 0) FROM posting_line WHERE account = ?",
                            (account,)).fetchone()
        else:
            row = self._run("SELECT COALESCE(SUM(debit - credit), 0) FROM posting_line WHERE account = ? "
                            "AND customer_id = ?", (account, customer_id)).fetchone()
        return int(row[0])

    def contra_lines(self, posting_id: int) -> list[Line]:
        """The lines that exactly reverse a posting (debits become credits)."""
        cur = self._run("SELECT account, debit, credit, customer_id FROM posting_line "
                        "WHERE posting_id = ? ORDER BY id", (posting_id,))
        return [Line(acc, debit=credit, credit=debit, customer_id=cust) for acc, debit, credit, cust in cur]

    def unbalanced_postings(self) -> list[tuple[int, int, int]]:
        """(posting id, debits, credits) of every posting that does not balance."""
        cur = self._run("SELECT posting_id, SUM(debit), SUM(credit) FROM posting_line GROUP BY posting_id "
                        "HAVING SUM(debit) <> SUM(credit)")
        return [(int(p), int(d), int(c)) for p, d, c in cur]

    def totals(self) -> tuple[int, int]:
        d, c = self._run("SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) FROM posting_line").fetchone()
        return int(d), int(c)

    def count(self) -> int:
        row = self._one("SELECT COUNT(*) FROM posting")
        assert row is not None
        return int(row[0])

    def net_between(self, start: str, end: str, accounts: tuple[str, ...]) -> int:
        """Debit minus credit of some accounts over the postings made between two times."""
        marks = ", ".join("?" * len(accounts))
        row = self._one("SELECT COALESCE(SUM(l.debit - l.credit), 0) FROM posting_line l "
                        "JOIN posting p ON p.id = l.posting_id WHERE p.posted_at >= ? AND p.posted_at < ? "
                        f"AND l.account IN ({marks})", (start, end, *accounts))
        assert row is not None
        return int(row[0])

    def debited_between(self, kind: str, start: str, end: str, accounts: tuple[str, ...]) -> tuple[int, int]:
        """(postings, debits to some accounts) of the postings of `kind` made between two times."""
        marks = ", ".join("?" * len(accounts))
        row = self._one("SELECT COUNT(DISTINCT p.id), COALESCE(SUM(l.debit), 0) FROM posting p "
                        "JOIN posting_line l ON l.posting_id = p.id WHERE p.kind = ? "
                        f"AND p.posted_at >= ? AND p.posted_at < ? AND l.account IN ({marks})",
                        (kind, start, end, *accounts))
        assert row is not None
        return int(row[0]), int(row[1])
