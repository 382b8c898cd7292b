from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from hardware.printers import (
    FIELDS,
    InvoiceFormat,
    InvoiceFormatError,
    dumps_invoice_format,
    load_invoice_format,
    loads_invoice_format,
    save_invoice_format,
)
from hardware.printers.labels import LABEL_KEYS, LABELS
from hardware.printers.sample import SAMPLE_FORMAT

CONFIG = Path(__file__).resolve().parents[3] / "config" / "receipts"


def test_shipped_default_is_the_documented_sample() -> None:
    assert load_invoice_format(CONFIG / "default.toml") == SAMPLE_FORMAT


def test_every_shipped_format_loads() -> None:
    files = sorted(CONFIG.glob("*.toml"))
    assert len(files) >= 2
    for f in files:
        load_invoice_format(f)


@pytest.mark.parametrize("kind", ["toml", "json"])
def test_round_trip(tmp_path: Path, kind: str) -> None:
    fmt = replace(SAMPLE_FORMAT, language="sw", paper_width_mm=58,
                  labels={"receipt_no": "Risiti"}, fields=("lines", "receipt_no", "token",
                                                           "issued_at"))
    assert loads_invoice_format(dumps_invoice_format(fmt, kind), kind) == fmt
    path = tmp_path / f"f.{kind}"
    save_invoice_format(fmt, path)
    assert load_invoice_format(path) == fmt


def test_labels_cover_the_same_words_in_every_language() -> None:
    for lang, table in LABELS.items():
        assert set(table) == LABEL_KEYS, lang
        assert all(v.strip() for v in table.values()), lang


def _code(**changes: object) -> str:
    with pytest.raises(InvoiceFormatError) as exc:
        replace(SAMPLE_FORMAT, **changes).validate()  # type: ignore[arg-type]
    return exc.value.code


def test_validation_codes() -> None:
    assert _code(utility_name=" ") == "INVOICE_FORMAT_BAD_VALUE"
    assert _code(fields=FIELDS + ("colour",)) == "INVOICE_FORMAT_UNKNOWN_FIELD"
    assert _code(fields=FIELDS + ("meter",)) == "INVOICE_FORMAT_DUPLICATE_FIELD"
    assert _code(fields=("receipt_no", "issued_at", "lines")) == "INVOICE_FORMAT_MISSING_FIELD"
    assert _code(language="de") == "INVOICE_FORMAT_BAD_LANGUAGE"
    assert _code(paper_width_mm=76) == "INVOICE_FORMAT_BAD_PAPER_WIDTH"
    assert _code(header_lines=("x",) * 9) == "INVOICE_FORMAT_TOO_MANY_LINES"
    assert _code(footer_lines=("x" * 97,)) == "INVOICE_FORMAT_LINE_TOO_LONG"
    assert _code(labels={"colour": "x"}) == "INVOICE_FORMAT_UNKNOWN_LABEL"
    assert _code(logo="/nonexistent/logo.png") == "INVOICE_FORMAT_LOGO_UNREADABLE"


@pytest.mark.parametrize(("text", "code", "key"), [
    ("utility_name = [", "INVOICE_FORMAT_UNREADABLE", ""),
    ('utility_name = "U"\ncolour = "red"', "INVOICE_FORMAT_UNKNOWN_KEY", "colour"),
    ('header_lines = ["a"]', "INVOICE_FORMAT_BAD_VALUE", "utility_name"),
    ('utility_name = "U"\nheader_lines = "one line"', "INVOICE_FORMAT_BAD_VALUE", "header_lines"),
    ('utility_name = "U"\npaper_width_mm = "80"', "INVOICE_FORMAT_BAD_PAPER_WIDTH",
     "paper_width_mm"),
    ('utility_name = "U"\nlabels = ["x"]', "INVOICE_FORMAT_BAD_VALUE", "labels"),
])
def test_bad_files_name_the_key(text: str, code: str, key: str) -> None:
    with pytest.raises(InvoiceFormatError) as exc:
        loads_invoice_format(text)
    assert (exc.value.code, exc.value.key) == (code, key)
    assert str(exc.value).startswith(code)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InvoiceFormatError) as exc:
        load_invoice_format(tmp_path / "missing.toml")
    assert exc.value.code == "INVOICE_FORMAT_UNREADABLE"


def test_relative_logo_is_found_beside_the_file(tmp_path: Path) -> None:
    Image.new("L", (40, 20), 0).save(tmp_path / "logo.png")
    (tmp_path / "f.toml").write_text('utility_name = "U"\nlogo = "logo.png"\n')
    assert load_invoice_format(tmp_path / "f.toml").logo == str(tmp_path / "logo.png")


def test_edit_from_text() -> None:
    fmt = SAMPLE_FORMAT.edit("header_lines", "Line one|Line two")
    assert fmt.header_lines == ("Line one", "Line two")
    assert fmt.edit("header_lines", "").header_lines == ()
    assert fmt.edit("paper_width_mm", "58mm").paper_width_mm == 58
    assert fmt.edit("language", "fr").language == "fr"
    fmt2 = fmt.edit("labels.receipt_no", "Invoice no")
    assert fmt2.labels == {"receipt_no": "Invoice no"}
    assert fmt2.edit("labels.receipt_no", "").labels == {}
    assert fmt.edit("fields", "receipt_no | issued_at|lines|token").fields == (
        "receipt_no", "issued_at", "lines", "token")
    for key, value, code in [("paper", "80", "INVOICE_FORMAT_UNKNOWN_KEY"),
                             ("paper_width_mm", "wide", "INVOICE_FORMAT_BAD_PAPER_WIDTH"),
                             ("fields", "receipt_no|lines", "INVOICE_FORMAT_MISSING_FIELD"),
                             ("language", "xx", "INVOICE_FORMAT_BAD_LANGUAGE")]:
        with pytest.raises(InvoiceFormatError) as exc:
            fmt.edit(key, value)
        assert exc.value.code == code
    assert isinstance(fmt, InvoiceFormat)
