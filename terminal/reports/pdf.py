"""A report `Table` as a PDF on A4 (fpdf2): the utility's header, the period, page numbers,
the chart, the table with its header on every page and the totals on the last page.

One TrueType font carries Latin and Chinese text (a CJK font such as WenQuanYi Micro Hei
or Noto Sans CJK: `find_font`); every figure is text in the table, so `pdftotext` and a
reader's search find it (the chart's bars are drawn, its labels are text too). The same
table and the same `made_at` give the same bytes.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from fpdf import FPDF

from terminal.reports.model import Chart, Table

FONT_CANDIDATES: Final = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
_FONT: Final = "cjk"
_BAR: Final = (52, 101, 164)
_BAR2: Final = (191, 144, 0)


def find_font(candidates: Sequence[Path] = FONT_CANDIDATES) -> Path | None:
    """The first CJK font installed (the Makefile installs fonts-wqy-microhei)."""
    return next((p for p in candidates if p.is_file()), None)


class _Page(FPDF):
    def __init__(self, header: str, title: str, period: str, made: str, language: str, landscape: bool) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self._lines = (header, title, period, made)
        self._zh = language == "zh"

    def header(self) -> None:
        header, title, period, made = self._lines
        self.set_font(_FONT, size=13)
        self.cell(0, 7, header, new_x="LMARGIN", new_y="NEXT", align="C")
        self.set_font(_FONT, size=11)
        self.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT", align="C")
        self.set_font(_FONT, size=9)
        self.cell(self.epw / 2, 5, period)
        self.cell(self.epw / 2, 5, made, new_x="LMARGIN", new_y="NEXT", align="R")
        self.set_draw_color(0, 0, 0)
        self.line(self.l_margin, self.get_y() + 1, self.l_margin + self.epw, self.get_y() + 1)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, size=8)
        text = f"第 {self.page_no()} 页，共 {{nb}} 页" if self._zh else f"Page {self.page_no()} of {{nb}}"
        self.cell(0, 6, text, align="C")


def as_pdf(t: Table, *, utility: str, font: Path, made_at: datetime, language: str = "en") -> bytes:
    zh = language == "zh"
    period = (f"期间 {t.period[0]} 至 {t.period[1]}（{t.currency.code}）" if zh
              else f"Period {t.period[0]} to {t.period[1]} ({t.currency.code})")
    made = f"{'制表时间' if zh else 'Printed'} {made_at.isoformat(sep=' ', timespec='minutes')}"
    pdf = _Page(utility, t.title, period, made, language, landscape=len(t.columns) > 8)
    pdf.set_creation_date(made_at)
    pdf.set_title(t.title)
    pdf.set_author(utility)
    pdf.add_font(_FONT, fname=str(font))
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    for chart in t.charts:
        _chart(pdf, t, chart)
    _table(pdf, t, language)
    for part in t.parts:
        if pdf.will_page_break(8 + 8 + 5.5 * (len(part.rows) + 1)):
            pdf.add_page()
        pdf.ln(6)
        pdf.set_font(_FONT, size=10)
        pdf.cell(0, 7, part.title, new_x="LMARGIN", new_y="NEXT")
        _table(pdf, part, language)
    return bytes(pdf.output())


def _table(pdf: _Page, t: Table, language: str) -> None:
    key_w, text_w = 34.0, 26.0     # the key; another text column (a time, a name)
    texts = sum(c.kind == "text" and c.code != "key" for c in t.columns)
    other = max(len(t.columns) - 1 - texts, 1)
    col_w = min((pdf.epw - key_w - texts * text_w) / other, 30.0)
    widths = [key_w if c.code == "key" else text_w if c.kind == "text" else col_w for c in t.columns]

    def head() -> None:
        pdf.set_font(_FONT, size=7.5)
        pdf.set_fill_color(225, 230, 240)
        for c, w in zip(t.columns, widths, strict=True):
            pdf.multi_cell(w, 8, c.label(language), border=1, fill=True, align="C",
                           new_x="RIGHT", new_y="TOP", max_line_height=4)
        pdf.ln(8)

    def row(values: dict[str, Any], bold: bool = False) -> None:
        if pdf.will_page_break(5.5):
            pdf.add_page()
            head()
        pdf.set_font(_FONT, size=8.5 if bold else 8)
        if bold:
            pdf.set_fill_color(240, 240, 240)
        for c, w in zip(t.columns, widths, strict=True):
            text = t.shown(c.code, values.get(c.code))
            pdf.cell(w, 5.5, text, border=1, align="L" if c.kind == "text" else "R", fill=bold)
        pdf.ln(5.5)

    head()
    for r in t.rows:
        row(r)
    row(t.totals, bold=True)


def _chart(pdf: _Page, t: Table, chart: Chart) -> None:
    values = [int(r.get(chart.column) or 0) for r in t.rows]
    second = chart.compare[1] if chart.compare else None
    if not values:
        return
    top = max([0, *values, *(second or [])]) or 1
    x0, y0, w, h = pdf.l_margin + 14, pdf.get_y() + 7, pdf.epw - 18, 48.0
    pdf.set_font(_FONT, size=9)
    pdf.cell(0, 6, chart.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(120, 120, 120)
    pdf.line(x0, y0 + h, x0 + w, y0 + h)
    pdf.line(x0, y0, x0, y0 + h)
    pdf.set_font(_FONT, size=6)
    for frac in (0, 0.5, 1):
        pdf.set_xy(pdf.l_margin, y0 + h - h * frac - 2)
        pdf.cell(13, 4, t.shown(chart.column, int(top * frac)).split(".")[0], align="R")
    slot = w / len(values)
    bar = slot * (0.38 if second else 0.7)
    for i, v in enumerate(values):
        x = x0 + i * slot + slot * 0.15
        pdf.set_fill_color(*_BAR)
        pdf.rect(x, y0 + h - h * max(v, 0) / top, bar, h * max(v, 0) / top, style="F")
        if second:
            pdf.set_fill_color(*_BAR2)
            pdf.rect(x + bar, y0 + h - h * max(second[i], 0) / top, bar, h * max(second[i], 0) / top, style="F")
        if len(values) <= 16 or i % max(len(values) // 16, 1) == 0:
            pdf.set_xy(x0 + i * slot, y0 + h + 0.5)
            pdf.cell(slot, 3.5, _short(str(t.rows[i].get("key", ""))), align="C")
    if chart.compare:
        pdf.set_xy(x0 + w - 60, y0 - 5)
        for name, colour in ((chart.compare_to, _BAR), (chart.compare[0], _BAR2)):
            pdf.set_fill_color(*colour)
            pdf.rect(pdf.get_x(), pdf.get_y() + 1, 3, 3, style="F")
            pdf.set_x(pdf.get_x() + 4)
            pdf.cell(26, 5, name)
    pdf.set_xy(pdf.l_margin, y0 + h + 6)


def _short(key: str) -> str:
    """A day's key as its day of the month (the chart's axis); other keys as they are."""
    return key[8:] if len(key) == 10 and key[4] == "-" else key[:10]
