"""`ppms check`'s findings for meter reading and the checking results: every manual or
handheld reading and every checking result has its outbox row (READING_OUTBOX_MISSING,
CHECK_OUTBOX_MISSING), and a checking result found on a reading names that reading's meter
(CHECK_READING_MISMATCH)."""
from __future__ import annotations

from typing import Any

from terminal.ledger import Repositories


def accounts_findings(r: Repositories) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    out += [{"code": "READING_OUTBOX_MISSING", "reading": u, "message": f"reading {u} has no outbox row"}
            for u in r.checks.readings_without_outbox()]
    out += [{"code": "CHECK_OUTBOX_MISSING", "check": u, "message": f"checking result {u} has no outbox row"}
            for u in r.checks.without_outbox()]
    out += [{"code": "CHECK_READING_MISMATCH", "check": u,
             "message": f"checking result {u} names a reading of another meter"} for u in r.checks.wrong_meter()]
    return out
