"""Tariffs: power types with sub-item block prices, and preferential price sheets.

``parse_tariff`` reads the TOML tariff file of selling.md and checks all of it before
anything is returned: a file with any fault is refused whole with a
:class:`TariffFileInvalid` naming the key (``power_type[0].block[1].price.ENERGY``)
and, where it can be found, the line. The ``*_to_json`` / ``*_from_json`` pairs give
a canonical, lossless form for storage (prices and percentages as decimal strings,
money as integer minor units, energy as integer 0.01 kWh).
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from terminal.domain.errors import TariffFileInvalid
from terminal.domain.money import (
    Currency,
    currency,
    format_rate,
    parse_kwh,
    parse_money,
    parse_rate,
)
from terminal.domain.periods import TIER_PERIODS
from terminal.domain.toml_check import KeyPath, TomlChecker

__all__ = [
    "DEFAULT_CURRENCY",
    "JSON_VERSION",
    "Block",
    "PowerTypeTariff",
    "Preferential",
    "SubItem",
    "TariffSheet",
    "parse_tariff",
    "power_type_from_json",
    "power_type_to_json",
    "preferential_from_json",
    "preferential_to_json",
    "tariff_in_force",
]

JSON_VERSION = 1
DEFAULT_CURRENCY = Currency("KES", 2)
HUNDRED = Fraction(100)


@dataclass(frozen=True)
class SubItem:
    code: str
    name: str


@dataclass(frozen=True)
class Block:
    #: cumulative upper bound of the block in 0.01 kWh bought in the tier period; None on the last
    up_to_kwh: int | None
    #: sub-item code -> price per kWh in MAJOR units, VAT excluded
    prices: Mapping[str, Fraction] = field(hash=False)


@dataclass(frozen=True)
class PowerTypeTariff:
    code: str
    name: str
    effective_from: date
    vat_percent: Fraction
    fixed_monthly: int
    debt_recovery_percent: Fraction
    min_amount: int
    max_kwh_per_sale: int
    tier_period: str
    sub_items: tuple[SubItem, ...]
    blocks: tuple[Block, ...]
    #: the tariff file's currency: the minor unit of ``fixed_monthly``/``min_amount`` and the
    #: major unit of the prices. parse_tariff always sets it; the default only keeps
    #: hand-built tariffs short.
    currency: Currency = DEFAULT_CURRENCY

    def comprehensive_price(self, block_index: int) -> Fraction:
        """The seed's comprehensive price of a block: the sum of its sub-item prices."""
        return sum(self.blocks[block_index].prices.values(), Fraction(0))

    def block_start(self, block_index: int) -> int:
        """Cumulative 0.01 kWh at which block ``block_index`` (0-based) starts."""
        return 0 if block_index == 0 else self.blocks[block_index - 1].up_to_kwh or 0


@dataclass(frozen=True)
class Preferential:
    code: str
    name: str
    power_types: tuple[str, ...]
    free_kwh_per_period: int
    discount_percent: Mapping[str, Fraction] = field(hash=False)

    def applies_to(self, power_type: str) -> bool:
        return power_type in self.power_types


@dataclass(frozen=True)
class TariffSheet:
    currency: Currency
    power_types: tuple[PowerTypeTariff, ...]
    preferentials: tuple[Preferential, ...]

    def power_type(self, code: str) -> PowerTypeTariff:
        for pt in self.power_types:
            if pt.code == code:
                return pt
        raise KeyError(code)


def tariff_in_force(versions: Iterable[PowerTypeTariff], code: str,
                    when: date) -> PowerTypeTariff | None:
    """The version of power type ``code`` in force on ``when``: the latest
    ``effective_from`` not after it (None before the first version)."""
    candidates = [v for v in versions if v.code == code and v.effective_from <= when]
    return max(candidates, key=lambda v: v.effective_from, default=None)


# -- the TOML file ---------------------------------------------------------------------------
_PT_KEYS = ("code", "name", "effective_from", "vat_percent", "fixed_monthly",
            "debt_recovery_percent", "min_amount", "max_kwh_per_sale", "tier_period",
            "sub_item", "block")


def _syntax_line(message: str) -> int | None:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None


