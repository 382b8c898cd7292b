"""Money, energy and rate units: strict parsing, exact formatting, half-up rounding."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terminal.domain.errors import (
    AmountInvalid,
    EnergyInvalid,
    RateInvalid,
    UnknownCurrency,
)
from terminal.domain.money import (
    Currency,
    currency,
    format_kwh,
    format_money,
    format_rate,
    parse_kwh,
    parse_money,
    parse_rate,
    round_half_up,
)

KES, JPY, KWD = Currency("KES", 2), Currency("JPY", 0), Currency("KWD", 3)


def test_currency_table() -> None:
    assert currency("KES") == KES and currency("JPY") == JPY and currency("KWD") == KWD
    assert currency("CLF").decimals == 4 and currency("USD").decimals == 2
    with pytest.raises(UnknownCurrency) as info:
        currency("XYZ")
    assert info.value.code == "UNKNOWN_CURRENCY"
    with pytest.raises(UnknownCurrency):
        currency("kes")


@pytest.mark.parametrize(("text", "cur", "minor"), [
    ("100", KES, 10000), ("100.5", KES, 10050), ("100.00", KES, 10000), ("0.01", KES, 1),
    (" 7.10 ", KES, 710), ("007", KES, 700), ("100", JPY, 100), ("1.234", KWD, 1234),
    ("0", KES, 0),
])
def test_parse_money(text: str, cur: Currency, minor: int) -> None:
    assert parse_money(text, cur) == minor


@pytest.mark.parametrize(("text", "cur"), [
    ("100.001", KES), ("100.0", JPY), ("-1", KES), ("+1", KES), ("1e3", KES), ("1,000", KES),
    ("", KES), (".5", KES), ("5.", KES), ("abc", KES), ("١٢٣", KES), ("1 000", KES),
    ("1234567890123", KES), ("nan", KES),
])
def test_parse_money_refuses(text: str, cur: Currency) -> None:
    with pytest.raises(AmountInvalid) as info:
        parse_money(text, cur)
    assert info.value.code == "AMOUNT_INVALID"


def test_format_money() -> None:
    assert format_money(10000, KES) == "100.00"
    assert format_money(5, KES) == "0.05"
    assert format_money(-5, KES) == "-0.05"
    assert format_money(150, JPY) == "150"
    assert format_money(1234, KWD) == "1.234"
    assert format_money(0, KES) == "0.00"


def test_kwh() -> None:
    assert parse_kwh("181.81") == 18181 and parse_kwh("2000") == 200000 and parse_kwh("0.5") == 50
    assert format_kwh(18181) == "181.81" and format_kwh(5) == "0.05" and format_kwh(0) == "0.00"
    for bad in ("1.001", "-1", "x", "", "1e2"):
        with pytest.raises(EnergyInvalid):
            parse_kwh(bad)


def test_rates() -> None:
    assert parse_rate("12.00") == 12 and parse_rate("0.6") == Fraction(3, 5)
    assert parse_rate("18.1234") == Fraction(181234, 10000)
    assert format_rate(Fraction(3, 5)) == "0.6" and format_rate(Fraction(12)) == "12"
    for bad in ("1.00001", "-1", "x"):
        with pytest.raises(RateInvalid):
            parse_rate(bad)
    with pytest.raises(RateInvalid):
        format_rate(Fraction(1, 3))


@pytest.mark.parametrize(("x", "n"), [
    (Fraction(5, 2), 3), (Fraction(3, 2), 2), (Fraction(21, 2), 11), (Fraction(249, 100), 2),
    (Fraction(251, 100), 3), (Fraction(0), 0), (Fraction(1, 2), 1), (Fraction(-5, 2), -3),
    (Fraction(-249, 100), -2), (Fraction(7), 7),
])
def test_round_half_up(x: Fraction, n: int) -> None:
    assert round_half_up(x) == n


@given(st.integers(min_value=0, max_value=10 ** 15 - 1), st.sampled_from([KES, JPY, KWD,
                                                                       Currency("CLF", 4)]))
def test_money_round_trips(minor: int, cur: Currency) -> None:
    minor %= 10 ** (12 + cur.decimals)    # up to MAX_INTEGER_DIGITS before the point
    assert parse_money(format_money(minor, cur), cur) == minor


@given(st.integers(min_value=0, max_value=10 ** 14 - 1))
def test_kwh_round_trips(centi: int) -> None:
    assert parse_kwh(format_kwh(centi)) == centi


@given(st.integers(min_value=0, max_value=10 ** 12))
def test_rate_round_trips(scaled: int) -> None:
    rate = Fraction(scaled, 10000)
    assert parse_rate(format_rate(rate)) == rate


@given(st.integers(min_value=0, max_value=10 ** 10), st.integers(min_value=1, max_value=10 ** 6))
def test_round_half_up_matches_decimal(num: int, den: int) -> None:
    from decimal import ROUND_HALF_UP, Decimal, localcontext
    with localcontext() as ctx:
        ctx.prec = 60
        expected = (Decimal(num) / Decimal(den)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert round_half_up(Fraction(num, den)) == int(expected)
