"""The bank payments waiting for a card meter (migration 24) and their uses."""
from __future__ import annotations

from dataclasses import dataclass

from terminal.ledger.rows import Repo


@dataclass(frozen=True)
class BankPayment:
    payment_id: str
    reference: str
    meter: str
    amount: int
    paid_at: str


_USED = ("EXISTS (SELECT 1 FROM bank_payment_use u LEFT JOIN sale s ON s.uuid = u.sale_uuid "
         "LEFT JOIN sale_status ss ON ss.sale_id = s.id WHERE u.payment_id = p.payment_id "
         "AND (u.terminal != ? OR ss.status IS NULL OR ss.status != 'voided'))")


class BankPayments(Repo):
    def add(self, p: BankPayment, at: str) -> bool:
        """Store a payment the feed brought; False when it was here already."""
        cur = self._run("INSERT INTO bank_payment (payment_id, reference, meter, amount, paid_at, received_at) "
                        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (payment_id) DO NOTHING",
                        (p.payment_id, p.reference, p.meter, p.amount, p.paid_at, at))
        return bool(cur.rowcount)

    def known(self, payment_id: str) -> bool:
        return self._one("SELECT 1 FROM bank_payment WHERE payment_id = ?", (payment_id,)) is not None

    def use(self, payment_id: str, sale_uuid: str, terminal: str, at: str) -> bool:
        cur = self._run("INSERT INTO bank_payment_use (payment_id, sale_uuid, terminal, at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (payment_id, sale_uuid) DO NOTHING", (payment_id, sale_uuid, terminal, at))
        return bool(cur.rowcount)

    def waiting(self, meter: str | None, terminal: str) -> list[BankPayment]:
        """The payments not used (here by a sale that was not voided, or elsewhere), oldest first."""
        where = "" if meter is None else "p.meter = ? AND "
        params = (terminal,) if meter is None else (meter, terminal)
        return [BankPayment(*r) for r in self._rows(
            f"SELECT p.payment_id, p.reference, p.meter, p.amount, p.paid_at FROM bank_payment p WHERE {where}"
            f"NOT {_USED} ORDER BY p.id", params)]

    def is_waiting(self, payment_id: str, terminal: str) -> bool:
        return self._one(f"SELECT 1 FROM bank_payment p WHERE p.payment_id = ? AND NOT {_USED}",
                         (payment_id, terminal)) is not None

    def find(self, payment_id: str) -> BankPayment | None:
        r = self._one("SELECT payment_id, reference, meter, amount, paid_at FROM bank_payment WHERE payment_id = ?",
                      (payment_id,))
        return None if r is None else BankPayment(*r)

    def unreported(self, terminal: str) -> list[tuple[str, str]]:
        """(payment, sale) of this terminal's completed uses whose record is not in the outbox
        (a power cut between a sale and its report)."""
        return [(str(a), str(b)) for a, b in self._rows(
            "SELECT u.payment_id, u.sale_uuid FROM bank_payment_use u JOIN sale s ON s.uuid = u.sale_uuid "
            "JOIN sale_status ss ON ss.sale_id = s.id WHERE u.terminal = ? "
            "AND ss.status IN ('completed', 'printed', 'reversed') AND NOT EXISTS (SELECT 1 FROM outbox o "
            "WHERE o.kind = 'payment_applied' AND o.entity_uuid = u.payment_id) ORDER BY u.id", (terminal,))]
