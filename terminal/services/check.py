"""`ppms check`: verify the ledger end to end, in one read-only snapshot."""
from __future__ import annotations

from typing import Any

from terminal.domain.money import Currency, currency, format_money
from terminal.domain.sale import CARRIED
from terminal.ledger import Repositories
from terminal.services import check_register, setup_check
from terminal.services.check_accounts import accounts_findings
from terminal.services.check_amendments import amendment_findings
from terminal.services.check_numbers import numbering_findings
from terminal.services.context import Context
from terminal.services.disk import disk_space

Problem = dict[str, Any]


def _money(r: Repositories) -> Currency:
    """The ledger's currency; a ledger without a tariff has no money yet (2 decimals)."""
    code = r.meta.get("currency")
    return currency(code) if code else Currency("", 2)


def verify(ctx: Context) -> dict[str, Any]:
    """Money in the result and its messages is a decimal string (selling.md, "Units")."""
    problems: list[dict[str, Any]] = []

    def bad(code: str, message: str, **kw: Any) -> None:
        problems.append({"code": code, "message": message, **kw})

    findings, head = ctx.ledger.seal_check()
    for f in findings:
        bad(f.code, f.message, **{k: v for k, v in (("table", f.table), ("row", f.row), ("trigger", f.trigger)) if v})
    with ctx.ledger.read() as r:
        cur = _money(r)
        integrity = r.quick_check()
        if integrity != "ok":
            bad("SQLITE_INTEGRITY", f"SQLite quick_check: {integrity}")
        for pid, d, c in r.journal.unbalanced_postings():
            bad("POSTING_UNBALANCED", f"posting {pid}: debits {format_money(d, cur)} != credits "
                f"{format_money(c, cur)}", posting=pid)
        debits, credits = r.journal.totals()
        if debits != credits:
            bad("LEDGER_UNBALANCED", f"total debits {format_money(debits, cur)} != total credits "
                f"{format_money(credits, cur)}")
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
        for code, message in numbering_findings(r, count):
            bad(code, message)
        for invariant in (negative_balances, postings_match_lines, fixed_months_once, notes_all_accounted,
                          amendment_findings, accounts_findings):
            problems += invariant(r)
        problems += check_register.findings(r)
        problems += setup_check.findings(r)
        n_postings = r.journal.count()
    clock = ctx.ledger.clock_state(ctx.now())   # time only goes forward: the ledger's latest write
    return {"ok": not problems, "problems": problems, "sales": count, "pending_sales": pending,
            "postings": n_postings, "debits": format_money(debits, cur), "credits": format_money(credits, cur),
            "clock": {"latest_write": clock.latest, "now": clock.now, "behind": clock.behind,
                      "behind_s": clock.behind_s, "tolerance_s": clock.tolerance_s},
            "seal_head": head.as_dict(), "disk": disk_space(ctx)}


def negative_balances(r: Repositories) -> list[Problem]:
    """No customer's carry-over or arrears below zero."""
    return [{"code": "BALANCE_NEGATIVE", "message": f"customer {acct}: {account} balance {balance} is below zero",
             "customer": acct, "account": account, "balance": balance}
            for acct, account, balance in r.audit.negative_balances()]


def postings_match_lines(r: Repositories) -> list[Problem]:
    """Each sale's posting equals its lines, account by account (revenue per sub-item, VAT,
    fixed, arrears, carry-over, payment)."""
    by_sale: dict[str, list[str]] = {}
    for receipt_no, account, posted, wanted in r.audit.posting_line_mismatches():
        by_sale.setdefault(receipt_no, []).append(f"{account} (posted {posted}, lines {wanted})")
    return [{"code": "SALE_POSTING_MISMATCH", "sale": receipt_no,
             "message": f"sale {receipt_no}: its posting differs from its lines on " + ", ".join(diffs)}
            for receipt_no, diffs in by_sale.items()]


def fixed_months_once(r: Repositories) -> list[Problem]:
    """No month's fixed charge counted twice for a meter (two standing sales charging it)."""
    out: list[Problem] = []
    last: tuple[int, str, int, int] | None = None    # meter, receipt, first and last month charged
    for meter_id, receipt_no, through, months in r.audit.fixed_months():
        first = through - months + 1
        if last is not None and last[0] == meter_id and first <= last[3]:
            month = max(first, last[2])
            out.append({"code": "FIXED_MONTH_TWICE", "sales": [last[1], receipt_no],
                        "message": f"sales {last[1]} and {receipt_no} both charge the fixed charge of "
                                   f"{month // 12}-{month % 12 + 1:02d}"})
        if last is None or last[0] != meter_id or through > last[3]:
            last = (meter_id, receipt_no, first, through)
    return out


def notes_all_accounted(r: Repositories) -> list[Problem]:
    """Notes taken = notes sold + notes held: each intake's credited notes equal its settlement
    (and its sale's tendered); an intake with notes and no settlement is money in the cash
    box the ledger has not placed (a crash: run `ppms sale recover`)."""
    out: list[Problem] = []
    for uuid, taken, outcome, amount, tendered in r.cash_intakes.mismatched():
        if outcome is None:
            message = f"intake {uuid}: {taken} taken in notes, neither sold nor held (run `ppms sale recover`)"
        else:
            message = (f"intake {uuid}: {taken} taken in notes, {outcome} {amount}"
                       + ("" if tendered is None else f", its sale tendered {tendered}"))
        out.append({"code": "NOTES_UNACCOUNTED", "intake": uuid, "message": message})
    return out
