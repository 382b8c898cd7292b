"""Errors of the ledger.

    PpmsError (terminal.domain.errors)
    └── LedgerError                      code LEDGER_ERROR
        ├── SchemaTooNew                 SCHEMA_TOO_NEW      the database was written by a newer terminal
        ├── UnbalancedPosting            LEDGER_UNBALANCED   debits != credits (a programming error)
        └── AppendOnlyViolation          LEDGER_APPEND_ONLY  someone tried to change a money row
"""
from __future__ import annotations

from terminal.domain.errors import PpmsError


class LedgerError(PpmsError):
    code = "LEDGER_ERROR"


class SchemaTooNew(LedgerError):
    code = "SCHEMA_TOO_NEW"


class UnbalancedPosting(LedgerError):
    code = "LEDGER_UNBALANCED"


class AppendOnlyViolation(LedgerError):
    code = "LEDGER_APPEND_ONLY"
