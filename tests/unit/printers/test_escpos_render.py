"""The exact ESC/POS bytes of known receipts, and the bytes say what the layout says."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.printers import ReceiptData, ReceiptKind, ReceiptLine, build_layout
from hardware.printers.escpos_reader import (
    PrintedCut,
    PrintedFeed,
    PrintedImage,
    PrintedRow,
    printed_text,
    read_escpos,
)
from hardware.printers.escpos_render import reader_code_pages, render_escpos
from hardware.printers.images import qr_image
from hardware.printers.layout import PairRow, QrCode, Rule, TextRow, row_text
from hardware.printers.sample import SAMPLE_FORMAT, sample_sale

from .golden import CASES, load_vectors, render_case


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_bytes(name: str) -> None:
    want = load_vectors()[name]
    got = render_case(name)
    assert hashlib.sha256(got).hexdigest() == want["sha256"], (
        f"{name}: the receipt bytes changed. If that is intended, regenerate with "
        "`PYTHONPATH=. python -m tests.unit.printers.golden --write` and review the diff.")
    assert got.hex() == want["hex"] and len(got) == want["length"]


def test_golden_file_covers_every_case() -> None:
    assert set(load_vectors()) == set(CASES)


def test_known_receipt_starts_as_an_epson_printer_expects() -> None:
    data = bytes.fromhex(load_vectors()["sale_80_en"]["hex"])
    # ESC @ (initialise), ESC t 0 (PC437), then the utility name centred, bold, double height
    assert data.startswith(b"\x1b@\x1bt\x00")
    assert b"\x1b!\x10\x1bE\x01\x1ba\x01Lakeside Power & Light\n" in data
    assert data.endswith(b"\x1bd\x06\x1dV\x00")  # feed 6 lines, full cut (TM-T20II)
    assert b"\x1dv0\x00" in data  # the QR as a GS v 0 raster image


def test_58mm_profile_has_no_cutter_and_its_own_code_page_slot() -> None:
    data = render_case("sale_58_fr_copy")
    assert data.startswith(b"\x1b@\x1bt\x34")  # POS-5890 keeps PC437 in slot 52
    assert b"\x1dV" not in data
    assert "REÇU DE VENTE".encode("cp437") in data


def _expected_rows(data: ReceiptData, fmt: object) -> list[tuple[str, str, bool, bool, bool]]:
    layout = build_layout(data, fmt)  # type: ignore[arg-type]
    out = []
    for el in layout.elements:
        if isinstance(el, TextRow):
            out.append((el.text, el.align, el.bold, el.double_width, el.double_height))
        elif isinstance(el, (PairRow, Rule)):
            out.append((row_text(el, layout.columns), "left",
                        isinstance(el, PairRow) and el.bold, False, False))
    return out


_latin = st.text(st.sampled_from("abcdefXYZ 0123456789.,-éèçàôÉÇ°%&"), max_size=40)


@given(paper=st.sampled_from([58, 80]), lang=st.sampled_from(["en", "fr", "sw"]),
       customer=_latin, lines=st.lists(st.tuples(_latin, _latin, _latin), max_size=4),
       copy=st.booleans(), token=st.booleans())
def test_printed_rows_are_the_layout_rows(paper: int, lang: str, customer: str,
                                          lines: list[tuple[str, str, str]], copy: bool,
                                          token: bool) -> None:
    fmt = replace(SAMPLE_FORMAT, paper_width_mm=paper, language=lang)
    data = ReceiptData(kind=ReceiptKind.SALE, receipt_no="T01-9", issued_at=datetime(2026, 1, 1),
                       customer=customer, lines=tuple(ReceiptLine(*x) for x in lines),
                       token="98765432109876543210" if token else "", verify_payload="v",
                       copy=copy)
    items = read_escpos(render_escpos(build_layout(data, fmt)))
    got = [(r.text, r.align, r.bold, r.double_width, r.double_height)
           for r in items if isinstance(r, PrintedRow)]
    assert got == _expected_rows(data, fmt)


def test_qr_raster_is_the_shared_qr_bitmap() -> None:
    layout = build_layout(sample_sale(), SAMPLE_FORMAT)
    qr = next(e for e in layout.elements if isinstance(e, QrCode))
    bitmap = qr_image(qr.payload, qr.box_size, layout.dots)
    images = [i for i in read_escpos(render_escpos(layout)) if isinstance(i, PrintedImage)]
    assert len(images) == 1
    img = images[0]
    assert img.width == 576 and img.height == bitmap.height
    left = (576 - bitmap.width) // 2  # python-escpos centres on the profile's 576 dots
    for y in range(bitmap.height):
        for x in range(img.width):
            inside = left <= x < left + bitmap.width
            want = inside and bitmap.getpixel((x - left, y)) == 0
            assert img.dark(x, y) == want, (x, y)


def test_receipt_ends_with_feed_and_cut() -> None:
    items = read_escpos(render_case("sale_80_en"))
    assert isinstance(items[-2], PrintedFeed) and items[-2].lines == 6
    assert items[-1] == PrintedCut(partial=False)
    assert "Carried to next purchase                    0.05" in printed_text(items)


def test_euro_sign_switches_code_page_and_reads_back() -> None:
    data = replace(sample_sale(), tendered="€ 12.50", customer="Zoë Ünal")
    raw = render_escpos(build_layout(data, SAMPLE_FORMAT))
    assert raw.count(b"\x1bt") > 1  # PC437 has no euro sign: python-escpos switches pages
    text = printed_text(read_escpos(raw, reader_code_pages("TM-T20II")))
    assert any(r.endswith("€ 12.50") for r in text)
    assert any(r.endswith("Zoë Ünal") for r in text)


def test_reader_refuses_what_it_does_not_know() -> None:
    for bad in (b"\x1bZ\x00", b"abc", b"\x1dv1\x00\x01\x00\x01\x00\xff", b"\x07"):
        with pytest.raises(ValueError):
            read_escpos(bad)
