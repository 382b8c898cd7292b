"""Layout -> PNG preview, one pixel per printer dot (203 dpi), for the screen and the docs.

Draws the same :class:`~.layout.ReceiptLayout` the printer gets: text on the font-A grid
(12 x 24 dots a cell), double width/height by scaling the row as the printer does, and
the very same QR and logo bitmaps (:mod:`.images`).

Regenerate the docs picture with::

    python -m hardware.printers.preview --out docs/receipt-preview.png
    python -m hardware.printers.preview --paper 58 --out docs/receipt-preview-58.png
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .images import load_logo, qr_image
from .invoice_format import InvoiceFormat, load_invoice_format
from .layout import (
    Cut,
    Element,
    Feed,
    Logo,
    PairRow,
    QrCode,
    ReceiptLayout,
    Rule,
    TextRow,
    build_layout,
    row_text,
)
from .model import ReceiptData

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CELL_W, CELL_H = 12, 24        # font A cell in dots
LINE_PITCH = 30                # dots from one text row to the next
CUT_FEED_LINES = 6             # python-escpos feeds six lines before cutting
MARGIN = 24                    # paper margin around the printable width in the picture
FONT_SIZE = 20                 # DejaVu Sans Mono 20 px: 12 px advance, fits the cell

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Preview:
    image: Image.Image
    boxes: tuple[tuple[Element, tuple[int, int, int, int]], ...]
    """Each element with the (left, top, right, bottom) it occupies, in picture pixels."""


@lru_cache(maxsize=4)
def _font(bold: bool) -> FontType:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), FONT_SIZE)
    except OSError:
        return ImageFont.load_default()


def _draw_row(text: str, bold: bool) -> Image.Image:
    """One row of characters at normal size, each character in its own cell."""
    img = Image.new("L", (max(1, len(text)) * CELL_W, CELL_H), 255)
    draw = ImageDraw.Draw(img)
    font = _font(bold)
    for i, ch in enumerate(text):
        if ch != " ":
            draw.text((i * CELL_W + CELL_W // 2, CELL_H // 2), ch, fill=0, font=font, anchor="mm")
            if bold and not isinstance(font, ImageFont.FreeTypeFont):
                draw.text((i * CELL_W + CELL_W // 2 + 1, CELL_H // 2), ch, fill=0, font=font,
                          anchor="mm")
    return img


def render_preview(layout: ReceiptLayout) -> Preview:
    """Draw the receipt; the picture is as tall as the paper it would use."""
    pieces: list[tuple[Element, Image.Image | None, int, int]] = []  # element, bitmap, x, height
    for el in layout.elements:
        if isinstance(el, (TextRow, PairRow, Rule)):
            if isinstance(el, TextRow):
                row = _draw_row(el.text, el.bold)
                wx, hx = (2 if el.double_width else 1), (2 if el.double_height else 1)
                if wx > 1 or hx > 1:
                    row = row.resize((row.width * wx, row.height * hx), Image.Resampling.NEAREST)
                if el.align == "center":
                    x = max(0, (layout.dots - row.width) // 2)
                elif el.align == "right":
                    x = max(0, layout.dots - row.width)
                else:
                    x = 0
                pieces.append((el, row, x, LINE_PITCH + (hx - 1) * CELL_H))
            else:
                bold = isinstance(el, PairRow) and el.bold
                pieces.append((el, _draw_row(row_text(el, layout.columns), bold), 0, LINE_PITCH))
        elif isinstance(el, (QrCode, Logo)):
            bmp: Image.Image = (qr_image(el.payload, el.box_size, layout.dots) if isinstance(el, QrCode)
                   else load_logo(el.path, el.max_width_dots))
            pieces.append((el, bmp, (layout.dots - bmp.width) // 2, bmp.height))
        elif isinstance(el, Feed):
            pieces.append((el, None, 0, LINE_PITCH * el.lines))
        elif isinstance(el, Cut):
            pieces.append((el, None, 0, LINE_PITCH * CUT_FEED_LINES))

    height = MARGIN * 2 + sum(p[3] for p in pieces)
    width = layout.dots + MARGIN * 2
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    boxes: list[tuple[Element, tuple[int, int, int, int]]] = []
    y = MARGIN
    for el, pic, x, h in pieces:
        if pic is not None:
            left = MARGIN + x
            top = y if isinstance(el, (QrCode, Logo)) else y + (h - pic.height) // 2
            img.paste(pic, (left, top))
            boxes.append((el, (left, top, left + pic.width, top + pic.height)))
        else:
            boxes.append((el, (MARGIN, y, MARGIN + layout.dots, y + h)))
        if isinstance(el, Cut):
            for dash_x in range(0, width, 16):
                draw.line((dash_x, y + h - 2, dash_x + 8, y + h - 2), fill=128, width=2)
        y += h
    draw.rectangle((0, 0, width - 1, height - 1), outline=192)
    return Preview(img, tuple(boxes))


def preview_png(layout: ReceiptLayout, out: str | Path) -> Path:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    render_preview(layout).image.save(path, format="PNG", optimize=True)
    return path


def preview_receipt(data: ReceiptData, fmt: InvoiceFormat, out: str | Path) -> Path:
    """The PNG of one receipt, from the same layout the printer is sent."""
    return preview_png(build_layout(data, fmt), out)


def main(argv: list[str] | None = None) -> int:
    from .sample import SAMPLE_FORMAT, printer_test_page, sample_sale

    ap = argparse.ArgumentParser(prog="python -m hardware.printers.preview",
                                 description="Draw a receipt preview PNG from its layout.")
    ap.add_argument("--out", required=True, help="PNG file to write")
    ap.add_argument("--format", dest="fmt", help="invoice format file (.toml/.json); "
                    "default: the built-in sample format")
    ap.add_argument("--paper", type=int, choices=(58, 80), help="override the paper width")
    ap.add_argument("--language", help="override the language (en, fr, sw)")
    ap.add_argument("--copy", action="store_true", help="draw the reprint (COPY) form")
    ap.add_argument("--test-page", action="store_true", help="draw the printer test page")
    args = ap.parse_args(argv)
    fmt = load_invoice_format(args.fmt) if args.fmt else SAMPLE_FORMAT
    if args.paper:
        fmt = replace(fmt, paper_width_mm=args.paper)
    if args.language:
        fmt = replace(fmt, language=args.language)
    fmt.validate()
    data = (printer_test_page(fmt, datetime(2026, 3, 5, 10, 0)) if args.test_page
            else sample_sale(copy=args.copy))
    path = preview_receipt(data, fmt, args.out)
    print(path)
    return 0


__all__ = ["Preview", "main", "preview_png", "preview_receipt", "render_preview"]

if __name__ == "__main__":
    sys.exit(main())
