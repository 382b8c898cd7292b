"""The high-level card API the selling and maintenance services call.

Each call opens one connection (``connect()``), does its work and closes it; a
``session()`` keeps one connection across the steps of a sale. A card
pulled out mid-way raises ``CardRemoved``; nothing is reported as done unless it was
read back from the card.

Interruption safety: making writes everything but the layout's marker (the magic),
then changes the PSC, then writes the marker; formatting erases the marker first,
then restores the factory PSC, then erases the rest. A card stopped half-way is
therefore "blank-looking" with a serial hint, and the PSC candidates cover both.
"""
from __future__ import annotations

import logging
import secrets
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TypeVar

from .errors import (
    CardBlank,
    CardMalformed,
    CardNotBlank,
    MacInvalid,
    PurchasePending,
    SequenceUsed,
    WriteFailed,
    WrongCardType,
    WrongMeter,
)
from .layout import (
    Body,
    CardData,
    CardType,
    Identity,
    Purchase,
    ReturnData,
    UtilityKeys,
)
from .profiles import ReaderProfile, get_profile
from .registry import CardLayout, get_layout
from .sle4442 import CardConnection, Sle4442

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class CardContents:
    """What is on the card, verified."""

    data: CardData
    attempts_left: int  # PSC attempts left (3 = healthy, 0 = locked)
    memory: bytes = field(repr=False)  # the raw 256 bytes as read

    @property
    def blank(self) -> bool:
        return self.data.blank

    @property
    def identity(self) -> Identity | None:
        return self.data.identity

    @property
    def card_type(self) -> CardType | None:
        return self.data.identity.card_type if self.data.identity else None

    @property
    def meter_no(self) -> str | None:
        return self.data.identity.meter_no if self.data.identity else None

    @property
    def card_serial(self) -> bytes | None:
        return self.data.identity.card_serial if self.data.identity else None

    @property
    def purchase(self) -> Purchase | None:
        return self.data.purchase

    @property
    def pending(self) -> bool:
        return self.data.pending

    @property
    def reading(self) -> ReturnData | None:
        """The meter's return data (last accepted sequence, remaining, cumulative, flags, time)."""
        return self.data.returned

    def holds(self, purchase: Purchase) -> bool:
        """True when exactly this purchase is on the card (for resuming a PENDING sale)."""
        return self.data.purchase == _on_card(purchase)


