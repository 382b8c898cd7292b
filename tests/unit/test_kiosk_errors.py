"""The kiosk's error screen gives each refusal the words and the way on that fit it: a full
disk is no "busy terminal" (waiting does not help), a clock behind the ledger and an offline
limit each say who can fix them."""
from __future__ import annotations

from terminal.ledger.errors import ClockBehindLedger, DiskFull, LedgerBusy
from terminal.services.errors import OfflineLimitReached
from terminal.ui import errors


def test_a_full_disk_says_to_call_the_technician_not_to_wait() -> None:
    title, way_on = errors.advice(DiskFull("the ledger's disk is full"))
    assert title == "The terminal's storage is full" and "technician" in way_on
    assert errors.advice(LedgerBusy("busy"))[0] == "The terminal is busy"     # waiting does help there


def test_the_clock_and_the_offline_limit_say_who_fixes_them() -> None:
    assert "supervisor" in errors.advice(ClockBehindLedger("behind"))[1]
    assert "sync" in errors.advice(OfflineLimitReached("too long offline"))[1]
