"""The demo's sales written in bulk: a year of a million sales in minutes, not hours.

Each sale is decided as `selling.sell` decides it: the meter's state read from the ledger
(`meter_state`, inside the writing transaction, so it sees the sales before it), the same
vend calculation (`calculate_vend`, a customer who offers too little for the months of fixed
charge owed pays what they come to as well), the carrier's reference and card serial. Its rows
are the rows a sale through the service leaves once it is COMPLETED: the sale, its lines and
usage, its status and its three events (pending, carrier_written, completed), the sale posting,
the two diary entries (sale.pending, sale.completed, on the diary's hash chain) and the sale
record in the outbox; the receipt and outbox counters move on as they would. They are queued
and written by `ledger.bulk.BulkRows`, thousands of sales to a commit, sealed in batch.

What it skips is what a sale does only for its devices and other processes: the sale leases,
the carrier write and the two commits per sale.
"""
from __future__ import annotations

import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from typing import Any, TextIO

from terminal.domain.errors import AmountTooSmall
from terminal.domain.sale import SaleStatus as St
from terminal.domain.vend import VendRequest, VendResult, calculate_vend
from terminal.ledger import UnitOfWork
from terminal.ledger.bulk import BulkRows
from terminal.ledger.canonical import dumps
from terminal.ledger.diary import entry_hash
from terminal.ledger.ids import new_id
from terminal.ledger.outbox import encode
from terminal.ledger.seal import sealer_of
from terminal.services.auth import Session
from terminal.services.clock import FixedClock
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument
from terminal.services.meter_state import meter_ref, meter_state
from terminal.services.ports import CardRef, Carrier, Purchase, carrier_ref_text
from terminal.services.sale_limits import tender_within_maximum, within_carrier
from terminal.services.selling import _sale_posting_lines as sale_posting_lines
from terminal.services.selling import line_records, sale_row
from terminal.services.views import sale_record

TABLES = ("sale", "sale_line", "sale_usage", "sale_status", "sale_event", "posting", "posting_line",
          "diary", "outbox")
SALES_PER_COMMIT = 20_000
BUILDER_VERSION = "bulk-2"   # what the benches' cached demo ledgers are keyed by: bump it when the rows change


@lru_cache(maxsize=65536)
def _vend(request: VendRequest) -> VendResult:
    """The vend calculation; many sales ask it the same question (the same tariff, amount,
    months owed and carry-over), so its answers are kept."""
    return calculate_vend(request)


def vend(request: VendRequest) -> VendResult:
    try:
        hash(request)
    except TypeError:   # pragma: no cover - a request that cannot be a key is calculated each time
        return calculate_vend(request)
    return _vend(request)


class _Sales:
    """The running figures of one bulk run: counters, the diary's last hash, the card serials."""

    def __init__(self, ctx: Context, uow: UnitOfWork, rows: BulkRows) -> None:
        self.ctx, self.rows = ctx, rows
        self.receipt = uow.counters.current_value("receipt")
        self.outbox = uow.counters.current_value("outbox")
        self.diary_hash = rows.last_diary_hash()
        self.serials: dict[str, str | None] = {}

    def diary(self, at: str, operator: str, action: str, entity: str, before: Any, after: Any) -> None:
        b = None if before is None else dumps(before)
        a = None if after is None else dumps(after)
        h = entry_hash(at, operator, action, entity, b, a, self.diary_hash)
        self.rows.add("diary", (self.rows.next_id("diary"), at, operator, action, entity, b, a, self.diary_hash, h))
        self.diary_hash = h

    def serial(self, carrier: Carrier, draft: Purchase) -> str | None:
        """The card the carrier would write (asked once per meter: a meter keeps its card)."""
        number = draft.meter.number
        if number not in self.serials:
            self.serials[number] = carrier.precheck(draft).source
        return self.serials[number]


def sell_in_bulk(ctx: Context, sessions: Sequence[Session], sales: Iterable[tuple[datetime, str, int, str]],
                 total: int, clock: FixedClock, progress: TextIO | None = sys.stderr) -> tuple[int, int]:
    """Sell `sales` ((time, meter number, tendered, payment), in time order) as the cashiers of
    `sessions` in turn; returns (sales made, sales topped up to the fixed charges owed)."""
    made = topped = 0
    rng = random.Random(total)
    coming = iter(sales)
    while batch := list(islice(coming, SALES_PER_COMMIT)):
        clock.at = batch[0][0]
        with ctx.ledger.unit_of_work() as uow, BulkRows(ctx.ledger.db, sealer_of(ctx.ledger.db), TABLES) as rows:
            run = _Sales(ctx, uow, rows)
            seen: set[str] = set()
            for at, number, tendered, payment in batch:
                if number in seen:   # its earlier sale must be visible to its state (a demo customer has one meter)
                    rows.flush()
                    seen.clear()
                seen.add(number)
                topped += _sell_one(run, uow, rng.choice(sessions), at, number, tendered, payment)
                made += 1
            rows.flush()
            rows.set_counter("receipt", run.receipt)
            rows.set_counter("outbox", run.outbox)
        ctx.ledger.sealer.advance_head()
        if progress is not None:
            print(f"\rdemo: {made:,} of {total:,} sales written", end="", file=progress, flush=True)
    if progress is not None and total:
        print(file=progress)
    return made, topped


