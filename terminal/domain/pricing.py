"""The price of a candidate energy K (selling.md steps 5 and "Mixed-use meters").

:class:`Pricer` is built once per sale from the meter's shares and answers
``total(K) = F + D + E(K) + V(K)`` and the energy lines behind it, exactly and with
no floats. It holds no money in or out: that is :mod:`terminal.domain.vend`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from terminal.domain.tariff import PowerTypeTariff, Preferential

__all__ = ["EnergyPiece", "Pricer", "split_kwh"]

_HUNDRED = Fraction(100)


@dataclass(frozen=True)
class EnergyPiece:
    """One energy line: ``kwh`` (0.01 kWh) of one block of one share, one sub-item."""

    share: int          # index into the shares
    block: int          # 0-based block index
    sub_item: str
    kwh: int
    amount: int         # minor units, rounded half up


def _times_rounded(n: int, ratio: tuple[int, int]) -> int:
    """round_half_up(n x num / den) for n >= 0 and a non-negative ratio, in integers: the
    price search calls this thousands of times per sale, and Fraction is slow."""
    num, den = ratio
    return (2 * n * num + den) // (2 * den)


def _ratio(x: Fraction) -> tuple[int, int]:
    if x < 0:
        raise ValueError("prices, discounts and VAT rates are never negative here")
    return x.numerator, x.denominator


def split_kwh(kwh: int, percents: Sequence[int], primary: int) -> list[int]:
    """Every share but the primary gets floor(K x percent / 100); the primary the rest."""
    parts = [kwh * p // 100 for p in percents]
    parts[primary] = kwh - sum(p for i, p in enumerate(parts) if i != primary)
    return parts


class _SharePricer:
    def __init__(self, tariff: PowerTypeTariff, used_kwh: int, discounts: dict[str, Fraction],
                 fixed: int) -> None:
        scale = Fraction(10 ** tariff.currency.decimals, 100)    # major per kWh -> minor per 0.01 kWh
        self.tariff = tariff
        self.used = used_kwh
        self.fixed = fixed
        self.vat = _ratio(tariff.vat_percent / _HUNDRED)
        # per block: (start, end or None, ((sub_item, minor per 0.01 kWh after discount), ...)),
        # each coefficient an exact (numerator, denominator)
        self.blocks: list[tuple[int, int | None, tuple[tuple[str, tuple[int, int]], ...]]] = []
        for index, block in enumerate(tariff.blocks):
            coefs = tuple(
                (s.code, _ratio(block.prices[s.code] * (1 - discounts.get(s.code, Fraction(0)) / _HUNDRED)
                                * scale))
                for s in tariff.sub_items)
            self.blocks.append((tariff.block_start(index), block.up_to_kwh, coefs))

    def takes(self, kwh: int) -> list[tuple[int, int]]:
        """(block index, 0.01 kWh) for each block the next ``kwh`` fall into, in order."""
        out: list[tuple[int, int]] = []
        position, remaining = self.used, kwh
        for index, (_start, end, _coefs) in enumerate(self.blocks):
            if remaining <= 0:
                break
            if end is not None and position >= end:
                continue
            take = remaining if end is None else min(remaining, end - position)
            out.append((index, take))
            position += take
            remaining -= take
        return out

    def energy(self, kwh: int) -> int:
        return sum(_times_rounded(take, coef)
                   for index, take in self.takes(kwh) for _sub, coef in self.blocks[index][2])

    def vat_on(self, energy: int) -> int:
        return _times_rounded(energy + self.fixed, self.vat)


class Pricer:
    """Prices candidate energies for one sale.

    ``fixed`` is F (charged on the primary share), ``debt`` is D; a preferential's
    discounts apply to a share when the preferential lists that share's power type.
    """

    def __init__(self, tariffs: Sequence[PowerTypeTariff], used_kwh: Sequence[int],
                 percents: Sequence[int], primary: int, fixed: int, debt: int,
                 preferential: Preferential | None) -> None:
        self.percents = list(percents)
        self.primary = primary
        self.fixed = fixed
        self.debt = debt
        self.shares = [
            _SharePricer(t, used, dict(preferential.discount_percent)
                         if preferential is not None and preferential.applies_to(t.code) else {},
                         fixed if i == primary else 0)
            for i, (t, used) in enumerate(zip(tariffs, used_kwh, strict=True))]

    @property
    def width(self) -> int:
        """W: total(K') >= total(K) whenever K' >= K + W (0 for one or two shares).

        Every non-primary share is floor(K p / 100), non-decreasing in K; the primary's
        rest may dip by up to n-2 units but grows again within ceil(100 (n-1) / p_primary).
        """
        n = len(self.percents)
        return 0 if n <= 2 else -(-100 * (n - 1) // self.percents[self.primary])

    def split(self, kwh: int) -> list[int]:
        return split_kwh(kwh, self.percents, self.primary)

    def energy_and_vat(self, kwh: int) -> tuple[list[int], list[int]]:
        """Per share: E_i and V_i = round((E_i + F_i) x vat_i / 100)."""
        energies = [share.energy(part) for share, part in zip(self.shares, self.split(kwh))]
        return energies, [share.vat_on(e) for share, e in zip(self.shares, energies)]

    def total(self, kwh: int) -> int:
        """total(K) = F + D + E + V."""
        energies, vats = self.energy_and_vat(kwh)
        return self.fixed + self.debt + sum(energies) + sum(vats)

    def pieces(self, kwh: int) -> list[EnergyPiece]:
        """The energy lines of K: per share in share order, block ascending, sub-item order."""
        out: list[EnergyPiece] = []
        for i, (share, part) in enumerate(zip(self.shares, self.split(kwh))):
            for index, take in share.takes(part):
                for sub, coef in share.blocks[index][2]:
                    out.append(EnergyPiece(i, index, sub, take, _times_rounded(take, coef)))
        return out
