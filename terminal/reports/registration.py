"""The registration monthly report: one row per month of the period.

    registrations   customers registered (customer.registered_at)
    installations   meters installed (meter.installed_at)
    amend.<kind>    amendments of each kind, counted from the amendment file's
                    (kind, at) rows
    cancellations   amendments of kind `cancel_meter`
    cards_made      user and other cards personalised (card events `made`)
    cards_reissued  of those, cards made for a meter that had a card made before
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from terminal.domain.money import Currency
from terminal.ledger import Repositories
from terminal.reports.model import Column, Table, Value

CANCEL = "cancel_meter"
_FIXED = (
    Column("registrations", "count", "Registrations", "开户"),
    Column("installations", "count", "Installations", "装表"),
)
_AFTER = (
    Column("cancellations", "count", "Cancellations", "销户"),
    Column("cards_made", "count", "Cards made", "制卡"),
    Column("cards_reissued", "count", "Cards reissued", "补卡"),
)


def _months(start: date, end: date) -> list[str]:
    out: list[str] = []
    d = start
    while d <= end:
        if d.isoformat()[:7] not in out:
            out.append(d.isoformat()[:7])
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def gather(r: Repositories, cur: Currency, start: date, end: date, language: str = "en") -> Table:
    lo, hi = start.isoformat(), (end + timedelta(days=1)).isoformat()
    counts = {what: r.reports.monthly_counts(what, lo, hi)
              for what in ("registrations", "installations", "cards_made", "cards_reissued")}
    amended: dict[str, dict[str, int]] = {}
    for month, kind, n in r.reports.amendments_by_kind(lo, hi):
        amended.setdefault(kind, {})[month] = n
    kinds = sorted(amended)
    columns = [Column("key", "text", "Month", "月份"), *_FIXED,
               *[Column(f"amend.{k}", "count", f"Amendments {k}", f"变更 {k}") for k in kinds], *_AFTER]
    rows: list[dict[str, Value]] = []
    for m in _months(start, end):
        row: dict[str, Value] = {"key": m, **{w: c.get(m, 0) for w, c in counts.items()}}
        row |= {f"amend.{k}": amended[k].get(m, 0) for k in kinds}
        row["cancellations"] = amended.get(CANCEL, {}).get(m, 0)
        rows.append(row)
    totals: dict[str, Value] = {"key": "合计" if language == "zh" else "Total"}
    totals |= {c.code: sum(int(row[c.code] or 0) for row in rows) for c in columns if c.code != "key"}
    title = "开户月报表" if language == "zh" else "Registration monthly report"
    return Table("registration", title, (lo, end.isoformat()), cur, columns, rows, totals)


def as_json(t: Table) -> dict[str, Any]:
    def shaped(row: dict[str, Value]) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in row.items() if not k.startswith("amend.")}
        out["amendments"] = {k[6:]: v for k, v in row.items() if k.startswith("amend.")}
        return out

    return {"report": "registration", "from": t.period[0], "to": t.period[1],
            "rows": [shaped(r) for r in t.rows], "totals": shaped(t.totals)}
