"""Account transfers (migration 17): a request, then at most one decision, both append-only.

A request moves nothing; an approval carries the balanced `transfer` posting that moves the
carry-over (CARRY_OVER of the giving customer debited, of the receiving one credited) or the
arrears (ARREARS of the receiving customer debited, of the giving one credited).
"""
from __future__ import annotations

from dataclasses import dataclass

from terminal.ledger.rows import Repo

AWAITING = "awaiting_approval"
STATUSES = (AWAITING, "approved", "rejected")


@dataclass(frozen=True)
class TransferRow:
    id: int
    uuid: str
    what: str
    from_meter: str
    to_meter: str
    from_customer_id: int
    to_customer_id: int
    amount: int
    reason: str
    requested_at: str
    requested_by_id: int
    requested_by: str
    status: str
    decided_at: str | None
    decided_by: str | None
    note: str | None
    posting_id: int | None


_SELECT = ("SELECT t.id, t.uuid, t.what, fm.number, tm.number, t.from_customer_id, t.to_customer_id, t.amount, "
           "t.reason, t.requested_at, t.requested_by, ro.username, COALESCE(d.decision, 'awaiting_approval'), "
           "d.decided_at, dop.username, d.note, d.posting_id FROM account_transfer t "
           "JOIN meter fm ON fm.id = t.from_meter_id JOIN meter tm ON tm.id = t.to_meter_id "
           "JOIN operator ro ON ro.id = t.requested_by "
           "LEFT JOIN account_transfer_decision d ON d.transfer_id = t.id "
           "LEFT JOIN operator dop ON dop.id = d.decided_by ")


class Transfers(Repo):
    def request(self, uuid: str, what: str, from_meter_id: int, to_meter_id: int, from_customer_id: int,
                to_customer_id: int, amount: int, reason: str, at: str, operator_id: int) -> int:
        cur = self._run("INSERT INTO account_transfer (uuid, what, from_meter_id, to_meter_id, from_customer_id, "
                        "to_customer_id, amount, reason, requested_at, requested_by) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (uuid, what, from_meter_id, to_meter_id, from_customer_id, to_customer_id, amount, reason,
                         at, operator_id))
        return int(cur.lastrowid)

    def decide(self, transfer_id: int, decision: str, at: str, operator_id: int, note: str | None,
               posting_id: int | None) -> None:
        self._run("INSERT INTO account_transfer_decision (transfer_id, decision, decided_at, decided_by, note, "
                  "posting_id) VALUES (?, ?, ?, ?, ?, ?)", (transfer_id, decision, at, operator_id, note, posting_id))

    def by_uuid(self, uuid: str) -> TransferRow | None:
        row = self._one(_SELECT + "WHERE t.uuid = ?", (uuid,))
        return None if row is None else TransferRow(*row)

    def listing(self, status: str | None, meter: str | None) -> list[TransferRow]:
        """Transfers (of one status, touching one meter, when given), oldest first."""
        where, params = [], []
        if status:
            where.append("COALESCE(d.decision, 'awaiting_approval') = ?")
            params.append(status)
        if meter:
            where.append("(fm.number = ? OR tm.number = ?)")
            params += [meter, meter]
        cond = ("WHERE " + " AND ".join(where) + " ") if where else ""
        return [TransferRow(*r) for r in self._rows(_SELECT + cond + "ORDER BY t.id", tuple(params))]

    def posting_mismatches(self) -> list[tuple[str, str]]:
        """(transfer uuid, what is wrong) wherever a transfer and the journal disagree: an approved
        transfer whose posting is not exactly its two lines (the giving and the receiving
        customer's account, the amount each side), or a `transfer` posting no approval names."""
        out: list[tuple[str, str]] = []
        approved = self._rows(
            "SELECT t.uuid, t.what, t.from_customer_id, t.to_customer_id, t.amount, d.posting_id, p.kind "
            "FROM account_transfer t JOIN account_transfer_decision d ON d.transfer_id = t.id "
            "LEFT JOIN posting p ON p.id = d.posting_id WHERE d.decision = 'approved' ORDER BY t.id")
        for uuid, what, giver, taker, amount, posting_id, kind in approved:
            if kind != "transfer":
                out.append((str(uuid), f"its posting {posting_id} is not a transfer posting"))
                continue
            lines = sorted((str(a), c, int(d), int(k)) for a, c, d, k in self._rows(
                "SELECT account, customer_id, debit, credit FROM posting_line WHERE posting_id = ?", (posting_id,)))
            account = "CARRY_OVER" if what == "carry_over" else "ARREARS"
            debited, credited = (giver, taker) if what == "carry_over" else (taker, giver)
            wanted = sorted([(account, debited, amount, 0), (account, credited, 0, amount)])
            if lines != wanted:
                out.append((str(uuid), f"posting {posting_id} does not move {amount} of {account} "
                                       f"from customer {giver} to customer {taker}"))
        for (pid,) in self._rows("SELECT p.id FROM posting p WHERE p.kind = 'transfer' AND NOT EXISTS "
                                 "(SELECT 1 FROM account_transfer_decision d WHERE d.posting_id = p.id) ORDER BY p.id"):
            out.append(("", f"transfer posting {pid} belongs to no approved transfer"))
        return out
