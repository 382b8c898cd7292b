"""Small builders for hand-made tariffs in the domain tests."""
from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

from terminal.domain.money import Currency, parse_rate
from terminal.domain.tariff import (
    Block,
    PowerTypeTariff,
    Preferential,
    SubItem,
    parse_tariff,
)
from terminal.domain.vend import Share, VendRequest

SAMPLE_TOML = (Path(__file__).parent / "sample_tariff.toml").read_text()
SAMPLE = parse_tariff(SAMPLE_TOML)
RES = SAMPLE.power_types[0]
LIFELINE = SAMPLE.preferentials[0]
KES = Currency("KES", 2)


def pt(code: str = "X", *, vat: str = "16", fixed: int = 15000, debt: str = "25",
       minimum: int = 5000, max_kwh: int = 200000, tier: str = "month",
       blocks: list[tuple[int | None, dict[str, str]]] | None = None,
       cur: Currency = KES) -> PowerTypeTariff:
    """A power type; ``blocks`` as [(up_to 0.01 kWh or None, {sub_item: price}), ...]."""
    blocks = blocks or [(None, {"ENERGY": "1.00"})]
    subs = tuple(SubItem(code_, code_.title()) for code_ in blocks[0][1])
    return PowerTypeTariff(
        code, code.title(), date(2026, 1, 1), parse_rate(vat), fixed, parse_rate(debt), minimum,
        max_kwh, tier, subs,
        tuple(Block(up, {k: parse_rate(v) for k, v in prices.items()}) for up, prices in blocks),
        cur)


def pref(power_types: tuple[str, ...] = ("RES",), free: int = 5000,
         discount: dict[str, str] | None = None) -> Preferential:
    return Preferential("P", "Pref", power_types, free,
                        {k: Fraction(parse_rate(v)) for k, v in (discount or {}).items()})


def req(tendered: int, *, shares: tuple[Share, ...] | None = None, carry: int = 0,
        arrears: int = 0, months: int = 0, preferential: Preferential | None = None,
        first: bool = False, exact_floor=None, used: int = 0) -> VendRequest:
    return VendRequest(tendered, carry, arrears, shares or (Share(RES, 100, used),), months,
                       preferential, first, exact_floor)
