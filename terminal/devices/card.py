"""IC cards as a carrier and a card station, over `hardware.cards.CardTerminal`.

`[card_reader] type = "pcsc"`: pyscard + pcscd, the reader named by `reader`, the
memory-card dialect `profile`. `type = "emulated"`: the same adapter over the
in-memory reader of `hardware.cards.fake` (see `terminal.devices.card_emulated`).

The card's purchase record is the sale's: sequence (the meter's purchase number),
credit (0.01 kWh), tariff index and time. The card keeps UTC seconds; the sale's
local wall-clock time is converted with the terminal's time zone when the sale is
made, and the selling service stores that UTC instant with the sale (its
carrier_ref) so a later recovery compares exactly what was written.

A sale keeps one reader session (`hardware.cards.CardSession`) from `precheck` to the
end of `deliver`: the card is read once, judged, then written over that reading and
read back; the session ends after the delivery, on any error, on card removal (the
next command fails) and with the carrier (`close()` ends it early).

Refusals before anything is written (bad card, other meter, blacklisted, a purchase
the meter has not taken, a card pulled out before the write) are certain; any failure
once a write has been sent to the card is `uncertain` (the purchase may be on the
card): the sale stays PENDING and recovery reads the card again.
"""
from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hardware import cards
from hardware.cards import errors as card_errors
from hardware.cards.views import card_to_dict
from terminal.devices.errors import NotConfigured, from_driver
from terminal.files import MAX_KEY_BYTES, read_text_file
from terminal.services.errors import (
    CardBlacklisted,
    CardChanged,
    CardMeterNumberInvalid,
    DeviceError,
    InvalidArgument,
)
from terminal.services.ports import (
    BLACKLISTED_CARDS,
    CardInfo,
    CardInserted,
    CardRef,
    CardRemoved,
    CarrierLimits,
    Delivery,
    DeviceEvents,
    MeterRef,
    Prechecked,
    Purchase,
    Reservation,
)

log = logging.getLogger(__name__)

MIN_SECRET_BYTES = 16
# A fixed secret for the emulated mode only (its cards never leave the process).
EMULATED_SECRET = b"PPMS emulated card reader: demo secret, never for a real card"


# ---------------------------------------------------------------- keys
def read_secret(path: str | Path) -> bytes:
    """The utility's card secret: hex on one line (never logged, never in the database)."""
    p = Path(path)
    try:
        text = read_text_file(p, what="the card secret file", key="card_reader.secret_file",
                              limit=MAX_KEY_BYTES, encoding="ascii", error=NotConfigured).strip()
        secret = bytes.fromhex(text)
    except ValueError:
        raise NotConfigured(f"the card secret file {p} is missing or not hex: set [card_reader] "
                            "secret_file") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise NotConfigured(f"the card secret in {p} is shorter than {MIN_SECRET_BYTES} bytes")
    return secret


def ensure_secret_file(path: str | Path) -> Path:
    """Create a random card secret (32 bytes, hex, chmod 600) unless the file exists.
    For the demo (`make run`); a utility issues its own secret."""
    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
    os.chmod(p, 0o600)
    return p


def utility_keys(utility_code: int, secret_file: str, emulated: bool) -> cards.UtilityKeys:
    if not secret_file or (emulated and not Path(secret_file).exists()):
        if not emulated:
            raise NotConfigured("no card secret: set [card_reader] secret_file (hex, chmod 600)")
        return cards.UtilityKeys(utility_code, EMULATED_SECRET)
    return cards.UtilityKeys(utility_code, read_secret(secret_file))


# ---------------------------------------------------------------- conversions
def card_meter_no(number: str) -> str:
    if not (number.isascii() and number.isdigit() and len(number) <= 20):
        raise CardMeterNumberInvalid(f"meter {number} cannot have an IC card: a card "
                      "carries a meter number of up to 20 digits", meter=number)
    return number


def card_time(t: datetime) -> datetime:
    """The card's UTC time of a sale time (a naive time is the terminal's local time)."""
    return t.astimezone(UTC).replace(microsecond=0)


def card_purchase(p: Purchase) -> cards.Purchase:
    return cards.Purchase(p.sequence, p.credit_kwh, card_time(p.issued_at), tariff_index=p.tariff_index % 256)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def reading_of(r: cards.ReturnData) -> dict[str, Any]:
    return {"meter": r.meter_no, "last_sequence": r.last_sequence, "remaining": r.remaining,
            "cumulative": r.cumulative, "flags": int(r.flags),
            "flag_names": [m.name for m in cards.MeterStatus if m.value and m in r.flags and m.name],
            "time": _iso(r.time)}


def info_of(c: cards.CardContents) -> CardInfo:
    p = c.purchase
    return CardInfo(
        blank=c.blank, card_serial=c.card_serial.hex() if c.card_serial else None,
        card_type=c.card_type.name.lower() if c.card_type else None, meter=c.meter_no,
        attempts_left=c.attempts_left, pending=c.pending,
        purchase=None if p is None else {"sequence": p.sequence, "kwh": p.energy, "time": _iso(p.time),
                                         "tariff_index": p.tariff_index},
        returned=None if c.reading is None else reading_of(c.reading),
        view=card_to_dict(c.data))


