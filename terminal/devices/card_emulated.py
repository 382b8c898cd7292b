"""`[card_reader] type = "emulated"`: the no-hardware card reader (cli.md).

The same `CardCarrier` as a real reader, over `hardware.cards.fake`'s in-memory
SLE4442 card and ACS reader, so the driver, the card layout, the PSC rule and every
refusal run as they do on a real card. Each process gets, for the meter it sells
to, a user card "as the ledger expects it, whose meter has already taken every
earlier purchase":

- before a sale of purchase N: the meter has taken N-1, the card holds nothing new;
- recovering purchase N: the card holds it only if this process wrote it (a crash
  between write and commit therefore voids the sale, as a card the write never
  reached would);
- taking back purchase N (reset for selling): the card still holds N, not taken.

The card serial is derived from the meter number; the card secret is the
`[card_reader] secret_file` when present, else a fixed demo secret.
The station (`ppms card make/read/format`) has its own blank in-memory card.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from hardware import cards
from hardware.cards.fake import FakeCardReader, Sle4442Chip
from hardware.cards.layout import CardData, encode_card
from terminal.devices.card import (
    CardCarrier,
    CardStationAdapter,
    card_meter_no,
    card_purchase,
    utility_keys,
)
from terminal.services.errors import DeviceAbsent
from terminal.services.ports import (
    CardInfo,
    CardInserted,
    CardRemoved,
    Delivery,
    DeviceEvents,
    MeterRef,
    Prechecked,
    Purchase,
)

EMULATED_READER = "Emulated reader"
EMULATED_ATR = "3b04a2131091"   # an SLE4442 behind an ACS reader (FIELD-NOTES)


class EmulatedMeterCard:
    """One meter's in-memory user card, reset to what the ledger expects before each use."""

    def __init__(self, keys: cards.UtilityKeys, meter_no: str, profile: str) -> None:
        self.keys, self.meter_no, self.profile = keys, meter_no, profile
        self.serial = hashlib.sha256(f"{keys.utility_code}:{meter_no}".encode()).digest()[:8]
        self.reader = FakeCardReader(profile)
        self.terminal = cards.CardTerminal(self.reader.connect, profile, keys)
        self.written: set[int] = set()   # sequences written onto it in this process

    def expect(self, last_sequence: int, holding: cards.Purchase | None = None) -> None:
        card_meter_no(self.meter_no)
        now = datetime.now(UTC).replace(microsecond=0)
        ident = cards.Identity(cards.CardType.USER, self.keys.utility_code, self.serial, self.meter_no,
                               self.keys.key_id)
        returned = cards.ReturnData(self.meter_no, last_sequence, 0, 0, cards.MeterStatus.NONE, now)
        chip = Sle4442Chip.blank()
        chip.main[:] = encode_card(CardData(ident, holding, returned), self.keys, bytes(chip.main))
        chip.psc = self.keys.psc_for(self.serial)
        self.reader.insert(chip)


class EmulatedCardCarrier(CardCarrier):
    def __init__(self, card: EmulatedMeterCard, meter: MeterRef, slot: CardSlot | None = None) -> None:
        super().__init__(lambda: card.terminal, meter)
        self.card = card
        self.slot = slot
        self.prechecked: int | None = None   # the sequence the open session's card was set up for

    def _card_in_slot(self) -> None:
        """With a slot (the kiosk), only the card put in it can be written."""
        if self.slot is not None and self.slot.meter != self.card.meter_no:
            raise DeviceAbsent.for_code("CARD_ABSENT")(f"Insert the card of meter {self.card.meter_no} "
                                                       "into the reader.")

    def precheck(self, purchase: Purchase) -> Prechecked:
        self._card_in_slot()
        self.card.expect(purchase.sequence - 1)
        learnt = super().precheck(purchase)
        self.prechecked = purchase.sequence
        return replace(learnt, reading=None)   # the emulation made this return data up: no meter's reading

    def deliver(self, purchase: Purchase) -> Delivery:
        self._card_in_slot()
        if self.prechecked != purchase.sequence:   # no precheck's session for this purchase: a fresh card
            self.close()
            self.card.expect(purchase.sequence - 1)
        self.prechecked = None
        delivery = super().deliver(purchase)
        self.card.written.add(purchase.sequence)
        return delivery

    def holds(self, purchase: Purchase) -> bool | None:
        if purchase.sequence not in self.card.written:
            self.card.expect(purchase.sequence - 1)
        return super().holds(purchase)

    def take_back(self, purchase: Purchase) -> bool:
        if purchase.sequence not in self.card.written:
            self.card.expect(purchase.sequence - 1, card_purchase(purchase))
        return super().take_back(purchase)


