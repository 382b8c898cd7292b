"""Layout -> ESC/POS bytes, through python-escpos with a real printer profile.

Rendering is pure: it writes into an ``escpos.printer.Dummy`` and returns its bytes, so
the golden-file tests see exactly what a USB, serial, network or file printer is sent.
The package ``__init__`` fixes ``ESCPOS_CAPABILITIES_PICKLE_DIR`` first (FIELD-NOTES).
"""
from __future__ import annotations

import codecs

from escpos.escpos import Escpos
from escpos.printer import Dummy

from .images import load_logo, qr_image
from .layout import (
    Cut,
    Feed,
    Logo,
    PairRow,
    QrCode,
    ReceiptLayout,
    Rule,
    TextRow,
    row_text,
)

#: python-escpos capability profiles per paper width (font A: 48 / 32 columns).
PROFILES: dict[int, str] = {80: "TM-T20II", 58: "POS-5890"}
START_CODE_PAGE = "CP437"


def profile_for(paper_width_mm: int, override: str = "") -> str:
    return override or PROFILES[paper_width_mm]


def reader_code_pages(profile: str) -> dict[int, str]:
    """ESC t slots of a python-escpos profile -> Python codec names, for
    :func:`~.escpos_reader.read_escpos` (pages Python has no codec for are left out)."""
    pages: dict[int, str] = {}
    for name, slot in Dummy(profile=profile).profile.get_code_pages().items():
        try:
            pages[int(slot)] = codecs.lookup(name.replace("_", "-").lower()).name
        except LookupError:
            continue
    return pages


def render_escpos(layout: ReceiptLayout, profile: str = "") -> bytes:
    """The exact bytes of the receipt for the printer ``profile`` (default by paper width)."""
    printer = Dummy(profile=profile_for(layout.paper_width_mm, profile))
    write_layout(printer, layout)
    data: bytes = printer.output
    return data


def write_layout(printer: Escpos, layout: ReceiptLayout) -> None:
    """Send the layout's elements as ESC/POS commands to ``printer``."""
    printer.hw("INIT")
    # Start from the code page ESC @ leaves on Epson-style printers (PC437) and say so
    # explicitly; python-escpos still switches pages for characters PC437 lacks.
    printer.magic.write_with_encoding(START_CODE_PAGE, None)
    for el in layout.elements:
        if isinstance(el, TextRow):
            big = el.double_width or el.double_height
            printer.set(align=el.align, bold=el.bold, normal_textsize=not big,
                        double_width=el.double_width, double_height=el.double_height)
            printer.textln(el.text)
        elif isinstance(el, (PairRow, Rule)):
            printer.set(align="left", bold=isinstance(el, PairRow) and el.bold,
                        normal_textsize=True)
            printer.textln(row_text(el, layout.columns))
        elif isinstance(el, QrCode):
            printer.set(align="left", bold=False, normal_textsize=True)
            printer.image(qr_image(el.payload, el.box_size, layout.dots), center=True)
        elif isinstance(el, Logo):
            printer.set(align="left", bold=False, normal_textsize=True)
            printer.image(load_logo(el.path, el.max_width_dots), center=True)
        elif isinstance(el, Feed):
            printer.ln(el.lines)
        elif isinstance(el, Cut):
            printer.set(align="left", bold=False, normal_textsize=True)
            printer.cut()


__all__ = ["PROFILES", "profile_for", "reader_code_pages", "render_escpos", "write_layout"]
