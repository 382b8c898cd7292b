"""The PNG preview draws the same layout as the printer prints."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from hardware.printers import build_layout
from hardware.printers.escpos_reader import PrintedImage, read_escpos
from hardware.printers.escpos_render import render_escpos
from hardware.printers.images import load_logo
from hardware.printers.layout import Logo, PairRow, QrCode, Rule, TextRow
from hardware.printers.preview import (
    CELL_H,
    CELL_W,
    FONT_DIR,
    MARGIN,
    main,
    render_preview,
)
from hardware.printers.sample import SAMPLE_FORMAT, sample_sale

ROOT = Path(__file__).resolve().parents[3]
#: the docs pictures and the command line that makes each (the Makefile target runs these)
DOCS = {
    "receipt-preview.png": [],
    "receipt-preview-58.png": ["--format", "config/receipts/kiosk-58mm-sw.toml", "--copy"],
}


@pytest.mark.parametrize("paper", [58, 80])
def test_picture_is_the_printer_width_and_holds_every_row(paper: int) -> None:
    layout = build_layout(sample_sale(copy=True), replace(SAMPLE_FORMAT, paper_width_mm=paper))
    pv = render_preview(layout)
    assert pv.image.width == layout.dots + 2 * MARGIN
    assert [el for el, _ in pv.boxes] == list(layout.elements)
    for el, (left, top, right, bottom) in pv.boxes:
        assert MARGIN <= left <= right <= MARGIN + layout.dots
        if isinstance(el, TextRow):
            assert right - left == len(el.text) * CELL_W * (2 if el.double_width else 1)
            assert bottom - top == CELL_H * (2 if el.double_height else 1)
            inked = pv.image.crop((left, top, right, bottom)).getextrema()[0] < 128
            assert inked == bool(el.text.strip()), el
        elif isinstance(el, (PairRow, Rule)):
            assert right - left == layout.columns * CELL_W


def test_qr_pixels_are_the_printed_qr_dots() -> None:
    layout = build_layout(sample_sale(), SAMPLE_FORMAT)
    pv = render_preview(layout)
    box = next(b for el, b in pv.boxes if isinstance(el, QrCode))
    printed = next(i for i in read_escpos(render_escpos(layout)) if isinstance(i, PrintedImage))
    drawn = pv.image.crop(box)
    offset = box[0] - MARGIN  # both centre the same bitmap on the printable width
    assert drawn.height == printed.height
    for y in range(drawn.height):
        for x in range(drawn.width):
            assert (drawn.getpixel((x, y)) == 0) == printed.dark(x + offset, y), (x, y)


def test_logo_is_drawn_and_printed_alike(tmp_path: Path) -> None:
    logo = Image.new("L", (900, 300), 255)
    logo.paste(0, (100, 50, 800, 250))
    path = tmp_path / "logo.png"
    logo.save(path)
    layout = build_layout(sample_sale(), replace(SAMPLE_FORMAT, logo=str(path)))
    bitmap = load_logo(str(path), 576)
    assert bitmap.width <= 576 and bitmap.height <= 160
    pv = render_preview(layout)
    box = next(b for el, b in pv.boxes if isinstance(el, Logo))
    assert ImageChops.difference(pv.image.crop(box), bitmap).getbbox() is None
    printed = [i for i in read_escpos(render_escpos(layout)) if isinstance(i, PrintedImage)]
    assert printed[0].height == bitmap.height  # the logo is the first image, before the QR


def test_fonts_are_installed() -> None:
    # The docs pictures are drawn with DejaVu Sans Mono (Debian: fonts-dejavu-core).
    assert (FONT_DIR / "DejaVuSansMono.ttf").is_file()
    assert (FONT_DIR / "DejaVuSansMono-Bold.ttf").is_file()


@pytest.mark.parametrize("name", sorted(DOCS))
def test_docs_picture_is_current(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / name
    assert main(["--out", str(out), *DOCS[name]]) == 0
    with Image.open(ROOT / "docs" / name) as checked_in, Image.open(out) as fresh:
        assert checked_in.size == fresh.size
        assert ImageChops.difference(checked_in.convert("L"), fresh.convert("L")).getbbox() is None, (
            f"docs/{name} is out of date: run `make receipt-previews` "
            "(python -m hardware.printers.preview ...) and commit the picture.")


def test_preview_command_draws_the_test_page(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "test-page.png"
    assert main(["--out", str(out), "--test-page", "--paper", "58", "--language", "fr"]) == 0
    with Image.open(out) as img:
        assert img.width == 384 + 2 * MARGIN
    assert str(out) in capsys.readouterr().out
