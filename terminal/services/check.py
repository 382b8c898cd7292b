"""`ppms check`: verify the ledger end to end, read-only."""
from __future__ import annotations

from typing import Any

from terminal.ledger import counters, diary, journal, repos, seal_check
from terminal.ledger.models import proxy
from terminal.ledger.repos import rows


def verify() -> dict[str, Any]:
    problems: list[dict[str, Any]] = []

    def bad(code: str, message: str, **kw: Any) -> None:
        problems.append({"code": code, "message": message, **kw})

    findings, head = seal_check.verify(proxy.obj)
    for f in findings:
        bad(f.code, f.message, **{k: v for k, v in (("table", f.table), ("row", f.row), ("trigger", f.trigger)) if v})
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

    sums: dict[int, int] = {int(s): int(a) for s, a in rows(
        "SELECT sale_id, SUM(amount) FROM sale_line GROUP BY sale_id")}
    postings: dict[tuple[int, str], int] = {
        (int(s), str(k)): int(n) for s, k, n in rows(
            "SELECT sale_id, kind, COUNT(*) FROM posting WHERE sale_id IS NOT NULL GROUP BY sale_id, kind")}
    sent = {(str(k), str(e)) for k, e in rows("SELECT kind, entity_uuid FROM outbox")}
    status: dict[int, str] = {int(s): str(st) for s, st in rows("SELECT sale_id, status FROM sale_status")}
    pending = 0
    count = 0
    for sid, uuid, rno, tendered, used in proxy.execute_sql(
            "SELECT id, uuid, receipt_no, tendered, carry_over_used FROM sale ORDER BY id"):
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
    n_out, max_seq = proxy.execute_sql("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM outbox").fetchone()
    if n_out != max_seq or max_seq != counters.current_value("outbox"):
        bad("OUTBOX_GAP", f"outbox holds {n_out} rows up to sequence {max_seq}")
    return {"ok": not problems, "problems": problems, "sales": count, "pending_sales": pending,
            "postings": int(proxy.execute_sql("SELECT COUNT(*) FROM posting").fetchone()[0]),
            "debits": debits, "credits": credits, "seal_head": head.as_dict()}
