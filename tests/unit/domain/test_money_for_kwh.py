"""Energy in, money out (``ppms quote --kwh``): hand-worked cases."""
from __future__ import annotations

import pytest

from terminal.domain.errors import EnergyAboveMaximum, EnergyInvalid
from terminal.domain.vend import calculate_vend, money_for_kwh
from tests.unit.domain.builders import req


def test_cli_md_example_both_ways() -> None:
    # cli.md: 56.51 kWh costs total = 999.95 (change 0.05 of 1000.00); 56.52 costs 1000.09.
    assert money_for_kwh(req(0, months=1), 5651) == 99995
    assert money_for_kwh(req(0, months=1), 5652) == 100009
    assert calculate_vend(req(99995, months=1)).kwh == 5651
    assert calculate_vend(req(99994, months=1)).kwh == 5650


def test_carry_over_is_subtracted() -> None:
    # total(5651) - carry_over 0.05 = 999.90.
    assert money_for_kwh(req(0, months=1, carry=5), 5651) == 99990


def test_floored_at_min_amount() -> None:
    # m = 0: 1 kWh costs 12.60 + VAT round(2.016) = 2.02 -> 14.62, floored at 50.00.
    assert money_for_kwh(req(0), 100) == 5000
    # 0 kWh with m = 1: F + V(0) = 174.00 (above the minimum).
    assert money_for_kwh(req(0, months=1), 0) == 17400


def test_debt_recovery_capped_by_arrears() -> None:
    # arrears 100.00, 25 %: T - min(10000, floor(T/4)) >= 99995 -> T = 109995 (D = 10000);
    # T = 109994 gives 99994 for the rest, one cent short.
    assert money_for_kwh(req(0, months=1, arrears=10000), 5651) == 109995


def test_debt_recovery_by_percent() -> None:
    # arrears 5000.00, 25 %: T - floor(T/4) >= 99995.
    # T = 133326: D = floor(33331.5) = 33331 -> 99995 ok; T = 133325: D = 33331 -> 99994 short.
    t = money_for_kwh(req(0, months=1, arrears=500000), 5651)
    assert t == 133326
    assert calculate_vend(req(t, months=1, arrears=500000)).kwh == 5651
    assert calculate_vend(req(t - 1, months=1, arrears=500000)).kwh == 5650


def test_exact_floor_needs_the_next_deliverable_energy() -> None:
    # whole 0.1 kWh: 56.51 kWh is not deliverable, the sale must reach 56.60 kWh.
    # k = 5660: ENERGY 67920, REP round(3396) = 3396, E = 71316;
    # V = round(86316 x 0.16 = 13810.56) = 13811; total 15000 + 71316 + 13811 = 100127.
    t = money_for_kwh(req(0, months=1, exact_floor=lambda k: k - k % 10), 5651)
    assert t == 100127


def test_above_maximum() -> None:
    with pytest.raises(EnergyAboveMaximum) as info:
        money_for_kwh(req(0), 200001)
    assert info.value.code == "ENERGY_ABOVE_MAXIMUM" and info.value.details["maximum"] == 200000
    assert money_for_kwh(req(0), 200000) > 0
    with pytest.raises(EnergyInvalid):
        money_for_kwh(req(0), -1)


def test_above_what_the_carrier_takes() -> None:
    # A carrier of whole 1500 kWh under the 2000 kWh cap carries at most 1500 kWh:
    # 1600 kWh is refused, naming 1500.00 as the most.
    with pytest.raises(EnergyAboveMaximum) as info:
        money_for_kwh(req(0, exact_floor=lambda k: k - k % 150000), 160000)
    assert info.value.details["maximum"] == 150000
