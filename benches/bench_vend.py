"""Benchmark of the pure vend rules: how long a quote/sale calculation takes."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from terminal.domain.tariff import parse_tariff
from terminal.domain.vend import Share, VendRequest, calculate_vend, money_for_kwh

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "unit" / "domain" / "sample_tariff.toml"
COM = """
[[power_type]]
code = "COM"
name = "Commercial"
effective_from = "2026-01-01"
vat_percent = "16"
fixed_monthly = "500.00"
debt_recovery_percent = "30"
min_amount = "100.00"
max_kwh_per_sale = "5000"
tier_period = "month"
[[power_type.sub_item]]
code = "ENERGY"
name = "Energy"
[[power_type.block]]
up_to_kwh = "500"
price = { ENERGY = "15.00" }
[[power_type.block]]
price = { ENERGY = "18.50" }
"""


def _per_call(fn: Callable[[], object], seconds: float = 0.3) -> float:
    """Mean microseconds per call over about ``seconds``."""
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return round(elapsed / calls * 1e6, 1)


def run() -> dict[str, Any]:
    text = SAMPLE.read_text()
    sheet = parse_tariff(text.replace("[[preferential]]", COM + "\n[[preferential]]"))
    res, com = sheet.power_type("RES"), sheet.power_type("COM")
    single = VendRequest(100000, 0, 0, (Share(res, 100, 5000),), 1, None, True)
    mixed = VendRequest(500000, 5, 20000, (Share(res, 50, 9000), Share(com, 30, 40000),
                                           Share(replace(res, code="IND"), 20, 0)),
                        2, sheet.preferentials[0], True,
                        lambda k: k - k % 10)
    return {
        "parse_tariff_us": _per_call(lambda: parse_tariff(text)),
        "calculate_vend_single_us": _per_call(lambda: calculate_vend(single)),
        "calculate_vend_3_shares_sts_us": _per_call(lambda: calculate_vend(mixed)),
        "money_for_kwh_single_us": _per_call(lambda: money_for_kwh(single, 5651)),
        "money_for_kwh_3_shares_debt_us": _per_call(lambda: money_for_kwh(mixed, 20000)),
    }


if __name__ == "__main__":
    import json
    print(json.dumps(run(), indent=2))