class CardTerminal:
    def __init__(
        self,
        connect: Callable[[], CardConnection],
        profile: ReaderProfile | str,
        keys: UtilityKeys,
        layout: CardLayout | str | None = None,
    ) -> None:
        self.connect = connect
        self.profile = get_profile(profile)
        self.keys = keys
        if layout is None or isinstance(layout, str):
            layout = get_layout(layout or "ppms-v1")
        self.layout = layout

    @contextmanager
    def _card(self) -> Iterator[Sle4442]:
        conn = self.connect()
        try:
            card = Sle4442(conn, self.profile)
            card.select()
            yield card
        finally:
            conn.close()

    def _contents(self, card: Sle4442) -> CardContents:
        memory = card.read()
        attempts = card.attempts_left()
        return CardContents(self.layout.decode(memory, self.keys), attempts, memory)

    # ---------------------------------------------------------------- reading
    def read(self) -> CardContents:
        """Read and verify everything on the card (raises a CardContentError if bad)."""
        with self._card() as card:
            return self._contents(card)

    def read_raw(self) -> tuple[bytes, int]:
        """Memory and PSC attempts left, without judging them (card maintenance)."""
        with self._card() as card:
            return card.read(), card.attempts_left()

    # ---------------------------------------------------------------- making
    def make_user_card(self, meter_no: str, *, card_serial: bytes | None = None) -> CardContents:
        return self.make_card(CardType.USER, meter_no, card_serial=card_serial)

    def make_card(
        self,
        card_type: CardType,
        meter_no: str = "",
        *,
        body: Body | None = None,
        card_serial: bytes | None = None,
    ) -> CardContents:
        """Personalise a blank card: header, meter, optional body record, new PSC."""
        if card_type is CardType.USER and not meter_no:
            raise ValueError("a user card needs a meter number")
        with self._card() as card:
            memory = card.read()
            if not self.layout.is_blank(memory):
                raise CardNotBlank()
            hint = self.layout.serial_hint(memory)
            serial = card_serial or hint or _new_serial()
            candidates = [self.keys.factory_psc]
            if hint:
                candidates.append(self.layout.psc_for(self.keys, hint))
            current = card.unlock(candidates)
            identity = Identity(card_type, self.keys.utility_code, serial, meter_no, self.keys.key_id)
            target = self.layout.encode(CardData(identity, body), self.keys, memory)
            marker = self.layout.marker
            unmarked = bytearray(target)
            unmarked[marker] = memory[marker]
            _write_diff(card, memory, bytes(unmarked))
            psc = self.layout.psc_for(self.keys, serial)
            if current != psc:
                card.change_psc(psc)
            _write_diff(card, bytes(unmarked), target)
            log.info("made %s card %s for meter %r", card_type.name, serial.hex(), meter_no)
            return self._verified(card, target)

    # ---------------------------------------------------------------- selling
    def session(self) -> CardSession:
        """One connection for the steps of one job (a sale: judge the card, then write it)."""
        return CardSession(self)

    def write_purchase(self, meter_no: str, purchase: Purchase) -> CardContents:
        """Put one purchase on the user card of ``meter_no`` and read it back.

        The card keeps whole seconds: ``purchase.time`` is stored without microseconds.
        """
        with self._card() as card:
            memory = card.read()
            return self._put_purchase(card, memory, self.layout.decode(memory, self.keys), meter_no, purchase)

    def _put_purchase(self, card: Sle4442, memory: bytes, data: CardData, meter_no: str,
                      purchase: Purchase) -> CardContents:
        """Write ``purchase`` over ``memory`` (the card as last read, decoded as ``data``)."""
        purchase = _on_card(purchase)
        ident = _user_card_of(data, meter_no)
        last = max(
            data.purchase.sequence if data.purchase else 0,
            data.returned.last_sequence if data.returned else 0,
        )
        if purchase.sequence <= last:
            raise SequenceUsed(f"sequence {purchase.sequence}, card already at {last}")
        if data.pending:
            raise PurchasePending(f"sequence {data.purchase.sequence if data.purchase else '?'}")
        card.unlock([self.layout.psc_for(self.keys, ident.card_serial)])
        target = self.layout.encode(replace(data, body=purchase), self.keys, memory)
        _write_diff(card, memory, target)
        contents = self._verified(card, target)
        if contents.purchase != purchase:
            raise WriteFailed("purchase did not read back")
        log.info("purchase %d (%d x 0.01 kWh) on card %s", purchase.sequence, purchase.energy,
                 ident.card_serial.hex())
        return contents

    def clear_purchase(self, meter_no: str, purchase: Purchase) -> bool:
        """Reset for selling: take ``purchase`` off the user card of ``meter_no`` if the
        meter has not accepted it. False (card untouched) when the card does not hold
        exactly this purchase or the meter already took it."""
        purchase = _on_card(purchase)
        with self._card() as card:
            memory = card.read()
            data = self.layout.decode(memory, self.keys)
            ident = _user_card_of(data, meter_no)
            if data.purchase != purchase or not data.pending:
                return False
            card.unlock([self.layout.psc_for(self.keys, ident.card_serial)])
            target = self.layout.encode(replace(data, body=None), self.keys, memory)
            _write_diff(card, memory, target)
            self._verified(card, target)
            log.info("purchase %d taken back from card %s", purchase.sequence, ident.card_serial.hex())
            return True

    # ---------------------------------------------------------------- maintenance
    def format_card(self) -> CardContents:
        """Back to blank with the factory PSC (cards of this utility or blank/unknown cards)."""
        with self._card() as card:
            memory = card.read()
            hint = self.layout.serial_hint(memory)
            personalised = not self.layout.is_blank(memory)
            if personalised:
                try:  # another utility's card raises ForeignUtility: we cannot know its PSC
                    self.layout.decode(memory, self.keys)
                except MacInvalid:
                    pass  # ours but damaged: still formattable
                except CardMalformed:
                    personalised = False  # unknown content: most likely the factory PSC
            candidates = [self.keys.factory_psc]
            if hint:
                derived = self.layout.psc_for(self.keys, hint)
                candidates.insert(0 if personalised else 1, derived)
            current = card.unlock(candidates)
            blank = self.layout.encode(CardData(), self.keys, memory)
            unmarked = bytearray(memory)
            unmarked[self.layout.marker] = blank[self.layout.marker]
            _write_diff(card, memory, bytes(unmarked))
            if current != self.keys.factory_psc:
                card.change_psc(self.keys.factory_psc)
            _write_diff(card, bytes(unmarked), blank)
            log.info("formatted card %s", hint.hex() if hint else "(no serial)")
            return self._verified(card, blank)

    def _verified(self, card: Sle4442, target: bytes) -> CardContents:
        contents = self._contents(card)
        if contents.memory != target:
            raise WriteFailed("card memory differs from what was written")
        return contents


