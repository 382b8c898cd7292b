"""The sale object of cli.md, built the same way for a quote, a sale and `sale show`."""
from __future__ import annotations

import json
from typing import Any, Iterable

from terminal.domain.money import Currency, currency, format_kwh, format_money
from terminal.domain.vend import VendResult
from terminal.ledger import repos
from terminal.ledger.models import Meter, Operator, Sale, SaleLine
from terminal.services.meter_state import MeterState


def _line(kind: str, amount: int, cur: Currency, power_type: str | None, block: int | None,
          sub_item: str | None, kwh: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": kind}
    if kind in ("energy", "free"):
        if power_type is not None:
            out["power_type"] = power_type
        if block is not None:
            out["block"] = block
        if sub_item is not None:
            out["sub_item"] = sub_item
        out["kwh"] = format_kwh(kwh or 0)
    out["amount"] = format_money(amount, cur)
    return out


def _lines(rows: Iterable[Any], cur: Currency) -> list[dict[str, Any]]:
    return [_line(r.kind, r.amount, cur, r.power_type, r.block, r.sub_item, r.kwh) for r in rows]


def _primary_version(versions: dict[str, int], primary: str) -> int:
    return versions.get(primary, next(iter(versions.values()), 0))


def vend_view(state: MeterState, r: VendResult, status: str, receipt_no: str | None) -> dict[str, Any]:
    cur = state.currency
    return {
        "receipt_no": receipt_no, "meter": state.meter.number,
        "tendered": format_money(r.tendered, cur), "carry_over_used": format_money(r.carry_over_used, cur),
        "kwh": format_kwh(r.kwh), "free_kwh": format_kwh(r.free_kwh), "credit_kwh": format_kwh(r.credit_kwh),
        "change_carried": format_money(r.change, cur),
        "tariff_version": _primary_version(state.tariff_versions, state.primary.tariff.code),
        "tariff_versions": dict(state.tariff_versions),
        "status": status, "currency": cur.code, "months_charged": r.months_charged,
        "lines": _lines(r.lines, cur),
    }


def sale_view(sale_uuid: str) -> dict[str, Any]:
    sale = Sale.get(Sale.uuid == sale_uuid)
    cur = currency(sale.currency)
    meter = Meter.get_by_id(sale.meter_id)
    versions: dict[str, int] = json.loads(sale.tariff_versions)
    shares = repos.shares(meter.id)
    primary = max(shares, key=lambda s: (s.percent, -s.ordinal)).power_type if shares else ""
    lines = SaleLine.select().where(SaleLine.sale == sale.id).order_by(SaleLine.ordinal)
    view: dict[str, Any] = {
        "sale_id": sale.uuid, "receipt_no": sale.receipt_no, "meter": meter.number,
        "tendered": format_money(sale.tendered, cur), "carry_over_used": format_money(sale.carry_over_used, cur),
        "kwh": format_kwh(sale.kwh), "free_kwh": format_kwh(sale.free_kwh),
        "credit_kwh": format_kwh(sale.credit_kwh), "change_carried": format_money(sale.change, cur),
        "tariff_version": _primary_version(versions, primary), "tariff_versions": versions,
        "status": repos.sale_status(sale.id), "currency": cur.code, "months_charged": sale.months_charged,
        "sold_at": sale.sold_at, "payment": sale.payment,
        "operator": Operator.get_by_id(sale.operator_id).username,
        "carrier": sale.carrier,
        "lines": _lines(lines, cur),
    }
    if sale.carrier == "sts" and sale.carrier_ref and not sale.carrier_ref.startswith("seq:"):
        view["token"] = sale.carrier_ref
    return view
