"""PC/SC transport over pyscard: reader chosen by name, insert/remove events.

pyscard is imported lazily, inside the functions, so ``hardware.cards`` imports
without it. Only this module touches pyscard; it turns its exceptions into the
codes of :mod:`hardware.cards.errors`.

Listeners of :class:`CardWatcher` run on the watcher's thread: a UI must hand the
event over to its own thread (``terminal/ui/mainthread.py``).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .errors import (
    AnswerTruncated,
    CardAbsent,
    CardRemoved,
    ReaderError,
    ReaderNotFound,
    ReaderUnavailable,
)

log = logging.getLogger(__name__)

_REMOVED_MARKS = ("removed", "0x80100069", "unpowered", "0x80100067", "reset", "0x80100068",
                  "no smart card", "0x8010000c")
_GONE_MARKS = ("0x80100009", "0x80100017", "unknown reader", "not available")


def _translate(exc: Exception, reader: str) -> ReaderError:
    text = str(exc).lower()
    if "0x8010001d" in text or "service not available" in text or "no service" in text:
        return ReaderUnavailable(str(exc))
    if any(m in text for m in _REMOVED_MARKS):
        return CardRemoved(f"{reader}: {exc}")
    if any(m in text for m in _GONE_MARKS):
        return ReaderNotFound(f"{reader}: {exc}")
    return ReaderError(f"{reader}: {exc}")


def list_readers() -> list[str]:
    """Names of the PC/SC readers; raises READER_UNAVAILABLE when pcscd is not running."""
    from smartcard.System import readers

    try:
        return [str(r) for r in readers()]
    except Exception as exc:  # pyscard: EstablishContextException, ListReadersException
        text = str(exc).lower()
        if "0x8010002e" in text or "no readers" in text:  # SCARD_E_NO_READERS_AVAILABLE
            return []
        raise ReaderUnavailable(str(exc)) from exc


def find_reader(name: str) -> str:
    """The full name of the first reader whose name contains ``name``."""
    names = list_readers()
    for full in names:
        if name in full:
            return full
    raise ReaderNotFound(f"no reader matching {name!r} among {names}")


REMOVAL_SETTLE_S = 1.5  # pcscd notices a removal at its next poll of the reader


def card_present(reader_name: str, settle: float = 0.0) -> bool:
    """Is a card in the reader? With ``settle``, wait that long for it to go away."""
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise ReaderUnavailable(scard.SCardGetErrorMessage(hresult))
    try:
        deadline = time.monotonic() + settle
        while True:
            hresult, states = scard.SCardGetStatusChange(context, 0, [(reader_name, scard.SCARD_STATE_UNAWARE)])
            if hresult != scard.SCARD_S_SUCCESS:
                raise ReaderNotFound(f"{reader_name}: {scard.SCardGetErrorMessage(hresult)}")
            present = bool(states[0][1] & scard.SCARD_STATE_PRESENT)
            if not present or time.monotonic() >= deadline:
                return present
            time.sleep(0.05)
    finally:
        scard.SCardReleaseContext(context)


class PcscConnection:
    """One connection to the card in one reader; ``transmit`` only moves bytes."""

    def __init__(self, reader_name: str, connection: Any) -> None:
        self.reader_name = reader_name
        self._conn = connection

    @property
    def atr(self) -> bytes:
        return bytes(self._conn.getATR())

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        try:
            data, sw1, sw2 = self._conn.transmit(list(apdu))
        except Exception as exc:  # pyscard CardConnectionException and friends
            err = _translate(exc, self.reader_name)
            if type(err) is ReaderError:
                # e.g. "Card returned no valid response": a card pulled out (vpcd) or a
                # reader that lost the answer. The card's presence tells which.
                if not card_present(self.reader_name, settle=REMOVAL_SETTLE_S):
                    raise CardRemoved(f"{self.reader_name}: {exc}") from exc
                if "no valid response" in str(exc).lower():
                    raise AnswerTruncated(f"{self.reader_name}: {exc}") from exc
            raise err from exc
        if sw1 is None or sw2 is None:
            raise AnswerTruncated("answer without status word")
        return bytes(data), int(sw1), int(sw2)

    def close(self) -> None:
        try:
            self._conn.disconnect()
            release = getattr(self._conn, "release", None)  # pyscard >= 2.1: free the context now
            if release is not None:
                release()
        except Exception as exc:  # noqa: BLE001 - a card already gone: nothing to release
            log.debug("disconnect: %s", exc)


class PcscReader:
    """The card reader of the port settings (``reader`` is a substring of its name)."""

    def __init__(self, reader: str = "") -> None:
        self.reader = reader

    def connect(self) -> PcscConnection:
        from smartcard.System import readers

        full = find_reader(self.reader)
        try:
            target = next(r for r in readers() if str(r) == full)
        except StopIteration:
            raise ReaderNotFound(full) from None
        conn = target.createConnection()
        try:
            conn.connect()
        except Exception as exc:  # NoCardException, CardConnectionException
            if type(exc).__name__ == "NoCardException" or "no smart card" in str(exc).lower():
                raise CardAbsent(full) from exc
            raise _translate(exc, full) from exc
        return PcscConnection(full, conn)


@dataclass(frozen=True)
class CardEvent:
    kind: Literal["inserted", "removed"]
    reader: str
    atr: bytes


Listener = Callable[[CardEvent], None]


class CardWatcher:
    """Card insert/remove events of one reader (the first whose name contains ``reader``).

    A small monitor thread over pyscard's ``SCardGetStatusChange``: unlike pyscard's
    singleton CardMonitor it stops cleanly. A card already in the reader at start
    is reported as inserted.
    """

    def __init__(self, reader: str = "", poll_ms: int = 250) -> None:
        self.reader = reader
        self.poll_ms = poll_ms
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: Any = None

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def _emit(self, event: CardEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a broken listener must not stop the others
                log.exception("card listener failed on %s", event)

    def start(self) -> None:
        from smartcard import scard

        name = find_reader(self.reader)  # READER_UNAVAILABLE / READER_NOT_FOUND early
        hresult, self._context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise ReaderUnavailable(scard.SCardGetErrorMessage(hresult))
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(name,), name="card-watcher", daemon=True)
        self._thread.start()

    def _run(self, name: str) -> None:
        from smartcard import scard

        state, present, atr = scard.SCARD_STATE_UNAWARE, False, b""
        while not self._stop.is_set():
            hresult, states = scard.SCardGetStatusChange(self._context, self.poll_ms, [(name, state)])
            if hresult in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
                continue
            if hresult != scard.SCARD_S_SUCCESS:  # pcscd restarted, reader unplugged...
                log.warning("card watcher: %s", scard.SCardGetErrorMessage(hresult))
                if self._stop.wait(1.0):
                    break
                if hresult in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_INVALID_HANDLE):
                    scard.SCardReleaseContext(self._context)
                    _, self._context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                state = scard.SCARD_STATE_UNAWARE
                continue
            _, event_state, raw_atr = states[0]
            state = event_state & ~scard.SCARD_STATE_CHANGED
            now = bool(event_state & scard.SCARD_STATE_PRESENT)
            if now != present:
                atr = bytes(raw_atr) if now else atr
                present = now
                self._emit(CardEvent("inserted" if now else "removed", name, atr))

    def stop(self) -> None:
        from smartcard import scard

        self._stop.set()
        if self._context is not None:
            scard.SCardCancel(self._context)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
            self._context = None
