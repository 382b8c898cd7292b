"""The tariff file of selling.md: the sample parses; every kind of bad file is refused whole,
naming the key and (where it can be found) the line."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terminal.domain.errors import TariffFileInvalid
from terminal.domain.money import Currency
from terminal.domain.tariff import (
    Block,
    SubItem,
    parse_tariff,
    power_type_from_json,
    power_type_to_json,
    preferential_from_json,
    preferential_to_json,
)
from tests.unit.domain.builders import SAMPLE_TOML

COM_TOML = """
[[power_type]]
code = "COM"
name = "Commercial"
effective_from = 2026-02-01
vat_percent = "16"
fixed_monthly = "500"
debt_recovery_percent = "30.5"
min_amount = "100.00"
max_kwh_per_sale = "5000.5"
tier_period = "year"
[[power_type.sub_item]]
code = "ENERGY"
name = "Energy charge"
[[power_type.block]]
price = { ENERGY = "18.1234" }
"""
TWO_TYPES = SAMPLE_TOML.replace("[[preferential]]", COM_TOML + "\n[[preferential]]")


def test_sample_file_of_selling_md_parses() -> None:
    sheet = parse_tariff(SAMPLE_TOML)
    assert sheet.currency == Currency("KES", 2)
    (res,) = sheet.power_types
    assert (res.code, res.name, res.effective_from) == ("RES", "Residential", date(2026, 1, 1))
    assert (res.vat_percent, res.fixed_monthly, res.debt_recovery_percent) == (16, 15000, 25)
    assert (res.min_amount, res.max_kwh_per_sale, res.tier_period) == (5000, 200000, "month")
    assert res.sub_items == (SubItem("ENERGY", "Energy charge"),
                             SubItem("REP", "Rural electrification levy"))
    assert res.blocks == (
        Block(10000, {"ENERGY": Fraction(12), "REP": Fraction(3, 5)}),
        Block(None, {"ENERGY": Fraction(20), "REP": Fraction(1)}))
    assert res.comprehensive_price(0) == Fraction("12.60")
    assert res.comprehensive_price(1) == 21
    assert res.currency == sheet.currency
    (life,) = sheet.preferentials
    assert (life.code, life.power_types, life.free_kwh_per_period) == ("LIFELINE", ("RES",), 5000)
    assert life.discount_percent == {"ENERGY": 10}


def test_second_power_type_with_toml_date_and_four_decimal_price() -> None:
    sheet = parse_tariff(TWO_TYPES)
    com = sheet.power_type("COM")
    assert com.effective_from == date(2026, 2, 1)
    assert (com.fixed_monthly, com.debt_recovery_percent) == (50000, Fraction("30.5"))
    assert (com.max_kwh_per_sale, com.tier_period) == (500050, "year")
    assert com.blocks == (Block(None, {"ENERGY": Fraction("18.1234")}),)


def test_json_round_trip_is_lossless_and_canonical() -> None:
    sheet = parse_tariff(TWO_TYPES)
    for pt in sheet.power_types:
        data = power_type_to_json(pt)
        assert power_type_from_json(data) == pt
        assert power_type_to_json(power_type_from_json(data)) == data
    data = power_type_to_json(sheet.power_type("RES"))
    assert data["blocks"][0] == {"up_to_kwh": 10000, "prices": {"ENERGY": "12", "REP": "0.6"}}
    assert data["currency"] == "KES" and data["fixed_monthly"] == 15000
    pref = sheet.preferentials[0]
    assert preferential_from_json(preferential_to_json(pref)) == pref
    assert preferential_to_json(pref)["discount_percent"] == {"ENERGY": "10"}


def test_jpy_file_reads_money_without_decimals() -> None:
    text = SAMPLE_TOML.replace('"KES"', '"JPY"').replace('"150.00"', '"150"').replace(
        '"50.00"', '"50"')
    sheet = parse_tariff(text)
    assert sheet.power_types[0].fixed_monthly == 150 and sheet.currency.decimals == 0


def sub(old: str, new: str, text: str = SAMPLE_TOML) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BAD_FILES = [
    # (what, file text, key named, line named)
    ("unknown sub-item in a price",
     sub('price = { ENERGY = "20.00", REP = "1.00" }',
         'price = { ENERGY = "20.00", REP = "1.00", LEVY = "0.10" }'),
     "power_type[0].block[1].price.LEVY", 26),
    ("price of a sub-item missing",
     sub('price = { ENERGY = "20.00", REP = "1.00" }', 'price = { ENERGY = "20.00" }'),
     "power_type[0].block[1].price.REP", 26),
    ("blocks out of order",
     sub('price = { ENERGY = "20.00", REP = "1.00" }',
         'up_to_kwh = "50"\nprice = { ENERGY = "20.00", REP = "1.00" }\n'
         '[[power_type.block]]\nprice = { ENERGY = "30.00", REP = "1.00" }'),
     "power_type[0].block[1].up_to_kwh", 26),
    ("missing up_to on a non-last block",
     sub('up_to_kwh = "100"                     # cumulative', '# cumulative'),
     "power_type[0].block[0].up_to_kwh", 22),
    ("up_to on the last block",
     sub('[[power_type.block]]\nprice = { ENERGY = "20.00"',
         '[[power_type.block]]\nup_to_kwh = "500"\nprice = { ENERGY = "20.00"'),
     "power_type[0].block[1].up_to_kwh", 26),
    ("negative price", sub('REP = "0.60"', 'REP = "-0.60"'),
     "power_type[0].block[0].price.REP", 24),
    ("price with five decimals", sub('REP = "0.60"', 'REP = "0.60001"'),
     "power_type[0].block[0].price.REP", 24),
    ("float price", sub('REP = "0.60"', 'REP = 0.60'), "power_type[0].block[0].price.REP", 24),
    ("bad date", sub('"2026-01-01"', '"2026-02-30"'), "power_type[0].effective_from", 6),
    ("date with time", sub('"2026-01-01"', '2026-01-01T00:00:00'),
     "power_type[0].effective_from", 6),
    ("unknown currency", sub('"KES"', '"KSH"'), "currency", 1),
    ("too many money decimals", sub('"150.00"', '"150.001"'), "power_type[0].fixed_monthly", 9),
    ("negative money", sub('"50.00"', '"-50.00"'), "power_type[0].min_amount", 11),
    ("vat percent > 100", sub('vat_percent = "16"', 'vat_percent = "116"'),
     "power_type[0].vat_percent", 8),
    ("debt percent > 100", sub('"25"', '"100.01"'), "power_type[0].debt_recovery_percent", 10),
    ("discount percent > 100", sub('{ ENERGY = "10" }', '{ ENERGY = "101" }'),
     "preferential[0].discount_percent.ENERGY", 33),
    ("unknown tier_period", sub('tier_period = "month"', 'tier_period = "week"'),
     "power_type[0].tier_period", 13),
    ("zero max kWh", sub('"2000"', '"0"'), "power_type[0].max_kwh_per_sale", 12),
    ("duplicate sub-item code", sub('code = "REP"', 'code = "ENERGY"'),
     "power_type[0].sub_item[1].code", 19),
    ("duplicate power type code", TWO_TYPES.replace('code = "COM"', 'code = "RES"'),
     "power_type[1].code", 30),
    ("duplicate preferential code",
     SAMPLE_TOML + '\n[[preferential]]\ncode = "LIFELINE"\nname = "Again"\npower_types = ["RES"]\n',
     "preferential[1].code", 36),
    ("preferential naming an unknown power type", sub('power_types = ["RES"]',
                                                      'power_types = ["RES", "IND"]'),
     "preferential[0].power_types[1]", 31),
    ("preferential naming an unknown sub-item", sub('{ ENERGY = "10" }', '{ FUEL = "10" }'),
     "preferential[0].discount_percent.FUEL", 33),
    ("unknown key (typo)", sub('vat_percent = "16"', 'vat_precent = "16"'),
     "power_type[0].vat_precent", 8),
    ("missing key", sub('min_amount = "50.00"                  # smallest sale\n', ''),
     "power_type[0].min_amount", 3),
    ("missing currency", sub('currency = "KES"', '# no currency'), "currency", None),
    ("no power types", 'currency = "KES"\n', "power_type", None),
    ("no blocks", sub('[[power_type.block]]', '[[power_type.blocks]]'),
     "power_type[0].blocks", None),
    ("empty name", sub('name = "Residential"', 'name = "  "'), "power_type[0].name", 5),
    ("bad code", sub('code = "RES"', 'code = "R E S"'), "power_type[0].code", 4),
]


@pytest.mark.parametrize(("what", "text", "key", "line"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_refused_naming_key_and_line(what: str, text: str, key: str,
                                                 line: int | None) -> None:
    with pytest.raises(TariffFileInvalid) as info:
        parse_tariff(text)
    err = info.value
    assert err.code == "TARIFF_INVALID"
    assert err.details["key"] == key, err.message
    if line is not None:
        assert err.details["line"] == line, err.message
    assert key in err.message


def test_toml_syntax_error_names_its_line() -> None:
    text = sub('name = "Energy charge"', 'name = "Energy charge')
    with pytest.raises(TariffFileInvalid) as info:
        parse_tariff(text)
    assert info.value.details["line"] == 17
    assert "line 17" in info.value.message


def test_byte_order_mark_is_accepted() -> None:
    assert parse_tariff("\ufeff" + SAMPLE_TOML).currency.code == "KES"


@given(st.data())
def test_mangled_files_parse_or_are_refused_cleanly(data: st.DataObject) -> None:
    """Deleting, repeating or changing lines and characters never escapes TariffFileInvalid."""
    lines = TWO_TYPES.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "repeat", "char", "swap"]))
        if action == "drop":
            del lines[i]
        elif action == "repeat":
            lines.insert(i, lines[i])
        elif action == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif lines[i]:
            j = data.draw(st.integers(0, len(lines[i]) - 1))
            ch = data.draw(st.sampled_from(list('"=[]{}.,-0159 xA#\'')))
            lines[i] = lines[i][:j] + ch + lines[i][j + 1:]
        if not lines:
            break
    try:
        sheet = parse_tariff("\n".join(lines))
    except TariffFileInvalid as exc:
        assert exc.details["key"] is not None and exc.message
        line = exc.details["line"]
        assert line is None or 1 <= line <= len(lines) + 1
        return
    for pt in sheet.power_types:     # what parses is whole and consistent
        assert power_type_from_json(power_type_to_json(pt)) == pt
        assert [b.up_to_kwh for b in pt.blocks][-1] is None
