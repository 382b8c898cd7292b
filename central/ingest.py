"""`POST /api/v1/batches`: a terminal's outbox rows, stored exactly once.

An item is keyed by its uuid and by (terminal, seq). In one transaction per batch:
- nothing stored under either key: stored (``created``), with its sale's money in ``sale``;
- the same key with the same kind, entity, time and canonical payload bytes: ``exists``
  (a retry, or a duplicated request);
- either key taken with other content: ``conflict``, stored in ``conflict`` (once per
  distinct content), never merged;
- a payload the wire schema refuses (a newer version, a malformed record): ``refused``
  with its code; nothing is stored and the terminal keeps the row.
Two workers handling the same batch at once: the insert ignores a row another worker
stored a moment before (ON CONFLICT DO NOTHING ... RETURNING), which is then compared
like any row found.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from central import clashes, feed, index, payment_uses
from central import db as central_db
from central.clock import now_text
from central.errors import BadRequest, WrongClient
from central.models import Conflict, Item, MeterFile, Terminal
from sync import schema
from sync.errors import WireRecordInvalid
from sync.office_records import InstallationRecord
from sync.payment_records import PaymentAppliedRecord
from sync.records import RegistrationRecord, ReversalRecord, SaleRecord

MAX_ITEMS = 1000
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@dataclass(frozen=True)
class Incoming:
    seq: int
    uuid: str
    kind: str
    entity_uuid: str
    created_at: str
    payload: str           # canonical encoding
    record: Any

    def same_as(self, row: Item) -> bool:
        return (row.seq, row.kind, row.entity_uuid, row.created_at, row.payload) == (
            self.seq, self.kind, self.entity_uuid, self.created_at, self.payload)


def _text(item: dict[str, Any], key: str, pattern: re.Pattern[str] | None, i: int) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value or len(value) > 64 or (pattern and not pattern.fullmatch(value)):
        raise BadRequest(f"items.{i}.{key} is missing or not in its form", field=f"items.{i}.{key}")
    return value


def parse(body: Any, client: str) -> tuple[list[Incoming | dict[str, Any]], dict[str, Any]]:
    """The batch's items in order (an Incoming, or the refused answer of an item the wire
    schema refuses) and what the terminal reports of itself (backlog, clock drift)."""
    if not isinstance(body, dict) or not isinstance(body.get("terminal_id"), str) \
            or not isinstance(body.get("items"), list):
        raise BadRequest('a batch is {"terminal_id": ..., "items": [...]}', field=None)
    if body["terminal_id"] != client:
        raise WrongClient(f"terminal {client} cannot post a batch of terminal {body['terminal_id'][:32]!r}")
    items = body["items"]
    if len(items) > MAX_ITEMS:
        raise BadRequest(f"a batch holds at most {MAX_ITEMS} items", field="items")
    out: list[Incoming | dict[str, Any]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadRequest(f"items.{i} must be an object", field=f"items.{i}")
        seq = item.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq < 2 ** 62:
            raise BadRequest(f"items.{i}.seq must be a positive integer", field=f"items.{i}.seq")
        uuid, entity = _text(item, "uuid", UUID, i), _text(item, "entity_uuid", None, i)
        kind, created = _text(item, "kind", None, i), _text(item, "created_at", TIME, i)
        try:
            record = schema.decode_value(kind, item.get("payload"))
            payload = schema.encode(record).decode("utf-8")
        except WireRecordInvalid as exc:
            out.append({"seq": seq, "status": "refused", "code": exc.code, "message": exc.message})
            continue
        out.append(Incoming(seq, uuid, kind, entity, created, payload, record))
    report: dict[str, Any] = {}
    if isinstance(body.get("backlog"), int) and not isinstance(body["backlog"], bool):
        report["backlog"] = max(0, min(body["backlog"], 2 ** 31))
    drift = body.get("clock_drift_s")
    if isinstance(drift, (int, float)) and not isinstance(drift, bool) and abs(drift) < 10 ** 9:
        report["clock_drift_s"] = float(drift)
    return out, report


def ingest(client: str, body: Any) -> list[dict[str, Any]]:
    parsed, report = parse(body, client)
    incoming = [p for p in parsed if isinstance(p, Incoming)]
    at = now_text()
    db = Item._meta.database
    with central_db.write(db):
        answers = _store(client, incoming, at)
        Terminal.update(last_sync=at, **report).where(Terminal.id == client).execute()
    return [answers[id(p)] if isinstance(p, Incoming) else p for p in parsed]


def _store(client: str, incoming: list[Incoming], at: str) -> dict[int, dict[str, Any]]:
    by_uuid: dict[str, Item] = {}
    by_seq: dict[int, Item] = {}
    for chunk in _chunks(incoming, 400):   # two indexed lookups (an OR of both would scan the table)
        for row in Item.select().where(Item.uuid << [p.uuid for p in chunk]):
            by_uuid[row.uuid] = row
            if row.terminal == client:
                by_seq[row.seq] = row
        for row in Item.select().where((Item.terminal == client) & (Item.seq << [p.seq for p in chunk])):
            by_uuid[row.uuid] = row
            by_seq[row.seq] = row
    answers: dict[int, dict[str, Any]] = {}
    fresh: list[Incoming] = []
    conflicts: list[tuple[Incoming, str]] = []
    for p in incoming:
        found = by_uuid.get(p.uuid)
        taken = by_seq.get(p.seq)
        if found is not None and found.terminal == client and p.same_as(found):
            answers[id(p)] = {"seq": p.seq, "status": "exists"}
        elif found is not None or taken is not None:
            answers[id(p)] = {"seq": p.seq, "status": "conflict"}
            conflicts.append((p, "uuid" if found is not None else "seq"))
        else:
            row = Item(terminal=client, seq=p.seq, uuid=p.uuid, kind=p.kind, entity_uuid=p.entity_uuid,
                       created_at=p.created_at, payload=p.payload, received_at=at)
            by_uuid[p.uuid] = by_seq[p.seq] = row
            fresh.append(p)
            answers[id(p)] = {"seq": p.seq, "status": "created"}
    stored = _insert(client, fresh, at)
    conflicts += [(p, "payment") for p in fresh if p.uuid in stored and isinstance(p.record, PaymentAppliedRecord)
                  and not payment_uses.applied(client, p.record)]
    for p in fresh:
        if p.uuid not in stored:   # another worker stored this key a moment ago
            other = Item.get_or_none(Item.uuid == p.uuid)
            if other is not None and other.terminal == client and p.same_as(other):
                answers[id(p)] = {"seq": p.seq, "status": "exists"}
            else:
                answers[id(p)] = {"seq": p.seq, "status": "conflict"}
                conflicts.append((p, "uuid" if other is not None else "seq"))
    if conflicts:
        Conflict.insert_many([
            {"terminal": client, "seq": p.seq, "uuid": p.uuid, "kind": p.kind, "payload": p.payload,
             "digest": hashlib.sha256(f"{p.kind}\n{p.entity_uuid}\n{p.created_at}\n{p.payload}".encode()).hexdigest(),
             "reason": reason, "received_at": at} for p, reason in conflicts]).on_conflict_ignore().execute()
    return answers


#: rows in one multi-row INSERT (17 columns x 500 is within SQLite's 32,766 parameters and PostgreSQL's 65,535):
#: a batch of 500 is one statement a table
ROWS_A_STATEMENT = 500
ITEM_COLUMNS = ("terminal", "seq", "uuid", "kind", "entity_uuid", "created_at", "payload", "received_at")
SALE_COLUMNS = ("item", "terminal", "kind", "sale_uuid", "meter", "sold_at", "at", "currency", "payment", "tendered",
                "kwh", "free_kwh", "fixed", "debt", "vat", "carry_over_used", "change")


def _values_sql(table: str, columns: tuple[str, ...], count: int, tail: str = "") -> str:
    """One multi-row INSERT (peewee's query builder cost more than the database for 500 rows)."""
    mark = Item._meta.database.param
    row = "(" + ", ".join([mark] * len(columns)) + ")"
    quoted = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({quoted}) VALUES {", ".join([row] * count)}{tail}'


def _insert_rows(db: Any, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows, ROWS_A_STATEMENT):
        db.execute_sql(_values_sql(table, columns, len(chunk)) + " ON CONFLICT DO NOTHING",
                       [row[c] for row in chunk for c in columns])


def _insert(client: str, fresh: list[Incoming], at: str) -> set[str]:
    db = Item._meta.database
    stored: dict[str, int] = {}
    for chunk in _chunks(fresh, ROWS_A_STATEMENT):
        params = [v for p in chunk for v in (client, p.seq, p.uuid, p.kind, p.entity_uuid, p.created_at, p.payload, at)]
        sql = _values_sql("item", ITEM_COLUMNS, len(chunk), " ON CONFLICT DO NOTHING RETURNING uuid, id")
        stored.update({str(u): int(i) for u, i in db.execute_sql(sql, params).fetchall()})
    sales = [row for p in fresh if p.uuid in stored and (row := _sale_row(client, stored[p.uuid], p)) is not None]
    for chunk in _chunks(sales, ROWS_A_STATEMENT):
        db.execute_sql(_values_sql("sale", SALE_COLUMNS, len(chunk)),
                       [row[c] for row in chunk for c in SALE_COLUMNS])
    index.write(((stored[p.uuid], p.kind, p.created_at, p.record) for p in fresh if p.uuid in stored), client)
    clashes.record(client, [p.record for p in fresh if p.uuid in stored and isinstance(p.record, SaleRecord)], at,
                   lambda table, columns, rows: _insert_rows(db, table, columns, rows))
    for p in fresh:
        if p.uuid in stored and isinstance(p.record, (RegistrationRecord, InstallationRecord)):
            _forward_meter(client, p, at)
    return set(stored)


def _forward_meter(client: str, p: Incoming, at: str) -> None:
    """A registration or an installation made at one terminal: the center's meter file, and
    a ``meter`` change down the feed so every other terminal can sell to the meter."""
    if isinstance(p.record, RegistrationRecord):
        MeterFile.insert(number=p.record.meter.number, carrier=p.record.meter.carrier, record=p.payload,
                         updated_at=at).on_conflict(
            conflict_target=[MeterFile.number],
            update={MeterFile.carrier: p.record.meter.carrier, MeterFile.record: p.payload,
                    MeterFile.updated_at: at}).execute()
    feed.queue("meter", {"origin": client, p.kind: json.loads(p.payload)})


def _sale_row(client: str, item_id: int, p: Incoming) -> dict[str, Any] | None:
    if isinstance(p.record, SaleRecord):
        sale, at = p.record, p.record.sold_at
    elif isinstance(p.record, ReversalRecord):
        sale, at = p.record.sale, p.created_at
    else:
        return None
    return {"item": item_id, "terminal": client, "kind": p.kind, "sale_uuid": sale.sale_id, "meter": sale.meter,
            "sold_at": sale.sold_at, "at": at, "currency": sale.currency, "payment": sale.payment,
            "tendered": sale.tendered, "kwh": sale.kwh, "free_kwh": sale.free_kwh, "fixed": sale.fixed,
            "debt": sale.debt, "vat": sale.vat, "carry_over_used": sale.carry_over_used,
            "change": sale.change_carried}


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
