"""The wire record of an imported tariff sheet (prices and percentages as integer 0.0001)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sync.fields import (
    CODE,
    CURRENCY,
    DAY,
    ENERGY,
    MONEY,
    NAME,
    Choice,
    Field,
    ListOf,
    MapOf,
    Nested,
)
from sync.records import RATE
from terminal.domain.periods import TIER_PERIODS


@dataclass(frozen=True)
class SubItemName:
    code: str
    name: str
    WIRE: ClassVar = (Field("code", "c", CODE), Field("name", "n", NAME))


@dataclass(frozen=True)
class BlockPrices:
    prices: tuple[tuple[str, int], ...]   # sub-item code -> price per kWh in RATE units of the major unit
    up_to_kwh: int | None = None          # None on the last block
    WIRE: ClassVar = (Field("prices", "p", MapOf(RATE)), Field("up_to_kwh", "to", ENERGY, optional=True))


@dataclass(frozen=True)
class PowerTypeSheet:
    code: str
    name: str
    currency: str
    effective_from: str
    vat_percent: int
    fixed_monthly: int
    debt_recovery_percent: int
    min_amount: int
    max_kwh_per_sale: int
    tier_period: str
    sub_items: tuple[SubItemName, ...]
    blocks: tuple[BlockPrices, ...]
    WIRE: ClassVar = (Field("code", "c", CODE), Field("name", "n", NAME), Field("currency", "cur", CURRENCY),
                      Field("effective_from", "from", DAY), Field("vat_percent", "vat", RATE),
                      Field("fixed_monthly", "fix", MONEY), Field("debt_recovery_percent", "drp", RATE),
                      Field("min_amount", "min", MONEY), Field("max_kwh_per_sale", "max", ENERGY),
                      Field("tier_period", "tier", Choice(TIER_PERIODS)),
                      Field("sub_items", "si", ListOf(Nested(SubItemName), 50)),
                      Field("blocks", "bl", ListOf(Nested(BlockPrices), 50)))


@dataclass(frozen=True)
class PreferentialSheet:
    code: str
    name: str
    power_types: tuple[str, ...]
    free_kwh_per_period: int
    discount_percent: tuple[tuple[str, int], ...]
    WIRE: ClassVar = (Field("code", "c", CODE), Field("name", "n", NAME), Field("power_types", "pts", ListOf(CODE, 50)),
                      Field("free_kwh_per_period", "free", ENERGY), Field("discount_percent", "disc", MapOf(RATE)))


@dataclass(frozen=True)
class TariffRecord:
    """kind ``tariff``: the whole tariff sheet imported."""
    currency: str
    power_types: tuple[PowerTypeSheet, ...]
    preferentials: tuple[PreferentialSheet, ...]
    KIND: ClassVar = "tariff"
    WIRE: ClassVar = (Field("currency", "cur", CURRENCY),
                      Field("power_types", "pts", ListOf(Nested(PowerTypeSheet), 50)),
                      Field("preferentials", "prefs", ListOf(Nested(PreferentialSheet), 50)))
