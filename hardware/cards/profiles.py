"""Reader profiles: how an ACS reader family answers the SLE4442 pseudo-APDUs.

- ``acr38``: READ answers the data followed by the 4 protection-memory bytes;
  PRESENT PSC answers ``ERRCNT CODE1 CODE2 CODE3 90 00`` (counter in the data).
- ``acr39``: READ answers the data only; PRESENT PSC answers ``90 0X`` with the
  error counter in SW2.

Both read the error counter with ``FF B1 00 00 04`` -> ``ERRCNT D1 D2 D3 90 00``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import AnswerTruncated, ReaderRefused


@dataclass(frozen=True)
class ReaderProfile:
    name: str
    read_appends_protection: bool
    psc_counter_in_sw2: bool
    max_read: int = 128
    max_write: int = 64

    def read_answer(self, data: bytes, length: int) -> bytes:
        """The memory bytes of a READ answer of ``length`` bytes asked for."""
        expected = length + (4 if self.read_appends_protection else 0)
        if len(data) < expected:
            raise AnswerTruncated(f"read {len(data)} of {expected} bytes")
        if len(data) > expected:
            raise ReaderRefused(f"read answered {len(data)} bytes, expected {expected}")
        return data[:length]

    def psc_counter(self, data: bytes, sw1: int, sw2: int) -> int:
        """The raw error counter (0..7) after a PSC presentation."""
        if self.psc_counter_in_sw2:
            if sw1 != 0x90 or data:
                raise ReaderRefused(f"PSC answer {data.hex()} {sw1:02X}{sw2:02X}")
            return sw2 & 0x07
        if (sw1, sw2) != (0x90, 0x00):
            raise ReaderRefused(f"PSC answer status {sw1:02X}{sw2:02X}")
        if not data:
            raise AnswerTruncated("PSC answer without error counter")
        return data[0] & 0x07

    def psc_answer(self, counter: int, code: bytes) -> bytes:
        """What this reader sends back for a PSC presentation (for emulators)."""
        if self.psc_counter_in_sw2:
            return bytes([0x90, counter & 0x07])
        return bytes([counter & 0x07]) + code + b"\x90\x00"


PROFILES: dict[str, ReaderProfile] = {
    "acr38": ReaderProfile("acr38", read_appends_protection=True, psc_counter_in_sw2=False),
    "acr39": ReaderProfile("acr39", read_appends_protection=False, psc_counter_in_sw2=True),
}


def get_profile(profile: str | ReaderProfile) -> ReaderProfile:
    if isinstance(profile, ReaderProfile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(f"unknown reader profile {profile!r}; use one of {sorted(PROFILES)}") from None
