"""The self-service note acceptor (a ccTalk bill validator) behind `services.ports.CashAcceptor`.

`hardware.cash` does the packets, the serial line and the intake (escrow, stacking,
events); this adapter opens the port for one intake, checks the bill table against
the validator first (`[cash_acceptor] verify_bills`), and hands the result back as a
plain `CashIntake`. Money counts only on a credit event (note in the cash box).

Each note is also handed over as it happens (`on_note`): `stacking` before it is routed
to the cash box, `credited` when its credit event arrives, numbered from the validator's
event counter, so the host can commit every note before the next poll and, after a
crash, read the credits that arrived after the last one it committed (`credits_after`).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from hardware import cash
from terminal.config import CashAcceptorSection
from terminal.devices.errors import NotConfigured, driver_errors
from terminal.domain.money import Currency, format_money
from terminal.services.ports import CashIntake, DeviceEvent, DeviceEvents, NoteCredited, NoteEvent, NoteRejected


def cash_settings(section: CashAcceptorSection) -> cash.CashSettings:
    if not section.port:
        raise NotConfigured("no note acceptor port: set [cash_acceptor] port")
    with driver_errors(cash.CashError):
        return cash.CashSettings(port=section.port, baudrate=section.baudrate, address=section.address,
                                 timeout_s=section.timeout_s, poll_interval_s=section.poll_interval_s)


def bill_table(section: CashAcceptorSection, decimals: int = 2) -> cash.BillTable:
    if not section.bills:
        raise NotConfigured("no bill table: set [cash_acceptor] bills = { \"1\" = \"50.00\", ... }")
    with driver_errors(cash.CashError):
        return cash.BillTable.from_config(section.bills, decimals=decimals)


def describe_event(event: Any, decimals: int = 2) -> str:
    """One bill event in words, for the screen and the diary."""
    def money(minor: int | None) -> str:
        return "?" if minor is None else format_money(minor, Currency("", decimals))

    if isinstance(event, cash.CreditAccepted):
        return f"credit {money(event.value_minor)} (type {event.bill_type})"
    if isinstance(event, cash.BillEscrowed):
        return f"escrow {money(event.value_minor)} (type {event.bill_type})"
    if isinstance(event, cash.BillReturned):
        return f"returned: {event.reason}"
    if isinstance(event, cash.BillRejected):
        return f"rejected: {event.reason}"
    if isinstance(event, cash.BillJammed):
        return f"jammed: {event.reason}"
    if isinstance(event, cash.FraudAttempt):
        return f"fraud attempt: {event.reason}"
    if isinstance(event, cash.DeviceFault):
        return f"fault: {event.reason}"
    if isinstance(event, cash.UnknownBillStacked):
        return f"unknown note stacked (type {event.bill_type})"
    return f"status: {getattr(event, 'reason', event)}"


def event_of(event: Any) -> DeviceEvent | None:
    """The device event a bill event publishes: a note credited or rejected (others: none)."""
    if isinstance(event, cash.CreditAccepted):
        return NoteCredited(value=event.value_minor, bill_type=event.bill_type)
    if isinstance(event, (cash.BillRejected, cash.BillReturned)):
        return NoteRejected(reason=event.reason)
    return None


def intake_of(result: cash.TenderResult, decimals: int = 2) -> CashIntake:
    notes = tuple(e.value_minor for e in result.events if isinstance(e, cash.CreditAccepted))
    rejected = sum(isinstance(e, (cash.BillRejected, cash.BillReturned)) for e in result.events)
    problem = result.problem
    return CashIntake(amount_due=result.amount_due_minor, counted=result.total_minor, outcome=result.outcome,
                      notes=notes, rejected=rejected,
                      events=tuple(describe_event(e, decimals) for e in result.events),
                      problem_code=None if problem is None else problem.code,
                      problem_message=None if problem is None else problem.message)


class EventNumbers:
    """Numbers the intake's events on from the validator's event counter (1..255, wrapping
    to 1): consecutive events are at most a buffer apart, so the distance is exact."""

    def __init__(self, number: int = 0, counter: int | None = None) -> None:
        self.number, self.counter = number, counter

    def of(self, counter: int) -> int:
        if self.counter is None:
            self.number += 1
        else:
            self.number += (counter - self.counter) % 255 or 255
        self.counter = counter
        return self.number


def note_of(stage: str, number: int, event: cash.CreditAccepted | cash.BillEscrowed) -> NoteEvent:
    return NoteEvent(stage=stage, number=number, counter=event.counter, bill_type=event.bill_type,
                     value=event.value_minor or 0)


class CctalkCashAcceptor:
    """Opens the validator's port for each intake and closes it after (no handle is kept)."""

    def __init__(self, section: CashAcceptorSection, decimals: int = 2, events: DeviceEvents | None = None) -> None:
        self.section = section
        self.decimals = decimals
        self.events = events
        self.settings = cash_settings(section)
        self.table = bill_table(section, decimals)

    def accept_up_to(self, due_minor: int, *, idle_timeout_s: float | None = None,
                     cancel: threading.Event | None = None,
                     on_event: Callable[[str], None] | None = None,
                     on_note: Callable[[NoteEvent], None] | None = None) -> CashIntake:
        numbers = EventNumbers()

        def relay(event: Any) -> None:
            number = numbers.of(event.counter)
            if on_note is not None and isinstance(event, cash.CreditAccepted):
                on_note(note_of("credited", number, event))   # committed before the notice goes out
            published = event_of(event)
            if self.events is not None and published is not None:
                self.events.publish(published)
            if on_event is not None:
                on_event(describe_event(event, self.decimals))

        def stacking(event: cash.BillEscrowed) -> None:
            if on_note is not None:
                on_note(note_of("stacking", numbers.number, event))

        with driver_errors(cash.CashError):
            link = cash.open_link(self.settings)
        try:
            validator = cash.BillValidator(link, self.settings, self.table)
            if self.section.verify_bills:
                with driver_errors(cash.CashError):
                    validator.verify_bill_table(self.decimals)
            result = validator.accept_up_to(
                due_minor, idle_timeout_s=self.section.idle_timeout_s if idle_timeout_s is None else idle_timeout_s,
                cancel=cancel, on_event=relay, on_stack=stacking)
        finally:
            link.close()
        return intake_of(result, self.decimals)

    def credits_after(self, number: int, counter: int | None) -> list[NoteEvent]:
        numbers = EventNumbers(number, counter)
        events: list[Any] = []
        with driver_errors(cash.CashError):
            link = cash.open_link(self.settings)
            try:
                validator = cash.BillValidator(link, self.settings, self.table)
                validator.disable()   # no new note while the last intake's are settled
                if counter is not None:
                    validator.resume_from(counter)
                    events = validator.read_events()
                if validator.route(stack=False) and counter is not None:   # a note left in escrow goes back
                    events += validator.read_events()
            finally:
                link.close()
        credits: list[NoteEvent] = []
        for event in events:
            number = numbers.of(event.counter)
            if isinstance(event, cash.CreditAccepted):
                credits.append(note_of("credited", number, event))
        return credits

    def poll(self) -> dict[str, Any]:
        """`ports test`: a simple poll, the equipment category and the identity."""
        with driver_errors(cash.CashError):
            link = cash.open_link(self.settings)
            try:
                validator = cash.BillValidator(link, self.settings, self.table)
                validator.simple_poll()
                ident = validator.identify()
                checked = sorted(validator.verify_bill_table(self.decimals)) if self.section.verify_bills else []
            finally:
                link.close()
        return {"category": ident.category, "manufacturer": ident.manufacturer,
                "product_code": ident.product_code, "serial_number": ident.serial_number,
                "bill_types_verified": checked}


def build(section: CashAcceptorSection, decimals: int = 2,
          events: DeviceEvents | None = None) -> CctalkCashAcceptor | None:
    """None for `type = "none"`."""
    if section.type == "none":
        return None
    return CctalkCashAcceptor(section, decimals, events)
