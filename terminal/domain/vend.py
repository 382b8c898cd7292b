"""The vend calculation: money in, energy out (selling.md), and energy in, money out.

``calculate_vend`` follows selling.md steps 1-9 for one meter (one share of 100, or a
mixed-use split). The choices selling.md leaves open are in ``terminal/domain/README.md``.
Nothing here reads a clock, a database or a device: the service passes the months of
fixed charge due, the kWh already bought in the tier period and whether this is the
first sale in the free-energy period.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from terminal.domain.errors import (
    AmountBelowMinimum,
    AmountInvalid,
    AmountTooSmall,
    EnergyAboveMaximum,
    EnergyInvalid,
    ShareSplitInvalid,
)
from terminal.domain.money import Currency, format_kwh, format_money, round_half_up
from terminal.domain.pricing import Pricer
from terminal.domain.split import primary_index
from terminal.domain.tariff import PowerTypeTariff, Preferential

__all__ = [
    "CARRY_OVER", "DEBT", "ENERGY", "FIXED", "FREE", "LINE_KINDS", "VAT",
    "Share",
    "VendLine",
    "VendRequest",
    "VendResult",
    "calculate_vend",
    "money_for_kwh",
    "primary_share",
]

LINE_KINDS = ("fixed", "debt", "energy", "free", "vat", "carry_over")
FIXED, DEBT, ENERGY, FREE, VAT, CARRY_OVER = LINE_KINDS   # a sale line's kind, one name each


@dataclass(frozen=True)
class Share:
    tariff: PowerTypeTariff
    percent: int
    #: 0.01 kWh this meter already bought for this power type in the current tier period
    #: (reversed sales excluded); the service passes 0 for tier_period "none" (blocks then
    #: count over each sale alone, see README)
    used_kwh: int


@dataclass(frozen=True)
class VendRequest:
    tendered: int
    carry_over: int
    arrears: int
    shares: tuple[Share, ...]
    months_to_charge: int
    preferential: Preferential | None
    first_sale_in_period: bool
    #: the carrier's "largest exactly deliverable energy <= x" (STS tokens); None = any 0.01 kWh
    exact_floor: Callable[[int], int] | None = None


@dataclass(frozen=True)
class VendLine:
    kind: str
    amount: int
    power_type: str | None = None
    block: int | None = None        # 1-based
    sub_item: str | None = None
    kwh: int | None = None


@dataclass(frozen=True)
class VendResult:
    tendered: int
    carry_over_used: int
    available: int
    kwh: int
    free_kwh: int
    credit_kwh: int
    fixed: int
    months_charged: int
    debt: int
    energy_amount: int
    vat: int
    change: int
    lines: tuple[VendLine, ...]
    #: K per power type (free kWh not included: they do not count towards the blocks)
    kwh_by_power_type: Mapping[str, int]
    primary_power_type: str = ""
    energy_by_power_type: Mapping[str, int] = field(default_factory=dict)
    vat_by_power_type: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """total(K) = F + D + E + V: what the sale costs out of ``available``."""
        return self.available - self.change


def primary_share(shares: Sequence[Share]) -> Share:
    """The largest share; the first listed on a tie."""
    if not shares:
        raise ShareSplitInvalid("A meter needs at least one power type.")
    return shares[primary_index([s.percent for s in shares])]


def _check(req: VendRequest) -> None:
    for name in ("tendered", "carry_over", "arrears"):
        if getattr(req, name) < 0:
            raise AmountInvalid(f"The {name.replace('_', '-')} amount cannot be negative.")
    if req.months_to_charge < 0:
        raise ValueError("months_to_charge cannot be negative")
    if not req.shares:
        raise ShareSplitInvalid("A meter needs at least one power type.")
    codes = [s.tariff.code for s in req.shares]
    if len(set(codes)) != len(codes):
        raise ShareSplitInvalid("A power type appears twice in the meter's split.")
    if any(s.percent <= 0 for s in req.shares) or sum(s.percent for s in req.shares) != 100:
        raise ShareSplitInvalid("The meter's split must be whole percents above 0 summing to 100.")
    if any(s.used_kwh < 0 for s in req.shares):
        raise ValueError("used_kwh cannot be negative")
    if len({s.tariff.currency for s in req.shares}) != 1:
        raise ValueError("all power types of one meter must use one currency")


def _money(minor: int, cur: Currency) -> str:
    return f"{format_money(minor, cur)} {cur.code}"


class _Vend:
    """One calculation: the pieces of selling.md that do not depend on K."""

    def __init__(self, req: VendRequest) -> None:
        _check(req)
        self.req = req
        self.primary = primary_share(req.shares)
        self.primary_index = req.shares.index(self.primary)
        tariff = self.primary.tariff
        self.cur = tariff.currency
        self.fixed = tariff.fixed_monthly * req.months_to_charge
        self.available = req.tendered + req.carry_over
        self.debt = self.debt_for(req.tendered)
        self.pricer = Pricer([s.tariff for s in req.shares], [s.used_kwh for s in req.shares],
                             [s.percent for s in req.shares], self.primary_index, self.fixed,
                             self.debt, req.preferential)
        pref = req.preferential
        gives_free = (pref is not None and pref.applies_to(tariff.code)
                      and req.first_sale_in_period)
        self.free = pref.free_kwh_per_period if gives_free and pref is not None else 0

    def debt_for(self, tendered: int) -> int:
        """D = min(arrears, floor(T x debt_recovery_percent / 100))."""
        share = tendered * self.primary.tariff.debt_recovery_percent / 100
        return min(self.req.arrears, share.numerator // share.denominator)

    def fixed_and_vat(self) -> int:
        """F + V(0): what the primary's fixed charge costs with its VAT."""
        return self.fixed + round_half_up(self.fixed * self.primary.tariff.vat_percent / 100)

    def needed(self) -> int:
        """Smallest T >= min_amount with T + carry_over - D(T) >= F + V(0).

        T - D(T) never decreases as T grows, so a binary search finds it.
        """
        target = self.fixed_and_vat() - self.req.carry_over

        def sells(t: int) -> bool:
            return t - self.debt_for(t) >= target

        lo = self.primary.tariff.min_amount
        if sells(lo):
            return lo
        hi = max(lo, target + self.req.arrears)
        while hi - lo > 1:   # sells(hi), not sells(lo)
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if sells(mid) else (mid, hi)
        return hi

    def largest_kwh(self) -> int:
        """The largest K <= max_kwh_per_sale with total(K) <= A (total(0) <= A known)."""
        cap = self.primary.tariff.max_kwh_per_sale
        total, budget = self.pricer.total, self.available
        if total(cap) <= budget:
            return cap
        lo, hi = 0, cap   # total(lo) <= A < total(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if total(mid) <= budget else (lo, mid)
        best = lo         # with 3+ shares total(K) may dip just above lo: look W further
        for k in range(lo + 1, min(lo + self.pricer.width, cap) + 1):
            if total(k) <= budget:
                best = k
        return best

    def deliverable(self, best: int) -> tuple[int, int]:
        """(K, free kWh) with K + free exactly carried, K the largest that fits."""
        floor = self.req.exact_floor
        if floor is None:
            return best, self.free

        def largest_at_most(k: int) -> int:
            credit = floor(k + self.free)
            if not 0 <= credit <= k + self.free:
                raise ValueError(f"exact_floor({k + self.free}) gave {credit}")
            return credit - self.free

        k = largest_at_most(best)
        while k >= 0 and self.pricer.total(k) > self.available:
            k = largest_at_most(k - 1)
        if k >= 0:
            return k, self.free
        return 0, floor(self.free)   # the free allowance itself is not carried exactly

    def result(self) -> VendResult:
        req, tariff = self.req, self.primary.tariff
        if req.tendered < tariff.min_amount:
            raise AmountBelowMinimum(
                f"The smallest sale is {_money(tariff.min_amount, self.cur)}.",
                minimum=tariff.min_amount, currency=self.cur.code)
        if self.pricer.total(0) > self.available:
            needed = self.needed()
            raise AmountTooSmall(
                f"{_money(req.tendered, self.cur)} does not cover the fixed charges, VAT and "
                f"debt recovery due; at least {_money(needed, self.cur)} is needed.",
                needed=needed, currency=self.cur.code)
        kwh, free = self.deliverable(self.largest_kwh())
        return self.build(kwh, free)

    def build(self, kwh: int, free: int) -> VendResult:
        req, pricer = self.req, self.pricer
        codes = [s.tariff.code for s in req.shares]
        energies, vats = pricer.energy_and_vat(kwh)
        energy, vat = sum(energies), sum(vats)
        change = self.available - (self.fixed + self.debt + energy + vat)
        lines = [VendLine(FIXED, self.fixed), VendLine(DEBT, self.debt)]
        lines += [VendLine(ENERGY, p.amount, codes[p.share], p.block + 1, p.sub_item, p.kwh)
                  for p in pricer.pieces(kwh)]
        if free > 0:
            lines.append(VendLine(FREE, 0, codes[self.primary_index], kwh=free))
        lines += [VendLine(VAT, vat), VendLine(CARRY_OVER, change)]
        assert sum(line.amount for line in lines) == self.available, "lines must sum to A"
        return VendResult(
            tendered=req.tendered, carry_over_used=req.carry_over, available=self.available,
            kwh=kwh, free_kwh=free, credit_kwh=kwh + free, fixed=self.fixed,
            months_charged=req.months_to_charge, debt=self.debt, energy_amount=energy, vat=vat,
            change=change, lines=tuple(lines),
            kwh_by_power_type=dict(zip(codes, pricer.split(kwh))),
            primary_power_type=self.primary.tariff.code,
            energy_by_power_type=dict(zip(codes, energies)),
            vat_by_power_type=dict(zip(codes, vats)))


