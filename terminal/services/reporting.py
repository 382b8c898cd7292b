"""Report use cases: permission checks around the report queries, column layouts per
operator, and the outputs (JSON, text, CSV, PDF, the receipt printer).

    daily_report(ctx, s, day)                  the daily report of one day (its JSON of old)
    build(ctx, s, name, start, end, group_by)  any report: its JSON object and its table
    choose(ctx, s, built, columns, layout)     the table with the columns chosen (a saved layout)
    save_layout(ctx, s, report, name, columns) a named layout of this operator's (the diary records it)
    text / csv / pdf / print_narrow            the outputs of one chosen table

Layouts live in the ledger's `meta` table under `report_layout.<operator>.<report>.<name>`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from terminal.ledger import Fact
from terminal.reports import daily, money, reading, registration, render, shifts
from terminal.reports.model import Table
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    InvalidArgument,
    ReportColumnUnknown,
    ReportFontMissing,
    ReportLayoutNotFound,
    ReportPeriodInvalid,
)
from terminal.services.meter_state import ledger_currency
from terminal.services.ports import ReceiptDoc
from terminal.services.receipts import PrinterMissing, invoice_format

REPORTS: Final = ("daily", "monthly", "yearly", "classified", "reading", "registration")
GROUPS: Final = money.CLASSES
LANGUAGES: Final = ("en", "zh")
_LAYOUT: Final = "report_layout"


@dataclass
class Built:
    report: str
    json: dict[str, Any]
    table: Table


def daily_report(ctx: Context, session: Session, day: str | None = None) -> dict[str, Any]:
    """The daily report of `day` (YYYY-MM-DD); today by the terminal's clock when not given."""
    session.require(Permission.REPORTS)
    try:
        d = ctx.now().date() if day is None else date.fromisoformat(day)
    except ValueError:
        raise InvalidArgument(f"date {day!r} must be YYYY-MM-DD", key="date") from None
    with ctx.ledger.read() as r:
        figures = daily.gather(r, d)
        cur = ledger_currency(r)
        shift_cash = shifts.gather(r, cur, d, d)
    return daily.as_json(figures, cur) | {"shifts": shifts.as_json(shift_cash)}


def _day(text: str, key: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportPeriodInvalid(f"{key} {text!r} must be a date YYYY-MM-DD", key=key) from None


def period(ctx: Context, start: str | None, end: str | None) -> tuple[date, date]:
    """--from and --to (inclusive); one missing is the other, both missing is today."""
    today = ctx.now().date()
    lo = _day(start, "from") if start else None
    hi = _day(end, "to") if end else None
    lo, hi = lo or hi or today, hi or lo or today
    if lo > hi:
        raise ReportPeriodInvalid(f"the period starts ({lo}) after it ends ({hi})", key="from")
    return lo, hi


def build(ctx: Context, session: Session, report: str, start: date, end: date, group_by: str | None = None,
          language: str = "en") -> Built:
    session.require(Permission.REPORTS)
    if report not in REPORTS:
        raise InvalidArgument(f"no report {report!r}: one of {', '.join(REPORTS)}", key="report")
    if group_by is not None and (report != "classified" or group_by not in GROUPS):
        raise InvalidArgument(f"--group-by is for the classified report, one of {', '.join(GROUPS)}",
                              key="group_by")
    if language not in LANGUAGES:
        raise InvalidArgument(f"language {language!r}: one of {', '.join(LANGUAGES)}", key="language")
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
        if report == "reading":
            table = reading.gather(r, cur, start, end, language)
            return Built(report, reading.as_json(table), table)
        if report == "registration":
            table = registration.gather(r, cur, start, end, language)
            return Built(report, registration.as_json(table), table)
        rep = money.gather(r, cur, report, start, end, group_by)
        table = money.as_table(rep, language)
        data = money.as_json(rep)
        if report == "daily":   # the shifts' cash, declared against expected, in every output
            shift_cash = shifts.gather(r, cur, start, end, language)
            table.parts.append(shift_cash)
            data["shifts"] = shifts.as_json(shift_cash)
    return Built(report, data, table)


def _layout_key(session: Session, report: str, name: str) -> str:
    return f"{_LAYOUT}.{session.username}.{report}.{name}"


def _columns(table: Table, columns: list[str]) -> list[str]:
    unknown = [c for c in columns if c not in table.codes()]
    if unknown or not columns:
        raise ReportColumnUnknown(f"the {table.report} report has no column {', '.join(unknown) or '(none given)'}",
                                  key="columns", unknown=unknown, known=table.codes())
    return columns


def choose(ctx: Context, session: Session, built: Built, columns: str | None = None,
           layout: str | None = None) -> Table:
    """The table with the columns given (comma-separated) or those of a saved layout."""
    if columns:
        return built.table.chosen(_columns(built.table, [c.strip() for c in columns.split(",") if c.strip()]))
    if layout:
        with ctx.ledger.read() as r:
            stored = r.meta.get(_layout_key(session, built.report, layout))
        if stored is None:
            raise ReportLayoutNotFound(f"{session.username} has no layout {layout!r} for the {built.report} "
                                       "report: save one with --columns ... --save-layout NAME", key="layout")
        # a saved column that this period's table lacks (a sub-item no sale used) is left out
        return built.table.chosen([c for c in json.loads(stored) if c in built.table.codes()])
    return built.table.chosen(None)


def save_layout(ctx: Context, session: Session, built: Built, name: str, columns: str) -> dict[str, Any]:
    """Save the columns (checked against the report) as this operator's layout `name`."""
    session.require(Permission.REPORTS)
    if not name or not name.replace("-", "").replace("_", "").isalnum() or len(name) > 32:
        raise InvalidArgument("a layout name is 1-32 letters, digits, - or _", key="layout")
    chosen = _columns(built.table, [c.strip() for c in columns.split(",") if c.strip()])
    key = _layout_key(session, built.report, name)
    with ctx.ledger.unit_of_work() as uow:
        before = uow.meta.get(key)
        uow.meta.put(key, json.dumps(chosen))
        uow.record(Fact("report.layout", key, session.username, ctx.now_iso(),
                        before=json.loads(before) if before else None, after=chosen))
    return {"layout": name, "report": built.report, "operator": session.username, "columns": chosen}


def as_pdf(ctx: Context, table: Table, language: str = "en") -> bytes:
    from terminal.reports import pdf  # noqa: PLC0415 (fpdf takes 0.4 s to import: only a PDF pays it)
    font = pdf.find_font()
    if font is None:
        raise ReportFontMissing("no CJK font for the PDF: install fonts-wqy-microhei (make deps)")
    return pdf.as_pdf(table, utility=ctx.utility, font=font, made_at=ctx.now(), language=language)


def print_narrow(ctx: Context, session: Session, table: Table, language: str = "en") -> dict[str, Any]:
    """The chosen table on the receipt printer: a line per row, the totals last."""
    session.require(Permission.REPORTS)
    doc = ReceiptDoc(kind="report", receipt_no=f"R-{ctx.terminal_id}-{table.report}-{table.period[0]}",
                     issued_at=ctx.now(), terminal=f"{ctx.terminal_id} {ctx.terminal_name}",
                     operator=session.username, lines=render.receipt_lines(table, language),
                     extra=((table.title, ""), (f"{table.period[0]} .. {table.period[1]}", table.currency.code)))
    if ctx.printer is None:
        raise PrinterMissing("no receipt printer is configured")
    return ctx.printer.print_receipt(doc, invoice_format(ctx))
