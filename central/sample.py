"""A sample center for the dashboard's screenshots, tests and bench: terminals, registered
meters and their sales, reversals, readings, tokens, a conflict and a sequence gap, all as
the terminals' wire records.

    fill(terminals, sales)   through `ingest.ingest`, batch by batch, as terminals send them
    bulk(terminals, sales)   the same rows written straight into the tables (the bench's
                             million sales: no HTTP, no per-item checks)

    python -m central.sample --db URL [--terminals 20] [--sales 2000] [--bulk] [--days 60]
"""
from __future__ import annotations

import argparse
import json
import random
import secrets
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from central import db as central_db
from central import index, ingest
from central.clock import now_text
from central.models import TABLES, Item, Sale, Setting, Terminal, proxy
from sync import schema
from sync.account_records import MeterReadingRecord
from sync.records import CustomerFile, EnergyLine, MeterFile, RegistrationRecord, ReversalRecord, SaleRecord, Share

NAMES = ("Achieng Otieno", "Baraka Mwangi", "Chebet Kiprop", "Daudi Njoroge", "Esther Wanjiru", "Faith Akinyi",
         "Grace Muthoni", "Hassan Omar", "Imani Kamau", "Joseph Ouma", "Kevin Mutua", "Lucy Nduta")
AREAS = ("Kibera", "Westlands", "Embakasi", "Kasarani")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def meters_of(terminal: str, count: int) -> list[str]:
    base = int(terminal[1:]) if terminal[1:].isdigit() else 99
    return [f"{base:02d}{i:09d}" for i in range(1, count + 1)]


def registration(rng: random.Random, number: str, at: str) -> RegistrationRecord:
    i = int(number[-3:])
    pt = "COM" if i % 5 == 0 else "RES"
    customer = CustomerFile(_uuid(rng), f"ACC-{number}", f"{NAMES[i % len(NAMES)]} {number[-3:]}",
                            f"Plot {i}, {AREAS[i % len(AREAS)]}", at, None, "domestic" if pt == "RES" else "business",
                            AREAS[i % len(AREAS)])
    return RegistrationRecord(customer, MeterFile(_uuid(rng), number, "sts" if i % 3 == 0 else "card", "installed",
                                                  (Share(pt, 100),), at))


def sale(rng: random.Random, terminal: str, n: int, number: str, at: str) -> SaleRecord:
    i = int(number[-3:])
    pt = "COM" if i % 5 == 0 else "RES"
    tendered = rng.randrange(5, 200) * 1000
    vat = tendered * 16 // 116
    change = tendered % 7
    energy = tendered - vat - change
    kwh = energy // 12
    token = "".join(rng.choice("0123456789") for _ in range(20)) if i % 3 == 0 else None
    return SaleRecord(_uuid(rng), f"{terminal}-{n:06d}", number, "KES", tendered, 0, kwh, 0, kwh, change, 0, 0, vat,
                      (EnergyLine(pt, 1, "ENERGY", kwh, energy),), pt, ((pt, 1),), 1, at,
                      rng.choice(("cash", "cash", "bank", "mobile")), rng.choice(("alice", "bob", "wanjiku")),
                      "sts" if token else "card", token)


def start_of(days: int) -> datetime:
    """The first sale's time: `days` before today, 08:00 (so the last day sampled is yesterday)."""
    return datetime.combine(date.today() - timedelta(days=days), time(8))


