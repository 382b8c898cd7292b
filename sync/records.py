"""The wire records of selling and the office: sale, reversal, registration, debt, cash held,
sale rewrite (the devices' records are in `sync.device_records`, the tariff's in
`sync.tariff_records`), and the field types they share.

Money is an integer count of the currency's minor unit, energy an integer count of
0.01 kWh, prices and percentages an integer count of 0.0001 (``RATE``), times ISO
text, ids UUID text. ``WIRE`` gives each field's short key and type (`sync.fields`);
docs/sync-wire.md describes them for an integrator.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol

from sync.fields import (
    BALANCE,
    CODE,
    COUNT,
    CURRENCY,
    DAY,
    ENERGY,
    METER,
    MONEY,
    NAME,
    REASON,
    TIME,
    UUID,
    Choice,
    Field,
    Int,
    ListOf,
    MapOf,
    Nested,
    Packed,
    Text,
    Where,
)
from terminal.domain.meter_numbers import METER_TYPES

#: a carrier kind: "card", "sts", or a kind added later (a new carrier needs no new record)
CARRIER = CODE
#: a price or percentage in units of 0.0001 (12.5% is 125000)
RATE = Int()
RECEIPT_NO = Text(40, 1)
OPERATOR = Text(64, 1)
CARD_SERIAL = Text(32, 1, re.compile(r"[0-9a-f]+", re.ASCII))
TOKEN = Text(20, 20, re.compile(r"[0-9]{20}", re.ASCII))
SEAL = Text(40, 1)
MAX_SEALS = 20
MAX_CAPACITY_A = 100_000


def pairs(mapping: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """A mapping as the sorted (key, value) pairs a record holds."""
    return tuple(sorted(mapping.items()))


class LineLike(Protocol):
    """A sale line as the ledger keeps it (terminal.ledger.sales.LineRecord is one)."""
    @property
    def kind(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def power_type(self) -> str | None: ...
    @property
    def block(self) -> int | None: ...
    @property
    def sub_item(self) -> str | None: ...
    @property
    def kwh(self) -> int | None: ...


@dataclass(frozen=True)
class EnergyLine:
    """One priced piece of a sale's energy: power type, block (from 1), sub-item, energy, money."""
    power_type: str
    block: int
    sub_item: str
    kwh: int
    amount: int
    WIRE: ClassVar = (Field("power_type", "pt", CODE), Field("block", "b", Int(1, 1000)),
                      Field("sub_item", "si", CODE), Field("kwh", "e", ENERGY), Field("amount", "a", MONEY))


@dataclass(frozen=True)
class SaleRecord:
    """kind ``sale``: a completed sale. Its status on the wire is always completed.

    The lines of cli.md are not stored one by one: ``fixed``, ``debt`` and ``vat`` are
    fields, the energy lines a list, the free line follows from ``free_kwh`` (on the
    primary power type) and the carry-over line is ``change_carried``. The record checks
    that its money adds up: tendered + carry_over_used = fixed + debt + energy + vat +
    change_carried, and credit_kwh = kwh + free_kwh.
    """
    sale_id: str
    receipt_no: str
    meter: str
    currency: str
    tendered: int
    carry_over_used: int
    kwh: int
    free_kwh: int
    credit_kwh: int
    change_carried: int
    fixed: int
    debt: int
    vat: int
    energy: tuple[EnergyLine, ...]
    power_type: str                      # the meter's primary power type (its tariff_version)
    tariff_versions: tuple[tuple[str, int], ...]
    months_charged: int
    sold_at: str
    payment: str
    operator: str
    carrier: str
    token: str | None = None             # an STS sale's 20-digit token
    KIND: ClassVar = "sale"
    WIRE: ClassVar = (
        Field("sale_id", "id", UUID), Field("receipt_no", "rn", RECEIPT_NO), Field("meter", "m", METER),
        Field("currency", "cur", CURRENCY), Field("tendered", "t", MONEY), Field("carry_over_used", "cu", MONEY),
        Field("kwh", "e", ENERGY), Field("free_kwh", "fe", ENERGY), Field("credit_kwh", "ce", ENERGY),
        Field("change_carried", "ch", MONEY), Field("fixed", "fx", MONEY), Field("debt", "db", MONEY),
        Field("vat", "vat", MONEY), Field("energy", "l", ListOf(Packed(EnergyLine), 200)),
        Field("power_type", "pt", CODE), Field("tariff_versions", "tv", MapOf(Int(1))),
        Field("months_charged", "mc", COUNT), Field("sold_at", "at", TIME), Field("payment", "pay", CODE),
        Field("operator", "op", OPERATOR), Field("carrier", "car", CARRIER),
        Field("token", "tok", TOKEN, optional=True))

    def __post_init__(self) -> None:
        where = Where(self.KIND)
        if self.power_type not in dict(self.tariff_versions):
            raise where.at("pt").fail("must be one of the sale's tariff_versions")
        if self.credit_kwh != self.kwh + self.free_kwh:
            raise where.at("ce").fail("must be kwh + free_kwh")
        spent = self.fixed + self.debt + self.vat + self.change_carried + sum(ln.amount for ln in self.energy)
        if spent != self.tendered + self.carry_over_used:
            raise where.at("t").fail("tendered + carry_over_used must be what the lines and change_carried add up to")

    @classmethod
    def build(cls, *, sale_id: str, receipt_no: str, meter: str, currency: str, tendered: int,
              carry_over_used: int, kwh: int, free_kwh: int, credit_kwh: int, change_carried: int,
              power_type: str, tariff_versions: Mapping[str, int], months_charged: int, sold_at: str,
              payment: str, operator: str, carrier: str, lines: Iterable[LineLike],
              token: str | None = None) -> SaleRecord:
        """From what the selling service has at hand: the sale's integers and its ledger lines
        (in the vend calculation's order: fixed, debt, energy..., free, vat, carry_over)."""
        got = list(lines)
        kinds = [ln.kind for ln in got]
        amounts = {ln.kind: ln.amount for ln in got}
        expected = ["fixed", "debt", *["energy"] * kinds.count("energy"), *(["free"] if free_kwh else []),
                    "vat", "carry_over"]
        if kinds != expected or amounts["carry_over"] != change_carried or any(
                (ln.amount, ln.power_type, ln.kwh) != (0, power_type, free_kwh) for ln in got if ln.kind == "free"):
            raise Where(cls.KIND, ("l",)).fail("are not the lines of a vend calculation")
        energy = tuple(EnergyLine(str(ln.power_type), int(ln.block or 0), str(ln.sub_item), int(ln.kwh or 0),
                                  ln.amount) for ln in got if ln.kind == "energy")
        return cls(sale_id, receipt_no, meter, currency, tendered, carry_over_used, kwh, free_kwh, credit_kwh,
                   change_carried, amounts["fixed"], amounts["debt"], amounts["vat"], energy, power_type,
                   pairs(tariff_versions), months_charged, sold_at, payment, operator, carrier, token)


