"""Text renderers of a report `Table`: the screen, CSV and the receipt printer's lines.

    as_text(table)     a title, the period, one aligned line per row, the totals
    as_csv(table)      a header of column codes, one line per row, the totals last
    receipt_lines(t)   (label, detail, amount) per row for the printer's narrow layout:
                       the row's key and its first money column, the other columns below

Each takes the table as `Table.chosen(...)` left it: the columns chosen, in their order.
"""
from __future__ import annotations

import csv
import io
import unicodedata

from terminal.reports.model import Table


def width(text: str) -> int:
    """Columns a text takes on a screen (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, size: int, right: bool) -> str:
    gap = " " * max(size - width(text), 0)
    return gap + text if right else text + gap


def as_text(t: Table, language: str = "en") -> str:
    heads = [c.label(language) for c in t.columns]
    cells = [[t.shown(c.code, row.get(c.code)) for c in t.columns]
             for row in [*t.rows, t.totals]]
    sizes = [max(width(h), *(width(r[i]) for r in cells)) for i, h in enumerate(heads)]
    right = [c.kind != "text" for c in t.columns]

    def line(values: list[str]) -> str:
        return "  ".join(_pad(v, sizes[i], right[i]) for i, v in enumerate(values)).rstrip()

    rule = "-" * (sum(sizes) + 2 * (len(sizes) - 1))
    out = [t.title, f"{t.period[0]} .. {t.period[1]}  ({t.currency.code})", rule, line(heads), rule]
    out += [line(r) for r in cells[:-1]]
    out += [rule, line(cells[-1])]
    return "\n".join(out) + "\n" + "".join("\n" + as_text(part, language) for part in t.parts)


def as_csv(t: Table, language: str = "en") -> str:
    """Column codes on the first line (what --columns names), then the rows and the totals."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([c.code for c in t.columns])
    for row in [*t.rows, t.totals]:
        w.writerow([t.shown(c.code, row.get(c.code)) for c in t.columns])
    for part in t.parts:   # a blank line, the part's name, then its own header and rows
        w.writerow([])
        w.writerow([part.report])
        buf.write(as_csv(part, language))
    return buf.getvalue()


def receipt_lines(t: Table, language: str = "en") -> tuple[tuple[str, str, str], ...]:
    """One (label, detail, amount) per row and for the totals, for the receipt printer."""
    figures = [c for c in t.columns if c.code != "key"]
    main = next((c for c in figures if c.kind == "money"), figures[0] if figures else None)
    out: list[tuple[str, str, str]] = []
    for row in [*t.rows, t.totals]:
        key = str(row.get("key", ""))
        others = "; ".join(f"{c.label(language)} {t.shown(c.code, row.get(c.code))}"
                           for c in figures if c is not main)
        out.append((key, others, t.shown(main.code, row.get(main.code)) if main else ""))
    for part in t.parts:
        out.append((part.title, "", ""))
        out += receipt_lines(part, language)
    return tuple(out)
