"""The high-level card API on the in-memory card, both profiles: making, selling,
meter loop, bad cards, removal at every step."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hardware.cards import CardTerminal, CardType, Purchase, UtilityKeys
from hardware.cards.errors import (
    CardBlank,
    CardError,
    CardMalformed,
    CardNotBlank,
    CardRemoved,
    ForeignUtility,
    MacInvalid,
    PscLastAttempt,
    PurchasePending,
    SequenceUsed,
    WrongCardType,
    WrongMeter,
)
from hardware.cards.fake import FakeCardReader, Sle4442Chip
from hardware.cards.layout import ClearOrder, ClearWhat, MeterStatus, Setting
from hardware.cards.meter_sim import PrepaidMeterSim
from hardware.cards.sle4442 import attempts_from_counter

KEYS = UtilityKeys(1234, b"utility secret for unit tests")
METER = "0123456789"
T0 = datetime(2026, 3, 5, 10, tzinfo=UTC)


def purchase(seq: int, energy: int = 5651) -> Purchase:
    return Purchase(seq, energy, T0 + timedelta(days=seq), tariff_index=1)


@pytest.fixture(params=["acr38", "acr39"])
def rig(request: pytest.FixtureRequest) -> tuple[CardTerminal, FakeCardReader]:
    reader = FakeCardReader(request.param)
    reader.insert(Sle4442Chip.blank())
    return CardTerminal(reader.connect, request.param, KEYS), reader


def _chip(reader: FakeCardReader) -> Sle4442Chip:
    assert reader.chip is not None
    return reader.chip


def test_make_read_sell_meter_loop(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    assert term.read().blank
    made = term.make_user_card(METER, card_serial=b"\x00\x00\x00\x00\x00\x00\x00\x2a")
    assert made.card_type is CardType.USER and made.meter_no == METER and made.attempts_left == 3
    assert _chip(reader).psc == KEYS.psc_for(b"\x00" * 7 + b"\x2a")
    meter = PrepaidMeterSim(METER, KEYS, clock=lambda: T0)
    bought = 0
    for seq, energy in [(1, 5651), (2, 10000), (5, 1)]:
        contents = term.write_purchase(METER, purchase(seq, energy))
        assert contents.pending and contents.holds(purchase(seq, energy))
        bought += energy
        chip = reader.remove()
        assert chip is not None
        assert meter.take_card(chip).added == energy
        assert meter.take_card(chip).code == "NOTHING_NEW"  # credit is added once
        reader.insert(chip)
        back = term.read()
        assert not back.pending and back.reading is not None
        assert back.reading.last_sequence == seq
        assert back.reading.remaining + back.reading.cumulative == bought
        meter.consume(3000)
    meter.consume(10**9)
    assert meter.cumulative == bought and meter.credit == 0
    assert MeterStatus.RELAY_OPEN in meter.flags


def test_same_purchase_twice_and_pending(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    term.make_user_card(METER)
    term.write_purchase(METER, purchase(1))
    with pytest.raises(SequenceUsed):
        term.write_purchase(METER, purchase(1))
    with pytest.raises(PurchasePending):
        term.write_purchase(METER, purchase(2))
    chip = reader.remove()
    assert chip is not None
    PrepaidMeterSim(METER, KEYS).take_card(chip)
    reader.insert(chip)
    with pytest.raises(SequenceUsed):  # the meter took 1: it can never be written again
        term.write_purchase(METER, purchase(1))
    assert term.write_purchase(METER, purchase(2)).purchase == purchase(2)


def test_refusals(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    with pytest.raises(CardBlank):
        term.write_purchase(METER, purchase(1))
    term.make_user_card(METER)
    with pytest.raises(WrongMeter):
        term.write_purchase("999", purchase(1))
    with pytest.raises(CardNotBlank):
        term.make_user_card(METER)
    other = CardTerminal(reader.connect, reader.profile, UtilityKeys(77, b"another utility"))
    with pytest.raises(ForeignUtility):
        other.read()
    with pytest.raises(ForeignUtility):
        other.write_purchase(METER, purchase(1))
    with pytest.raises(ForeignUtility):
        other.format_card()
    assert attempts_from_counter(_chip(reader).counter) == 3  # nobody gambled a PSC


def test_wrong_card_type(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, _ = rig
    term.make_card(CardType.READING)
    with pytest.raises(WrongCardType):
        term.write_purchase(METER, purchase(1))


def test_bit_flip_and_random_bytes(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    term.make_user_card(METER)
    term.write_purchase(METER, purchase(1))
    _chip(reader).main[80] ^= 0x10
    with pytest.raises(MacInvalid):
        term.read()
    with pytest.raises(MacInvalid):
        term.write_purchase(METER, purchase(2))
    junk = Sle4442Chip.blank()
    junk.main[32:] = bytes((i * 151 + 7) % 256 for i in range(224))
    reader.insert(junk)
    with pytest.raises(CardMalformed):
        term.read()
    with pytest.raises(CardMalformed):
        term.write_purchase(METER, purchase(1))
    junk.counter = 0x03  # two attempts: the factory PSC must be tried first
    assert term.format_card().blank  # a junk card with the factory PSC can be formatted
    assert junk.counter == 0x07


def test_one_attempt_left_is_never_gambled(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    term.make_user_card(METER)
    _chip(reader).counter = 0x04
    contents = term.read()
    assert contents.attempts_left == 1
    for action in (lambda: term.write_purchase(METER, purchase(1)), term.format_card):
        with pytest.raises(PscLastAttempt):
            action()
    assert _chip(reader).counter == 0x04
    reader.insert(Sle4442Chip.blank())
    _chip(reader).counter = 0x02
    with pytest.raises(PscLastAttempt):
        term.make_user_card(METER)
    assert _chip(reader).counter == 0x02


def test_removed_between_write_and_read_back(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    term.make_user_card(METER)
    chip = _chip(reader)
    reader.faults.remove_after_writes = 1
    with pytest.raises(CardRemoved):
        term.write_purchase(METER, purchase(1))
    reader.insert(chip)
    assert term.read().holds(purchase(1))  # the later read tells: it is on the card


def test_removed_at_every_apdu_never_half_believed(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    term.make_user_card(METER)
    chip = _chip(reader)
    n = 0
    while True:
        reader.faults.remove_after_apdus = n
        try:
            result = term.write_purchase(METER, purchase(1))
        except CardRemoved:
            reader.insert(chip)
            after = term.read()
            assert after.purchase in (None, purchase(1))
            if after.purchase is None:
                n += 1
                continue
            break
        assert result.holds(purchase(1))
        break
    assert term.read().holds(purchase(1)) and attempts_from_counter(chip.counter) == 3


def test_make_and_format_interrupted_anywhere_can_be_finished(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    for step in range(40):
        chip = Sle4442Chip.blank()
        reader.insert(chip)
        reader.faults.remove_after_apdus = step
        try:
            term.make_user_card(METER, card_serial=b"\x01" * 8)
        except CardRemoved:
            reader.insert(chip)
            if term.read().blank:  # a later read tells whether the making got through
                term.make_user_card(METER, card_serial=b"\x01" * 8)
        reader.faults.remove_after_apdus = None
        made = term.read()
        assert made.meter_no == METER and made.attempts_left >= 2
        reader.faults.remove_after_apdus = step
        try:
            term.format_card()
        except CardRemoved:
            reader.insert(chip)
            if not term.read().blank or chip.psc != KEYS.factory_psc:
                term.format_card()
        reader.faults.remove_after_apdus = None
        assert term.read().blank and chip.psc == KEYS.factory_psc and attempts_from_counter(chip.counter) >= 2


def test_service_cards_reach_the_meter(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    meter = PrepaidMeterSim(METER, KEYS, credit=500, clock=lambda: T0)
    meter.tampered = True
    term.make_card(CardType.SETTING, body=Setting(1, T0, 3000, 1000))
    chip = reader.remove()
    assert chip is not None and meter.take_card(chip).code == "OK"
    assert (meter.max_power_w, meter.alarm_level) == (3000, 1000)
    assert MeterStatus.LOW_CREDIT in meter.flags
    reader.insert(Sle4442Chip.blank())
    term.make_card(CardType.CLEAR, METER, body=ClearOrder(2, T0, ClearWhat.TAMPER))
    chip = reader.remove()
    assert chip is not None and meter.take_card(chip).code == "OK" and not meter.tampered
    reader.insert(Sle4442Chip.blank())
    term.make_card(CardType.READING)
    chip = reader.remove()
    assert chip is not None and meter.take_card(chip).accepted
    reader.insert(chip)
    reading = term.read().reading
    assert reading is not None and (reading.meter_no, reading.remaining) == (METER, 500)


def test_meter_refuses_foreign_or_wrong_cards() -> None:
    reader = FakeCardReader("acr38")
    reader.insert(Sle4442Chip.blank())
    term = CardTerminal(reader.connect, "acr38", KEYS)
    term.make_user_card(METER)
    term.write_purchase(METER, purchase(1, 100))
    chip = reader.remove()
    assert chip is not None
    assert PrepaidMeterSim("42", KEYS).take_card(chip).code == "CARD_WRONG_METER"
    assert PrepaidMeterSim(METER, UtilityKeys(9, b"x")).take_card(chip).code == "CARD_FOREIGN_UTILITY"
    limited = PrepaidMeterSim(METER, KEYS, credit=10**6)
    reader.insert(chip)
    with pytest.raises(CardError):
        term.write_purchase(METER, purchase(1, 100))
    chip.main[75] ^= 1
    assert limited.take_card(chip).code == "CARD_MAC_INVALID" and limited.credit == 10**6


def test_purchase_time_is_kept_in_whole_seconds(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, _ = rig
    term.make_user_card(METER)
    p = Purchase(1, 100, datetime(2026, 3, 5, 10, 0, 0, 123456, tzinfo=UTC))
    assert term.write_purchase(METER, p).holds(p)
    assert term.read().purchase == Purchase(1, 100, datetime(2026, 3, 5, 10, tzinfo=UTC))


def test_reading_the_raw_card_for_maintenance(rig: tuple[CardTerminal, FakeCardReader]) -> None:
    term, reader = rig
    _chip(reader).main[40] = 0x00
    memory, attempts = term.read_raw()
    assert memory[40] == 0 and attempts == 3
