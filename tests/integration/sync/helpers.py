"""What the sync tests read from the terminals' ledgers and compare with the center."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.ppms import Ppms, query

SUMMED = ("tendered", "vat", "fixed")


def outbox(cli: Ppms) -> list[tuple[int, str, str, str, str | None]]:
    """(seq, uuid, kind, payload, sent_at) of every outbox row, in seq order."""
    return [tuple(r) for r in query(cli.db, "SELECT seq, uuid, kind, payload, sent_at FROM outbox ORDER BY seq")]


def sums(cli: Ppms) -> dict[str, dict[str, int]]:
    """Count and money of the terminal's sale and reversal rows as its outbox holds them."""
    out = {k: {"count": 0, **dict.fromkeys(SUMMED, 0)} for k in ("sale", "reversal")}
    for _, _, kind, payload, _ in outbox(cli):
        if kind in out:
            rec = json.loads(payload)
            sale = rec["s"] if kind == "reversal" else rec
            out[kind]["count"] += 1
            for name, key in (("tendered", "t"), ("vat", "vat"), ("fixed", "fx")):
                out[kind][name] += sale[key]
    return out


def minor(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2]) if not whole.startswith("-") else -minor(text[1:])


def center_sums(summary: dict[str, Any]) -> dict[str, dict[str, int]]:
    t = summary["totals"]
    return {k: {"count": t[name]["count"], **{m: minor(t[name][m]) for m in SUMMED}}
            for k, name in (("sale", "sales"), ("reversal", "reversals"))}


def added(*parts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    out = {k: {"count": 0, **dict.fromkeys(SUMMED, 0)} for k in ("sale", "reversal")}
    for part in parts:
        for k, figures in part.items():
            for m, v in figures.items():
                out[k][m] += v
    return out


def center_items(url: str) -> list[tuple[str, int, str, str]]:
    """(terminal, seq, uuid, payload) of every item the center stored."""
    if url.startswith("sqlite:///"):
        return [tuple(r) for r in query(Path(url[len("sqlite:///"):]),
                                        "SELECT terminal, seq, uuid, payload FROM item ORDER BY terminal, seq")]
    import psycopg2
    con = psycopg2.connect(url)
    try:
        with con.cursor() as cur:
            cur.execute("SELECT terminal, seq, uuid, payload FROM item ORDER BY terminal, seq")
            return [tuple(r) for r in cur.fetchall()]
    finally:
        con.close()
