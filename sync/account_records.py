"""The wire records of meter reading and the meter account: readings entered by hand or
imported from a handheld reading device, and the checking results an inspector visits."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sync.fields import COUNT, ENERGY, MAX_INT, METER, TIME, UUID, Choice, Field, Int, ListOf

ENTERED_SOURCES = ("manual", "handheld")
CHECK_KINDS = ("reading_lower", "consumption_high", "credit_mismatch", "account_mismatch")
SIGNED_ENERGY = Int(lo=-MAX_INT)


@dataclass(frozen=True)
class MeterReadingRecord:
    """kind ``meter_reading``: a reading entered by an operator (`manual`) or imported from a
    handheld reading device's file (`handheld`, with its import and line)."""
    reading_id: str
    source: str
    meter: str
    read_at: str
    total_kwh: int
    remaining_kwh: int | None = None
    import_id: str | None = None
    line: int | None = None
    flags: tuple[str, ...] | None = None        # the checking results found on it
    KIND: ClassVar = "meter_reading"
    WIRE: ClassVar = (Field("reading_id", "id", UUID), Field("source", "src", Choice(ENTERED_SOURCES)),
                      Field("meter", "m", METER), Field("read_at", "at", TIME), Field("total_kwh", "e", ENERGY),
                      Field("remaining_kwh", "re", ENERGY, optional=True),
                      Field("import_id", "imp", UUID, optional=True), Field("line", "ln", COUNT, optional=True),
                      Field("flags", "fl", ListOf(Choice(CHECK_KINDS), 4), optional=True))


@dataclass(frozen=True)
class CheckResultRecord:
    """kind ``check_result``: a finding stored for an inspector: what was expected, what was
    observed (0.01 kWh; a difference may be negative), the tolerance in force."""
    check_id: str
    kind: str
    meter: str
    found_at: str
    expected_kwh: int
    observed_kwh: int
    tolerance_kwh: int | None = None
    reading_id: str | None = None
    KIND: ClassVar = "check_result"
    WIRE: ClassVar = (Field("check_id", "id", UUID), Field("kind", "k", Choice(CHECK_KINDS)),
                      Field("meter", "m", METER), Field("found_at", "at", TIME),
                      Field("expected_kwh", "ex", SIGNED_ENERGY), Field("observed_kwh", "ob", SIGNED_ENERGY),
                      Field("tolerance_kwh", "tol", ENERGY, optional=True),
                      Field("reading_id", "rd", UUID, optional=True))
