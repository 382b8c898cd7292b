"""What a reading says about a meter: the anomalies of meter reading and the account
check's energy balance, and how a finding is stored (a checking result, its diary entry
and outbox row).

Energy balance of a meter at a reading (0.01 kWh):
    bought    = credit (paid + free kWh) of the meter's standing sales made up to the reading
    consumed  = the reading's register total - the register at installation (0 if none given)
    remaining = the reading's remaining credit
and bought should equal consumed + remaining within `account.check_tolerance_kwh`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sync.account_records import CheckResultRecord
from terminal.ledger import Fact, Outgoing, Repositories, UnitOfWork
from terminal.ledger.ids import new_id
from terminal.ledger.meter_accounts import ReadingPoint
from terminal.ledger.repos import MeterRow
from terminal.services.auth import Session


@dataclass(frozen=True)
class Finding:
    kind: str              # reading_lower | consumption_high | credit_mismatch | account_mismatch
    expected_kwh: int
    observed_kwh: int
    tolerance_kwh: int | None = None


@dataclass(frozen=True)
class EnergyBalance:
    bought_kwh: int
    consumed_kwh: int
    remaining_kwh: int

    @property
    def difference_kwh(self) -> int:
        """Bought less (consumed + remaining): above zero, energy the meter does not account for."""
        return self.bought_kwh - self.consumed_kwh - self.remaining_kwh


def energy_balance(r: Repositories, meter_id: int, read_at: str, total_kwh: int, remaining_kwh: int) -> EnergyBalance:
    consumed = total_kwh - r.meter_history.initial_kwh(meter_id)
    return EnergyBalance(r.meter_history.bought_kwh(meter_id, read_at), consumed, remaining_kwh)


def _seconds(a: str, b: str) -> int:
    return int((datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds())


def reading_anomalies(r: Repositories, meter_id: int, read_at: str, total_kwh: int, remaining_kwh: int | None,
                      tolerance_kwh: int, factor: int) -> list[Finding]:
    """The anomalies of a new reading against the meter's readings before it and its purchases."""
    found: list[Finding] = []
    last = r.meter_history.before(meter_id, read_at)
    if last is not None and total_kwh < last.total_kwh:
        found.append(Finding("reading_lower", last.total_kwh, total_kwh))
    elif last is not None:
        high = _consumption_high(r.meter_history.first(meter_id), last, read_at, total_kwh, factor)
        if high is not None:
            found.append(high)
    if remaining_kwh is not None:
        bal = energy_balance(r, meter_id, read_at, total_kwh, remaining_kwh)
        expected = bal.bought_kwh - bal.consumed_kwh
        if abs(remaining_kwh - expected) > tolerance_kwh:
            found.append(Finding("credit_mismatch", expected, remaining_kwh, tolerance_kwh))
    return found


def _consumption_high(first: ReadingPoint | None, last: ReadingPoint, read_at: str, total_kwh: int,
                      factor: int) -> Finding | None:
    """Consumption since the last reading above `factor` times the meter's own average rate
    (from its first reading to its last); None without an average to compare with."""
    if first is None or first.id == last.id:
        return None
    span = _seconds(first.read_at, last.read_at)
    elapsed = _seconds(last.read_at, read_at)
    history = last.total_kwh - first.total_kwh
    if span <= 0 or elapsed <= 0 or history <= 0:
        return None
    used = total_kwh - last.total_kwh
    allowed = factor * history * elapsed // span      # the most this period may use, at factor x average
    return Finding("consumption_high", allowed, used) if used > allowed else None


def store_finding(uow: UnitOfWork, session: Session, meter: MeterRow, finding: Finding, at: str,
                  reading: ReadingPoint | None) -> str:
    """A checking result with its diary entry and outbox row, in the caller's unit of work."""
    check_id = new_id()
    uow.checks.add(check_id, finding.kind, meter.id, None if reading is None else reading.id, at,
                   session.operator_id, finding.expected_kwh, finding.observed_kwh, finding.tolerance_kwh,
                   {} if reading is None else {"reading_at": reading.read_at, "source": reading.source})
    uow.record(Fact("check.flagged", f"meter:{meter.number}", session.username, at,
                    after={"check_id": check_id, "kind": finding.kind, "expected_kwh": finding.expected_kwh,
                           "observed_kwh": finding.observed_kwh},
                    outbox=Outgoing("check_result", check_id, CheckResultRecord(
                        check_id, finding.kind, meter.number, at, finding.expected_kwh, finding.observed_kwh,
                        finding.tolerance_kwh, None if reading is None else reading.uuid))))
    return check_id
