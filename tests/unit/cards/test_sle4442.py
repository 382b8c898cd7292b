"""SLE4442 driver against the in-memory card and reader, in both reader profiles."""
from __future__ import annotations

import pytest

from hardware.cards.errors import (
    AnswerTruncated,
    CardAbsent,
    CardLocked,
    CardRemoved,
    PscLastAttempt,
    PscRejected,
    ReaderRefused,
    WriteFailed,
)
from hardware.cards.fake import ATR_HEADER, AcsReaderFront, FakeCardReader, Sle4442Chip
from hardware.cards.profiles import PROFILES, get_profile
from hardware.cards.sle4442 import Sle4442, attempts_from_counter

PSC = b"\x12\x34\x56"


@pytest.fixture(params=sorted(PROFILES))
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _card(profile: str, chip: Sle4442Chip | None = None) -> tuple[Sle4442, FakeCardReader]:
    reader = FakeCardReader(profile)
    reader.insert(chip or Sle4442Chip.blank(PSC))
    card = Sle4442(reader.connect(), get_profile(profile))
    card.select()
    return card, reader


def test_reader_answers_differ_by_profile() -> None:
    chip = Sle4442Chip.blank(PSC)
    acr38, acr39 = AcsReaderFront(chip, "acr38"), AcsReaderFront(Sle4442Chip.blank(PSC), "acr39")
    for front in (acr38, acr39):
        assert front.handle(bytes.fromhex("FFA4000001 06")) == b"\x90\x00"
    assert acr38.handle(bytes.fromhex("FFB0000004")) == ATR_HEADER + bytes.fromhex("F0FFFFFF") + b"\x90\x00"
    assert acr39.handle(bytes.fromhex("FFB0000004")) == ATR_HEADER + b"\x90\x00"
    assert acr38.handle(bytes.fromhex("FF20000003") + PSC) == b"\x07" + PSC + b"\x90\x00"
    assert acr39.handle(bytes.fromhex("FF20000003") + PSC) == b"\x90\x07"
    assert acr39.handle(bytes.fromhex("FF20000003") + b"\x00\x00\x00") == b"\x90\x06"


def test_commands_need_card_type_selected() -> None:
    front = AcsReaderFront(Sle4442Chip.blank(), "acr38")
    assert front.handle(bytes.fromhex("FFB0000010")) == b"\x69\x86"


def test_read_whole_memory(profile: str) -> None:
    card, _ = _card(profile)
    memory = card.read()
    assert len(memory) == 256 and memory[:4] == ATR_HEADER and memory[4:] == b"\xff" * 252
    assert card.read_protection() == bytes.fromhex("F0FFFFFF")


def test_write_needs_psc_and_is_read_back(profile: str) -> None:
    card, reader = _card(profile)
    with pytest.raises(WriteFailed):
        card.write(100, b"\x01\x02")
    card.present_psc(PSC)
    card.write(100, bytes(range(200)[:150]))
    assert card.read(100, 150) == bytes(range(150))
    assert reader.chip is not None and reader.chip.main[100:250] == bytes(range(150))


def test_protected_bytes_do_not_change(profile: str) -> None:
    card, _ = _card(profile)
    card.present_psc(PSC)
    with pytest.raises(WriteFailed):
        card.write(0, b"\x00")


def test_wrong_psc_costs_one_attempt_and_right_one_restores(profile: str) -> None:
    card, _reader = _card(profile)
    with pytest.raises(PscRejected) as info:
        card.present_psc(b"\x00\x00\x00")
    assert info.value.attempts_left == 2 and card.attempts_left() == 2
    card.present_psc(PSC)
    assert card.attempts_left() == 3 and card.unlocked


def test_never_presents_on_last_attempt(profile: str) -> None:
    chip = Sle4442Chip.blank(PSC)
    chip.counter = 0x01
    card, reader = _card(profile, chip)
    before = reader.apdus
    with pytest.raises(PscLastAttempt):
        card.present_psc(PSC)  # even the right PSC: we do not gamble the card
    assert chip.counter == 0x01
    assert reader.apdus == before + 1  # only the error counter was read


