"""A card sale's one reader session (CardCarrier over hardware.cards.CardSession), in memory."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hardware.cards import CardTerminal, UtilityKeys
from hardware.cards.fake import FakeCardReader, FakeConnection, Sle4442Chip
from terminal.devices.card import CardCarrier
from terminal.services.errors import CardChanged, CardRefused, DeviceAbsent, OutcomeUncertain
from terminal.services.ports import CardRef, MeterRef, Purchase

KEYS = UtilityKeys(1234, b"utility secret for unit tests")
METER = "0123456789"
T0 = datetime(2026, 3, 5, 10, tzinfo=UTC)


class Rig:
    def __init__(self) -> None:
        self.reader = FakeCardReader("acr38")
        self.reader.insert(Sle4442Chip.blank())
        self.connections = 0
        self.open = 0
        self.term = CardTerminal(self.connect, "acr38", KEYS)
        self.term.make_user_card(METER)
        self.connections = 0

    def connect(self) -> FakeConnection:
        conn = self.reader.connect()
        self.connections += 1
        self.open += 1
        rig = self

        class Counted(FakeConnection):
            def close(self) -> None:
                rig.open -= 1

        return Counted(conn.reader, conn.generation)

    def carrier(self) -> CardCarrier:
        return CardCarrier(lambda: self.term, MeterRef(METER, "card"))


def sale(seq: int = 1, card: str | None = None) -> Purchase:
    return Purchase(sale_uuid="s", receipt_no="T-1", meter=MeterRef(METER, "card"), sequence=seq,
                    credit_kwh=5651, issued_at=T0, ref=CardRef(seq=seq, card=card) if card else None)


def test_precheck_then_deliver_is_one_connection_and_two_memory_reads() -> None:
    rig = Rig()
    carrier = rig.carrier()
    serial = carrier.precheck(sale()).source
    assert rig.open == 1                          # the session waits for the delivery
    apdus = rig.reader.apdus
    carrier.deliver(sale(card=serial))
    # deliver: counter + PSC, the write and its span read back, then the full read-back (2 + counter)
    assert (rig.connections, rig.open, rig.reader.apdus - apdus) == (1, 0, 7)
    assert rig.term.read().purchase is not None


def test_a_card_swapped_after_the_precheck_is_never_written() -> None:
    rig = Rig()
    carrier = rig.carrier()
    serial = carrier.precheck(sale()).source
    first = rig.reader.remove()
    other = Sle4442Chip.blank()
    rig.reader.insert(other)
    with pytest.raises(DeviceAbsent) as caught:   # nothing was written: certain, not OutcomeUncertain
        carrier.deliver(sale(card=serial))
    assert caught.value.code == "CARD_REMOVED" and not isinstance(caught.value, OutcomeUncertain)
    assert other.main == Sle4442Chip.blank().main and first is not None and rig.open == 0


def test_a_refusal_ends_the_session() -> None:
    rig = Rig()
    carrier = rig.carrier()
    with pytest.raises(CardChanged) as caught:
        carrier.precheck(sale(card="00" * 8))     # the sale expects another card
    assert caught.value.code == "CARD_CHANGED" and isinstance(caught.value, CardRefused) and rig.open == 0


def test_a_write_that_fails_is_uncertain_and_ends_the_session() -> None:
    rig = Rig()
    carrier = rig.carrier()
    carrier.precheck(sale())
    rig.reader.faults.remove_after_writes = 1
    with pytest.raises(OutcomeUncertain) as caught:
        carrier.deliver(sale())
    assert caught.value.code == "CARD_REMOVED" and rig.open == 0


def test_close_is_safe_without_a_sale_and_twice_and_deliver_needs_no_precheck() -> None:
    rig = Rig()
    carrier = rig.carrier()
    carrier.close()
    carrier.precheck(sale())
    carrier.close()
    carrier.close()
    assert rig.open == 0
    carrier.deliver(sale())                       # reads the card itself first
    assert (rig.connections, rig.open) == (2, 0)


def test_a_session_left_open_ends_with_its_carrier() -> None:
    rig = Rig()
    carrier = rig.carrier()
    carrier.precheck(sale())                      # the sale stopped before deliver (no close)
    assert rig.open == 1
    del carrier
    assert rig.open == 0
