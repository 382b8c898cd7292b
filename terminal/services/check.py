"""`ppms check`: verify the ledger end to end, read-only."""
from __future__ import annotations

from typing import Any

from peewee import fn

from terminal.ledger import counters, diary, journal, repos
from terminal.ledger.models import Outbox, Posting, Sale, SaleLine, SaleStatus, proxy


def verify() -> dict[str, Any]:
    problems: list[dict[str, Any]] = []

    def bad(code: str, message: str, **kw: Any) -> None:
        problems.append({"code": code, "message": message, **kw})

    integrity = proxy.execute_sql("PRAGMA quick_check").fetchone()[0]
    if integrity != "ok":
        bad("SQLITE_INTEGRITY", f"SQLite quick_check: {integrity}")
    for pid, d, c in journal.unbalanced_postings():
        bad("POSTING_UNBALANCED", f"posting {pid}: debits {d} != credits {c}", posting=pid)
    debits, credits = journal.totals()
    if debits != credits:
        bad("LEDGER_UNBALANCED", f"total debits {debits} != total credits {credits}")
    for brk in diary.verify_chain():
        bad("DIARY_CHAIN_BROKEN", f"diary entry {brk.entry_id}: {brk.reason}", entry=brk.entry_id)

    sums = dict(SaleLine.select(SaleLine.sale, fn.SUM(SaleLine.amount)).group_by(SaleLine.sale).tuples())
    postings: dict[tuple[int, str], int] = {}
    for sid, kind in Posting.select(Posting.sale, Posting.kind).where(Posting.sale.is_null(False)).tuples():
        postings[(sid, kind)] = postings.get((sid, kind), 0) + 1
    sent = {(k, e) for k, e in Outbox.select(Outbox.kind, Outbox.entity_uuid).tuples()}
    status = dict(SaleStatus.select(SaleStatus.sale, SaleStatus.status).tuples())
    pending = 0
    count = 0
    for sid, uuid, rno, tendered, used in Sale.select(Sale.id, Sale.uuid, Sale.receipt_no, Sale.tendered,
                                                       Sale.carry_over_used).tuples().iterator():
        count += 1
        st = status.get(sid)
        if sums.get(sid, 0) != tendered + used:
            bad("SALE_LINES_MISMATCH", f"sale {rno}: lines do not sum to the money", sale=rno)
        carried = st in (*repos.COUNTED, "reversed")
        if carried and postings.get((sid, "sale")) != 1:
            bad("SALE_POSTING_MISSING", f"sale {rno} is {st} but has {postings.get((sid, 'sale'), 0)} postings",
                sale=rno)
        if carried and ("sale", uuid) not in sent:
            bad("SALE_OUTBOX_MISSING", f"sale {rno} is {st} but has no outbox row", sale=rno)
        if st == "reversed" and (postings.get((sid, "reversal")) != 1 or ("reversal", uuid) not in sent):
            bad("REVERSAL_INCOMPLETE", f"sale {rno} is reversed without its contra-posting and outbox row",
                sale=rno)
        if st in ("pending", "voided") and postings.get((sid, "sale")):
            bad("VOID_POSTED", f"sale {rno} is {st} but has a posting", sale=rno)
        if st is None:
            bad("SALE_STATUS_MISSING", f"sale {rno} has no status", sale=rno)
        pending += st == "pending"
    if count != counters.current_value("receipt"):
        bad("RECEIPT_GAP", f"{count} sales but {counters.current_value('receipt')} receipt numbers issued")
    n_out, max_seq = Outbox.select(fn.COUNT(Outbox.seq), fn.COALESCE(fn.MAX(Outbox.seq), 0)).tuples().get()
    if n_out != max_seq or max_seq != counters.current_value("outbox"):
        bad("OUTBOX_GAP", f"outbox holds {n_out} rows up to sequence {max_seq}")
    return {"ok": not problems, "problems": problems, "sales": count, "pending_sales": pending,
            "postings": Posting.select().count(), "debits": debits, "credits": credits}
