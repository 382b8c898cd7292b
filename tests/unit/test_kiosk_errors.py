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


def test_a_sale_that_may_be_on_the_card_is_never_told_nothing_was_sold() -> None:
    """A driver's CARD_REMOVED code on an uncertain write (the card pulled mid-write) gets the
    waiting sale's words, not the "nothing was sold" of a card pulled before the sale."""
    from terminal.services.errors import CarrierFailed, DeviceAbsent, OutcomeUncertain, SalePending
    assert "Nothing was sold" in errors.advice(DeviceAbsent.for_code("CARD_REMOVED")("pulled"))[1]
    for exc in (OutcomeUncertain.for_code("CARD_REMOVED")("pulled mid-write"), SalePending("waiting"),
                CarrierFailed("the carrier failed; the sale is waiting for recovery")):
        title, way_on = errors.advice(exc)
        assert "Nothing" not in way_on and "card back" in way_on, exc
        assert errors.uncertain(exc)


def test_each_device_fault_says_what_it_is_and_what_to_do() -> None:
    from terminal.services.errors import DeviceAbsent, DeviceError
    cases = {DeviceAbsent.for_code("READER_NOT_FOUND")("no reader"): "cable",
             DeviceError.for_code("PRINTER_PAPER_OUT")("no paper"): "Load paper",
             DeviceError.for_code("PRINTER_OFFLINE")("offline"): "reprint",
             DeviceError.for_code("CASH_JAMMED")("jam"): "supervisor",
             DeviceError.for_code("METER_PORT_UNAVAILABLE")("no port"): "type the reading in",
             DeviceError.for_code("METER_NO_ANSWER")("silent"): "type the reading in"}
    for exc, way_on in cases.items():
        title, said = errors.advice(exc)
        assert way_on in said and title != errors.REFUSED[0], exc.code
    assert errors.device_words("CASH_JAMMED") == errors.BY_CODE["CASH_JAMMED"]
    assert errors.device_words("NO_SUCH_CODE") is None
