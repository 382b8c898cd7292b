"""BillValidator session and the escrow intake, against the simulator in memory."""
from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.cash import codec
from hardware.cash.errors import CashError
from hardware.cash.models import (
    BillEscrowed,
    BillEvent,
    BillRejected,
    BillReturned,
    BillTable,
    CashSettings,
    CreditAccepted,
)
from hardware.cash.simulator import Action, LineFault, SimulatedBillValidator
from hardware.cash.validator import BillValidator
from tests.unit.cash.fakes import DeviceLink

KES = BillTable({1: 5000, 2: 10000, 3: 20000, 4: 50000, 5: 100000})


def make(*script: tuple[Action, int], table: BillTable = KES, echo: bool = False,
         **device_kw: object) -> tuple[BillValidator, SimulatedBillValidator]:
    device = SimulatedBillValidator(**device_kw)  # type: ignore[arg-type]
    for action, bill_type in script:
        device.queue(action, bill_type)
    cfg = CashSettings(port="fake", timeout_s=0.05, poll_interval_s=0.001)
    return BillValidator(DeviceLink(device, echo=echo), cfg, table), device


def stacked_by_device(device: SimulatedBillValidator, table: BillTable) -> int:
    """Money in the simulated cash box, from the device's own credit events."""
    return sum(table.values[bill_type] for bill_type in device.cash_box)


def test_identify_and_verify_bill_table() -> None:
    validator, _ = make()
    ident = validator.identify()
    assert (ident.category, ident.manufacturer, ident.serial_number) == ("Bill Validator", "PPMS", 123456)
    ids = validator.verify_bill_table()
    assert str(ids[5]) == "KE1000A"


@pytest.mark.parametrize("table", [BillTable({1: 5000, 2: 20000}), BillTable({1: 5000, 9: 100})])
def test_bill_table_mismatch(table: BillTable) -> None:
    validator, _ = make(table=table)
    with pytest.raises(CashError) as caught:
        validator.verify_bill_table()
    assert caught.value.code == "CASH_BILL_TABLE_MISMATCH"


def test_exact_amount_through_escrow() -> None:
    validator, device = make((Action.INSERT, 2), (Action.INSERT, 1))
    seen: list[BillEvent] = []
    result = validator.accept_up_to(15000, on_event=seen.append)
    assert result.complete and result.problem is None
    assert result.total_minor == result.credited_minor == 15000
    assert list(result.events) == seen == [BillEscrowed(2, 10000), CreditAccepted(2, 10000),
                                           BillEscrowed(1, 5000), CreditAccepted(1, 5000)]
    assert not device.master_enabled  # nothing more is taken after the sale


def test_note_rejected_mid_sale_is_reported_and_the_sale_goes_on() -> None:
    validator, device = make((Action.INSERT, 2), (Action.REJECT, 0), (Action.INSERT, 1))
    result = validator.accept_up_to(15000)
    assert result.complete
    assert BillRejected(2, "invalid bill (validation fail)") in result.events
    assert result.total_minor == result.credited_minor == stacked_by_device(device, KES) == 15000


def test_jam_stops_the_intake_and_keeps_the_money_counted() -> None:
    validator, device = make((Action.INSERT, 3), (Action.JAM, 0), (Action.INSERT, 1))
    result = validator.accept_up_to(50000)
    assert result.outcome == "stopped"
    assert result.problem is not None and result.problem.code == "CASH_JAMMED"
    assert result.total_minor == result.credited_minor == stacked_by_device(device, KES) == 20000
    assert not device.master_enabled


@pytest.mark.parametrize("action,code", [(Action.FRAUD, "CASH_FRAUD"),
                                         (Action.REMOVE_STACKER, "CASH_STACKER_FAULT")])
def test_fraud_and_stacker_faults_stop_the_intake(action: Action, code: str) -> None:
    validator, _ = make((Action.INSERT, 1), (action, 0))
    result = validator.accept_up_to(50000)
    assert result.problem is not None and result.problem.code == code
    assert result.total_minor == 5000


def test_a_note_above_the_sale_is_returned() -> None:
    validator, device = make((Action.INSERT, 5), (Action.INSERT, 2))
    result = validator.accept_up_to(10000)
    assert result.complete and result.total_minor == 10000
    assert result.events[:2] == (BillEscrowed(5, 100000), BillReturned("bill returned from escrow"))
    assert stacked_by_device(device, KES) == 10000


def test_overpay_within_the_limit_is_taken() -> None:
    validator, _ = make((Action.INSERT, 5))
    result = validator.accept_up_to(95000, overpay_limit_minor=100000)
    assert result.complete and result.total_minor == 100000


def test_a_type_not_in_the_table_is_inhibited() -> None:
    ids = {**{k: f"KE{v // 100:04d}A" for k, v in KES.values.items()}, 6: "KE2000A"}
    validator, _ = make((Action.INSERT, 6), (Action.INSERT, 2), bill_ids=ids)
    result = validator.accept_up_to(10000)
    assert result.events[0] == BillRejected(4, "inhibited bill (on serial)")
    assert result.total_minor == 10000


def test_cancel_returns_what_was_counted() -> None:
    validator, _ = make((Action.INSERT, 2), (Action.INSERT, 2))
    cancel = threading.Event()

    def on_event(event: BillEvent) -> None:
        if isinstance(event, CreditAccepted):
            cancel.set()

    result = validator.accept_up_to(50000, cancel=cancel, on_event=on_event)
    assert result.outcome == "cancelled" and result.total_minor == 10000


def test_idle_customer_times_out() -> None:
    validator, _ = make((Action.INSERT, 1))
    result = validator.accept_up_to(50000, idle_timeout_s=0.05)
    assert result.outcome == "timed_out" and result.total_minor == 5000