def items(terminal: str, sales: int, days: int, seed: int) -> Iterator[tuple[str, str, Any]]:
    """(kind, created_at, record) of one terminal's outbox, in its order."""
    rng = random.Random(f"{seed}-{terminal}")
    start = start_of(days)
    meters = meters_of(terminal, max(4, min(sales // 10, 250)))
    for number in meters:
        yield "registration", start.isoformat(), registration(rng, number, start.isoformat())
    step = days * 86400 / max(sales, 1)
    for n in range(1, sales + 1):
        at = (start + timedelta(seconds=int(n * step))).isoformat()
        number = meters[rng.randrange(len(meters))]
        record = sale(rng, terminal, n, number, at)
        yield "sale", at, record
        if n % 97 == 0:
            later = (start + timedelta(seconds=int(n * step) + 600)).isoformat()
            yield "reversal", later, ReversalRecord(record, "wrong meter")
        if n % 13 == 0:
            yield "meter_reading", at, MeterReadingRecord(_uuid(rng), "manual", number, at, 100 * n, None)


def _prepare(db: Any, terminals: int) -> list[str]:
    db.create_tables(TABLES, safe=True)
    central_db.append_only(db)
    ids = [f"T{i:02d}" for i in range(1, terminals + 1)]
    with central_db.write(db):
        Setting.insert(key="currency", value="KES").on_conflict_ignore().execute()
        for tid in ids:
            Terminal.insert(id=tid, secret=secrets.token_hex(32), created_at=now_text(), last_sync=now_text(),
                            backlog=0, clock_drift_s=0.4).on_conflict_ignore().execute()
    return ids


def fill(db: Any, terminals: int = 3, sales: int = 300, days: int = 60, seed: int = 7) -> None:
    """Every terminal's outbox through the center's ingest (what a sync would store), with a
    gap (terminal 1 never sent seq 5) and a conflict (terminal 2 sent seq 3 again, changed)."""
    for tid in _prepare(db, terminals):
        rows = [{"seq": seq, "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}/{tid}/{seq}")), "kind": kind,
                 "entity_uuid": f"{kind}-{seq}", "created_at": at, "payload": json.loads(schema.encode(rec))}
                for seq, (kind, at, rec) in enumerate(items(tid, sales, days, seed), start=1)]
        if tid == "T01" and len(rows) > 5:
            del rows[4]
        if tid == "T02" and len(rows) > 3:
            other = dict(rows[2], uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}/{tid}/3/again")))
            rows.append(other)
        for i in range(0, len(rows), ingest.MAX_ITEMS):
            ingest.ingest(tid, {"terminal_id": tid, "items": rows[i:i + ingest.MAX_ITEMS], "backlog": 0,
                                "clock_drift_s": 0.4})


def bulk(db: Any, terminals: int = 20, sales: int = 1_000_000, days: int = 365, seed: int = 7) -> int:
    """The same records written straight into the tables, many at a time; how many items."""
    ids = _prepare(db, terminals)
    done = 0
    last: Any = Item.select(Item.id).order_by(Item.id.desc()).limit(1).scalar() or 0
    next_id = int(last) + 1
    at_sync = now_text()
    for tid in ids:
        chunk: list[tuple[int, str, str, Any, str]] = []
        for seq, (kind, at, rec) in enumerate(items(tid, sales // terminals, days, seed), start=1):
            chunk.append((next_id, kind, at, rec, str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}/{tid}/{seq}"))))
            next_id += 1
            if len(chunk) >= 2000:
                done += _write(db, tid, chunk, at_sync, seq - len(chunk) + 1)
                chunk = []
        if chunk:
            done += _write(db, tid, chunk, at_sync, seq - len(chunk) + 1)
    return done


def _write(db: Any, tid: str, chunk: list[tuple[int, str, str, Any, str]], at: str, first_seq: int) -> int:
    with central_db.write(db):
        Item.insert_many([{"id": i, "terminal": tid, "seq": first_seq + n, "uuid": u, "kind": kind,
                           "entity_uuid": f"{kind}-{first_seq + n}", "created_at": created,
                           "payload": schema.encode(rec).decode(), "received_at": at}
                          for n, (i, kind, created, rec, u) in enumerate(chunk)]).execute()
        money = []
        for i, kind, created, rec, _u in chunk:
            s = rec.sale if isinstance(rec, ReversalRecord) else rec
            if isinstance(s, SaleRecord):
                money.append({"item": i, "terminal": tid, "kind": kind, "sale_uuid": s.sale_id, "meter": s.meter,
                              "sold_at": s.sold_at, "at": s.sold_at if kind == "sale" else created,
                              "currency": s.currency, "payment": s.payment, "tendered": s.tendered, "kwh": s.kwh,
                              "free_kwh": s.free_kwh, "fixed": s.fixed, "debt": s.debt, "vat": s.vat,
                              "carry_over_used": s.carry_over_used, "change": s.change_carried})
        for n in range(0, len(money), 500):
            Sale.insert_many(money[n:n + 500]).execute()
        index.write(((i, kind, created, rec) for i, kind, created, rec, _u in chunk), tid)
    return len(chunk)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m central.sample")
    p.add_argument("--db", required=True)
    p.add_argument("--terminals", type=int, default=3)
    p.add_argument("--sales", type=int, default=300, help="sales per terminal (fill) or in all (--bulk)")
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--bulk", action="store_true")
    ns = p.parse_args()
    db = central_db.connect(ns.db)
    proxy.initialize(db)
    db.connect()
    if ns.bulk:
        print(json.dumps({"items": bulk(db, ns.terminals, ns.sales, ns.days)}))
    else:
        fill(db, ns.terminals, ns.sales, ns.days)
        print(json.dumps({"filled": ns.terminals}))


if __name__ == "__main__":
    main()
