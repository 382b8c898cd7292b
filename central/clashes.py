"""One meter sold at two terminals while both were offline (docs/sync.md, "Clashes").

A card meter takes a purchase only with a sequence above the last it took. A terminal numbers
a meter's purchases from its own card sales of it, so two terminals selling the same meter
without hearing of each other write the same sequences on the card: the meter takes the
first card put in it and refuses the other (or takes a credit once that was paid twice).

At ingest (in the batch's transaction) each new card sale gets its terminal's sequence for
the meter (``purchase``: the terminal's previous highest for that meter, plus one; a
terminal sends in seq order, so the numbering is its own) and any other terminal's
purchase of the same meter and sequence is a **clash**: stored once per pair (``clash``),
counted per terminal in the summary (``clashes``) and listed by `ppms-central conflicts`.
Nothing is merged or reversed by the center: which sale the meter took is read from the
meter (its purchase count and credit on a reading), and the other sale is reset at its
terminal by a supervisor (`ppms sale reverse`) and sold again.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peewee import fn

from central.models import Clash, Purchase
from sync.records import SaleRecord
from terminal.domain.money import Currency, format_money

CHUNK = 400


def _chunks(items: list[Any], size: int = CHUNK) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


InsertRows = Callable[[str, tuple[str, ...], list[dict[str, Any]]], None]
PURCHASE_COLUMNS = ("terminal", "meter", "sequence", "sale_uuid", "receipt_no", "sold_at", "tendered")
CLASH_COLUMNS = ("meter", "sequence", "first_terminal", "first_sale", "first_receipt", "first_tendered",
                 "second_terminal", "second_sale", "second_receipt", "second_tendered", "detected_at")


def record(client: str, sales: list[SaleRecord], at: str, insert: InsertRows) -> int:
    """Number the terminal's new card sales and store the clashes they make; how many.
    `insert(table, columns, rows)` is the ingest's multi-row INSERT ... ON CONFLICT DO NOTHING."""
    card = [s for s in sales if s.carrier == "card"]
    if not card:
        return 0
    meters = sorted({s.meter for s in card})
    last: dict[str, int] = {}
    for chunk in _chunks(meters):
        found: Any = Purchase.select(Purchase.meter, fn.MAX(Purchase.sequence)).where(
            (Purchase.terminal == client) & (Purchase.meter << chunk)).group_by(Purchase.meter).tuples()
        last.update({str(m): int(n) for m, n in found})
    rows: list[dict[str, Any]] = []
    for s in card:
        last[s.meter] = last.get(s.meter, 0) + 1
        rows.append({"terminal": client, "meter": s.meter, "sequence": last[s.meter], "sale_uuid": s.sale_id,
                     "receipt_no": s.receipt_no, "sold_at": s.sold_at, "tendered": s.tendered})
    insert("purchase", PURCHASE_COLUMNS, rows)
    mine = {(r["meter"], r["sequence"]): r for r in rows}
    clashes: list[dict[str, Any]] = []
    for chunk in _chunks(meters):
        others = Purchase.select().where((Purchase.meter << chunk) & (Purchase.terminal != client))
        for o in others:
            new = mine.get((o.meter, o.sequence))
            if new is not None:
                clashes.append({"meter": o.meter, "sequence": o.sequence, "first_terminal": o.terminal,
                                "first_sale": o.sale_uuid, "first_receipt": o.receipt_no,
                                "first_tendered": o.tendered, "second_terminal": client,
                                "second_sale": new["sale_uuid"], "second_receipt": new["receipt_no"],
                                "second_tendered": new["tendered"], "detected_at": at})
    insert("clash", CLASH_COLUMNS, clashes)
    return len(clashes)


def of_terminal(terminal: str) -> int:
    return int(Clash.select().where((Clash.first_terminal == terminal) | (Clash.second_terminal == terminal))
               .count())


def listed(cur: Currency, limit: int = 200) -> list[dict[str, Any]]:
    return [{"meter": c.meter, "sequence": c.sequence, "detected_at": c.detected_at,
             "what": (f"purchase {c.sequence} of meter {c.meter} was sold at {c.first_terminal} and at "
                      f"{c.second_terminal}: the meter takes one of them"),
             "sales": [{"terminal": c.first_terminal, "sale": c.first_sale, "receipt_no": c.first_receipt,
                        "tendered": format_money(c.first_tendered, cur)},
                       {"terminal": c.second_terminal, "sale": c.second_sale, "receipt_no": c.second_receipt,
                        "tendered": format_money(c.second_tendered, cur)}]}
            for c in Clash.select().order_by(Clash.id.desc()).limit(limit)]
