"""The sale object of cli.md, built the same way for a quote, a sale and `sale show`."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from terminal.domain.money import Currency, currency, format_kwh, format_money
from terminal.domain.split import primary_index
from terminal.domain.vend import ENERGY, FREE, VendLine, VendResult
from terminal.ledger import Repositories
from terminal.ledger.repos import MeterRow
from terminal.ledger.sales import LineRecord, SaleRecord
from terminal.services.meter_state import MeterState


def render_lines(lines: Iterable[VendLine | LineRecord], cur: Currency) -> list[dict[str, Any]]:
    out = []
    for ln in lines:
        row: dict[str, Any] = {"kind": ln.kind}
        if ln.kind in (ENERGY, FREE):
            for key in ("power_type", "block", "sub_item"):
                if getattr(ln, key) is not None:
                    row[key] = getattr(ln, key)
            row["kwh"] = format_kwh(ln.kwh or 0)
        row["amount"] = format_money(ln.amount, cur)
        out.append(row)
    return out


def _money_fields(cur: Currency, tendered: int, used: int, kwh: int, free: int, credit: int,
                  change: int) -> dict[str, str]:
    return {"tendered": format_money(tendered, cur), "carry_over_used": format_money(used, cur),
            "kwh": format_kwh(kwh), "free_kwh": format_kwh(free), "credit_kwh": format_kwh(credit),
            "change_carried": format_money(change, cur)}


def vend_view(state: MeterState, r: VendResult, status: str) -> dict[str, Any]:
    cur = state.currency
    return {
        "receipt_no": None, "meter": state.meter.number, "customer": state.meter.customer_name,
        "account_no": state.meter.account_no,
        **_money_fields(cur, r.tendered, r.carry_over_used, r.kwh, r.free_kwh, r.credit_kwh, r.change),
        "tariff_version": state.tariff_versions[state.primary.tariff.code],
        "tariff_versions": dict(state.tariff_versions), "status": status, "currency": cur.code,
        "months_charged": r.months_charged, "lines": render_lines(r.lines, cur),
    }


def record_view(rec: SaleRecord, lines: list[LineRecord], status: str, meter_no: str,
                primary_power_type: str, operator: str) -> dict[str, Any]:
    """The cli.md sale object of a recorded sale: also what its outbox row carries."""
    cur = currency(rec.currency)
    versions: dict[str, int] = json.loads(rec.tariff_versions)
    view: dict[str, Any] = {
        "sale_id": rec.uuid, "receipt_no": rec.receipt_no, "meter": meter_no,
        **_money_fields(cur, rec.tendered, rec.carry_over_used, rec.kwh, rec.free_kwh, rec.credit_kwh,
                        rec.change),
        "tariff_version": versions[primary_power_type], "tariff_versions": versions, "status": status,
        "currency": cur.code, "months_charged": rec.months_charged, "sold_at": rec.sold_at,
        "payment": rec.payment, "operator": operator, "carrier": rec.carrier,
        "lines": render_lines(lines, cur),
    }
    if rec.carrier == "sts" and rec.carrier_ref:
        view["token"] = rec.carrier_ref
    return view


def for_people(view: dict[str, Any], meter: MeterRow, reversal: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sale as `ppms` shows it: the sale object with whose sale it is and, once reversed, who
    reversed it, when and why. The outbox row carries the sale object without them (the center
    knows the customer from the registration and the reversal from its own row)."""
    shown = view | {"customer": meter.customer_name, "account_no": meter.account_no}
    if reversal is not None:
        shown["reversal"] = reversal
    return shown


def reversal_of(r: Repositories, sale_id: int) -> dict[str, Any] | None:
    """Who reversed the sale, when and why (its `reversed` event), or None."""
    found = r.sales.reversal(sale_id)
    if found is None:
        return None
    at, operator, reason = found
    return {"operator": operator or "?", "at": at, "reason": reason}


def sale_view(r: Repositories, sale_id: int) -> dict[str, Any]:
    """The sale object of a recorded sale, as its outbox row carries it."""
    rec, lines = r.sales.load(sale_id)
    meter = r.meters.by_id(rec.meter_id)
    shares = r.meters.shares(rec.meter_id)
    primary = shares[primary_index([percent for _, percent in shares])][0]
    return record_view(rec, lines, r.sales.status(sale_id), meter.number, primary,
                       r.operators.name(rec.operator_id))


def shown_sale(r: Repositories, sale_id: int) -> dict[str, Any]:
    """The sale as `sale show` and `sale reverse` print it (`for_people`)."""
    view = sale_view(r, sale_id)
    meter = r.meters.by_number(view["meter"])
    assert meter is not None
    return for_people(view, meter, reversal_of(r, sale_id))