def parse_tariff(text: str) -> TariffSheet:
    """Read and check a whole tariff file; refuse it whole on the first fault found."""
    text = text.removeprefix("\ufeff")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _syntax_line(str(exc))
        raise TariffFileInvalid(f"Tariff file refused: it is not valid TOML: {exc}",
                                key="", line=line) from None
    except RecursionError:  # arrays or inline tables nested deeper than the parser goes
        raise TariffFileInvalid("Tariff file refused: it is nested too deeply to be a tariff",
                                key="", line=None) from None
    check = TomlChecker(text)
    check.keys(doc, (), ("currency", "power_type"), ("preferential",))
    code = doc["currency"]
    if not isinstance(code, str):
        check.fail(("currency",), "expected an ISO 4217 code in quotes, like \"KES\"")
    cur = check.convert(("currency",), code, currency)
    power_types: list[PowerTypeTariff] = []
    for i, table in enumerate(check.tables(doc, (), "power_type")):
        pt = _power_type(check, ("power_type", i), table, cur)
        if any(seen.code == pt.code for seen in power_types):
            check.fail(("power_type", i, "code"), f"power type {pt.code!r} appears twice")
        power_types.append(pt)
    preferentials: list[Preferential] = []
    for i, table in enumerate(check.tables(doc, (), "preferential", required=False)):
        pref = _preferential(check, ("preferential", i), table, power_types)
        if any(seen.code == pref.code for seen in preferentials):
            check.fail(("preferential", i, "code"), f"preferential {pref.code!r} appears twice")
        preferentials.append(pref)
    return TariffSheet(cur, tuple(power_types), tuple(preferentials))


EFFECTIVE_DAYS_BACK = 3653   # ten years: a version older than that is a typo, not a tariff
EFFECTIVE_DAYS_AHEAD = 366   # a year: a later version must never be dated before it


def check_effective_dates(sheet: TariffSheet, today: date) -> None:
    """Every power type's effective_from lies within ten years before `today` and one year
    after: `9999-12-31` would make every later real version a conflict for ever."""
    earliest, latest = today - timedelta(days=EFFECTIVE_DAYS_BACK), today + timedelta(days=EFFECTIVE_DAYS_AHEAD)
    for i, pt in enumerate(sheet.power_types):
        if not earliest <= pt.effective_from <= latest:
            raise TariffFileInvalid(
                f"Tariff file refused: power_type[{i}].effective_from {pt.effective_from.isoformat()} is "
                f"outside {earliest.isoformat()}..{latest.isoformat()} (ten years back to one year ahead "
                "of the terminal's date)", key=f"power_type[{i}].effective_from", line=None)


def _percent(check: TomlChecker, path: KeyPath, value: Any) -> Fraction:
    percent = check.convert(path, value, parse_rate)
    if percent > HUNDRED:
        check.fail(path, f"a percentage cannot be more than 100 (found {value})")
    return percent


def _power_type(check: TomlChecker, path: KeyPath, table: dict[str, Any],
                cur: Currency) -> PowerTypeTariff:
    check.keys(table, path, _PT_KEYS)
    code = check.code(table, path, "code")
    name = check.string(table, path, "name")
    effective_from = check.date(table, path, "effective_from")
    vat = _percent(check, (*path, "vat_percent"), table["vat_percent"])
    debt = _percent(check, (*path, "debt_recovery_percent"), table["debt_recovery_percent"])
    fixed = check.convert((*path, "fixed_monthly"), table["fixed_monthly"],
                          lambda s: parse_money(s, cur))
    minimum = check.convert((*path, "min_amount"), table["min_amount"],
                            lambda s: parse_money(s, cur))
    max_kwh = check.convert((*path, "max_kwh_per_sale"), table["max_kwh_per_sale"], parse_kwh)
    if max_kwh <= 0:
        check.fail((*path, "max_kwh_per_sale"), "the largest sale must be more than 0 kWh")
    tier_period = table["tier_period"]
    if tier_period not in TIER_PERIODS:
        check.fail((*path, "tier_period"),
                   f"{tier_period!r} is not a tier period (\"month\", \"year\" or \"none\")")
    sub_items: list[SubItem] = []
    for j, item in enumerate(check.tables(table, path, "sub_item")):
        item_path = (*path, "sub_item", j)
        check.keys(item, item_path, ("code", "name"))
        sub = SubItem(check.code(item, item_path, "code"), check.string(item, item_path, "name"))
        if any(seen.code == sub.code for seen in sub_items):
            check.fail((*item_path, "code"), f"sub-item {sub.code!r} appears twice")
        sub_items.append(sub)
    blocks = _blocks(check, path, table, [s.code for s in sub_items])
    return PowerTypeTariff(code, name, effective_from, vat, fixed, debt, minimum, max_kwh,
                           tier_period, tuple(sub_items), blocks, cur)


