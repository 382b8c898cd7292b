"""`ppms report daily|monthly|yearly|classified|reading|registration` (cli.md, "Reports").

    --from D --to D        the period, both days included (`--date D` for one day)
    --group-by G           the classified report's class (default power_type)
    --columns a,b,c        the columns of text, csv, pdf and --print, in that order
    --layout NAME          the columns of a layout this operator saved
    --save-layout NAME     save --columns as this operator's layout NAME
    --format F             json, csv, text (default) or pdf (pdf needs --out)
    --out FILE             write the output to FILE (the command then prints what it wrote)
    --print                print the report on the receipt printer (narrow layout)
    --language en|zh       the column labels and titles

`ppms report daily --date D` without columns, layout or pdf prints the daily report
of old (its JSON, CSV and text stay as they were, with `--print` its Z report).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from terminal.cli_commands.common import session_of


def _write(path: str, data: bytes) -> dict[str, Any]:
    from terminal.services.errors import InvalidArgument
    target = Path(path)
    if target.exists() and not target.is_file():
        raise InvalidArgument(f"--out {path} is not a regular file", key="out")
    target.write_bytes(data)
    return {"out": str(target), "bytes": len(data)}


def _old_daily(ns: argparse.Namespace) -> bool:
    return (ns.report == "daily" and ns.start is None and ns.end is None and not ns.columns and not ns.layout
            and ns.format != "pdf" and not ns.save_layout)


def h_report(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.reports import daily
    from terminal.services import reporting
    app, s = session_of(g)
    as_json = g["json"] or ns.format == "json"
    if _old_daily(ns):
        report = reporting.daily_report(app.ctx, s, ns.date)
        if ns.print:
            from terminal.services import receipts
            report = report | {"z_report": receipts.print_z_report(app.ctx, s, report)}
        return report if as_json else daily.as_csv(report) if ns.format == "csv" else daily.as_text(report)
    start, end = reporting.period(app.ctx, ns.start or ns.date, ns.end or ns.date)
    built = reporting.build(app.ctx, s, ns.report, start, end, ns.group_by, ns.language)
    saved = reporting.save_layout(app.ctx, s, built, ns.save_layout, ns.columns or "") if ns.save_layout else None
    table = reporting.choose(app.ctx, s, built, ns.columns, ns.layout)
    extra: dict[str, Any] = {"layout_saved": saved} if saved else {}
    if ns.print:
        extra["printed"] = reporting.print_narrow(app.ctx, s, table, ns.language)
    if ns.format == "pdf":
        from terminal.services.errors import InvalidArgument
        if not ns.out:
            raise InvalidArgument("a PDF goes to a file: give --out FILE", key="out")
        return {"report": built.report, "format": "pdf", **_write(ns.out, reporting.as_pdf(app.ctx, table,
                                                                                         ns.language)), **extra}
    from terminal.reports import render
    if as_json:
        out: Any = built.json | {"columns": [c.code for c in table.columns]} | extra
        text = None
    else:
        text = render.as_csv(table, ns.language) if ns.format == "csv" else render.as_text(table, ns.language)
        out = text
    if ns.out:
        import json
        data = json.dumps(out).encode() if text is None else text.encode()
        return {"report": built.report, "format": ns.format, **_write(ns.out, data), **extra}
    return out


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from terminal.services.reporting import GROUPS, LANGUAGES, REPORTS
    r = sub.add_parser("report", help="reports: daily, monthly, yearly, classified, reading, registration"
                       ).add_subparsers(dest="sub", required=True)
    for name in REPORTS:
        x = r.add_parser(name, help=f"the {name} report")
        x.add_argument("--from", dest="start", help="first day YYYY-MM-DD")
        x.add_argument("--to", dest="end", help="last day YYYY-MM-DD (included)")
        x.add_argument("--date", help="one day (the daily report's shorthand)")
        x.add_argument("--group-by", choices=GROUPS if name == "classified" else (), default=None)
        x.add_argument("--columns", help="the columns, comma-separated, in order")
        x.add_argument("--layout", help="the columns of a layout you saved")
        x.add_argument("--save-layout", help="save --columns as your layout NAME")
        x.add_argument("--format", choices=("json", "csv", "text", "pdf"), default="text")
        x.add_argument("--out", help="write the output to this file")
        x.add_argument("--print", action="store_true", help="print it on the receipt printer")
        x.add_argument("--language", choices=LANGUAGES, default="en")
        x.set_defaults(handler=h_report, report=name)