@dataclass(frozen=True)
class ReversalRecord:
    """kind ``reversal``: the sale as it stands reversed, and why."""
    sale: SaleRecord
    reason: str
    KIND: ClassVar = "reversal"
    WIRE: ClassVar = (Field("sale", "s", Nested(SaleRecord)), Field("reason", "why", REASON))


@dataclass(frozen=True)
class Share:
    power_type: str
    percent: int
    WIRE: ClassVar = (Field("power_type", "pt", CODE), Field("percent", "pc", Int(1, 100)))


@dataclass(frozen=True)
class StsSettings:
    sgc: int
    ti: int
    krn: int
    key_type: int
    ea: int
    dkga: int
    base_date: int
    ken: int
    iin: str
    WIRE: ClassVar = (Field("sgc", "sgc", Int(0, 999999)), Field("ti", "ti", Int(0, 99)),
                      Field("krn", "krn", Int(0, 9)), Field("key_type", "kt", Int(0, 3)),
                      Field("ea", "ea", Int(0, 99)), Field("dkga", "dkga", Int(0, 99)),
                      Field("base_date", "bd", Int(1993, 2035)), Field("ken", "ken", Int(0, 255)),
                      Field("iin", "iin", Text(10, 1, re.compile(r"[0-9]+", re.ASCII))))


@dataclass(frozen=True)
class CustomerFile:
    customer_id: str
    account_no: str
    name: str
    address: str
    registered_at: str
    phone: str | None = None
    category: str | None = None
    area: str | None = None
    WIRE: ClassVar = (Field("customer_id", "id", UUID), Field("account_no", "acc", Text(40, 1)),
                      Field("name", "n", NAME), Field("address", "adr", NAME), Field("registered_at", "at", TIME),
                      Field("phone", "ph", Text(40), optional=True), Field("category", "cat", CODE, optional=True),
                      Field("area", "ar", NAME, optional=True))


@dataclass(frozen=True)
class MeterFile:
    meter_id: str
    number: str
    carrier: str
    status: str
    power_types: tuple[Share, ...]
    installed_at: str | None = None
    sts: StsSettings | None = None
    WIRE: ClassVar = (Field("meter_id", "id", UUID), Field("number", "m", METER),
                      Field("carrier", "car", CARRIER),
                      Field("status", "st", Choice(("installed", "registered"))),
                      Field("power_types", "pts", ListOf(Nested(Share), 20)),
                      Field("installed_at", "at", TIME, optional=True),
                      Field("sts", "sts", Nested(StsSettings), optional=True))