def test_locked_card(profile: str) -> None:
    chip = Sle4442Chip.blank(PSC)
    chip.counter = 0
    card, _ = _card(profile, chip)
    with pytest.raises(CardLocked):
        card.present_psc(PSC)
    assert card.read(0, 4) == ATR_HEADER  # still readable


def test_unlock_stops_before_the_last_attempt(profile: str) -> None:
    card, reader = _card(profile)
    assert reader.chip is not None
    with pytest.raises(PscRejected):
        card.unlock([b"\x00\x00\x01"])
    assert attempts_from_counter(reader.chip.counter) == 2
    with pytest.raises(PscLastAttempt):  # the 2nd wrong one leaves 1 attempt: PSC is not tried
        card.unlock([b"\x00\x00\x02", PSC])
    assert attempts_from_counter(reader.chip.counter) == 1


def test_unlock_finds_the_right_candidate(profile: str) -> None:
    card, _ = _card(profile)
    assert card.unlock([b"\x00\x00\x01", PSC]) == PSC
    assert card.attempts_left() == 3


def test_change_psc_is_verified(profile: str) -> None:
    card, reader = _card(profile)
    card.present_psc(PSC)
    card.change_psc(b"\xab\xcd\xef")
    assert reader.chip is not None and reader.chip.psc == b"\xab\xcd\xef"
    card2 = Sle4442(reader.connect(), get_profile(profile))
    card2.select()
    with pytest.raises(WriteFailed):  # not presented on this connection: the card ignores it
        card2.change_psc(b"\x00\x00\x00")
    card2.unlocked = True  # even when the driver believes it, the read-back catches it
    with pytest.raises(WriteFailed):
        card2.change_psc(b"\x11\x22\x33")
    assert reader.chip.psc == b"\xab\xcd\xef"


# an acr39 answers a PSC presentation with a status word only: nothing to truncate
@pytest.mark.parametrize(("profile", "ins"), [
    ("acr38", 0xB0), ("acr39", 0xB0), ("acr38", 0xB1), ("acr39", 0xB1), ("acr38", 0x20)])
def test_truncated_answers(profile: str, ins: int) -> None:
    card, reader = _card(profile)
    reader.faults.truncate_ins = ins
    reader.faults.truncate_by = 4
    with pytest.raises(AnswerTruncated):
        if ins == 0xB0:
            card.read(0, 16)
        elif ins == 0xB1:
            card.attempts_left()
        else:
            card.present_psc(PSC)


def test_acr39_psc_answer_with_data_is_refused() -> None:
    with pytest.raises(ReaderRefused):
        PROFILES["acr39"].psc_counter(b"\x07", 0x90, 0x00)
    assert PROFILES["acr39"].psc_counter(b"", 0x90, 0x05) == 5
    with pytest.raises(ReaderRefused):
        PROFILES["acr38"].psc_counter(b"\x07", 0x6A, 0x00)


def test_removed_card(profile: str) -> None:
    card, reader = _card(profile)
    reader.faults.remove_after_apdus = 1
    card.read(0, 8)
    with pytest.raises(CardRemoved):
        card.read(0, 8)
    with pytest.raises(CardAbsent):
        reader.connect()


def test_range_checks(profile: str) -> None:
    card, _ = _card(profile)
    with pytest.raises(ValueError):
        card.read(250, 10)
    with pytest.raises(ValueError):
        card.present_psc(b"\x00")


def test_counter_bits() -> None:
    assert [attempts_from_counter(c) for c in (7, 6, 5, 3, 4, 2, 1, 0)] == [3, 2, 2, 2, 1, 1, 1, 0]


def test_image_roundtrip(tmp_path: object) -> None:
    chip = Sle4442Chip.blank(PSC, chip_id=b"\x01\x02")
    chip.counter = 3
    again = Sle4442Chip.from_image(chip.to_image())
    assert (again.main, again.protection, again.counter, again.psc) == (chip.main, chip.protection, 3, PSC)
    with pytest.raises(ValueError):
        Sle4442Chip.from_image(b"\x00" * 10)
