"""Hand-worked vend cases (selling.md). Every expected figure is worked out in the comment.

Sample tariff RES (selling.md): block 1 up to 100 kWh ENERGY 12.00 + REP 0.60 per kWh,
block 2 ENERGY 20.00 + REP 1.00; VAT 16 %; fixed 150.00/month; debt recovery 25 %;
min 50.00; max 2000 kWh. Money in cents, energy in 0.01 kWh (k). In block 1 a sale of
k units costs ENERGY 12k cents exactly and REP round(0.6k) cents.
"""
from __future__ import annotations

import pytest

from terminal.domain.errors import AmountBelowMinimum, AmountTooSmall
from terminal.domain.vend import Share, VendLine, calculate_vend
from tests.unit.domain.builders import LIFELINE, RES, pref, pt, req


def energy(amount: int, kwh: int, block: int = 1, sub: str = "ENERGY", pt_: str = "RES") -> VendLine:
    return VendLine("energy", amount, pt_, block, sub, kwh)


def test_cli_md_example_first_sale_of_the_month() -> None:
    # T = 1000.00, m = 1 -> F = 150.00, D = 0.
    # k = 5651: ENERGY 12 x 5651 = 67812, REP round(3390.6) = 3391, E = 71203;
    # V = round((71203 + 15000) x 0.16) = round(13792.48) = 13792;
    # total = 15000 + 71203 + 13792 = 99995 <= 100000, change 5.
    # k = 5652: 67824 + round(3391.2)=3391 -> 71215; V = round(13794.4) = 13794;
    # total = 100009 > 100000 (cli.md: "56.52 kWh would cost 1000.09").
    r = calculate_vend(req(100000, months=1))
    assert r.lines == (
        VendLine("fixed", 15000), VendLine("debt", 0),
        energy(67812, 5651), energy(3391, 5651, sub="REP"),
        VendLine("vat", 13792), VendLine("carry_over", 5))
    assert (r.kwh, r.free_kwh, r.credit_kwh, r.change, r.carry_over_used) == (5651, 0, 5651, 5, 0)
    assert (r.fixed, r.months_charged, r.debt, r.energy_amount, r.vat) == (15000, 1, 0, 71203, 13792)
    assert r.available == 100000 and r.total == 99995
    assert r.kwh_by_power_type == {"RES": 5651}


def test_block_crossing() -> None:
    # used 90.00 kWh, m = 0, T = 1000.00. Block 1 has 10.00 kWh left:
    # ENERGY 120.00, REP 6.00 -> 12600. Block 2: j units cost 20j + 1j = 21j cents exactly.
    # E = 12600 + 21j; need E + round(0.16 E) <= 100000 -> E <= 86206 -> j <= 3505.
    # j = 3505: E = 12600 + 73605 = 86205, V = round(13792.8) = 13793,
    #   total 86205 + 13793 = 99998 <= 100000 -> change 2.
    # j = 3506: E = 86226, V = round(13796.16) = 13796 -> 100022 > 100000.
    r = calculate_vend(req(100000, used=9000))
    assert r.kwh == 1000 + 3505
    assert r.lines == (
        VendLine("fixed", 0), VendLine("debt", 0),
        energy(12000, 1000), energy(600, 1000, sub="REP"),
        energy(70100, 3505, block=2), energy(3505, 3505, block=2, sub="REP"),
        VendLine("vat", 13793), VendLine("carry_over", 2))


def test_vat_rounds_half_up_at_half_a_cent() -> None:
    # One block ENERGY 1.00/kWh (1 cent per 0.01 kWh), VAT 10 %, no fixed, min 0.
    # T = 1.16: k = 105 -> E = 105, V = round(10.5) = 11 (half up; half-even would say 10),
    # total 116 = T, change 0. k = 106 -> V = round(10.6) = 11, total 117 > 116.
    t = pt("RES", vat="10", fixed=0, debt="0", minimum=0)
    r = calculate_vend(req(116, shares=(Share(t, 100, 0),)))
    assert (r.kwh, r.energy_amount, r.vat, r.change) == (105, 105, 11, 0)


