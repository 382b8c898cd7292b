"""PC/SC transport over pyscard: reader chosen by name, insert/remove events.

pyscard is imported lazily, inside the functions, so ``hardware.cards`` imports
without it. Only this module touches pyscard; it turns its exceptions into the
codes of :mod:`hardware.cards.errors`.

Listeners of :class:`CardWatcher` run on pyscard's monitor thread: a UI must hand
the event over to its own thread (``terminal/ui/mainthread.py``).
"""
from __future__ import annotations

import logging
import threading
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
            raise _translate(exc, self.reader_name) from exc
        if sw1 is None or sw2 is None:
            raise AnswerTruncated("answer without status word")
        return bytes(data), int(sw1), int(sw2)

    def close(self) -> None:
        try:
            self._conn.disconnect()
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
    """Card insert/remove events of the chosen reader(s), from pyscard's CardMonitor."""

    def __init__(self, reader: str = "") -> None:
        self.reader = reader
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._monitor: Any = None
        self._observer: Any = None

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.remove(listener)

    def _emit(self, kind: Literal["inserted", "removed"], cards: list[Any]) -> None:
        for card in cards:
            name = str(card.reader)
            if self.reader not in name:
                continue
            event = CardEvent(kind, name, bytes(card.atr))
            with self._lock:
                listeners = list(self._listeners)
            for listener in listeners:
                try:
                    listener(event)
                except Exception:  # a broken listener must not stop the others
                    log.exception("card listener failed on %s", event)

    def start(self) -> None:
        from smartcard.CardMonitoring import CardMonitor, CardObserver

        list_readers()  # fail early with READER_UNAVAILABLE when pcscd is down
        watcher = self

        class _Observer(CardObserver):  # type: ignore[misc]
            def update(self, observable: Any, handlers: Any) -> None:
                added, removed = handlers
                watcher._emit("inserted", list(added))
                watcher._emit("removed", list(removed))

        self._observer = _Observer()
        self._monitor = CardMonitor()
        self._monitor.addObserver(self._observer)

    def stop(self) -> None:
        if self._monitor is not None and self._observer is not None:
            self._monitor.deleteObserver(self._observer)
        self._monitor = self._observer = None
