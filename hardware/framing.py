"""Sans-io framing for the serial protocols of PPMS (DL/T 645 meters, ccTalk validators).

Bytes go in as they come off the line (``feed``), whole frames come out
(``next_frame``); no I/O, no clock. One ``FrameBuffer`` serves every protocol: a
protocol gives its ``FrameRules`` (where a frame may start, and what the bytes at such
a start are) and its consumer says which frames it wants (``accept``). The buffer owns
what every serial master and simulator needs and used to do in a loop of its own:

- echo skipping: a frame the consumer does not want (our own request heard back on a
  2-wire bus, another device's traffic) is dropped and counted in ``skipped``;
- resynchronisation: every possible start is tried in order, so garbage before a
  frame, a frame with a bad checksum, a start byte inside noise, or a length byte
  larger than the protocol allows never hides a good frame behind it;
- partial frames: the bytes from the first start that needs more are kept, never
  more than one frame's worth (the rules refuse any longer length);
- a verdict when nothing came out (``trouble``): a damaged frame, a frame cut short,
  or only noise, most telling first, for the consumer's own error.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Generic, Protocol, TypeVar

F = TypeVar("F")


class Scan(Enum):
    """What the bytes at one possible frame start are."""

    FRAME = "frame"            # a whole, valid frame
    INCOMPLETE = "incomplete"  # a frame may start here: more bytes are needed to tell
    CHECKSUM = "checksum"      # a whole frame whose checksum is wrong
    MALFORMED = "malformed"    # not a frame (wrong marker, impossible length, noise)


@dataclass(frozen=True)
class Parsed(Generic[F]):
    status: Scan
    frame: F | None = None
    end: int = 0  # index just past the frame (FRAME, CHECKSUM), else 0


class FrameRules(Protocol[F]):
    """One protocol's frame rules (pure functions of the bytes)."""

    def find_start(self, buf: bytes, begin: int) -> int:
        """The first index >= ``begin`` where a frame may start, or -1."""

    def parse_at(self, buf: bytes, at: int) -> Parsed[F]:
        """What the bytes from ``at`` are (a length above the protocol's maximum is MALFORMED)."""


def _any(frame: object) -> bool:
    return True


class FrameBuffer(Generic[F]):
    """Bytes in, frames out, for one protocol and one consumer."""

    def __init__(self, rules: FrameRules[F], accept: Callable[[F], bool] = _any) -> None:
        self.rules = rules
        self.accept = accept
        self._buf = bytearray()
        self._seen: set[Scan] = set()
        self.received = 0   # bytes fed since the last clear
        self.skipped = 0    # whole frames dropped because ``accept`` refused them (echoes)

    def feed(self, data: bytes) -> None:
        self._buf += data
        self.received += len(data)

    def next_frame(self) -> F | None:
        """The next wanted frame, or ``None`` until more bytes come (see ``trouble``)."""
        while True:
            frame = self._scan()
            if frame is None:
                return None
            if self.accept(frame):
                return frame
            self.skipped += 1

    def frames(self) -> Iterator[F]:
        """Every wanted frame the bytes fed so far hold, in order."""
        while (frame := self.next_frame()) is not None:
            yield frame

    def clear(self) -> None:
        """Forget everything (a new transaction, or silence after half a frame)."""
        self._buf.clear()
        self._seen.clear()
        self.received = self.skipped = 0

    @property
    def held(self) -> bytes:
        """The bytes kept for a frame that has begun (after ``next_frame`` returned None)."""
        return bytes(self._buf)

    @property
    def trouble(self) -> Scan | None:
        """Since the last frame: CHECKSUM (a damaged frame), INCOMPLETE (a frame begun and
        not finished), MALFORMED (only noise), or None (nothing but wanted/skipped frames)."""
        if Scan.CHECKSUM in self._seen:
            return Scan.CHECKSUM
        if self._buf:
            return Scan.INCOMPLETE
        if Scan.MALFORMED in self._seen:
            return Scan.MALFORMED
        return None

    def _scan(self) -> F | None:
        data = bytes(self._buf)
        keep_from: int | None = None
        at = self.rules.find_start(data, 0)
        while at != -1:
            parsed = self.rules.parse_at(data, at)
            if parsed.status is Scan.FRAME:
                del self._buf[:parsed.end]
                self._seen.clear()
                return parsed.frame
            if parsed.status is Scan.INCOMPLETE:
                if keep_from is None:
                    keep_from = at
            else:
                self._seen.add(parsed.status)
            at = self.rules.find_start(data, at + 1)
        drop = len(data) if keep_from is None else keep_from
        if drop:
            if Scan.CHECKSUM not in self._seen:
                self._seen.add(Scan.MALFORMED)
            del self._buf[:drop]
        return None
