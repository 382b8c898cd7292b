"""IC cards on the real stack: pyscard -> pcscd -> vpcd -> card emulator, both reader
profiles. Each test starts what it needs (see conftest.py)."""
from __future__ import annotations

import random
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hardware.cards import CardTerminal, CardType, Purchase, UtilityKeys
from hardware.cards.errors import (
    AnswerTruncated,
    CardAbsent,
    CardError,
    CardMalformed,
    CardRemoved,
    ForeignUtility,
    MacInvalid,
    PscLastAttempt,
    ReaderNotFound,
    SequenceUsed,
)
from hardware.cards.fake import Sle4442Chip
from hardware.cards.layout import CardData, Identity, MeterStatus, encode_card
from hardware.cards.meter_sim import PrepaidMeterSim
from hardware.cards.pcsc import CardEvent, CardWatcher, PcscReader, list_readers

from .conftest import READER, Slot, wait_card

pytestmark = [pytest.mark.hardware, pytest.mark.pcscd]

KEYS = UtilityKeys(1234, b"utility secret for hardware tests")
METER = "0123456789"
T0 = datetime(2026, 3, 5, 10, tzinfo=UTC)


def purchase(seq: int, energy: int = 5651) -> Purchase:
    return Purchase(seq, energy, T0 + timedelta(days=seq), tariff_index=1, credit_limit=10**7)


def terminal(slot: Slot, keys: UtilityKeys = KEYS) -> CardTerminal:
    return CardTerminal(PcscReader(READER).connect, slot.emu.front.profile, keys)


def _put_image(slot: Slot, chip: Sle4442Chip) -> None:
    slot.remove()
    chip.save(slot.emu.image)
    slot.insert()


def test_readers_are_there(pcscd: None) -> None:
    assert READER in list_readers()
    with pytest.raises(ReaderNotFound):
        PcscReader("No Such Reader 99").connect()
    with pytest.raises(CardAbsent):
        PcscReader(READER).connect()


def test_make_sell_meter_read_back(slot: Slot) -> None:
    term = terminal(slot)
    assert term.read().blank
    made = term.make_user_card(METER, card_serial=bytes.fromhex("0011223344556677"))
    assert made.meter_no == METER and made.card_type is CardType.USER
    meter = PrepaidMeterSim(METER, KEYS, clock=lambda: T0 + timedelta(days=30))
    bought = 0
    for seq, energy in [(1, 5651), (2, 20000)]:
        written = term.write_purchase(METER, purchase(seq, energy))
        assert written.pending and written.holds(purchase(seq, energy))
        bought += energy
        with pytest.raises(SequenceUsed):  # the same purchase cannot go on twice
            term.write_purchase(METER, purchase(seq, energy))
        slot.remove()
        assert meter.take_image(slot.emu.image).added == energy
        meter.consume(4000)
        slot.insert()
        back = term.read()
        assert not back.pending and back.reading is not None
        assert back.reading.last_sequence == seq
        assert back.reading.remaining + back.reading.cumulative == bought
    meter.consume(10**9)
    assert meter.credit == 0 and meter.cumulative == bought and MeterStatus.RELAY_OPEN in meter.flags
    chip = Sle4442Chip.load(slot.emu.image)
    assert chip.psc == KEYS.psc_for(bytes.fromhex("0011223344556677")) and chip.counter == 7


def test_removed_between_write_and_read_back(slot: Slot) -> None:
    term = terminal(slot)
    term.make_user_card(METER)
    slot.emu.faults.remove_after_writes = 1  # the purchase is one write; the read-back never comes
    with pytest.raises(CardRemoved):
        term.write_purchase(METER, purchase(1))
    wait_card(False)
    slot.insert()
    assert term.read().holds(purchase(1))  # a later read tells: the purchase is on the card


def test_removed_before_the_write(slot: Slot) -> None:
    term = terminal(slot)
    term.make_user_card(METER)
    slot.emu.faults.remove_after_apdus = 3  # select and the two reads of the memory: then gone
    with pytest.raises(CardRemoved):
        term.write_purchase(METER, purchase(1))
    wait_card(False)
    slot.insert()
    after = term.read()
    assert after.purchase is None and not after.pending
    assert term.write_purchase(METER, purchase(1)).holds(purchase(1))


def test_random_bytes_card(slot: Slot) -> None:
    chip = Sle4442Chip.blank()
    rnd = random.Random(7)
    chip.main[32:] = bytes(rnd.getrandbits(8) for _ in range(224))
    _put_image(slot, chip)
    term = terminal(slot)
    with pytest.raises(CardMalformed):
        term.read()
    with pytest.raises(CardMalformed):
        term.write_purchase(METER, purchase(1))
    assert Sle4442Chip.load(slot.emu.image).counter == 7


