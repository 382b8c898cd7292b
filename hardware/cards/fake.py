"""In-memory SLE4442 card and ACS reader: for unit tests, the demo's "emulated"
mode and (behind vpcd) the card emulator.

- :class:`Sle4442Chip` models the card: 256-byte main memory, 32-bit protection
  memory, 3-bit PSC error counter, 3-byte PSC.
- :class:`AcsReaderFront` answers the ACS pseudo-APDUs for a chip in one profile.
- :class:`Faults` injects truncated answers and removal after N APDUs.
- :class:`FakeCardReader` puts it together as a reader you connect to.
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AnswerTruncated, CardAbsent, CardRemoved
from .layout import MeterStatus, UtilityKeys
from .profiles import ReaderProfile, get_profile

ATR = bytes.fromhex("3B04A2131091")
ATR_HEADER = bytes.fromhex("A2131091")  # bytes 0-3 of an SLE4442's memory
IMAGE_SIZE = 256 + 4 + 1 + 3  # main memory, protection bits, error counter, PSC


@dataclass
class Sle4442Chip:
    main: bytearray = field(default_factory=lambda: bytearray(b"\xff" * 256))
    protection: int = 0xFFFFFFFF  # bit i = 1: byte i (0..31) still writable
    counter: int = 0x07
    psc: bytes = b"\xff\xff\xff"
    verified: bool = False

    @classmethod
    def blank(cls, factory_psc: bytes = b"\xff\xff\xff", chip_id: bytes = b"") -> Sle4442Chip:
        """A new card: ATR header and an optional chip id in the protected area."""
        chip = cls(psc=factory_psc)
        chip.main[0:4] = ATR_HEADER
        chip.main[4:4 + len(chip_id)] = chip_id[:28]
        chip.protection = 0xFFFFFFFF & ~((1 << (4 + len(chip_id[:28]))) - 1)
        return chip

    # --- image file: main(256) | protection(4, little endian bits) | counter(1) | psc(3)
    def to_image(self) -> bytes:
        return bytes(self.main) + self.protection.to_bytes(4, "little") + bytes([self.counter]) + self.psc

    @classmethod
    def from_image(cls, image: bytes) -> Sle4442Chip:
        if len(image) != IMAGE_SIZE:
            raise ValueError(f"card image must be {IMAGE_SIZE} bytes, not {len(image)}")
        return cls(bytearray(image[:256]), int.from_bytes(image[256:260], "little"), image[260] & 7, image[261:264])

    def save(self, path: str | Path) -> None:
        tmp = Path(f"{path}.tmp")
        tmp.write_bytes(self.to_image())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | Path) -> Sle4442Chip:
        return cls.from_image(Path(path).read_bytes())

    # --- card behaviour
    def power_off(self) -> None:
        self.verified = False

    def compare(self, psc: bytes) -> int:
        """PSC verification as the reader runs it; returns the counter after."""
        if self.counter == 0:
            self.verified = False
            return 0
        self.counter &= self.counter - 1  # write one '1' bit to '0'
        if psc == self.psc:
            self.counter = 0x07
            self.verified = True
        else:
            self.verified = False
        return self.counter

    def write(self, address: int, data: bytes) -> None:
        if not self.verified:
            return  # an SLE4442 ignores writes until the PSC is verified
        for i, b in enumerate(data):
            a = address + i
            if a < 32 and not self.protection >> a & 1:
                continue
            self.main[a] = b

    def protect(self, address: int, data: bytes) -> None:
        if not self.verified:
            return
        for i, b in enumerate(data):
            a = address + i
            if a < 32 and self.main[a] == b:
                self.protection &= ~(1 << a)

    def security(self) -> bytes:
        return bytes([self.counter]) + (self.psc if self.verified else b"\x00\x00\x00")

    def change_psc(self, psc: bytes) -> None:
        if self.verified:
            self.psc = psc


class AcsReaderFront:
    """Answers ACS memory-card pseudo-APDUs (data + SW) for one chip."""

    def __init__(self, chip: Sle4442Chip, profile: ReaderProfile | str) -> None:
        self.chip = chip
        self.profile = get_profile(profile)
        self.selected = False
        self.writes = 0  # main-memory write commands applied

    def power_off(self) -> None:
        self.selected = False
        self.chip.power_off()

    def handle(self, apdu: bytes) -> bytes:
        if len(apdu) < 5 or apdu[0] != 0xFF:
            return b"\x6e\x00"
        ins, _p1, p2, lc = apdu[1], apdu[2], apdu[3], apdu[4]
        body = apdu[5:]
        if ins == 0xA4:
            self.selected = body == b"\x06"
            return b"\x90\x00" if self.selected else b"\x6a\x81"
        if not self.selected:
            return b"\x69\x86"
        chip = self.chip
        length = lc or 256
        if ins in (0xB0, 0xD0, 0xD1) and p2 + (len(body) if ins != 0xB0 else length) > 256:
            return b"\x6b\x00"
        if ins == 0xB0:
            extra = chip.protection.to_bytes(4, "little") if self.profile.read_appends_protection else b""
            return bytes(chip.main[p2:p2 + length]) + extra + b"\x90\x00"
        if ins == 0xB1:
            return chip.security() + b"\x90\x00"
        if ins == 0xB2:
            return chip.protection.to_bytes(4, "little") + b"\x90\x00"
        if len(body) != lc:
            return b"\x67\x00"
        if ins == 0xD0:
            chip.write(p2, body)
            self.writes += 1
            return b"\x90\x00"
        if ins == 0xD1:
            chip.protect(p2, body)
            return b"\x90\x00"
        if ins == 0x20 and lc == 3:
            counter = chip.compare(body)
            return self.profile.psc_answer(counter, chip.psc if chip.verified else b"\x00\x00\x00")
        if ins == 0xD2 and lc == 3 and p2 == 0x01:
            chip.change_psc(body)
            return b"\x90\x00"
        return b"\x6d\x00"


@dataclass
class Faults:
    """Fault injection shared by the fake reader and the vpcd emulator.

    ``remove_after_apdus``: answer that many more APDUs, then the card is pulled out
    (the next APDU is never answered). ``remove_after_writes``: the same, counted in
    applied main-memory writes. ``truncate_ins``: the next answer to this INS loses
    ``truncate_by`` data bytes (once).
    """

    remove_after_apdus: int | None = None
    remove_after_writes: int | None = None
    truncate_ins: int | None = None
    truncate_by: int = 1

    def should_remove(self) -> bool:
        """Called before an APDU is answered."""
        if self.remove_after_apdus is not None:
            if self.remove_after_apdus <= 0:
                return True
            self.remove_after_apdus -= 1
        return self.remove_after_writes is not None and self.remove_after_writes <= 0

    def shape(self, apdu: bytes, answer: bytes) -> bytes:
        """Called with each answer; may truncate it."""
        if self.remove_after_writes is not None and apdu[1:2] == b"\xd0":
            self.remove_after_writes -= 1
        if self.truncate_ins is not None and len(apdu) > 1 and apdu[1] == self.truncate_ins:
            self.truncate_ins = None
            data, sw = answer[:-2], answer[-2:]
            return data[:max(0, len(data) - self.truncate_by)] + sw
        return answer


class FakeCardReader:
    """An in-memory reader: insert a chip, connect, transmit."""

    def __init__(self, profile: ReaderProfile | str = "acr38", name: str = "Fake ACS Reader 00 00") -> None:
        self.profile = get_profile(profile)
        self.name = name
        self.front: AcsReaderFront | None = None
        self.faults = Faults()
        self.generation = 0
        self.apdus = 0
        self.lock = threading.Lock()

    @property
    def chip(self) -> Sle4442Chip | None:
        return self.front.chip if self.front else None

    def insert(self, chip: Sle4442Chip) -> None:
        with self.lock:
            self.front = AcsReaderFront(chip, self.profile)
            self.generation += 1

    def remove(self) -> Sle4442Chip | None:
        with self.lock:
            chip = self.chip
            if self.front:
                self.front.power_off()
            self.front = None
            self.generation += 1
            return chip

    def connect(self) -> FakeConnection:
        with self.lock:
            if self.front is None:
                raise CardAbsent(self.name)
            self.front.power_off()  # a new connection powers the card up afresh
            return FakeConnection(self, self.generation)


class FakeConnection:
    def __init__(self, reader: FakeCardReader, generation: int) -> None:
        self.reader = reader
        self.generation = generation

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        r = self.reader
        if r.front is None or r.generation != self.generation:
            raise CardRemoved("card not in reader")
        if r.faults.should_remove():
            r.remove()
            r.faults = Faults()
            raise CardRemoved("card pulled out")
        r.apdus += 1
        answer = r.faults.shape(apdu, r.front.handle(apdu))
        if len(answer) < 2:
            raise AnswerTruncated("no status word")
        return answer[:-2], answer[-2], answer[-1]

    def close(self) -> None:
        pass


def emulated_user_card(
    keys: UtilityKeys,
    meter_no: str,
    *,
    last_sequence: int = 0,
    remaining: int = 0,
    cumulative: int = 0,
    profile: ReaderProfile | str = "acr38",
    card_serial: bytes | None = None,
) -> FakeCardReader:
    """A reader holding a made user card whose meter has taken every purchase up to
    ``last_sequence`` (the config's ``type = "emulated"`` mode)."""
    from datetime import UTC, datetime

    from .layout import CardData, CardType, Identity, Purchase, ReturnData, encode_card

    serial = card_serial or hashlib.sha256(f"{keys.utility_code}:{meter_no}".encode()).digest()[:8]
    now = datetime.now(UTC).replace(microsecond=0)
    body = Purchase(last_sequence, 0, now) if last_sequence else None
    returned = ReturnData(meter_no, last_sequence, remaining, cumulative, MeterStatus.NONE, now)
    ident = Identity(CardType.USER, keys.utility_code, serial, meter_no, keys.key_id)
    chip = Sle4442Chip.blank()
    chip.main[:] = encode_card(CardData(ident, body, returned), keys, bytes(chip.main))
    chip.psc = keys.psc_for(serial)
    reader = FakeCardReader(profile)
    reader.insert(chip)
    return reader
