"""The device-event dispatcher (terminal.services.events) and the devices that publish to it."""
from __future__ import annotations

import threading

import pytest

import hardware.cash
from hardware.cash.simulator import Action, SimulatedBillValidator
from hardware.printers.fake_network_printer import FakeNetworkPrinter
from terminal.config import CashAcceptorSection, PrinterSection
from terminal.devices import cash_acceptor
from terminal.devices.errors import DeviceError
from terminal.devices.printer import EscposReceiptPrinter
from terminal.services.events import EventDispatcher
from terminal.services.ports import (
    CardInserted,
    CardRemoved,
    DeviceEvent,
    NoteCredited,
    NoteRejected,
    PrinterStatus,
)
from tests.unit.cash.fakes import DeviceLink

BILLS = {"1": "50.00", "2": "100.00", "3": "200.00"}


def removed(n: int) -> CardRemoved:
    return CardRemoved(reader=f"reader {n}")


def test_each_listener_gets_every_event_in_publication_order() -> None:
    events = EventDispatcher()
    a: list[DeviceEvent] = []
    b: list[DeviceEvent] = []
    events.subscribe(a.append, name="a")
    events.subscribe(b.append, name="b")
    reader = threading.Thread(target=lambda: [events.publish(removed(i)) for i in range(200)])  # < capacity
    reader.start()
    reader.join()
    assert events.drain()
    assert a == b == [removed(i) for i in range(200)]
    events.close()


def test_a_slow_listener_never_blocks_the_publisher_nor_the_others() -> None:
    events = EventDispatcher()
    gate, entered = threading.Event(), threading.Event()
    fast: list[DeviceEvent] = []

    def slow(event: DeviceEvent) -> None:
        entered.set()
        gate.wait(30)

    events.subscribe(slow, name="slow")
    events.subscribe(fast.append, name="fast")
    for i in range(50):
        events.publish(removed(i))      # returns while `slow` is stuck in its first event
    assert events.subscribe(lambda e: None) is not None and not gate.is_set()
    assert entered.wait(5)
    fast_sub = [s for s in events._subscriptions if s.name == "fast"][0]
    assert fast_sub.wait_idle(5) and fast == [removed(i) for i in range(50)]
    gate.set()
    assert events.drain()
    events.close()


def test_a_raising_listener_does_not_stop_the_others_nor_its_own_next_events() -> None:
    events = EventDispatcher()
    got: list[DeviceEvent] = []
    broken: list[DeviceEvent] = []

    def fails(event: DeviceEvent) -> None:
        broken.append(event)
        raise RuntimeError("listener bug")

    bad = events.subscribe(fails, name="broken")
    events.subscribe(got.append, name="good")
    for i in range(5):
        events.publish(removed(i))
    assert events.drain()
    assert got == broken == [removed(i) for i in range(5)] and bad.failures == 5
    events.close()


def test_a_full_queue_drops_the_oldest_and_counts_them() -> None:
    events = EventDispatcher(capacity=3)
    gate, entered = threading.Event(), threading.Event()
    got: list[DeviceEvent] = []

    def listener(event: DeviceEvent) -> None:
        entered.set()
        gate.wait(30)
        got.append(event)

    sub = events.subscribe(listener)
    events.publish(removed(0))
    assert entered.wait(5)              # event 0 is with the listener; 1..9 queue behind it
    for i in range(1, 10):
        events.publish(removed(i))
    gate.set()
    assert events.drain()
    assert got == [removed(0), removed(7), removed(8), removed(9)] and sub.dropped == 6
    events.close()


def test_unsubscribe_and_close_deliver_what_is_queued_then_stop() -> None:
    events = EventDispatcher()
    got: list[DeviceEvent] = []
    sub = events.subscribe(got.append)
    for i in range(20):
        events.publish(removed(i))
    events.unsubscribe(sub)
    events.unsubscribe(sub)             # twice is harmless
    assert got == [removed(i) for i in range(20)]
    events.publish(removed(99))
    assert got[-1] == removed(19)
    later: list[DeviceEvent] = []
    events.subscribe(later.append)
    events.publish(CardInserted("r", "3b04"))
    events.close()
    assert later == [CardInserted("r", "3b04")]
    events.publish(removed(100))        # after close: ignored
    with pytest.raises(RuntimeError):
        events.subscribe(later.append)


def test_the_note_acceptor_publishes_credited_and_rejected_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    device = SimulatedBillValidator()
    monkeypatch.setattr(hardware.cash, "open_link", lambda settings: DeviceLink(device))
    for action, bill_type in [(Action.INSERT, 3), (Action.REJECT, 0), (Action.INSERT, 2)]:
        device.queue(action, bill_type)
    events = EventDispatcher()
    got: list[DeviceEvent] = []
    events.subscribe(got.append)
    section = CashAcceptorSection(type="cctalk", port="/dev/null-bv", poll_interval_s=0.001, bills=BILLS)
    built = cash_acceptor.build(section, 2, events)
    assert built is not None
    intake = built.accept_up_to(30000, idle_timeout_s=1)
    assert events.drain() and intake.counted == 30000
    assert got == [NoteCredited(value=20000, bill_type=3), NoteRejected(reason="invalid bill (validation fail)"),
                   NoteCredited(value=10000, bill_type=2)]
    events.close()


def test_the_printer_publishes_its_status_after_each_print() -> None:
    events = EventDispatcher()
    got: list[DeviceEvent] = []
    events.subscribe(got.append)
    with FakeNetworkPrinter(state="ok") as fake:
        printer = EscposReceiptPrinter(PrinterSection(type="network", host="127.0.0.1", port=fake.port,
                                                      timeout_s=1.0), events)
        printer.test_page()
        fake.state = "offline"
        with pytest.raises(DeviceError) as caught:
            printer.test_page()
    assert events.drain()
    assert got == [PrinterStatus(online=True), PrinterStatus(online=False, error_code=caught.value.code)]
    events.close()
