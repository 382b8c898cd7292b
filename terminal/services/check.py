"""`ppms check`: verify the ledger end to end, in one read-only snapshot."""
from __future__ import annotations

from typing import Any

from terminal.domain.sale import CARRIED
from terminal.services.context import Context


def verify(ctx: Context) -> dict[str, Any]:
    problems: list[dict[str, Any]] = []

    def bad(code: str, message: str, **kw: Any) -> None:
        problems.append({"code": code, "message": message, **kw})

    with ctx.ledger.read() as r:
        integrity = r.quick_check()
        if integrity != "ok":
            bad("SQLITE_INTEGRITY", f"SQLite quick_check: {integrity}")
        for pid, d, c in r.journal.unbalanced_postings():
            bad("POSTING_UNBALANCED", f"posting {pid}: debits {d} != credits {c}", posting=pid)
        debits, credits = r.journal.totals()
        if debits != credits:
            bad("LEDGER_UNBALANCED", f"total debits {debits} != total credits {credits}")
        for brk in r.diary.verify_chain():
            bad("DIARY_CHAIN_BROKEN", f"diary entry {brk.entry_id}: {brk.reason}", entry=brk.entry_id)

        sums = r.sales.line_sums()
        postings = r.sales.postings_by_kind()
        sent = r.outbox.sent_keys()
        status = r.sales.statuses()
        pending = 0
        count = 0
        for sid, uuid, rno, tendered, used in r.sales.audit_rows():
            count += 1
            st = status.get(sid)
            if sums.get(sid, 0) != tendered + used:
                bad("SALE_LINES_MISMATCH", f"sale {rno}: lines do not sum to the money", sale=rno)
            carried = st in CARRIED
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
        receipts = r.counters.current_value("receipt")
        if count != receipts:
            bad("RECEIPT_GAP", f"{count} sales but {receipts} receipt numbers issued")
        n_out, max_seq = r.outbox.extent()
        if n_out != max_seq or max_seq != r.counters.current_value("outbox"):
            bad("OUTBOX_GAP", f"outbox holds {n_out} rows up to sequence {max_seq}")
        n_postings = r.journal.count()
    clock = ctx.ledger.clock_state(ctx.now())   # time only goes forward: the ledger's latest write
    return {"ok": not problems, "problems": problems, "sales": count, "pending_sales": pending,
            "postings": n_postings, "debits": debits, "credits": credits,
            "clock": {"latest_write": clock.latest, "now": clock.now, "behind": clock.behind,
                      "behind_s": clock.behind_s, "tolerance_s": clock.tolerance_s}}

