"""The JSON form of a vend result (spec/cli.md "JSON of a sale"), money and energy as
decimal strings. The service adds sale_id, receipt_no, meter, tariff_version, status."""
from __future__ import annotations

from typing import Any

from terminal.domain.money import Currency, format_kwh, format_money
from terminal.domain.vend import VendLine, VendResult

__all__ = ["line_to_json", "result_to_json"]


def line_to_json(line: VendLine, cur: Currency) -> dict[str, Any]:
    """``{"kind", "amount"}``; energy lines add power_type, block, sub_item, kwh; the free
    line adds power_type and kwh."""
    out: dict[str, Any] = {"kind": line.kind}
    if line.power_type is not None:
        out["power_type"] = line.power_type
    if line.block is not None:
        out["block"] = line.block
    if line.sub_item is not None:
        out["sub_item"] = line.sub_item
    if line.kwh is not None:
        out["kwh"] = format_kwh(line.kwh)
    out["amount"] = format_money(line.amount, cur)
    return out


def result_to_json(result: VendResult, cur: Currency) -> dict[str, Any]:
    """The calculation's part of the sale object of cli.md, in its field order."""
    return {
        "tendered": format_money(result.tendered, cur),
        "carry_over_used": format_money(result.carry_over_used, cur),
        "kwh": format_kwh(result.kwh),
        "free_kwh": format_kwh(result.free_kwh),
        "credit_kwh": format_kwh(result.credit_kwh),
        "change_carried": format_money(result.change, cur),
        "lines": [line_to_json(line, cur) for line in result.lines],
    }