def test_energy_line_rounds_half_up() -> None:
    # ENERGY 0.50/kWh: 0.01 kWh costs 0.5 cent -> 1 cent. VAT 0, T = 0.01: k = 1 (1 cent),
    # k = 2 costs round(1.0) = 1 cent too, k = 3 costs round(1.5) = 2 cents. So k = 2.
    t = pt("RES", vat="0", fixed=0, debt="0", minimum=0, blocks=[(None, {"ENERGY": "0.50"})])
    r = calculate_vend(req(1, shares=(Share(t, 100, 0),)))
    assert (r.kwh, r.energy_amount, r.change) == (2, 1, 0)


def test_several_missed_months() -> None:
    # m = 3 -> F = 450.00; T = 1000.00. E + 45000 + round((E + 45000) x 0.16) <= 100000.
    # k = 3270: ENERGY 39240, REP round(1962.0) = 1962, E = 41202;
    #   V = round(86202 x 0.16 = 13792.32) = 13792; total 45000+41202+13792 = 99994, change 6.
    # k = 3271: ENERGY 39252, REP round(1962.6) = 1963, E = 41215;
    #   V = round(86215 x 0.16 = 13794.4) = 13794; total 100009 > 100000.
    r = calculate_vend(req(100000, months=3))
    assert (r.fixed, r.months_charged, r.kwh, r.energy_amount, r.vat, r.change) == (
        45000, 3, 3270, 41202, 13792, 6)


def test_twelve_months_cap_then_too_small() -> None:
    # 12 months (the cap, see test_periods) -> F = 1800.00, V(0) = 288.00: 2088.00 needed.
    with pytest.raises(AmountTooSmall) as info:
        calculate_vend(req(200000, months=12))
    assert info.value.details["needed"] == 208800
    assert info.value.code == "AMOUNT_TOO_SMALL"
    r = calculate_vend(req(208800, months=12))
    assert (r.kwh, r.fixed, r.vat, r.change) == (0, 180000, 28800, 0)


def test_debt_capped_by_arrears() -> None:
    # arrears 100.00, 25 % of 1000.00 = 250.00 -> D = 100.00. m = 1.
    # (E + 15000) x 1.16 <= 90000 -> k near 4967:
    # k = 4967: ENERGY 59604, REP round(2980.2) = 2980, E = 62584,
    #   V = round(77584 x 0.16 = 12413.44) = 12413; total 15000+10000+62584+12413 = 99997.
    # k = 4968: ENERGY 59616, REP round(2980.8) = 2981, E = 62597,
    #   V = round(77597 x 0.16 = 12415.52) = 12416; total 100013 > 100000.
    r = calculate_vend(req(100000, months=1, arrears=10000))
    assert (r.debt, r.kwh, r.vat, r.change) == (10000, 4967, 12413, 3)
    assert r.lines[1] == VendLine("debt", 10000)


def test_debt_capped_by_percent_and_floored() -> None:
    # arrears 5000.00; T = 1000.03 -> 25 % = 250.0075 -> D = floor = 25000 cents. m = 1.
    # k = 3941: ENERGY 47292, REP round(2364.6) = 2365, E = 49657,
    #   V = round(64657 x 0.16 = 10345.12) = 10345; total 15000+25000+49657+10345 = 100002.
    # k = 3942: ENERGY 47304, REP round(2365.2) = 2365, E = 49669,
    #   V = round(64669 x 0.16 = 10347.04) = 10347; total 100016 > 100003.
    r = calculate_vend(req(100003, months=1, arrears=500000))
    assert (r.debt, r.kwh, r.change) == (25000, 3941, 1)


def test_carry_over_in_and_out() -> None:
    # After the cli.md sale: carry 0.05 in, used 56.51 kWh, month already charged (m = 0).
    # A = 1000.05. Block 1 has 43.49 kWh left: ENERGY 52188, REP round(2609.4) = 2609 -> 54797.
    # Block 2: 21j cents. E = 54797 + 21j; E x 1.16 <= 100005 -> j <= 1495.
    # j = 1495: E = 54797 + 31395 = 86192, V = round(13790.72) = 13791, total 99983, change 22.
    # j = 1496: E = 86213, V = round(13794.08) = 13794, total 100007 > 100005.
    r = calculate_vend(req(100000, carry=5, used=5651))
    assert r.lines == (
        VendLine("fixed", 0), VendLine("debt", 0),
        energy(52188, 4349), energy(2609, 4349, sub="REP"),
        energy(29900, 1495, block=2), energy(1495, 1495, block=2, sub="REP"),
        VendLine("vat", 13791), VendLine("carry_over", 22))
    assert (r.carry_over_used, r.available, r.kwh, r.change) == (5, 100005, 5844, 22)


