"""What one card sale costs the reader on the real stack (pyscard -> pcscd -> vpcd -> emulator):
PC/SC connections counted at the pyscard boundary, APDUs counted by the card itself.

Before the reader session (issue 8): 3 connections and 18 APDUs, 4 full memory reads
(precheck, deliver's judging, the write's own, the read-back). With it: 1 connection and
11 APDUs, 2 full memory reads (the precheck's and the read-back after the write), with
either reader profile."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from hardware.cards import CardTerminal, UtilityKeys
from hardware.cards.pcsc import PcscConnection, PcscReader
from terminal.devices.card import CardCarrier, PcscCards, card_purchase
from terminal.services.events import EventDispatcher
from terminal.services.ports import CardInserted, CardRef, CardRemoved, DeviceEvent, MeterRef, Purchase

from .conftest import READER, Slot

pytestmark = [pytest.mark.hardware, pytest.mark.pcscd]

KEYS = UtilityKeys(1234, b"utility secret for hardware tests")
METER = "0123456789"
T0 = datetime(2026, 3, 5, 10, tzinfo=UTC)
BEFORE = (3, 18)   # (connections, APDUs) of one sale
AFTER = (1, 11)


class CountingReader:
    """The PC/SC reader with a count of the connections opened (the pyscard boundary)."""

    def __init__(self) -> None:
        self.reader = PcscReader(READER)
        self.connections = 0
        self.open = 0

    def connect(self) -> PcscConnection:
        conn = self.reader.connect()
        self.connections += 1
        self.open += 1
        close: Callable[[], None] = conn.close

        def counted_close() -> None:
            self.open -= 1
            close()

        conn.close = counted_close  # type: ignore[method-assign]
        return conn


@pytest.fixture
def card(slot: Slot) -> Iterator[Slot]:
    """The inserted card, taken out at the end until pcscd sees the reader empty (the next
    module's first test connects to an empty reader)."""
    yield slot
    slot.remove()


def sale(seq: int) -> Purchase:
    return Purchase(sale_uuid=f"s{seq}", receipt_no=f"T-{seq:06d}", meter=MeterRef(METER, "card"), sequence=seq,
                    credit_kwh=5651, issued_at=T0, tariff_index=1)


def test_one_card_sale_opens_one_reader_session(card: Slot) -> None:
    slot = card
    profile = slot.emu.front.profile.name
    counting = CountingReader()
    term = CardTerminal(counting.connect, profile, KEYS)
    term.make_user_card(METER)
    counting.connections, apdus_before = 0, slot.emu.apdus

    carrier = CardCarrier(lambda: term, MeterRef(METER, "card"))   # as the selling service does:
    learnt = carrier.precheck(sale(1))                              # judge the card before committing,
    reserved = carrier.reserve(sale(1))                             # reserve: the record, on that card,
    assert isinstance(reserved.ref, CardRef) and reserved.ref.card == learnt.source
    bought = replace(sale(1), ref=reserved.ref)
    delivery = carrier.deliver(bought)                              # write and read back
    cost = (counting.connections, slot.emu.apdus - apdus_before)
    assert counting.open == 0                                       # the session ended with the delivery

    assert delivery.detail["sequence"] == 1 and delivery.detail["pending_on_card"]
    assert term.read().holds(card_purchase(bought))                 # really on the card
    assert cost[0] <= AFTER[0] and cost[1] <= AFTER[1], f"before the session: {BEFORE}; now {cost}"


def test_card_insert_and_remove_reach_a_device_event_subscriber(card: Slot) -> None:
    slot = card
    events = EventDispatcher()
    got: list[DeviceEvent] = []
    seen = threading.Condition()

    def listener(event: DeviceEvent) -> None:
        with seen:
            got.append(event)
            seen.notify_all()

    events.subscribe(listener, name="kiosk")
    presence = PcscCards(READER, slot.emu.front.profile.name, 1, "").watch(events)
    try:
        with seen:   # the card already in the reader is reported first
            assert seen.wait_for(lambda: got == [CardInserted(READER, "3b04a2131091")], timeout=5), got
        slot.remove()
        with seen:
            assert seen.wait_for(lambda: len(got) >= 2, timeout=5), got
        slot.insert()
        with seen:
            assert seen.wait_for(lambda: len(got) >= 3, timeout=5), got
    finally:
        presence.stop()
        events.close()
    assert got == [CardInserted(READER, "3b04a2131091"), CardRemoved(READER), CardInserted(READER, "3b04a2131091")]
