"""What the dashboard looks items up by, written beside each stored item (`ingest`):

    sale_note   a sale's or reversal's power type, operator, receipt and STS token
    sale_line   its energy lines (the sub-item report, energy per power type)
    meter_item  every item about a meter (its page: readings, amendments, debts, tokens)

`backfill` writes them for items stored before these tables existed (`ppms-central init`).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peewee import fn

from central.models import Item, MeterCustomer, MeterItem, SaleLine, SaleNote
from sync import schema
from sync.records import RegistrationRecord, ReversalRecord, SaleRecord


def meter_of(record: Any) -> str | None:
    if isinstance(record, ReversalRecord):
        return record.sale.meter
    if isinstance(record, RegistrationRecord):
        return record.meter.number
    meter = getattr(record, "meter", None)
    return meter if isinstance(meter, str) else None


def customer_row(terminal: str, record: RegistrationRecord) -> dict[str, Any]:
    c, m = record.customer, record.meter
    primary = max(m.power_types, key=lambda s: s.percent).power_type if m.power_types else "-"
    return {"number": m.number, "name": c.name, "account_no": c.account_no, "area": c.area, "category": c.category,
            "power_type": primary, "carrier": m.carrier, "status": m.status, "registered_at": c.registered_at,
            "terminal": terminal}


def write(rows: Iterable[tuple[int, str, str, Any]], terminal: str) -> None:
    """Index (item id, kind, created_at, record) for each item a terminal's batch stored."""
    notes: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    meters: list[dict[str, Any]] = []
    for item, kind, created_at, record in rows:
        sale = record.sale if isinstance(record, ReversalRecord) else record
        if isinstance(sale, SaleRecord):
            notes.append({"item": item, "power_type": sale.power_type, "operator": sale.operator,
                          "receipt_no": sale.receipt_no, "token": sale.token})
            lines += [{"item": item, "power_type": ln.power_type, "sub_item": ln.sub_item, "kwh": ln.kwh,
                       "amount": ln.amount} for ln in sale.energy]
        if isinstance(record, RegistrationRecord):
            row = customer_row(terminal, record)
            MeterCustomer.insert(row).on_conflict(conflict_target=[MeterCustomer.number], update=row).execute()
        meter = meter_of(record)
        if meter is not None:
            meters.append({"item": item, "meter": meter, "kind": kind, "at": created_at})
    for model, data in ((SaleNote, notes), (SaleLine, lines), (MeterItem, meters)):
        for i in range(0, len(data), 100):
            model.insert_many(data[i:i + 100]).on_conflict_ignore().execute()


def backfill(batch: int = 2000) -> int:
    """Index the items stored after the last one indexed (ingest indexes each item it stores,
    so only a center older than these tables has any); how many were read."""
    done = 0
    last = max(int(MeterItem.select(fn.COALESCE(fn.MAX(MeterItem.item), 0)).scalar()),
               int(SaleNote.select(fn.COALESCE(fn.MAX(SaleNote.item), 0)).scalar()))
    while True:
        rows: list[Any] = list(Item.select(Item.id, Item.kind, Item.created_at, Item.payload, Item.terminal)
                    .where(Item.id > last).order_by(Item.id).limit(batch).tuples())
        if not rows:
            return done
        last = int(rows[-1][0])
        for i, k, at, payload, terminal in rows:
            write([(int(i), k, at, schema.decode(k, payload))], terminal)
        done += len(rows)
