"""Hypothesis strategies of whole tariff sheets (every sheet `parse_tariff` can give)."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import strategies as st

from terminal.domain.money import currency
from terminal.domain.periods import TIER_PERIODS
from terminal.domain.tariff import Block, PowerTypeTariff, Preferential, SubItem, TariffSheet

CODES = st.from_regex(r"[A-Z][A-Z0-9_-]{0,7}", fullmatch=True)
NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40) \
    .map(str.strip).filter(bool)


def rates(most: int) -> st.SearchStrategy[Fraction]:
    """A price or percentage with at most 4 decimals, up to `most`."""
    return st.integers(0, most * 10_000).map(lambda n: Fraction(n, 10_000))


@st.composite
def power_types(draw: st.DrawFn, code: str, cur_code: str, days: tuple[date, date]) -> PowerTypeTariff:
    subs = draw(st.lists(CODES, min_size=1, max_size=3, unique=True))
    bounds = sorted(draw(st.lists(st.integers(1, 10_000_000), max_size=3, unique=True)))
    blocks = tuple(Block(up_to, {s: draw(rates(1000)) for s in subs}) for up_to in [*bounds, None])
    return PowerTypeTariff(
        code, draw(NAMES), draw(st.dates(*days)), draw(rates(100)), draw(st.integers(0, 10**9)), draw(rates(100)),
        draw(st.integers(0, 10**9)), draw(st.integers(1, 10**8)), draw(st.sampled_from(TIER_PERIODS)),
        tuple(SubItem(s, draw(NAMES)) for s in subs), blocks, currency(cur_code))


@st.composite
def sheets(draw: st.DrawFn, days: tuple[date, date] = (date(2000, 1, 1), date(2099, 12, 31))) -> TariffSheet:
    cur_code = draw(st.sampled_from(["KES", "JPY", "KWD"]))
    codes = draw(st.lists(CODES, min_size=1, max_size=3, unique=True))
    pts = tuple(draw(power_types(c, cur_code, days)) for c in codes)
    prefs = []
    for pref_code in draw(st.lists(CODES, max_size=2, unique=True)):
        chosen = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=len(codes), unique=True))
        subs = sorted({s.code for pt in pts if pt.code in chosen for s in pt.sub_items})
        discounted = draw(st.lists(st.sampled_from(subs), max_size=len(subs), unique=True))
        prefs.append(Preferential(pref_code, draw(NAMES), tuple(chosen), draw(st.integers(0, 10**6)),
                                  {s: draw(rates(100)) for s in discounted}))
    return TariffSheet(currency(cur_code), pts, tuple(prefs))
