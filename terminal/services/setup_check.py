"""`ppms check` findings of system setup and cashier shifts (one call from `check.verify`).

    PARAMETER_HISTORY_MISMATCH  a parameter's value in force is not the last change its history holds
    SHIFT_CASH_MISMATCH         a closed shift's cash, expected or difference is not what the postings give
    SHIFT_SELF_SIGNED           a shift signed off by its own cashier
    SHIFT_OPEN_TWICE            an operator with two open shifts
"""
from __future__ import annotations

from typing import Any

from terminal.ledger import Repositories
from terminal.services import parameters, shifts


def findings(r: Repositories) -> list[dict[str, Any]]:
    return [*parameters.findings(r), *shifts.findings(r)]