class CardSession:
    """One connection to the card kept across the steps of one job (a sale's precheck, then
    its write and read-back), where the reader allows it.

    The memory is read once, on first need (``contents``); ``write_purchase`` writes over
    that reading and verifies with a real read of the card. The session ends with
    ``close()`` (safe twice), on any card error, and when the session is collected; a card
    pulled out or swapped meanwhile makes its next command fail (pcscd resets the handle),
    so the session never writes over a reading of another card.
    """

    def __init__(self, terminal: CardTerminal) -> None:
        self.terminal = terminal
        self._card: Sle4442 | None = None
        self._contents: CardContents | None = None
        self._close: Callable[[], object] | None = None
        self.wrote = False  # a write was sent in this session: the card may hold it

    @property
    def open(self) -> bool:
        return self._card is not None

    def contents(self) -> CardContents:
        """What is on the card, verified (read on the first call only)."""
        if self._contents is None:
            self._contents = self._guard(lambda card: self.terminal._contents(card))
        return self._contents

    def write_purchase(self, meter_no: str, purchase: Purchase) -> CardContents:
        """``CardTerminal.write_purchase`` over this session's reading of the card."""
        contents = self.contents()
        self._contents = self._guard(lambda card: self.terminal._put_purchase(
            card, contents.memory, contents.data, meter_no, purchase))
        return self._contents

    def close(self) -> None:
        if self._close is not None:
            self._close()
        self._card, self._contents, self._close = None, None, None

    def __enter__(self) -> CardSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _guard(self, step: Callable[[Sle4442], T]) -> T:
        try:
            card = self._open()
            try:
                return step(card)
            finally:
                self.wrote = self.wrote or card.wrote
        except Exception:
            self.close()
            raise

    def _open(self) -> Sle4442:
        if self._card is None:
            conn = self.terminal.connect()
            self._close = weakref.finalize(self, conn.close)
            card = Sle4442(conn, self.terminal.profile)
            self._card = card
            card.select()
        return self._card


def _on_card(purchase: Purchase) -> Purchase:
    """The purchase as the card stores it (whole seconds)."""
    return replace(purchase, time=purchase.time.replace(microsecond=0))


def _new_serial() -> bytes:
    while True:
        serial = secrets.token_bytes(8)
        if serial != b"\xff" * 8:
            return serial


def _write_diff(card: Sle4442, old: bytes, new: bytes, gap: int = 4) -> None:
    """Write the changed spans of ``new`` (spans closer than ``gap`` bytes merged)."""
    changed = [i for i in range(len(new)) if old[i] != new[i]]
    if not changed:
        return
    start = prev = changed[0]
    for i in changed[1:] + [len(new) + gap + 1]:
        if i - prev > gap:
            card.write(start, new[start:prev + 1])
            start = i
        prev = i


def _user_card_of(data: CardData, meter_no: str) -> Identity:
    """The identity of a personalised user card for ``meter_no``; CARD_BLANK, CARD_WRONG_TYPE
    or CARD_WRONG_METER otherwise."""
    ident = data.identity
    if ident is None:
        raise CardBlank()
    if ident.card_type is not CardType.USER:
        raise WrongCardType(f"{ident.card_type.name} card")
    if ident.meter_no != meter_no:
        raise WrongMeter(f"card is for meter {ident.meter_no}, purchase for {meter_no}")
    return ident