def test_free_kwh_and_discount_on_first_sale_in_period() -> None:
    # LIFELINE: 50 kWh free, ENERGY 10 % off -> ENERGY 10.80/kWh: round(10.8k), REP round(0.6k).
    # T = 1000.00, m = 1. k = 6246: ENERGY round(67456.8) = 67457, REP round(3747.6) = 3748,
    #   E = 71205, V = round(86205 x 0.16 = 13792.8) = 13793; total 15000+71205+13793 = 99998.
    # k = 6247: ENERGY round(67467.6) = 67468, REP round(3748.2) = 3748, E = 71216,
    #   V = round(86216 x 0.16 = 13794.56) = 13795; total 100011 > 100000.
    r = calculate_vend(req(100000, months=1, preferential=LIFELINE, first=True))
    assert r.lines == (
        VendLine("fixed", 15000), VendLine("debt", 0),
        energy(67457, 6246), energy(3748, 6246, sub="REP"),
        VendLine("free", 0, "RES", kwh=5000),
        VendLine("vat", 13793), VendLine("carry_over", 2))
    assert (r.kwh, r.free_kwh, r.credit_kwh) == (6246, 5000, 11246)
    assert r.kwh_by_power_type == {"RES": 6246}   # free kWh do not count towards the blocks


def test_no_free_kwh_after_first_sale_but_discount_stays() -> None:
    # Same as above with first_sale_in_period False: no free line, same K and money.
    r = calculate_vend(req(100000, months=1, preferential=LIFELINE, first=False))
    assert (r.kwh, r.free_kwh, r.credit_kwh, r.change) == (6246, 0, 6246, 2)
    assert all(line.kind != "free" for line in r.lines)


def test_preferential_not_listing_the_power_type_gives_nothing() -> None:
    # A preferential for COM only on a RES meter: neither discount nor free kWh -> cli.md sale.
    r = calculate_vend(req(100000, months=1, preferential=pref(("COM",), 5000, {"ENERGY": "10"}),
                           first=True))
    assert (r.kwh, r.free_kwh, r.change) == (5651, 0, 5)


def test_max_kwh_caps_k_not_free_kwh() -> None:
    # max 10 kWh (1000), m = 0, T = 1000.00: K = 1000 -> E = 12000 + 600 = 12600,
    # V = round(2016.0) = 2016, total 14616, change 85384 (carried over). Free 50 kWh on top.
    t = pt("RES", max_kwh=1000, blocks=[(10000, {"ENERGY": "12.00", "REP": "0.60"}),
                                        (None, {"ENERGY": "20.00", "REP": "1.00"})])
    r = calculate_vend(req(100000, shares=(Share(t, 100, 0),), preferential=pref(discount={}),
                           first=True))
    assert (r.kwh, r.energy_amount, r.vat, r.change) == (1000, 12600, 2016, 85384)
    assert (r.free_kwh, r.credit_kwh) == (5000, 6000)


def test_below_minimum_is_checked_on_t_not_a() -> None:
    # min 50.00: T = 49.99 is refused even with 100.00 carry-over (A = 149.99).
    with pytest.raises(AmountBelowMinimum) as info:
        calculate_vend(req(4999, carry=10000))
    assert info.value.details["minimum"] == 5000 and info.value.code == "AMOUNT_BELOW_MINIMUM"
    assert "50.00 KES" in info.value.message
    assert calculate_vend(req(5000)).kwh > 0


