"""The wire records of the office functions: the amendment file (the amend part of the office work)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from sync.fields import (
    CURRENCY,
    ENERGY,
    METER,
    MONEY,
    REASON,
    TIME,
    UUID,
    Choice,
    Field,
    ListOf,
    MapOf,
    Text,
)
from sync.records import CARD_SERIAL, OPERATOR, TOKEN
from terminal.domain.money import currency, format_kwh, format_money

AMENDMENT_KINDS = ("basic_file", "power_type", "capacity", "reissue_card", "replace_meter", "cancel_meter")
PAYMENTS = ("cash", "bank", "mobile", "acceptor")
FILE_TEXT = Text(500)


@dataclass(frozen=True)
class AmendmentRecord:
    """kind ``amendment``: one row of the amendment file and the money it moved (minor units,
    energy in 0.01 kWh). `before`/`after`: the fields of the file it changed, as text."""
    amendment_id: str
    kind: str
    meter: str
    at: str
    operator: str
    currency: str
    fee: int = 0
    payment: str | None = None
    reason: str | None = None
    before: tuple[tuple[str, str], ...] | None = None
    after: tuple[tuple[str, str], ...] | None = None
    new_meter: str | None = None
    final_reading_kwh: int | None = None
    remaining_kwh: int | None = None
    credit_transferred_kwh: int | None = None
    credit_value: int | None = None
    carry_over: int | None = None
    arrears_settled: int | None = None
    refund: int | None = None
    arrears_left: int | None = None
    old_card: str | None = None
    new_card: str | None = None
    tokens: tuple[str, ...] | None = None
    KIND: ClassVar = "amendment"
    WIRE: ClassVar = (
        Field("amendment_id", "id", UUID), Field("kind", "k", Choice(AMENDMENT_KINDS)), Field("meter", "m", METER),
        Field("at", "at", TIME), Field("operator", "op", OPERATOR), Field("currency", "cur", CURRENCY),
        Field("fee", "fee", MONEY), Field("payment", "pay", Choice(PAYMENTS), optional=True),
        Field("reason", "why", REASON, optional=True),
        Field("before", "was", MapOf(FILE_TEXT), optional=True), Field("after", "now", MapOf(FILE_TEXT), optional=True),
        Field("new_meter", "nm", METER, optional=True),
        Field("final_reading_kwh", "fr", ENERGY, optional=True), Field("remaining_kwh", "re", ENERGY, optional=True),
        Field("credit_transferred_kwh", "ce", ENERGY, optional=True),
        Field("credit_value", "cv", MONEY, optional=True), Field("carry_over", "co", MONEY, optional=True),
        Field("arrears_settled", "as", MONEY, optional=True), Field("refund", "rf", MONEY, optional=True),
        Field("arrears_left", "al", MONEY, optional=True),
        Field("old_card", "osn", CARD_SERIAL, optional=True), Field("new_card", "nsn", CARD_SERIAL, optional=True),
        Field("tokens", "toks", ListOf(TOKEN, 8), optional=True))


MONEY_FIELDS = ("fee", "credit_value", "carry_over", "arrears_settled", "refund", "arrears_left")
ENERGY_FIELDS = ("final_reading_kwh", "remaining_kwh", "credit_transferred_kwh")


def amendment_view(rec: AmendmentRecord) -> dict[str, Any]:
    """The record as JSON for people: money and energy as decimal strings, absent fields left out."""
    cur = currency(rec.currency)
    out: dict[str, Any] = {}
    for f in fields(rec):
        value = getattr(rec, f.name)
        if value is None:
            continue
        if f.name in MONEY_FIELDS:
            value = format_money(value, cur)
        elif f.name in ENERGY_FIELDS:
            value = format_kwh(value)
        elif f.name in ("before", "after"):
            value = dict(value)
        elif f.name == "tokens":
            value = list(value)
        out[f.name] = value
    return out