# ---------------------------------------------------------------- the carrier
class CardCarrier:
    """One meter's user card in the terminal's reader, as a `Carrier`."""

    kind = "card"
    ref_type = CardRef
    needs = frozenset({BLACKLISTED_CARDS})

    def __init__(self, terminal: Callable[[], cards.CardTerminal], meter: MeterRef) -> None:
        self._terminal = terminal
        self.meter = meter
        self._session: cards.CardSession | None = None   # from precheck to the end of deliver
        self._serial: str | None = None                  # the card the precheck judged

    def limits(self) -> CarrierLimits:
        # any 0.01 kWh, up to the purchase record's energy field (u32, 0.01 kWh)
        return CarrierLimits(max_kwh=cards.layout.U32)

    def reserve(self, purchase: Purchase) -> Reservation:
        """The purchase record to be written, on the card the precheck judged."""
        return Reservation(self._ref(purchase, self._serial))

    @staticmethod
    def _ref(purchase: Purchase, serial: str | None) -> CardRef:
        return CardRef(seq=purchase.sequence, ti=purchase.tariff_index, utc=card_time(purchase.issued_at),
                       card=serial)

    def close(self) -> None:
        """The sale is over: end the reader session. Safe twice, and when never called (the
        session also ends after `deliver`, on any card error, and with the carrier)."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def _read(self) -> cards.CardContents:
        try:
            return self._terminal().read()
        except card_errors.CardError as exc:
            raise from_driver(exc) from exc

    def _judge(self, contents: cards.CardContents, purchase: Purchase) -> str:
        """Refuse (certain: nothing written) what the card cannot take; returns its serial."""
        meter_no = card_meter_no(purchase.meter.number)
        try:
            ident = contents.identity
            if ident is None:
                raise card_errors.CardBlank()
            if ident.card_type is not cards.CardType.USER:
                raise card_errors.WrongCardType(f"{ident.card_type.name} card")
            if ident.meter_no != meter_no:
                raise card_errors.WrongMeter(f"card is for meter {ident.meter_no}, sale for {meter_no}")
            serial = ident.card_serial.hex()
            if serial in purchase.facts.blacklisted_cards:
                raise CardBlacklisted(f"card {serial} is blacklisted: keep it and call a "
                              "supervisor", card=serial)
            expected = _expected_card(purchase)
            if expected and expected != serial:
                raise CardChanged(f"another card ({serial}) is in the reader; insert card "
                              f"{expected}", card=serial)
            if contents.attempts_left == 0:
                raise card_errors.CardLocked()
            if contents.attempts_left == 1:
                raise card_errors.PscLastAttempt()
            last = max(contents.purchase.sequence if contents.purchase else 0,
                       contents.reading.last_sequence if contents.reading else 0)
            if purchase.sequence <= last:
                raise card_errors.SequenceUsed(f"sequence {purchase.sequence}, card already at {last}")
            if contents.pending:
                raise card_errors.PurchasePending(
                    f"sequence {contents.purchase.sequence if contents.purchase else '?'}")
        except card_errors.CardError as exc:
            raise from_driver(exc) from exc
        return serial

    def _judged(self, session: cards.CardSession, purchase: Purchase) -> str:
        """The session's reading of the card, judged; the session ends on a refusal."""
        try:
            return self._judge(session.contents(), purchase)
        except card_errors.CardError as exc:
            raise from_driver(exc) from exc
        except DeviceError:
            session.close()
            raise

    def precheck(self, purchase: Purchase) -> Prechecked:
        """Read and judge the card, and keep the reader session open for `deliver`."""
        self.close()
        session = self._terminal().session()
        serial = self._judged(session, purchase)
        self._session, self._serial = session, serial
        reading = session.contents().reading
        return Prechecked(reading=None if reading is None else reading_of(reading), source=serial)

    def deliver(self, purchase: Purchase) -> Delivery:
        """Write the purchase over the precheck's reading (the same session, so the same
        card) and read it back; without a precheck, read the card first."""
        session = self._session or self._terminal().session()
        self._session = None
        with session:
            serial = self._judged(session, purchase)
            try:
                contents = session.write_purchase(purchase.meter.number, card_purchase(purchase))
            except card_errors.CardError as exc:   # once a write was sent, the purchase may be on the card
                raise from_driver(exc, uncertain=session.wrote) from exc
        log.info("sale %s: purchase %d on card %s", purchase.receipt_no, purchase.sequence, serial)
        return Delivery(ref=self._ref(purchase, serial),
                        detail={"card": serial, "sequence": purchase.sequence,
                                "pending_on_card": contents.pending})

    def holds(self, purchase: Purchase) -> bool | None:
        try:
            contents = self._terminal().read()
        except card_errors.CardError as exc:
            log.info("recovery of %s: cannot read the card (%s)", purchase.receipt_no, exc.code)
            return None
        ident = contents.identity
        if ident is None or ident.card_type is not cards.CardType.USER or ident.meter_no != purchase.meter.number:
            return None
        expected = _expected_card(purchase)
        if expected and expected != ident.card_serial.hex():
            return None   # another card of this meter: it cannot tell about the one written
        return contents.holds(card_purchase(purchase))

    def take_back(self, purchase: Purchase) -> bool:
        expected = _expected_card(purchase)
        if expected:
            serial = self._read().card_serial
            if serial is not None and serial.hex() != expected:
                raise CardChanged(f"the purchase was written to card {expected}, not to the card "
                              f"in the reader ({serial.hex()})", card=serial.hex())
        try:
            return self._terminal().clear_purchase(purchase.meter.number, card_purchase(purchase))
        except card_errors.CardError as exc:
            raise from_driver(exc) from exc


