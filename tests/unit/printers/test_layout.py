from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from hardware.printers import ReceiptData, ReceiptKind, ReceiptLine, build_layout
from hardware.printers.labels import LABELS
from hardware.printers.layout import (
    Cut,
    Logo,
    PairRow,
    QrCode,
    ReceiptLayout,
    Rule,
    TextRow,
    row_text,
)
from hardware.printers.sample import SAMPLE_FORMAT, sample_sale

FMT_58 = replace(SAMPLE_FORMAT, paper_width_mm=58)


def _rows(layout: ReceiptLayout) -> list[str]:
    return [row_text(el, layout.columns) for el in layout.elements
            if isinstance(el, (TextRow, PairRow, Rule))]


def _cells(el: TextRow | PairRow | Rule, columns: int) -> int:
    text = row_text(el, columns)
    return len(text) * (2 if isinstance(el, TextRow) and el.double_width else 1)


def test_column_counts() -> None:
    assert build_layout(sample_sale(), SAMPLE_FORMAT).columns == 48
    assert build_layout(sample_sale(), FMT_58).columns == 32
    assert build_layout(sample_sale(), FMT_58).dots == 384


def test_sale_shows_every_field_and_line() -> None:
    data = sample_sale()
    text = "\n".join(build_layout(data, SAMPLE_FORMAT).text_lines())
    for value in (data.receipt_no, "2026-03-05 10:00:00", data.terminal, data.operator,
                  data.customer, data.meter, data.power_type, data.tariff_version,
                  data.payment, data.tendered, data.energy, "1234 5678 9012 3456 7890",
                  "SALE RECEIPT", "[QR] " + data.verify_payload):
        assert value in text, value
    for line in data.lines:
        assert line.label in text and line.amount in text and line.detail in text


def test_field_order_follows_the_format_and_omitted_fields_vanish() -> None:
    fmt = replace(SAMPLE_FORMAT, fields=("meter", "receipt_no", "lines", "issued_at", "token"))
    rows = _rows(build_layout(sample_sale(), fmt))
    meter = next(i for i, r in enumerate(rows) if r.startswith("Meter"))
    number = next(i for i, r in enumerate(rows) if r.startswith("Receipt no"))
    date = next(i for i, r in enumerate(rows) if r.startswith("Date"))
    fixed = next(i for i, r in enumerate(rows) if r.startswith("Fixed charge"))
    assert meter < number < fixed < date
    joined = "\n".join(rows)
    assert "Operator" not in joined and "Tendered" not in joined
    assert not any(isinstance(e, QrCode) for e in build_layout(sample_sale(), fmt).elements)


def test_token_is_big_and_fits_both_papers() -> None:
    for fmt, double_width in ((SAMPLE_FORMAT, True), (FMT_58, False)):
        layout = build_layout(sample_sale(), fmt)
        tok = [e for e in layout.elements if isinstance(e, TextRow) and "5678" in e.text]
        assert len(tok) == 1
        assert tok[0].text == "1234 5678 9012 3456 7890"
        assert tok[0].double_height and tok[0].bold and tok[0].double_width is double_width


def test_no_token_no_token_rows() -> None:
    rows = _rows(build_layout(sample_sale(token=False), SAMPLE_FORMAT))
    assert not any("STS TOKEN" in r for r in rows)


def test_copy_is_marked_top_and_bottom() -> None:
    layout = build_layout(sample_sale(copy=True), SAMPLE_FORMAT)
    rows = [e for e in layout.elements if isinstance(e, TextRow)]
    assert rows[0].text == "*** COPY ***" and rows[-1].text == "*** COPY ***"
    assert "*** COPY ***" not in build_layout(sample_sale(), SAMPLE_FORMAT).text_lines()


def test_titles_per_kind_and_language() -> None:
    for kind in ReceiptKind:
        for lang, words in LABELS.items():
            data = ReceiptData(kind=kind, receipt_no="R1", issued_at=datetime(2026, 1, 1))
            rows = _rows(build_layout(data, replace(SAMPLE_FORMAT, language=lang)))
            assert any(r.strip() == words[f"title_{kind.value}"] for r in rows)


def test_label_override_and_logo_and_cut() -> None:
    fmt = replace(SAMPLE_FORMAT, labels={"meter": "Meter no"}, logo="/x/logo.png")
    layout = build_layout(sample_sale(), fmt)
    assert any(r.startswith("Meter no  ") for r in _rows(layout))
    assert Logo("/x/logo.png", 576) in layout.elements
    assert isinstance(layout.elements[-1], Cut)


_text = st.text(st.characters(codec="latin-1", categories=("L", "N", "P", "Zs")), max_size=70)


@given(
    paper=st.sampled_from([58, 80]),
    lang=st.sampled_from(sorted(LABELS)),
    customer=_text, operator=_text, meter=_text, tendered=_text,
    lines=st.lists(st.tuples(_text, _text, _text), max_size=6),
    extra=st.lists(st.tuples(_text, _text), max_size=3),
    header=st.lists(_text, max_size=3),
    copy=st.booleans(),
)
def test_every_row_fits_the_paper(paper: int, lang: str, customer: str, operator: str,
                                  meter: str, tendered: str,
                                  lines: list[tuple[str, str, str]],
                                  extra: list[tuple[str, str]], header: list[str],
                                  copy: bool) -> None:
    fmt = replace(SAMPLE_FORMAT, paper_width_mm=paper, language=lang,
                  header_lines=tuple(header))
    data = ReceiptData(kind=ReceiptKind.SALE, receipt_no="T01-1", issued_at=datetime(2026, 1, 1),
                       customer=customer, operator=operator, meter=meter, tendered=tendered,
                       lines=tuple(ReceiptLine(*ln) for ln in lines), extra=tuple(extra),
                       token="12345678901234567890", verify_payload="x", copy=copy)
    layout = build_layout(data, fmt)
    for el in layout.elements:
        if isinstance(el, (TextRow, PairRow, Rule)):
            assert _cells(el, layout.columns) <= layout.columns, el
        if isinstance(el, PairRow):
            assert len(el.left) + len(el.right) + 2 <= layout.columns or not el.left
    # nothing is lost in wrapping: each value's characters run on, row after row
    flat = "".join("".join(layout.text_lines()).split())
    for value in (customer, operator, meter, tendered, *header, *(x for ln in lines for x in ln)):
        assert "".join(value.split()) in flat, value


def test_control_characters_cannot_reach_the_printer() -> None:
    from hardware.printers.escpos_render import render_escpos

    evil = "Otieno\x1bp\x00\x19\x1dV\x00 Ochieng\u200b"
    data = replace(sample_sale(), customer=evil, lines=(ReceiptLine(evil, evil, "1\x1b@.00"),))
    layout = build_layout(data, SAMPLE_FORMAT)
    rows = [row_text(el, layout.columns) for el in layout.elements
            if isinstance(el, (TextRow, PairRow, Rule))]
    assert all(ch.isprintable() for row in rows for ch in row)
    assert any(r.startswith("Customer") and r.endswith("Otienop V Ochieng") for r in rows)
    printed = render_escpos(layout)
    assert b"\x1bp" not in printed and b"\x1dV\x00 " not in printed


def test_decomposed_accents_count_as_one_column() -> None:
    data = replace(sample_sale(), customer="Re\u0301mi")  # e + combining acute
    rows = build_layout(data, SAMPLE_FORMAT).text_lines()
    assert any(r.startswith("Customer") and r.endswith("Rémi") and len(r) == 48 for r in rows)
