"""The sale object of cli.md, built the same way for a quote, a sale and `sale show`: from the
sale's wire record (`sync.records.SaleRecord`, what its outbox row holds), viewed by
`sync.views.sale_view`, so that what `ppms` prints and what the center reads cannot disagree."""
from __future__ import annotations

import json
from typing import Any

from sync import records as wire
from sync import views as wire_views
from terminal.domain.split import primary_index
from terminal.domain.vend import VendResult
from terminal.ledger import Repositories
from terminal.ledger.repos import MeterRow
from terminal.ledger.sales import LineRecord, SaleRecord
from terminal.services.meter_state import MeterState

#: what a quote leaves out of the sale object: it is no sale yet
_NOT_QUOTED = ("sale_id", "sold_at", "payment", "operator", "carrier", "token")


def vend_view(state: MeterState, r: VendResult, status: str) -> dict[str, Any]:
    """A quote: the view of the record the sale would have, without what only a sale has."""
    draft = wire.SaleRecord.build(
        sale_id="", receipt_no="", meter=state.meter.number, currency=state.currency.code, tendered=r.tendered,
        carry_over_used=r.carry_over_used, kwh=r.kwh, free_kwh=r.free_kwh, credit_kwh=r.credit_kwh,
        change_carried=r.change, power_type=state.primary.tariff.code, tariff_versions=state.tariff_versions,
        months_charged=r.months_charged, sold_at="", payment="", operator="", carrier="", lines=r.lines)
    view = wire_views.sale_view(draft, status)
    return for_people({k: v for k, v in view.items() if k not in _NOT_QUOTED} | {"receipt_no": None}, state.meter)


def sale_record(rec: SaleRecord, lines: list[LineRecord], meter_no: str, primary_power_type: str,
                operator: str) -> wire.SaleRecord:
    """The wire record of a sale in the ledger (its lines in the vend calculation's order)."""
    return wire.SaleRecord.build(
        sale_id=rec.uuid, receipt_no=rec.receipt_no, meter=meter_no, currency=rec.currency, tendered=rec.tendered,
        carry_over_used=rec.carry_over_used, kwh=rec.kwh, free_kwh=rec.free_kwh, credit_kwh=rec.credit_kwh,
        change_carried=rec.change, power_type=primary_power_type, tariff_versions=json.loads(rec.tariff_versions),
        months_charged=rec.months_charged, sold_at=rec.sold_at, payment=rec.payment, operator=operator,
        carrier=rec.carrier, lines=lines, token=rec.carrier_ref if rec.carrier == "sts" and rec.carrier_ref else None)


def record_view(record: wire.SaleRecord, status: str) -> dict[str, Any]:
    """The sale object of a recorded sale in its status: the record's view (what its outbox row
    holds, viewed)."""
    return wire_views.sale_view(record, status)


def for_people(view: dict[str, Any], meter: MeterRow, reversal: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sale as `ppms` shows it: the sale object with whose sale it is and, once reversed, who
    reversed it, when and why. The outbox row carries the sale's record without them (the center
    knows the customer from the registration and the reversal from its own row). Whatever the
    terminal shows beyond the record is added here, in this one place."""
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


def stored_sale(r: Repositories, sale_id: int) -> wire.SaleRecord:
    """The wire record of a sale as the ledger holds it."""
    rec, lines = r.sales.load(sale_id)
    meter = r.meters.by_id(rec.meter_id)
    return sale_record(rec, lines, meter.number, sale_primary(r, sale_id, rec.meter_id),
                       r.operators.name(rec.operator_id))


def sale_primary(r: Repositories, sale_id: int, meter_id: int) -> str:
    """The primary power type a sale was made under: the share that took the most of its energy
    (the primary takes the rest of a split), the meter's current primary on a tie; a power-type
    amendment since the sale does not change it."""
    shares = r.meters.shares(meter_id)
    current = shares[primary_index([percent for _, percent in shares])][0]
    usage = r.sales.usage(sale_id)
    if not usage:
        return current
    most = max(usage.values())
    tied = [pt for pt, kwh in usage.items() if kwh == most]
    return current if current in tied else tied[0]


def sale_view(r: Repositories, sale_id: int) -> dict[str, Any]:
    return record_view(stored_sale(r, sale_id), r.sales.status(sale_id))


def shown_sale(r: Repositories, sale_id: int) -> dict[str, Any]:
    """The sale as `sale show` and `sale reverse` print it (`for_people`)."""
    view = sale_view(r, sale_id)
    meter = r.meters.by_number(view["meter"])
    assert meter is not None
    return for_people(view, meter, reversal_of(r, sale_id))