@dataclass(frozen=True)
class CustomerMore:
    """The customer's file beyond version 1's: building and ID number (registration v2)."""
    building: str | None = None
    id_number: str | None = None
    WIRE: ClassVar = (Field("building", "bld", NAME, optional=True),
                      Field("id_number", "idn", Text(40, 1), optional=True))


@dataclass(frozen=True)
class MeterMore:
    """The meter's file beyond version 1's: type, maker, model, capacity in A (registration v2)."""
    meter_type: str | None = None
    maker: str | None = None
    model: str | None = None
    capacity_a: int | None = None
    WIRE: ClassVar = (Field("meter_type", "mt", Choice(METER_TYPES), optional=True),
                      Field("maker", "mk", NAME, optional=True), Field("model", "mo", NAME, optional=True),
                      Field("capacity_a", "cap", Int(1, MAX_CAPACITY_A), optional=True))


@dataclass(frozen=True)
class InstallationFile:
    """A meter's installation: the day, who installed it, the seal numbers, the initial reading."""
    installation_id: str
    installed_on: str
    recorded_at: str
    installer: str | None = None
    seals: tuple[str, ...] = ()
    initial_kwh: int | None = None
    WIRE: ClassVar = (Field("installation_id", "id", UUID), Field("installed_on", "on", DAY),
                      Field("recorded_at", "at", TIME), Field("installer", "by", NAME, optional=True),
                      Field("seals", "seals", ListOf(SEAL, MAX_SEALS)),
                      Field("initial_kwh", "e0", ENERGY, optional=True))


@dataclass(frozen=True)
class RegistrationRecord:
    """kind ``registration``: a customer and the meter registered for it (installed at once, with
    its installation, or `registered` until `meter install`). Version 2 adds the files' new
    fields and the installation."""
    customer: CustomerFile
    meter: MeterFile
    customer_more: CustomerMore | None = None
    meter_more: MeterMore | None = None
    installation: InstallationFile | None = None
    KIND: ClassVar = "registration"
    WIRE: ClassVar = (Field("customer", "c", Nested(CustomerFile)), Field("meter", "mf", Nested(MeterFile)),
                      Field("customer_more", "cx", Nested(CustomerMore), optional=True, since=2),
                      Field("meter_more", "mx", Nested(MeterMore), optional=True, since=2),
                      Field("installation", "ins", Nested(InstallationFile), optional=True, since=2))


@dataclass(frozen=True)
class DebtRecord:
    """kind ``debt``: arrears recorded on a meter's customer."""
    debt_id: str
    meter: str
    currency: str
    amount: int
    arrears: int                          # the customer's arrears after it
    reason: str
    at: str
    KIND: ClassVar = "debt"
    WIRE: ClassVar = (Field("debt_id", "id", UUID), Field("meter", "m", METER), Field("currency", "cur", CURRENCY),
                      Field("amount", "a", Int(1)), Field("arrears", "ar", BALANCE), Field("reason", "why", REASON),
                      Field("at", "at", TIME))


@dataclass(frozen=True)
class CashHeldRecord:
    """kind ``cash_held``: money taken that no sale used, held as the customer's carry-over.
    It names either the voided sale (sale_id, receipt_no) or the kiosk intake (meter,
    intake_id, code)."""
    cash_held_id: str
    amount: int
    carry_over_before: int
    carry_over: int
    reason: str
    at: str
    sale_id: str | None = None
    receipt_no: str | None = None
    meter: str | None = None
    intake_id: str | None = None
    code: str | None = None
    KIND: ClassVar = "cash_held"
    WIRE: ClassVar = (Field("cash_held_id", "id", UUID), Field("amount", "a", Int(1)),
                      Field("carry_over_before", "cb", BALANCE), Field("carry_over", "co", BALANCE),
                      Field("reason", "why", REASON), Field("at", "at", TIME),
                      Field("sale_id", "sid", UUID, optional=True),
                      Field("receipt_no", "rn", RECEIPT_NO, optional=True),
                      Field("meter", "m", METER, optional=True), Field("intake_id", "iid", Text(64, 1), optional=True),
                      Field("code", "code", Text(64, 1), optional=True))


@dataclass(frozen=True)
class SaleRewriteRecord:
    """kind ``sale_rewrite``: a standing card sale's purchase written onto a card again."""
    sale_id: str
    receipt_no: str
    meter: str
    sequence: int
    credit_kwh: int
    rewritten_at: str
    card_serial: str | None = None
    KIND: ClassVar = "sale_rewrite"
    WIRE: ClassVar = (Field("sale_id", "id", UUID), Field("receipt_no", "rn", RECEIPT_NO), Field("meter", "m", METER),
                      Field("sequence", "seq", COUNT), Field("credit_kwh", "ce", ENERGY),
                      Field("rewritten_at", "at", TIME), Field("card_serial", "sn", CARD_SERIAL, optional=True))
