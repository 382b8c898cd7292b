"""SLE4442 memory-card driver over ACS reader pseudo-APDUs.

It speaks to any :class:`Transport` (pyscard, the in-memory fake, a test double):
``transmit(apdu) -> (data, sw1, sw2)``. Reader differences live in
:mod:`hardware.cards.profiles`.

Safety rules kept here, once:
- the PSC error counter is read before every presentation, and no PSC is presented
  when fewer than two attempts remain (a wrong one could lock the card for ever);
- every write is read back and compared.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from .errors import (
    AnswerTruncated,
    CardLocked,
    PscLastAttempt,
    PscRejected,
    ReaderRefused,
    WriteFailed,
)
from .profiles import ReaderProfile

log = logging.getLogger(__name__)

MEMORY_SIZE = 256
SELECT_SLE4442 = bytes.fromhex("FF A4 00 00 01 06")


class Transport(Protocol):
    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]: ...


class CardConnection(Transport, Protocol):
    def close(self) -> None: ...


def attempts_from_counter(counter: int) -> int:
    """SLE4442 error counter bits -> attempts left (0x07 -> 3, 0x00 -> 0)."""
    return (counter & 0x07).bit_count()


PSC_SENT = frozenset({"present PSC", "change PSC"})
PSC_ANSWERED = frozenset({"read error counter"})


class Sle4442:
    """One SLE4442 card behind one reader profile, for the length of a connection."""

    def __init__(self, transport: Transport, profile: ReaderProfile) -> None:
        self.transport = transport
        self.profile = profile
        self.unlocked = False
        self.wrote = False  # a write (memory or PSC) has been sent: the card may have changed

    # public command with status checks and tracing; the transport is the backend hook
    def transmit(self, apdu: bytes, what: str) -> tuple[bytes, int, int]:
        data, sw1, sw2 = self.transport.transmit(apdu)
        sent, got = apdu.hex(), data.hex()
        if what in PSC_SENT:          # the PSC never reaches a log line: its header and length only
            sent = f"{apdu[:5].hex()} +{len(apdu) - 5} secret bytes"
        if what in PSC_ANSWERED:      # the error counter is shown, the PSC bytes after it are not
            got = f"{data[:1].hex()} +{max(len(data) - 1, 0)} secret bytes"
        log.debug("%s > %s < %s %02X%02X", what, sent, got, sw1, sw2)
        return data, sw1, sw2

    def _ok(self, apdu: bytes, what: str) -> bytes:
        data, sw1, sw2 = self.transmit(apdu, what)
        if (sw1, sw2) != (0x90, 0x00):
            raise ReaderRefused(f"{what}: status {sw1:02X}{sw2:02X}")
        return data

    def select(self) -> None:
        """Tell the reader the card is an SLE4432/4442 (``FF A4 00 00 01 06``)."""
        if self._ok(SELECT_SLE4442, "select card type"):
            raise ReaderRefused("select card type answered data")

    def read(self, address: int = 0, length: int = MEMORY_SIZE) -> bytes:
        _check_range(address, length)
        out = bytearray()
        while len(out) < length:
            at = address + len(out)
            n = min(self.profile.max_read, length - len(out))
            data = self._ok(bytes([0xFF, 0xB0, 0x00, at, n & 0xFF]), f"read {at}+{n}")
            out += self.profile.read_answer(data, n)
        return bytes(out)

    def read_security(self) -> bytes:
        """``FF B1``: error counter and the 3 PSC bytes (zeros until unlocked)."""
        data = self._ok(bytes.fromhex("FFB1000004"), "read error counter")
        if len(data) < 4:
            raise AnswerTruncated(f"error counter answer {data.hex()}")
        return data[:4]

    def read_protection(self) -> bytes:
        data = self._ok(bytes.fromhex("FFB2000004"), "read protection bits")
        if len(data) < 4:
            raise AnswerTruncated(f"protection answer {data.hex()}")
        return data[:4]

    def attempts_left(self) -> int:
        return attempts_from_counter(self.read_security()[0])

    def present_psc(self, psc: bytes) -> None:
        """Present the PSC, but only when a wrong one cannot lock the card."""
        if len(psc) != 3:
            raise ValueError("a PSC is 3 bytes")
        left = self.attempts_left()
        if left == 0:
            raise CardLocked()
        if left == 1:
            raise PscLastAttempt()
        data, sw1, sw2 = self.transmit(bytes.fromhex("FF20000003") + psc, "present PSC")
        after = attempts_from_counter(self.profile.psc_counter(data, sw1, sw2))
        if after != 3:
            self.unlocked = False
            raise PscRejected(after)
        self.unlocked = True

    def unlock(self, candidates: Sequence[bytes]) -> bytes:
        """Try each candidate PSC in turn (never below two attempts left); returns the one."""
        rejected: PscRejected | None = None
        for psc in dict.fromkeys(candidates):  # unique, in order
            try:
                self.present_psc(psc)
                return psc
            except PscRejected as exc:
                rejected = exc
        if rejected is None:
            raise ValueError("no PSC to present")
        raise rejected

    def write(self, address: int, data: bytes) -> None:
        """Write, then read back and compare."""
        _check_range(address, len(data))
        for start in range(0, len(data), self.profile.max_write):
            chunk = data[start:start + self.profile.max_write]
            at = address + start
            apdu = bytes([0xFF, 0xD0, 0x00, at, len(chunk)]) + chunk
            self.wrote = True
            if self._ok(apdu, f"write {at}+{len(chunk)}"):
                raise ReaderRefused("write answered data")
        back = self.read(address, len(data))
        if back != data:
            bad = next(i for i in range(len(data)) if back[i] != data[i]) + address
            raise WriteFailed(f"byte {bad} reads back differently" + ("" if self.unlocked else " (card not unlocked)"))

    def change_psc(self, new_psc: bytes) -> None:
        """``FF D2``: set a new PSC (needs the current one presented); verified by reading it back."""
        if len(new_psc) != 3:
            raise ValueError("a PSC is 3 bytes")
        if not self.unlocked:
            raise WriteFailed("the PSC can only be changed after presenting the current one")
        self.wrote = True
        self._ok(bytes.fromhex("FFD2000103") + new_psc, "change PSC")
        if self.read_security()[1:4] != new_psc:
            raise WriteFailed("the new PSC did not read back")


def _check_range(address: int, length: int) -> None:
    if not (0 <= address and 0 < length and address + length <= MEMORY_SIZE):
        raise ValueError(f"range {address}+{length} outside the 256-byte memory")