@pytest.mark.parametrize(("tendered", "carry", "arrears", "needed"), [
    # m = 1: F + V(0) = 150.00 + 24.00 = 174.00.
    (10000, 0, 0, 17400),
    # carry 20.00 pays part of it: 154.00 is needed.
    (10000, 2000, 0, 15400),
    # arrears 100.00 at 25 %: T - min(10000, floor(T/4)) >= 17400.
    # T = 23199: D = floor(5799.75) = 5799, 23199 - 5799 = 17400 ok;
    # T = 23198: D = floor(5799.5) = 5799, 17399 short. needed = 231.99.
    (10000, 0, 10000, 23199),
    # arrears 50.00: T - min(5000, floor(T/4)) >= 17400 -> T = 22400 (D = 5000).
    (10000, 0, 5000, 22400),
])
def test_too_small_for_fixed_and_debt(tendered: int, carry: int, arrears: int, needed: int) -> None:
    with pytest.raises(AmountTooSmall) as info:
        calculate_vend(req(tendered, carry=carry, arrears=arrears, months=1))
    assert info.value.details["needed"] == needed
    r = calculate_vend(req(needed, carry=carry, arrears=arrears, months=1))   # and it sells
    assert r.kwh == 0 and r.change == 0
    with pytest.raises(AmountTooSmall):
        calculate_vend(req(needed - 1, carry=carry, arrears=arrears, months=1))


def test_too_small_with_twelve_months_and_large_arrears() -> None:
    # F + V(0) = 2088.00; arrears 5000.00 at 25 %: T - floor(T/4) >= 208800.
    # T = 278399: D = floor(69599.75) = 69599 -> 208800 ok; T = 278398: D = 69599 -> 208799.
    with pytest.raises(AmountTooSmall) as info:
        calculate_vend(req(200000, arrears=500000, months=12))
    assert info.value.details["needed"] == 278399


COM = pt("COM", vat="8", fixed=50000, blocks=[(None, {"ENERGY": "15.00", "REP": "0.60"})])


def test_mixed_use_split_and_per_share_vat() -> None:
    # RES:70 (primary, F = 150.00 at 16 %), COM:30 (ENERGY 15.00, REP 0.60, VAT 8 %, its own
    # fixed charge ignored). COM gets floor(0.3 K), RES the rest. T = 1000.00, m = 1.
    # K = 5403: COM 1620, RES 3783. E_RES = 45396 + round(2269.8) = 2270 -> 47666;
    #   E_COM = 24300 + 972 = 25272; V_RES = round(62666 x 0.16 = 10026.56) = 10027;
    #   V_COM = round(25272 x 0.08 = 2021.76) = 2022; total 15000+47666+25272+10027+2022 = 99987.
    # K = 5404: COM 1621, RES 3783: E_COM = 24315 + round(972.6) = 973 -> 25288,
    #   V_COM = round(2023.04) = 2023; total 100004 > 100000.
    shares = (Share(RES, 70, 0), Share(COM, 30, 0))
    r = calculate_vend(req(100000, shares=shares, months=1))
    assert r.lines == (
        VendLine("fixed", 15000), VendLine("debt", 0),
        energy(45396, 3783), energy(2270, 3783, sub="REP"),
        energy(24300, 1620, pt_="COM"), energy(972, 1620, sub="REP", pt_="COM"),
        VendLine("vat", 12049), VendLine("carry_over", 13))
    assert r.kwh == 5403 and r.kwh_by_power_type == {"RES": 3783, "COM": 1620}
    assert r.vat_by_power_type == {"RES": 10027, "COM": 2022}
    assert r.primary_power_type == "RES"


def test_mixed_use_primary_is_largest_share_first_on_tie() -> None:
    # COM:50, RES:50 -> COM (first listed) is primary: its fixed 500.00 is charged.
    r = calculate_vend(req(200000, shares=(Share(COM, 50, 0), Share(RES, 50, 0)), months=1))
    assert (r.fixed, r.primary_power_type) == (50000, "COM")


def test_year_tier_period_counts_usage_over_the_year() -> None:
    # tier "year": the service passes kWh bought this year, say 95.00 kWh. m = 0, T = 200.00.
    # Block 1 left 5 kWh: 6000 + 300 = 6300. Block 2: 21j. E = 6300 + 21j, E x 1.16 <= 20000:
    # j = 521: E = 17241, V = round(2758.56) = 2759, total 20000 exactly, change 0.
    # j = 522: E = 17262, V = round(2761.92) = 2762, total 20024 > 20000.
    t = pt("RES", tier="year", blocks=[(10000, {"ENERGY": "12.00", "REP": "0.60"}),
                                       (None, {"ENERGY": "20.00", "REP": "1.00"})])
    r = calculate_vend(req(20000, shares=(Share(t, 100, 9500),)))
    assert (r.kwh, r.vat, r.change) == (500 + 521, 2759, 0)


