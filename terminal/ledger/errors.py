"""Errors of the ledger.

    PpmsError (terminal.domain.errors)
    └── LedgerError                      code LEDGER_ERROR
        ├── SchemaTooNew                 SCHEMA_TOO_NEW      the database was written by a newer terminal
        ├── UnbalancedPosting            LEDGER_UNBALANCED   debits != credits (a programming error)
        ├── AppendOnlyViolation          LEDGER_APPEND_ONLY  someone tried to change a money row
        ├── SealKeyMissing               SEAL_KEY_MISSING    a sealed ledger's key file is missing or bad
        ├── LedgerUnsound                LEDGER_UNSOUND      the ledger's seal was removed   details: reason
        ├── OutsideUnitOfWork            LEDGER_NO_UNIT_OF_WORK  a write asked for with no unit of work open
        ├── NotALedgerCopy               NOT_A_LEDGER        a file given as a ledger's copy is not SQLite
        └── LedgerUnavailable            LEDGER_UNAVAILABLE  the ledger cannot take a write now; nothing was
            │                                                written (a refusal, not a fault of the program)
            ├── LedgerBusy               LEDGER_BUSY         another writer held the write lock longer than
            │                                                the busy timeout ([database] busy_timeout_s): retry
            ├── DiskFull                 DISK_FULL           SQLITE_FULL, "database or disk is full", or less
            │                                                free space than [database] min_free_mb: free space
            └── ClockBehindLedger        CLOCK_BEHIND_LEDGER the terminal's clock is earlier than the ledger's
                                                             latest write (beyond [database] clock_tolerance_s):
                                                             set the clock right; details: latest, now

The services pass `LedgerUnavailable` on by type (`terminal.services.errors` re-exports it);
the CLI shows its code and exits 2 (LEDGER_UNSOUND exits 3).
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


class OutsideUnitOfWork(LedgerError):
    code = "LEDGER_NO_UNIT_OF_WORK"


class NotALedgerCopy(LedgerError):
    code = "NOT_A_LEDGER"


class LedgerUnavailable(LedgerError):
    code = "LEDGER_UNAVAILABLE"


class LedgerBusy(LedgerUnavailable):
    code = "LEDGER_BUSY"


class DiskFull(LedgerUnavailable):
    code = "DISK_FULL"


class ClockBehindLedger(LedgerUnavailable):
    code = "CLOCK_BEHIND_LEDGER"