def calculate_vend(req: VendRequest) -> VendResult:
    """Sell the largest K that ``A = T + carry_over`` pays for (selling.md steps 1-9).

    Raises AmountBelowMinimum when ``T < min_amount`` and AmountTooSmall (with the
    smallest tender that sells in ``details["needed"]``) when even K = 0 does not fit.
    """
    return _Vend(req).result()


def money_for_kwh(req: VendRequest, kwh: int) -> int:
    """The smallest tender T >= min_amount whose sale gives at least ``kwh`` (``quote --kwh``).

    ``req.tendered`` is ignored. Without debt recovery this is ``total(K) - carry_over``
    floored at min_amount. It is found by searching T rather than by that formula
    because debt recovery D = min(arrears, floor(T x percent / 100)) grows with T itself
    (every extra unit tendered may go partly to arrears), and an exact-carry constraint
    (STS) may need a K above the one asked. The sale's K never decreases as T grows,
    so a binary search over T is exact.
    """
    if kwh < 0:
        raise EnergyInvalid("The energy asked for cannot be negative.")
    vend = _Vend(replace(req, tendered=0))
    tariff = vend.primary.tariff
    cap = tariff.max_kwh_per_sale
    if kwh > cap:
        raise EnergyAboveMaximum(
            f"At most {format_kwh(cap)} kWh can be sold at once; {format_kwh(kwh)} kWh was asked.",
            maximum=cap)

    def sale_kwh(tendered: int) -> int:
        try:
            return calculate_vend(replace(req, tendered=tendered)).kwh
        except AmountTooSmall:
            return -1

    lo = tariff.min_amount
    if sale_kwh(lo) >= kwh:
        return lo
    # At T = total(cap) with D = 0, plus all arrears, even the largest sale fits.
    hi = max(lo, vend.pricer.total(cap) + req.arrears)
    most = sale_kwh(hi)
    if most < kwh:
        raise EnergyAboveMaximum(
            f"The carrier takes at most {format_kwh(most)} kWh in one sale; "
            f"{format_kwh(kwh)} kWh was asked.", maximum=most)
    while hi - lo > 1:   # sale_kwh(hi) >= kwh > sale_kwh(lo)
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if sale_kwh(mid) >= kwh else (mid, hi)
    return hi