def test_none_tier_period_blocks_count_within_the_sale() -> None:
    # tier "none": the service passes used 0, so one sale walks the blocks from 0.
    # T = 3000.00, m = 0: block 1 all 100 kWh = 126000; block 2 21j:
    # j = 6315: E = 258615, V = round(41378.4) = 41378, total 299993, change 7.
    # j = 6316: E = 258636, V = round(41381.76) = 41382, total 300018 > 300000.
    t = pt("RES", tier="none", blocks=[(10000, {"ENERGY": "12.00", "REP": "0.60"}),
                                       (None, {"ENERGY": "20.00", "REP": "1.00"})])
    r = calculate_vend(req(300000, shares=(Share(t, 100, 0),)))
    assert (r.kwh, r.change) == (16315, 7)
    assert [(line.block, line.kwh) for line in r.lines if line.kind == "energy"] == [
        (1, 10000), (1, 10000), (2, 6315), (2, 6315)]


def tenth_kwh(k: int) -> int:
    return k - k % 10


def test_exact_floor_whole_tenths() -> None:
    # cli.md sale on an STS meter: K* = 5651 -> 5650. ENERGY 67800, REP 3390, E = 71190;
    # V = round(86190 x 0.16 = 13790.4) = 13790; total 99980, change 20.
    r = calculate_vend(req(100000, months=1, exact_floor=tenth_kwh))
    assert (r.kwh, r.vat, r.change) == (5650, 13790, 20)


def test_exact_floor_applies_to_the_credit_with_free_kwh() -> None:
    # Carrier takes whole 10 kWh only (multiples of 1000); free 50.00 kWh; LIFELINE prices:
    # K* = 6246 (see above) -> credit 11246 -> 11000 -> K = 6000. ENERGY 64800, REP 3600,
    # E = 68400, V = round(83400 x 0.16) = 13344; total 96744, change 3256; credit 110 kWh.
    r = calculate_vend(req(100000, months=1, preferential=LIFELINE, first=True,
                           exact_floor=lambda k: k - k % 1000))
    assert (r.kwh, r.free_kwh, r.credit_kwh, r.vat, r.change) == (6000, 5000, 11000, 13344, 3256)


def test_exact_floor_free_allowance_not_carried_exactly() -> None:
    # Free 5.50 kWh on a carrier of whole 10 kWh and T covering only F + V(0) = 174.00:
    # no K >= 0 makes K + 550 a multiple of 1000 within budget -> K = 0, free cut to 0.
    r = calculate_vend(req(17400, months=1, preferential=pref(free=550), first=True,
                           exact_floor=lambda k: k - k % 1000))
    assert (r.kwh, r.free_kwh, r.credit_kwh) == (0, 0, 0)


def test_three_shares_where_the_primary_rest_dips() -> None:
    # P:40 (primary, 1.00/kWh = 1 cent per 0.01 kWh), Q:30 and R:30 free; VAT 0, no fixed.
    # Q and R get floor(0.3 K) each, P the rest: total(K) = K - 2 floor(0.3 K) cents:
    # K = 3..14 -> 3, 2, 3, 4, 3, 4, 5, 4, 5, 6, 7, 6. With T = 0.03 the largest K costing
    # <= 3 is K = 7 (P 3, Q 2, R 2), though K = 6 costs 4: total(K) is not monotone here.
    # (A binary search alone stops at K = 5; the search looks W = ceil(100 x 2 / 40) = 5 further.)
    def t(code: str, price: str):
        return pt(code, vat="0", fixed=0, debt="0", minimum=0, blocks=[(None, {"ENERGY": price})])
    shares = (Share(t("P", "1.00"), 40, 0), Share(t("Q", "0"), 30, 0), Share(t("R", "0"), 30, 0))
    r = calculate_vend(req(3, shares=shares))
    assert r.kwh == 7 and r.kwh_by_power_type == {"P": 3, "Q": 2, "R": 2} and r.change == 0
