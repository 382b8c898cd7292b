"""Properties of the vend calculation on random tariffs, checked against an independent
oracle that prices a candidate K with ``decimal`` (ROUND_HALF_UP) straight from selling.md."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from terminal.domain.errors import (
    AmountBelowMinimum,
    AmountTooSmall,
    EnergyAboveMaximum,
)
from terminal.domain.money import Currency
from terminal.domain.tariff import Block, PowerTypeTariff, Preferential, SubItem
from terminal.domain.vend import (
    Share,
    VendRequest,
    VendResult,
    calculate_vend,
    money_for_kwh,
    primary_share,
)

ORDER = {"fixed": 0, "debt": 1, "energy": 2, "free": 3, "vat": 4, "carry_over": 5}


def dec(f: Fraction) -> Decimal:
    return Decimal(f.numerator) / Decimal(f.denominator)


def rnd(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def oracle_total(r: VendRequest, k: int) -> int:
    """F + D + E + V for candidate k, written out again from selling.md."""
    prim = primary_share(r.shares)
    t = prim.tariff
    fixed = t.fixed_monthly * r.months_to_charge
    debt = min(r.arrears, int(Decimal(r.tendered) * dec(t.debt_recovery_percent) / 100))
    others = {id(s): k * s.percent // 100 for s in r.shares if s is not prim}
    total = fixed + debt
    for s in r.shares:
        part = others.get(id(s), k - sum(others.values()))
        scale = Decimal(10) ** s.tariff.currency.decimals
        disc = (r.preferential.discount_percent if r.preferential is not None
                and s.tariff.code in r.preferential.power_types else {})
        e, pos, start = 0, s.used_kwh, 0
        for b in s.tariff.blocks:
            end = b.up_to_kwh
            lo, hi = max(pos, start), (pos + part if end is None else min(pos + part, end))
            if hi > lo:
                for sub in s.tariff.sub_items:
                    factor = 1 - dec(Fraction(disc.get(sub.code, 0))) / 100
                    e += rnd(Decimal(hi - lo) / 100 * dec(b.prices[sub.code]) * factor * scale)
            start = end if end is not None else start
        total += e + rnd((e + (fixed if s is prim else 0)) * dec(s.tariff.vat_percent) / 100)
    return total


def rates(lo: int, hi: int, den: int) -> st.SearchStrategy[Fraction]:
    return st.integers(lo, hi).map(lambda n: Fraction(n, den))


@st.composite
def tariffs(draw: st.DrawFn, code: str, max_kwh: int) -> PowerTypeTariff:
    subs = tuple(SubItem(f"S{i}", f"Sub {i}") for i in range(draw(st.integers(1, 3))))
    ups = sorted(draw(st.sets(st.integers(1, 20000), max_size=2)))
    blocks = tuple(Block(up, {s.code: draw(rates(0, 400000, 10000)) for s in subs})
                   for up in [*ups, None])
    decimals = draw(st.sampled_from([2, 2, 0, 3]))
    return PowerTypeTariff(
        code, code, date(2026, 1, 1), draw(rates(0, 3000, 100)), draw(st.integers(0, 20000)),
        draw(rates(0, 10000, 100)), draw(st.integers(0, 5000)), max_kwh, "month", subs, blocks,
        Currency("XXX", decimals))


FLOORS: list[Callable[[int], int] | None] = [
    None, None, lambda k: k - k % 10, lambda k: k - k % 100, lambda k: k - k % 1000]


@st.composite
def requests(draw: st.DrawFn, max_kwh: int | None = None) -> VendRequest:
    n = draw(st.integers(1, 3))
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=n - 1, max_size=n - 1)))
    percents = [b - a for a, b in zip([0, *cuts], [*cuts, 100])]
    cap = max_kwh if max_kwh is not None else draw(st.integers(1, 300000))
    first = draw(tariffs("P0", cap))
    shares = []
    for i, p in enumerate(percents):
        t = first if i == 0 else draw(tariffs(f"P{i}", cap))
        shares.append(Share(replace(t, currency=first.currency), p, draw(st.integers(0, 30000))))
    pref = None
    if draw(st.booleans()):
        codes = tuple(s.tariff.code for s in shares if draw(st.booleans()))
        pref = Preferential("PR", "Pref", codes, draw(st.integers(0, 6000)),
                            {f"S{i}": draw(rates(0, 100, 1)) for i in range(3) if draw(st.booleans())})
    return VendRequest(draw(st.integers(0, 400000)), draw(st.integers(0, 20000)),
                       draw(st.integers(0, 200000)), tuple(shares),
                       draw(st.one_of(st.integers(0, 2), st.just(12))),
                       pref, draw(st.booleans()), draw(st.sampled_from(FLOORS)))


def sell(r: VendRequest) -> VendResult | None:
    try:
        return calculate_vend(r)
    except (AmountBelowMinimum, AmountTooSmall):
        return None


@given(requests())
def test_lines_sum_to_available_and_match_the_oracle(r: VendRequest) -> None:
    res = sell(r)
    prim = primary_share(r.shares).tariff
    if res is None:
        assert r.tendered < prim.min_amount or oracle_total(r, 0) > r.tendered + r.carry_over
        return
    assert sum(line.amount for line in res.lines) == res.available == r.tendered + r.carry_over
    assert [ORDER[line.kind] for line in res.lines] == sorted(ORDER[line.kind] for line in res.lines)
    assert [line.kind for line in res.lines].count("vat") == 1
    assert res.available - res.change == oracle_total(r, res.kwh)
    assert 0 <= res.kwh <= prim.max_kwh_per_sale and res.change >= 0
    assert res.credit_kwh == res.kwh + res.free_kwh
    assert sum(res.kwh_by_power_type.values()) == res.kwh
    for s in r.shares:   # each sub-item's lines of a share carry that share's K
        for sub in s.tariff.sub_items:
            assert sum(line.kwh or 0 for line in res.lines if line.kind == "energy"
                       and line.power_type == s.tariff.code and line.sub_item == sub.code
                       ) == res.kwh_by_power_type[s.tariff.code]
    if r.exact_floor is not None:
        assert r.exact_floor(res.credit_kwh) == res.credit_kwh


@given(requests(max_kwh=400))
def test_k_is_the_largest_affordable(r: VendRequest) -> None:
    res = sell(r)
    assume(res is not None)
    assert res is not None
    a, cap = r.tendered + r.carry_over, primary_share(r.shares).tariff.max_kwh_per_sale
    free = res.free_kwh
    for k in range(res.kwh + 1, cap + 1):   # no larger K fits (and is carried exactly)
        if r.exact_floor is None or r.exact_floor(k + free) == k + free:
            assert oracle_total(r, k) > a, k


@given(requests(), st.integers(0, 400000), st.integers(0, 400000))
def test_kwh_never_decreases_as_tender_grows(r: VendRequest, t1: int, t2: int) -> None:
    lo, hi = sorted((t1, t2))
    a = sell(replace(r, tendered=lo))
    b = sell(replace(r, tendered=hi))
    if a is not None:
        assert b is not None and b.kwh >= a.kwh


@given(requests())
def test_too_small_names_the_smallest_tender_that_sells(r: VendRequest) -> None:
    try:
        calculate_vend(r)
        return
    except AmountBelowMinimum:
        return
    except AmountTooSmall as exc:
        needed = exc.details["needed"]
    assert needed > r.tendered
    assert sell(replace(r, tendered=needed)) is not None
    if needed > primary_share(r.shares).tariff.min_amount:
        assert sell(replace(r, tendered=needed - 1)) is None


@given(requests(), st.integers(0, 300000))
def test_money_for_kwh_is_the_smallest_tender(r: VendRequest, want: int) -> None:
    prim = primary_share(r.shares).tariff
    want = want % (prim.max_kwh_per_sale + 1)
    try:
        t = money_for_kwh(r, want)
    except EnergyAboveMaximum as exc:
        most = exc.details["maximum"]
        assert most < want and r.exact_floor is not None
        return
    res = sell(replace(r, tendered=t))
    assert res is not None and res.kwh >= want and t >= prim.min_amount
    if t > prim.min_amount:
        less = sell(replace(r, tendered=t - 1))
        assert less is None or less.kwh < want


@st.composite
def many_share_requests(draw: st.DrawFn) -> VendRequest:
    """3-4 shares, cheap small sales: where the primary's rest can dip as K grows."""
    n = draw(st.integers(3, 4))
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=n - 1, max_size=n - 1)))
    percents = [b - a for a, b in zip([0, *cuts], [*cuts, 100])]
    cap = draw(st.integers(1, 120))
    primary = percents.index(max(percents))
    pricey = draw(st.booleans())    # a dear primary and cheap others make the dips matter

    def price(i: int) -> Fraction:
        if pricey:
            return draw(rates(100, 500, 100) if i == primary else rates(0, 20, 100))
        return draw(rates(0, 500, 100))
    shares = tuple(
        Share(PowerTypeTariff(f"P{i}", "P", date(2026, 1, 1), draw(rates(0, 20, 1)), 0,
                              Fraction(0), 0, cap, "month", (SubItem("E", "E"),),
                              (Block(None, {"E": price(i)}),)), p, 0)
        for i, p in enumerate(percents))
    return VendRequest(draw(st.integers(0, 400)), 0, 0, shares, 0, None, False,
                       draw(st.sampled_from(FLOORS[:3])))


@given(many_share_requests())
def test_k_is_the_largest_affordable_with_many_shares(r: VendRequest) -> None:
    res = calculate_vend(r)
    assert res.available - res.change == oracle_total(r, res.kwh)
    for k in range(res.kwh + 1, primary_share(r.shares).tariff.max_kwh_per_sale + 1):
        if r.exact_floor is None or r.exact_floor(k) == k:
            assert oracle_total(r, k) > res.available, k