def _sell_one(run: _Sales, uow: UnitOfWork, session: Session, now: datetime, number: str, tendered: int,
              payment: str) -> int:
    """One sale's rows queued; 1 when the customer had to add the fixed charges owed, else 0."""
    ctx, rows = run.ctx, run.rows
    state = meter_state(uow, now, number)
    carrier = ctx.carriers.for_meter(meter_ref(state.meter))
    if carrier.kind != "card":
        raise InvalidArgument(f"the bulk demo sells onto IC cards only (meter {number} is {carrier.kind})",
                              key="carrier")
    floor = carrier.limits().exact_floor
    topped = 0
    try:
        tender_within_maximum(state, tendered)
        result = vend(state.request(tendered, floor))
    except AmountTooSmall as exc:
        topped, tendered = 1, int(exc.details["needed"]) + tendered
        tender_within_maximum(state, tendered)
        result = vend(state.request(tendered, floor))
    within_carrier(state, result, carrier)
    at = now.isoformat(timespec="seconds")
    run.receipt += 1
    receipt_no = f"{ctx.terminal_id}-{run.receipt:06d}"
    sale_uuid = new_id()
    draft = Purchase(sale_uuid=sale_uuid, receipt_no=receipt_no, meter=meter_ref(state.meter),
                     sequence=state.next_sequence, credit_kwh=result.credit_kwh, issued_at=now,
                     tariff_index=state.tariff_index)
    serial = run.serial(carrier, draft)
    ref = CardRef(seq=state.next_sequence, ti=state.tariff_index, utc=now.astimezone(UTC).replace(microsecond=0),
                  card=serial)
    ref_text = carrier_ref_text(ref)
    lines = line_records(result)
    rec = sale_row(state, result, sale_uuid, receipt_no, session, at, payment, carrier.kind, ref_text)
    sid = rows.next_id("sale")
    rows.add_named("sale", {"id": sid, **{f.name: getattr(rec, f.name) for f in fields(rec)}})
    for i, ln in enumerate(lines, 1):
        rows.add("sale_line", (sid, i, ln.kind, ln.power_type, ln.block, ln.sub_item, ln.kwh, ln.amount))
    for power_type, kwh in result.kwh_by_power_type.items():
        rows.add("sale_usage", (sid, rec.meter_id, power_type, at, kwh))
    rows.add("sale_status", (sid, rec.meter_id, St.COMPLETED.value, at, at, rec.charged_through))
    detail = {"card": serial, "sequence": state.next_sequence, "pending_on_card": True}
    for status, text in ((St.PENDING, None), (St.CARRIER_WRITTEN, dumps({"carrier_ref": ref_text, **detail})),
                         (St.COMPLETED, None)):
        rows.add("sale_event", (rows.next_id("sale_event"), sid, status.value, at, session.operator_id, text))
    pid = rows.next_id("posting")
    rows.add("posting", (pid, new_id(), "sale", sid, rec.customer_id, at, session.operator_id, receipt_no))
    for entry in sale_posting_lines(rec, lines):
        if entry.debit or entry.credit:
            rows.add("posting_line", (rows.next_id("posting_line"), pid, entry.account, entry.customer_id,
                                      entry.debit, entry.credit))
    entity = f"sale:{sale_uuid}"
    run.diary(at, session.username, "sale.pending", entity, None,
              {"receipt_no": receipt_no, "meter": number, "tendered": result.tendered,
               "credit_kwh": result.credit_kwh})
    record = sale_record(rec, lines, number, state.primary.tariff.code, session.username)
    run.outbox += 1
    rows.add("outbox", (run.outbox, new_id(), ctx.terminal_id, "sale", sale_uuid, encode("sale", record), at, None))
    run.diary(at, session.username, "sale.completed", entity, {"status": "pending"},
              {"status": "completed", "carrier_ref": ref_text})
    return topped
