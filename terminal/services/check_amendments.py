"""`ppms check`'s findings on the amendment file (its own module, called by check.verify).

- AMENDMENT_POSTING_MISMATCH: an amendment's posting differs from what its row says: the fee
  on FEE_REVENUE; for cancel meter the credit value bought back (CREDIT_REFUNDED), the arrears
  settled (ARREARS), the refund paid (CASH) and the carry-over used (CARRY_OVER); for meter
  replacing the value the token could not carry, moved to carry-over; a posting of kind
  `amendment` that no amendment names.
- AMENDMENT_INCOMPLETE: a cancel meter amendment whose row lacks the figures of its money
  (credit value, arrears settled, refund, carry-over): written by no service.
- ACCOUNT_CLOSED_NOT_ZERO: a closed account whose carry-over is not zero or whose arrears
  are below zero (arrears left over are allowed: they stay receivable).
"""
from __future__ import annotations

from typing import Any

from terminal.ledger import Repositories

Problem = dict[str, Any]
CANCEL_FIGURES = frozenset({"credit_value", "arrears_settled", "refund", "carry_over"})


def _expected(kind: str, fee: int, after: dict[str, Any]) -> dict[str, int]:
    want = {"FEE_REVENUE": -fee}
    if kind == "cancel_meter":
        want |= {"CREDIT_REFUNDED": int(after["credit_value"]), "ARREARS": -int(after["arrears_settled"]),
                 "CASH": fee - int(after["refund"]), "CARRY_OVER": int(after["carry_over"])}   # fee in cash
    elif kind == "replace_meter":
        kept = int(after.get("carry_over", 0))
        want |= {"CREDIT_REFUNDED": kept, "CARRY_OVER": -kept}
    else:
        want |= {"CREDIT_REFUNDED": 0, "ARREARS": 0, "CARRY_OVER": 0}
    return want


def amendment_findings(r: Repositories) -> list[Problem]:
    out: list[Problem] = []
    for uuid, kind, fee, after, nets in r.amendments.postings():
        if kind == "cancel_meter" and not CANCEL_FIGURES <= set(after or {}):
            out.append({"code": "AMENDMENT_INCOMPLETE", "amendment": uuid,
                        "message": f"amendment {uuid} (cancel_meter) lacks the figures of its money: "
                                   + ", ".join(sorted(CANCEL_FIGURES - set(after or {})))})
            continue
        diffs = [f"{acc} (posted {nets.get(acc, 0)}, amendment {want})"
                 for acc, want in _expected(kind, fee, after).items() if nets.get(acc, 0) != want]
        if diffs:
            out.append({"code": "AMENDMENT_POSTING_MISMATCH", "amendment": uuid,
                        "message": f"amendment {uuid} ({kind}): its posting differs on " + ", ".join(diffs)})
    for pid in r.amendments.stray_postings():
        out.append({"code": "AMENDMENT_POSTING_MISMATCH", "posting": pid,
                    "message": f"posting {pid} of kind amendment belongs to no amendment"})
    for account_no, carry, arrears in r.amendments.closed_accounts():
        if carry != 0 or arrears < 0:
            out.append({"code": "ACCOUNT_CLOSED_NOT_ZERO", "customer": account_no,
                        "message": f"customer {account_no} is closed with carry-over {carry} and arrears {arrears}: "
                                   "a closed account is at zero or keeps only its arrears"})
    return out
