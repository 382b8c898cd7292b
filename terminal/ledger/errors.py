"""Errors of the ledger.

    PpmsError (terminal.domain.errors)
    └── LedgerError                      code LEDGER_ERROR
        ├── SchemaTooNew                 SCHEMA_TOO_NEW      the database was written by a newer terminal
        ├── UnbalancedPosting            LEDGER_UNBALANCED   debits != credits (a programming error)
        ├── AppendOnlyViolation          LEDGER_APPEND_ONLY  someone tried to change a money row
        ├── SealKeyMissing               SEAL_KEY_MISSING    a sealed ledger's key file is missing or bad
        └── LedgerUnsound                LEDGER_UNSOUND      the ledger's seal was removed   details: reason
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


class SealKeyMissing(LedgerError):
    code = "SEAL_KEY_MISSING"


class LedgerUnsound(LedgerError):
    code = "LEDGER_UNSOUND"
