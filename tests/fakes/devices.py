"""Fakes of the meter reading device and the note acceptor (services.ports), scriptable
so the reading and kiosk services can be driven through every branch without hardware."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from threading import Event

from terminal.domain.errors import PpmsError
from terminal.services.ports import CashIntake, MeterValues, NoteEvent


class FakeDeviceError(PpmsError):
    code = "FAKE_DEVICE"


def device_error(code: str, message: str = "fake device error") -> FakeDeviceError:
    err = FakeDeviceError(message)
    err.code = code
    return err


@dataclass
class FakeMeterReader:
    """Meters on a fake bus: address -> values; an address missing is silent (METER_NO_ANSWER)."""
    meters: dict[str, MeterValues] = field(default_factory=dict)
    port: str = "/dev/fake-rs485"
    port_fails_after: int | None = None   # the port dies after this many meters of a batch
    asked: list[str] = field(default_factory=list)

    def add(self, address: str, total: int, remaining_kwh: int | None = None, remaining_money: int | None = None,
            purchases: int | None = 0) -> None:
        self.meters[address] = MeterValues(address, total, remaining_kwh, remaining_money, purchases,
                                           status_flags=0x0100_0000, status={"relay_open": False})

    def read(self, address: str) -> MeterValues:
        self.asked.append(address)
        if address not in self.meters:
            raise device_error("METER_NO_ANSWER", f"no answer from meter {address}")
        return self.meters[address]

    def read_each(self, addresses: list[str]) -> Iterator[tuple[str, MeterValues | Exception]]:
        for n, address in enumerate(addresses):
            if self.port_fails_after is not None and n >= self.port_fails_after:
                raise device_error("METER_PORT_UNAVAILABLE", "the port went away")
            try:
                yield address, self.read(address)
            except PpmsError as exc:
                yield address, exc


class FakeCrash(BaseException):
    """A process killed mid-intake (not an Exception: nothing in the services catches it)."""


@dataclass
class FakeCashAcceptor:
    """A customer script: ("note", minor) stacked while it fits the amount (else returned),
    ("reject",) refused, ("jam",) stops the intake. The cash box is what was stacked."""
    script: list[tuple] = field(default_factory=list)
    cash_box: list[int] = field(default_factory=list)
    fail: PpmsError | None = None
    calls: int = 0
    counter: int = 0
    buffered: list[int] = field(default_factory=list)   # credits stacked but never reported
    recoveries: int = 0

    def accept_up_to(self, due_minor: int, *, idle_timeout_s: float | None = None, cancel: Event | None = None,
                     on_event: Callable[[str], None] | None = None,
                     on_note: Callable[[NoteEvent], None] | None = None) -> CashIntake:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        notes: list[int] = []
        rejected = 0
        events: list[str] = []
        outcome, code, message = "timed_out", None, None
        while self.script:
            if sum(notes) >= due_minor:
                break
            step = self.script.pop(0)
            if step[0] == "note":
                if sum(notes) + step[1] <= due_minor:
                    self._note(on_note, "stacking", step[1])
                    self.cash_box.append(step[1])
                    if len(step) > 2 and step[2] == "crash":   # killed before the credit was seen
                        self.buffered.append(step[1])
                        raise FakeCrash("killed between stacking a note and its credit event")
                    self._note(on_note, "credited", step[1])
                    notes.append(step[1])
                    events.append(f"credit {step[1]}")
                else:
                    rejected += 1
                    events.append("returned")
            elif step[0] == "reject":
                rejected += 1
                events.append("rejected")
            elif step[0] == "jam":
                outcome, code, message = "stopped", "CASH_JAMMED", "a note is jammed"
                events.append("jammed")
                break
            if on_event is not None:
                on_event(events[-1])
        if code is None and sum(notes) >= due_minor:
            outcome = "complete"
        return CashIntake(due_minor, sum(notes), outcome, tuple(notes), rejected, tuple(events), code, message)

    def _note(self, on_note: Callable[[NoteEvent], None] | None, stage: str, value: int) -> None:
        self.counter = self.counter % 255 + 1
        if on_note is not None:
            on_note(NoteEvent(stage, self.counter, self.counter, 1, value))

    def credits_after(self, number: int, counter: int | None) -> list[NoteEvent]:
        """The credits a crash left in the validator's buffer, once (the buffer moves on)."""
        self.recoveries += 1
        if self.fail is not None:
            raise self.fail
        out = []
        for value in self.buffered:
            counter, number = (counter or 0) % 255 + 1, number + 1
            out.append(NoteEvent("credited", number, counter, 1, value))
        self.buffered.clear()
        return out
