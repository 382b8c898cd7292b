"""The receipt layout model: one list of elements, rendered to ESC/POS and to PNG.

``build_layout(data, fmt)`` is pure (no I/O): it decides every row of the receipt and
wraps it to the paper's column count (font A: 48 columns on 80 mm, 32 on 58 mm), so
the printer renderer (:mod:`.escpos_render`) and the preview (:mod:`.preview`) only
draw what is here and cannot drift apart.
"""
from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Literal, TypeAlias

from .invoice_format import InvoiceFormat
from .labels import label_table
from .model import ReceiptData, ReceiptKind

Align: TypeAlias = Literal["left", "center", "right"]

#: paper width (mm) -> (font A columns, printable dots at 203 dpi, QR module size in dots)
PAPER: dict[int, tuple[int, int, int]] = {80: (48, 576, 5), 58: (32, 384, 4)}
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
PAIR_GAP = 2  # least spaces between a label and its value


@dataclass(frozen=True)
class TextRow:
    """One printed row; the layout guarantees it fits (``double_width`` halves the room)."""

    text: str
    align: Align = "left"
    bold: bool = False
    double_width: bool = False
    double_height: bool = False


@dataclass(frozen=True)
class PairRow:
    """``left`` flush left and ``right`` flush right on one row; fits by construction."""

    left: str
    right: str
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class QrCode:
    payload: str
    box_size: int


@dataclass(frozen=True)
class Logo:
    path: str
    max_width_dots: int


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    pass


Element: TypeAlias = TextRow | PairRow | Rule | QrCode | Logo | Feed | Cut


@dataclass(frozen=True)
class ReceiptLayout:
    paper_width_mm: int
    columns: int
    dots: int
    elements: tuple[Element, ...]

    def text_lines(self) -> list[str]:
        """The receipt as plain text rows (for logs, tests and the text report view)."""
        out: list[str] = []
        for el in self.elements:
            if isinstance(el, (TextRow, PairRow, Rule)):
                out.append(row_text(el, self.columns))
            elif isinstance(el, QrCode):
                out.append("[QR] " + el.payload)
            elif isinstance(el, Logo):
                out.append("[LOGO]")
            elif isinstance(el, Feed):
                out.extend([""] * el.lines)
        return out


def row_text(el: TextRow | PairRow | Rule, columns: int) -> str:
    """The characters of a row as laid out across ``columns`` cells (a double-width
    row counts each character as two cells, so it spans ``columns // 2`` characters)."""
    if isinstance(el, Rule):
        return el.char * columns
    if isinstance(el, PairRow):
        return el.left + " " * (columns - len(el.left) - len(el.right)) + el.right
    room = columns // 2 if el.double_width else columns
    if el.align == "center":
        return el.text.center(room).rstrip()
    if el.align == "right":
        return el.text.rjust(room)
    return el.text


class _Builder:
    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.elements: list[Element] = []

    def add(self, el: Element) -> None:
        self.elements.append(el)

    def text(self, text: str, align: Align = "left", *, bold: bool = False,
             double_width: bool = False, double_height: bool = False, indent: int = 0) -> None:
        room = self.columns // 2 if double_width else self.columns
        for line in _wrap(text, room - indent):
            self.add(TextRow(" " * indent + line if indent else line, align, bold,
                             double_width, double_height))

    def pair(self, left: str, right: str, *, bold: bool = False) -> None:
        cols = self.columns
        left, right = clean_text(left), clean_text(right)
        if len(right) > cols - PAIR_GAP - 1:
            self.text(left, bold=bold)
            self.text(right, "right", bold=bold)
            return
        lines = _wrap(left, cols) or [""]
        last = lines[-1]
        for line in lines[:-1]:
            self.add(TextRow(line, bold=bold))
        if len(last) + PAIR_GAP + len(right) <= cols:
            self.add(PairRow(last, right, bold))
        else:
            self.add(TextRow(last, bold=bold))
            self.add(PairRow("", right, bold))


def clean_text(text: str) -> str:
    """Printable text only: NFC-composed, whitespace runs made one space, and control or
    format characters (an ESC in a customer's name would be a printer command) dropped."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))


def _wrap(text: str, width: int) -> list[str]:
    text = clean_text(text)
    if not text:
        return []
    return textwrap.wrap(text, max(width, 1), break_long_words=True, break_on_hyphens=False)


def build_layout(data: ReceiptData, fmt: InvoiceFormat) -> ReceiptLayout:
    """Lay out one receipt for the format's paper width and language."""
    columns, dots, qr_box = PAPER[fmt.paper_width_mm]
    words = label_table(fmt.language, fmt.labels)
    b = _Builder(columns)
    # a Z report is the cashier's, not a customer's: its total is the day's net takings and it
    # ends with its own words, not the customer footer ("Thank you ...")
    z_report = data.kind in (ReceiptKind.Z_REPORT, ReceiptKind.REPORT)

    if data.copy:
        b.text(words["copy"], "center", bold=True, double_height=True)
    if fmt.logo:
        b.add(Logo(fmt.logo, dots))
    b.text(fmt.utility_name, "center", bold=True, double_height=True)
    for line in fmt.header_lines:
        b.text(line, "center")
    b.add(Rule("="))
    b.text(words[f"title_{data.kind.value}"], "center", bold=True)
    b.add(Rule("-"))

    simple = {
        "receipt_no": data.receipt_no,
        "issued_at": data.issued_at.strftime(DATE_FORMAT),
        "terminal": data.terminal,
        "operator": data.operator,
        "customer": data.customer,
        "meter": data.meter,
        "power_type": data.power_type,
        "tariff_version": data.tariff_version,
        "payment": data.payment,
    }
    for name in fmt.fields:
        if name in simple:
            if simple[name]:
                b.pair(words[name], simple[name])
        elif name == "extra":
            for label, value in data.extra:
                b.pair(label, value)
        elif name == "lines" and data.lines:
            b.add(Rule("-"))
            for sale_line in data.lines:
                b.pair(sale_line.label, sale_line.amount)
                if sale_line.detail:
                    b.text(sale_line.detail, indent=2)
            b.add(Rule("-"))
        elif name in ("tendered", "energy"):
            value = data.tendered if name == "tendered" else data.energy
            if value:
                b.pair(words["z_net_takings"] if z_report and name == "tendered" else words[name], value,
                       bold=True)
        elif name == "token" and data.token:
            b.add(Rule("-"))
            b.text(words["token"], "center", bold=True)
            grouped = data.token_grouped  # 24 characters: double width fits 48 columns only
            b.text(grouped, "center", bold=True, double_width=columns // 2 >= len(grouped),
                   double_height=True)
            b.text(words["token_hint"], "center")
            b.add(Rule("-"))
        elif name == "qr" and data.verify_payload:
            b.add(QrCode(data.verify_payload, qr_box))
            b.text(words["qr"], "center")

    footer = [words["z_end"]] if z_report else list(fmt.footer_lines)
    if footer:
        b.add(Rule("="))
        for line in footer:
            b.text(line, "center")
    if data.copy:
        b.text(words["copy"], "center", bold=True, double_height=True)
    b.add(Cut())
    return ReceiptLayout(fmt.paper_width_mm, columns, dots, tuple(b.elements))


__all__ = [
    "PAPER",
    "Cut",
    "Element",
    "Feed",
    "Logo",
    "PairRow",
    "QrCode",
    "ReceiptKind",
    "ReceiptLayout",
    "Rule",
    "TextRow",
    "build_layout",
    "clean_text",
    "row_text",
]