def test_bit_flipped_card(slot: Slot) -> None:
    term = terminal(slot)
    term.make_user_card(METER)
    term.write_purchase(METER, purchase(1))
    slot.remove()
    chip = Sle4442Chip.load(slot.emu.image)
    chip.main[76] ^= 0x04  # one bit of the purchase's energy
    _put_image(slot, chip)
    with pytest.raises(MacInvalid) as info:
        term.read()
    assert info.value.code == "CARD_MAC_INVALID"
    with pytest.raises(MacInvalid):
        term.write_purchase(METER, purchase(2))
    assert Sle4442Chip.load(slot.emu.image).counter == 7


def test_another_utilitys_card(slot: Slot) -> None:
    theirs = UtilityKeys(4321, b"another utility's secret")
    chip = Sle4442Chip.blank(theirs.psc_for(b"\x09" * 8))
    ident = Identity(CardType.USER, 4321, b"\x09" * 8, METER)
    chip.main[:] = encode_card(CardData(ident), theirs, bytes(chip.main))
    _put_image(slot, chip)
    term = terminal(slot)
    for action in (term.read, lambda: term.write_purchase(METER, purchase(1)), term.format_card):
        with pytest.raises(ForeignUtility) as info:
            action()
        assert info.value.code == "CARD_FOREIGN_UTILITY"
    assert Sle4442Chip.load(slot.emu.image).counter == 7


def test_card_with_one_psc_attempt_left(slot: Slot) -> None:
    term = terminal(slot)
    term.make_user_card(METER)
    slot.remove()
    chip = Sle4442Chip.load(slot.emu.image)
    chip.counter = 0x01
    _put_image(slot, chip)
    assert term.read().attempts_left == 1
    for action in (lambda: term.write_purchase(METER, purchase(1)), term.format_card):
        with pytest.raises(PscLastAttempt) as info:
            action()
        assert info.value.code == "CARD_PSC_LAST_ATTEMPT"
    assert Sle4442Chip.load(slot.emu.image).counter == 0x01  # we never locked it


@pytest.mark.parametrize("ins", [0xB0, 0xB1])
def test_truncated_answer(slot: Slot, ins: int) -> None:
    term = terminal(slot)
    term.make_user_card(METER)
    slot.emu.faults.truncate_ins = ins
    slot.emu.faults.truncate_by = 2
    with pytest.raises(AnswerTruncated) as info:
        term.write_purchase(METER, purchase(1))
    assert info.value.code == "READER_ANSWER_TRUNCATED"
    assert term.read().purchase is None  # nothing was written on a half-heard card


def test_format_and_remake(slot: Slot) -> None:
    term = terminal(slot)
    term.make_user_card(METER)
    term.write_purchase(METER, purchase(1))
    assert term.format_card().blank
    chip = Sle4442Chip.load(slot.emu.image)
    assert chip.psc == KEYS.factory_psc and chip.main[32:] == b"\xff" * 224
    assert term.make_card(CardType.READING).card_type is CardType.READING


def test_insert_and_remove_events(slot: Slot) -> None:
    events: list[CardEvent] = []
    got = threading.Condition()

    def listener(e: CardEvent) -> None:
        with got:
            events.append(e)
            got.notify_all()

    watcher = CardWatcher(READER)
    watcher.add_listener(listener)
    watcher.start()
    try:
        with got:  # the monitor reports the card already in the reader
            assert got.wait_for(lambda: any(e.kind == "inserted" for e in events), timeout=5)
        slot.remove()
        with got:
            assert got.wait_for(lambda: events[-1].kind == "removed", timeout=5)
        slot.insert()
        with got:
            assert got.wait_for(lambda: events[-1].kind == "inserted", timeout=5)
        assert events[-1].atr == bytes.fromhex("3B04A2131091") and events[-1].reader == READER
    finally:
        watcher.stop()


def test_emulator_cli(pcscd: None, tmp_path: Path) -> None:
    image = tmp_path / "cli.bin"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hardware.cards.emulator", "--image", str(image), "--profile", "acr39",
         "--port", "35964"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).parents[3],
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert "inserted" in proc.stdout.readline()
        wait_card(True, "Virtual PCD 00 01")
        term = CardTerminal(PcscReader("Virtual PCD 00 01").connect, "acr39", KEYS)
        term.make_user_card(METER)
        proc.stdin.write("remove\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "removed"
        wait_card(False, "Virtual PCD 00 01")
        with pytest.raises(CardError):
            term.read()
        proc.stdin.write("insert\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "inserted"
        wait_card(True, "Virtual PCD 00 01")
        assert term.read().meter_no == METER
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert Sle4442Chip.load(image).main[32:36] == b"PPMC"