class EmulatedCards:
    """Builds the emulated carrier per meter (one card per meter for the process) and the station."""

    KEEP = 256   # cards kept in memory, the most recently used

    def __init__(self, profile: str = "acr39", utility_code: int = 1, secret_file: str = "") -> None:
        self.profile, self.utility_code, self.secret_file = profile, utility_code, secret_file
        self._keys: cards.UtilityKeys | None = None
        self.cards: dict[str, EmulatedMeterCard] = {}
        self.station_reader = FakeCardReader(profile)
        self.station_reader.insert(Sle4442Chip.blank())
        self.slot: CardSlot | None = None

    @property
    def keys(self) -> cards.UtilityKeys:
        if self._keys is None:
            self._keys = utility_keys(self.utility_code, self.secret_file, emulated=True)
        return self._keys

    def for_meter(self, meter: MeterRef) -> EmulatedCardCarrier:
        card = self.cards.pop(meter.number, None)
        if card is None:
            card = EmulatedMeterCard(self.keys, meter.number, self.profile)
        self.cards[meter.number] = card          # most recently used last
        if len(self.cards) > self.KEEP:          # a long run (the demo) sells to 100,000 meters: keep
            del self.cards[next(iter(self.cards))]   # the recent cards; a dropped one is made again
        return EmulatedCardCarrier(card, meter, self.slot)   # "as the ledger expects it" (cli.md)

    def station(self) -> CardStationAdapter:
        def terminal() -> cards.CardTerminal:
            return cards.CardTerminal(self.station_reader.connect, self.profile, self.keys)
        return CardStationAdapter(terminal)


class CardSlot:
    """The emulated reader with a slot, for the kiosk (its replay and demo): a meter's user card
    is put in and taken out, publishing `CardInserted` / `CardRemoved` as a real reader's
    watcher does; only the card in the slot can be written, and taking it out mid-write
    is a card pulled out of a real reader. `read` is the station's read of that card."""

    def __init__(self, cards_: EmulatedCards, events: DeviceEvents | None) -> None:
        self.cards, self.events = cards_, events
        self.meter: str | None = None
        cards_.slot = self

    def insert(self, meter_no: str) -> None:
        card_meter_no(meter_no)
        self.meter = meter_no
        if self.events is not None:
            self.events.publish(CardInserted(reader=EMULATED_READER, atr=EMULATED_ATR))

    def remove(self) -> None:
        card = self.cards.cards.get(self.meter or "")
        if card is not None:
            card.reader.remove()   # a session open on it now fails as a pulled card does
        self.meter = None
        if self.events is not None:
            self.events.publish(CardRemoved(reader=EMULATED_READER))

    def read(self) -> CardInfo:
        if self.meter is None:
            raise DeviceAbsent.for_code("CARD_ABSENT")("Insert the card into the reader.")
        serial = hashlib.sha256(f"{self.cards.utility_code}:{self.meter}".encode()).digest()[:8]
        return CardInfo(blank=False, card_serial=serial.hex(), card_type="user", meter=self.meter,
                        attempts_left=3, pending=False, purchase=None, returned=None)

    def make(self, card_type: str, meter_no: str, order: dict[str, object] | None = None) -> CardInfo:
        return self.cards.station().make(card_type, meter_no, order)

    def format(self) -> CardInfo:
        return self.cards.station().format()