def _expected_card(purchase: Purchase) -> str | None:
    """The card a purchase was (or is to be) written to, when the sale knows it."""
    return purchase.ref.card if isinstance(purchase.ref, CardRef) else None


def _order_body(kind: cards.CardType, order: dict[str, Any] | None) -> Any:
    """The record a setting or clear card carries to the meter (None for the other types)."""
    if order is None:
        return None
    from hardware.cards.layout import ClearOrder, ClearWhat, Setting  # noqa: PLC0415
    if kind is cards.CardType.SETTING:
        return Setting(order["sequence"], card_time(order["time"]), order["max_power_w"], order["alarm_level"])
    if kind is cards.CardType.CLEAR:
        what = ClearWhat.NONE
        for name in order["clear"]:
            what |= ClearWhat[name.upper()]
        return ClearOrder(order["sequence"], card_time(order["time"]), what)
    return None


# ---------------------------------------------------------------- the station
class CardStationAdapter:
    """Card maintenance at the reader: read, make, format (a `CardStation`)."""

    def __init__(self, terminal: Callable[[], cards.CardTerminal]) -> None:
        self._terminal = terminal

    def read(self) -> CardInfo:
        try:
            return info_of(self._terminal().read())
        except card_errors.CardError as exc:
            raise from_driver(exc) from exc

    def make(self, card_type: str, meter_no: str, order: dict[str, Any] | None = None) -> CardInfo:
        try:
            kind = cards.CardType[card_type.upper()]
        except KeyError:
            raise InvalidArgument(f"unknown card type {card_type!r}", key="type") from None
        if meter_no:
            card_meter_no(meter_no)
        body = _order_body(kind, order)
        try:
            return info_of(self._terminal().make_card(kind, meter_no, body=body))
        except card_errors.CardError as exc:
            raise from_driver(exc) from exc

    def format(self) -> CardInfo:
        term = self._terminal()
        try:
            memory, _ = term.read_raw()
            hint = term.layout.serial_hint(memory)
            blank = info_of(term.format_card())
        except card_errors.CardError as exc:
            raise from_driver(exc) from exc
        return CardInfo(blank=True, card_serial=hint.hex() if hint else None, card_type=None, meter=None,
                        attempts_left=blank.attempts_left, pending=False, purchase=None, returned=None,
                        view=blank.view)


class CardPresence:
    """The reader's card insert/remove events (`hardware.cards.pcsc.CardWatcher`, on its own
    thread) published as `CardInserted` / `CardRemoved` device events."""

    def __init__(self, reader: str, events: DeviceEvents, poll_ms: int = 250) -> None:
        from hardware.cards.pcsc import CardWatcher  # noqa: PLC0415 (pyscard only where a reader is used)
        self.events = events
        self._watcher = CardWatcher(reader, poll_ms)
        self._watcher.add_listener(self._relay)

    def _relay(self, event: Any) -> None:
        if event.kind == "inserted":
            self.events.publish(CardInserted(reader=event.reader, atr=event.atr.hex()))
        else:
            self.events.publish(CardRemoved(reader=event.reader))

    def start(self) -> CardPresence:
        try:
            self._watcher.start()
        except card_errors.CardError as exc:
            raise from_driver(exc) from exc
        return self

    def stop(self) -> None:
        self._watcher.stop()


class PcscCards:
    """`type = "pcsc"`: the reader of the port settings; keys read on first use."""

    def __init__(self, reader: str, profile: str, utility_code: int, secret_file: str) -> None:
        self.reader, self.profile = reader, profile
        self.utility_code, self.secret_file = utility_code, secret_file
        self._terminal: cards.CardTerminal | None = None

    def terminal(self) -> cards.CardTerminal:
        if self._terminal is None:
            from hardware.cards.pcsc import PcscReader
            keys = utility_keys(self.utility_code, self.secret_file, emulated=False)
            self._terminal = cards.CardTerminal(PcscReader(self.reader).connect, self.profile, keys)
        return self._terminal

    def for_meter(self, meter: MeterRef) -> CardCarrier:
        return CardCarrier(self.terminal, meter)

    def station(self) -> CardStationAdapter:
        return CardStationAdapter(self.terminal)

    def watch(self, events: DeviceEvents) -> CardPresence:
        """Publish this reader's card insert/remove events until the returned watcher stops."""
        return CardPresence(self.reader, events).start()
