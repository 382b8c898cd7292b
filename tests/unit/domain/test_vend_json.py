"""The cli.md sale JSON, field for field, from the domain's result; tariff versions in force."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from terminal.domain.tariff import tariff_in_force
from terminal.domain.vend import calculate_vend
from terminal.domain.vend_json import result_to_json
from tests.unit.domain.builders import KES, LIFELINE, RES, req


def test_cli_md_sale_json() -> None:
    got = result_to_json(calculate_vend(req(100000, months=1)), KES)
    assert got == {
        "tendered": "1000.00", "carry_over_used": "0.00", "kwh": "56.51",
        "free_kwh": "0.00", "credit_kwh": "56.51", "change_carried": "0.05",
        "lines": [
            {"kind": "fixed", "amount": "150.00"},
            {"kind": "debt", "amount": "0.00"},
            {"kind": "energy", "power_type": "RES", "block": 1, "sub_item": "ENERGY",
             "kwh": "56.51", "amount": "678.12"},
            {"kind": "energy", "power_type": "RES", "block": 1, "sub_item": "REP",
             "kwh": "56.51", "amount": "33.91"},
            {"kind": "vat", "amount": "137.92"},
            {"kind": "carry_over", "amount": "0.05"},
        ]}


def test_free_line_json() -> None:
    got = result_to_json(calculate_vend(req(100000, months=1, preferential=LIFELINE, first=True)),
                         KES)
    assert {"kind": "free", "power_type": "RES", "kwh": "50.00", "amount": "0.00"} in got["lines"]
    assert (got["free_kwh"], got["credit_kwh"]) == ("50.00", "112.46")


def test_tariff_in_force() -> None:
    v1, v2 = RES, replace(RES, effective_from=date(2026, 3, 1), vat_percent=RES.vat_percent + 1)
    versions = [v2, v1]
    assert tariff_in_force(versions, "RES", date(2025, 12, 31)) is None
    assert tariff_in_force(versions, "RES", date(2026, 1, 1)) is v1
    assert tariff_in_force(versions, "RES", date(2026, 2, 28)) is v1
    assert tariff_in_force(versions, "RES", date(2026, 3, 1)) is v2
    assert tariff_in_force(versions, "COM", date(2026, 3, 1)) is None