def test_lost_link_mid_sale_stops_with_the_money_counted() -> None:
    validator, device = make((Action.INSERT, 2), (Action.INSERT, 2))

    def on_event(event: BillEvent) -> None:
        if isinstance(event, CreditAccepted):
            device.set_line_fault(LineFault.NO_ANSWER)

    result = validator.accept_up_to(50000, on_event=on_event)
    assert result.problem is not None and result.problem.code == "CASH_NO_ANSWER"
    assert result.total_minor == 10000


def test_damaged_reply_is_retried() -> None:
    validator, device = make()
    device.set_line_fault(LineFault.BAD_CHECKSUM, times=1)
    validator.simple_poll()
    assert device.commands == [codec.SIMPLE_POLL, codec.SIMPLE_POLL]


def test_always_damaged_reply_is_reported() -> None:
    validator, device = make()
    device.set_line_fault(LineFault.BAD_CHECKSUM)
    with pytest.raises(CashError) as caught:
        validator.simple_poll()
    assert caught.value.code == "CASH_FRAME_CHECKSUM"


def test_echo_of_a_single_wire_bus_is_skipped() -> None:
    validator, _ = make(echo=True)
    assert validator.command(codec.REQUEST_EQUIPMENT_CATEGORY_ID) == b"Bill Validator"


def test_unknown_command_is_refused() -> None:
    validator, _ = make()
    with pytest.raises(CashError) as caught:
        validator.command(200)
    assert caught.value.code == "CASH_NAK"


def test_route_with_empty_escrow() -> None:
    validator, _ = make()
    assert validator.route(stack=True) is False


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.tuples(st.just(Action.INSERT), st.integers(1, 5)),
                          st.tuples(st.just(Action.REJECT), st.just(0))), max_size=8),
       st.integers(1, 200000), st.sampled_from([0, 50000]))
def test_counted_total_is_always_the_sum_of_credit_events(
        script: list[tuple[Action, int]], due: int, overpay: int) -> None:
    validator, device = make(*script)
    result = validator.accept_up_to(due, overpay_limit_minor=overpay, idle_timeout_s=0.03)
    assert result.total_minor == result.credited_minor == stacked_by_device(device, KES)
    assert result.total_minor <= due + overpay
    assert result.complete == (result.total_minor >= due)


def test_settings_and_table_from_config() -> None:
    cfg = CashSettings.from_mapping({"port": "/dev/ttyS1", "baud": 9600, "address": 40})
    assert cfg == CashSettings("/dev/ttyS1")
    assert BillTable.from_config({"1": "50.00", "2": "100"}) == BillTable({1: 5000, 2: 10000})
    for bad in ({"1": "50.001"}, {"x": "50"}, {"1": "-5"}, {"1": "0"}):
        with pytest.raises(CashError) as caught:
            BillTable.from_config(bad)
        assert caught.value.code == "CASH_SETTINGS_INVALID"
    with pytest.raises(CashError):
        CashSettings.from_mapping({"port": "x", "speed": 1})


class LastMomentNote(SimulatedBillValidator):
    """A customer pushes a note into escrow just as the sale disables the validator."""

    def handle(self, request: codec.Packet) -> bytes | None:
        if (request.header == codec.MODIFY_MASTER_INHIBIT and request.data == b"\x00"
                and self.escrow is None and self.master_enabled):
            self.escrow = 4
            self._event(4, 1)
        return super().handle(request)


def test_a_note_escrowed_as_the_sale_closes_is_returned() -> None:
    device = LastMomentNote()
    device.insert(2)
    validator = BillValidator(DeviceLink(device), CashSettings("fake", timeout_s=0.05,
                                                               poll_interval_s=0.001), KES)
    result = validator.accept_up_to(10000)
    assert result.complete and result.total_minor == 10000
    assert result.events[-2:] == (BillEscrowed(4, 50000), BillReturned("bill returned from escrow"))
    assert device.escrow is None and device.cash_box == [2]


def test_watch_yields_events_as_they_come() -> None:
    validator, device = make((Action.INSERT, 1), (Action.REJECT, 0))
    validator.enable(escrow=False)
    stop = threading.Event()
    seen: list[BillEvent] = []
    for event in validator.watch(stop):
        seen.append(event)
        if len(seen) == 2:
            stop.set()
    assert seen == [CreditAccepted(1, 5000), BillRejected(2, "invalid bill (validation fail)")]
    assert device.cash_box == [1]


def test_each_event_carries_its_counter_past_the_wrap_and_the_stack_is_announced_first() -> None:
    validator, device = make((Action.INSERT, 2), (Action.REJECT, 0), (Action.INSERT, 1), counter=253)
    seen: list[BillEvent] = []
    announced: list[tuple[int, int]] = []
    validator.accept_up_to(15000, on_event=seen.append,
                           on_stack=lambda e: announced.append((e.counter, len(device.cash_box))))
    assert [(type(e), e.counter) for e in seen] == [(BillEscrowed, 254), (CreditAccepted, 255), (BillRejected, 1),
                                                    (BillEscrowed, 2), (CreditAccepted, 3)]
    assert announced == [(254, 0), (2, 1)]   # before each note went into the cash box


def test_resume_from_reads_the_events_after_a_recorded_counter() -> None:
    validator, device = make((Action.INSERT, 3))
    validator.enable()
    validator.read_events()                       # the note goes to escrow (counter 1)
    validator.route(stack=True)                   # credit at counter 2, then the host dies
    fresh = BillValidator(validator.link, validator.settings, KES)
    fresh.resume_from(1)
    assert fresh.read_events() == [CreditAccepted(3, 20000)] and stacked_by_device(device, KES) == 20000