def _blocks(check: TomlChecker, path: KeyPath, table: dict[str, Any],
            sub_codes: list[str]) -> tuple[Block, ...]:
    tables = check.tables(table, path, "block")
    blocks: list[Block] = []
    previous = 0
    for j, block in enumerate(tables):
        block_path = (*path, "block", j)
        last = j == len(tables) - 1
        if last and "up_to_kwh" in block:
            check.fail((*block_path, "up_to_kwh"), "the last block has no up_to_kwh")
        check.keys(block, block_path, ("price",), () if last else ("up_to_kwh",))
        up_to: int | None = None
        if not last:
            if "up_to_kwh" not in block:
                check.fail((*block_path, "up_to_kwh"),
                           "every block but the last needs up_to_kwh")
            up_to = check.convert((*block_path, "up_to_kwh"), block["up_to_kwh"], parse_kwh)
            if up_to <= previous:
                check.fail((*block_path, "up_to_kwh"),
                           "blocks must be in order: up_to_kwh must grow from block to block")
            previous = up_to
        prices_table = check.mapping(block, block_path, "price")
        prices: dict[str, Fraction] = {}
        for sub in prices_table:
            if sub not in sub_codes:
                check.fail((*block_path, "price", sub),
                           f"{sub!r} is not a sub-item of this power type")
        for sub in sub_codes:
            if sub not in prices_table:
                check.fail((*block_path, "price", sub), f"the price of sub-item {sub!r} is missing")
            prices[sub] = check.convert((*block_path, "price", sub), prices_table[sub], parse_rate)
        blocks.append(Block(up_to, prices))
    return tuple(blocks)


def _preferential(check: TomlChecker, path: KeyPath, table: dict[str, Any],
                  power_types: list[PowerTypeTariff]) -> Preferential:
    check.keys(table, path, ("code", "name", "power_types"),
               ("free_kwh_per_period", "discount_percent"))
    code = check.code(table, path, "code")
    name = check.string(table, path, "name")
    names = check.codes(table, path, "power_types")
    known = {pt.code: pt for pt in power_types}
    for i, pt_code in enumerate(names):
        if pt_code not in known:
            check.fail((*path, "power_types", i), f"{pt_code!r} is not a power type of this file")
        if pt_code in names[:i]:
            check.fail((*path, "power_types", i), f"{pt_code!r} is listed twice")
    free = check.convert((*path, "free_kwh_per_period"), table.get("free_kwh_per_period", "0"),
                         parse_kwh)
    sub_codes = {s.code for code_ in names for s in known[code_].sub_items}
    discounts: dict[str, Fraction] = {}
    for sub, value in check.mapping(table, path, "discount_percent").items():
        if sub not in sub_codes:
            check.fail((*path, "discount_percent", sub),
                       f"{sub!r} is not a sub-item of power type(s) {', '.join(names)}")
        discounts[sub] = _percent(check, (*path, "discount_percent", sub), value)
    return Preferential(code, name, tuple(names), free, discounts)


# -- canonical JSON for storage --------------------------------------------------------------
def power_type_to_json(pt: PowerTypeTariff) -> dict[str, Any]:
    return {
        "v": JSON_VERSION, "code": pt.code, "name": pt.name, "currency": pt.currency.code,
        "effective_from": pt.effective_from.isoformat(),
        "vat_percent": format_rate(pt.vat_percent), "fixed_monthly": pt.fixed_monthly,
        "debt_recovery_percent": format_rate(pt.debt_recovery_percent),
        "min_amount": pt.min_amount, "max_kwh_per_sale": pt.max_kwh_per_sale,
        "tier_period": pt.tier_period,
        "sub_items": [{"code": s.code, "name": s.name} for s in pt.sub_items],
        "blocks": [{"up_to_kwh": b.up_to_kwh,
                    "prices": {s.code: format_rate(b.prices[s.code]) for s in pt.sub_items}}
                   for b in pt.blocks],
    }


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, found {value!r}")
    return value


def power_type_from_json(d: Mapping[str, Any]) -> PowerTypeTariff:
    if d.get("v") != JSON_VERSION:
        raise ValueError(f"unsupported power type JSON version {d.get('v')!r}")
    sub_items = tuple(SubItem(s["code"], s["name"]) for s in d["sub_items"])
    blocks = tuple(
        Block(None if b["up_to_kwh"] is None else _int(b["up_to_kwh"]),
              {code: parse_rate(price) for code, price in b["prices"].items()})
        for b in d["blocks"])
    return PowerTypeTariff(
        d["code"], d["name"], date.fromisoformat(d["effective_from"]),
        parse_rate(d["vat_percent"]), _int(d["fixed_monthly"]),
        parse_rate(d["debt_recovery_percent"]), _int(d["min_amount"]),
        _int(d["max_kwh_per_sale"]), d["tier_period"], sub_items, blocks,
        currency(d["currency"]))


def preferential_to_json(pref: Preferential) -> dict[str, Any]:
    return {
        "v": JSON_VERSION, "code": pref.code, "name": pref.name,
        "power_types": list(pref.power_types), "free_kwh_per_period": pref.free_kwh_per_period,
        "discount_percent": {k: format_rate(v) for k, v in sorted(pref.discount_percent.items())},
    }


def preferential_from_json(d: Mapping[str, Any]) -> Preferential:
    if d.get("v") != JSON_VERSION:
        raise ValueError(f"unsupported preferential JSON version {d.get('v')!r}")
    return Preferential(d["code"], d["name"], tuple(d["power_types"]),
                        _int(d["free_kwh_per_period"]),
                        {k: parse_rate(v) for k, v in d["discount_percent"].items()})
