"""The wire records of the devices: cards, meter readings and STS engineering tokens."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from sync.fields import (
    CODE,
    COUNT,
    CURRENCY,
    ENERGY,
    METER,
    MONEY,
    REASON,
    TIME,
    UUID,
    Choice,
    Field,
    Int,
    ListOf,
    MapOf,
    Nested,
    Scalar,
    Text,
)
from sync.records import CARD_SERIAL, TOKEN, StsSettings

CARD_TYPES = ("user", "check", "setting", "clear", "test", "reading")
CARD_STATUSES = ("issued", "formatted", "blacklisted")
CARD_EVENTS = ("made", "formatted", "blacklisted", "unblacklisted")
CLEARABLE = ("tamper", "credit", "events")
READING_SOURCES = ("card", "dlt645")


@dataclass(frozen=True)
class CardOrder:
    """What a setting card (max_power_w, alarm_level) or a clear card (clear) orders a meter."""
    sequence: int
    max_power_w: int | None = None
    alarm_level: int | None = None
    clear: tuple[str, ...] | None = None
    WIRE: ClassVar = (Field("sequence", "seq", COUNT), Field("max_power_w", "w", Int(1), optional=True),
                      Field("alarm_level", "al", ENERGY, optional=True),
                      Field("clear", "clr", ListOf(Choice(CLEARABLE), 3), optional=True))


@dataclass(frozen=True)
class CardRecord:
    """kind ``card``: a card made, formatted, blacklisted or taken off the blacklist."""
    event: str
    status: str
    card_serial: str | None = None        # None only when an unreadable card was formatted
    type: str | None = None
    meter: str | None = None
    made_at: str | None = None
    order: CardOrder | None = None
    was: str | None = None                # formatted: the ledger's status before
    reason: str | None = None
    KIND: ClassVar = "card"
    WIRE: ClassVar = (Field("event", "ev", Choice(CARD_EVENTS)), Field("status", "st", Choice(CARD_STATUSES)),
                      Field("card_serial", "sn", CARD_SERIAL, optional=True),
                      Field("type", "ty", Choice(CARD_TYPES), optional=True), Field("meter", "m", METER, optional=True),
                      Field("made_at", "at", TIME, optional=True),
                      Field("order", "ord", Nested(CardOrder), optional=True),
                      Field("was", "was", Choice(CARD_STATUSES), optional=True),
                      Field("reason", "why", REASON, optional=True))


@dataclass(frozen=True)
class ReadingRecord:
    """kind ``reading``: a meter reading from card return data or over DL/T 645."""
    reading_id: str
    source: str
    meter: str
    read_at: str
    total_kwh: int
    remaining_kwh: int | None = None
    purchase_count: int | None = None
    status_flags: tuple[str, ...] | None = None            # card: the meter's flag names
    card: str | None = None                                # card: the card it came on
    address: str | None = None                             # dlt645: the bus address
    currency: str | None = None                            # dlt645: of remaining_money
    remaining_money: int | None = None                     # dlt645: minor units
    status: tuple[tuple[str, bool | int | str], ...] | None = None   # dlt645: the status words decoded
    KIND: ClassVar = "reading"
    WIRE: ClassVar = (Field("reading_id", "id", UUID), Field("source", "src", Choice(READING_SOURCES)),
                      Field("meter", "m", METER), Field("read_at", "at", TIME), Field("total_kwh", "e", ENERGY),
                      Field("remaining_kwh", "re", ENERGY, optional=True),
                      Field("purchase_count", "pc", COUNT, optional=True),
                      Field("status_flags", "fl", ListOf(Text(32, 1), 32), optional=True),
                      Field("card", "sn", CARD_SERIAL, optional=True),
                      Field("address", "adr", Text(12, 12, re.compile(r"[0-9]{12}", re.ASCII)), optional=True),
                      Field("currency", "cur", CURRENCY, optional=True),
                      Field("remaining_money", "rm", MONEY, optional=True),
                      Field("status", "st", MapOf(Scalar(), key=Text(32, 1), max_items=32), optional=True))


@dataclass(frozen=True)
class StsTokenRecord:
    """kind ``sts_token``: an STS management (engineering) token."""
    token_id: str
    meter: str
    kind: str
    value: int
    token: str
    tid: int
    token_class: int
    subclass: int
    KIND: ClassVar = "sts_token"
    WIRE: ClassVar = (Field("token_id", "id", UUID), Field("meter", "m", METER), Field("kind", "k", CODE),
                      Field("value", "val", COUNT), Field("token", "tok", TOKEN), Field("tid", "tid", COUNT),
                      Field("token_class", "cl", Int(0, 3)), Field("subclass", "sc", Int(0, 15)))


@dataclass(frozen=True)
class StsKeyChangeRecord:
    """kind ``sts_key_change``: a meter's new STS settings and the key change tokens."""
    key_change_id: str
    meter: str
    new: StsSettings
    tokens: tuple[str, ...]
    old: StsSettings | None = None
    KIND: ClassVar = "sts_key_change"
    WIRE: ClassVar = (Field("key_change_id", "id", UUID), Field("meter", "m", METER),
                      Field("new", "new", Nested(StsSettings)), Field("tokens", "toks", ListOf(TOKEN, 8)),
                      Field("old", "old", Nested(StsSettings), optional=True))
