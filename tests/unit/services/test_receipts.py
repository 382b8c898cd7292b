"""Receipts through the real printer adapter: a file printer read back as ESC/POS text,
a network printer that answers status queries, and the reprint queue."""
from __future__ import annotations

import sqlite3

import pytest

from hardware.printers.escpos_reader import printed_text, read_escpos
from hardware.printers.escpos_render import reader_code_pages
from hardware.printers.fake_network_printer import FakeNetworkPrinter
from terminal.config import DEFAULT_CONFIG, PrinterSection
from terminal.devices.printer import EscposReceiptPrinter
from terminal.services import receipts, selling


def text_of(path) -> list[str]:
    return printed_text(read_escpos(path.read_bytes(), reader_code_pages("TM-T20II")))


@pytest.fixture
def file_printer(world, tmp_path):
    out = tmp_path / "receipts.bin"
    world.ctx.printer = EscposReceiptPrinter(PrinterSection(
        type="file", path=str(out), invoice_format=str(DEFAULT_CONFIG.parent / "receipts" / "default.toml")))
    world.tariff()
    world.register()
    return out


def status(world, receipt_no: str) -> str:
    return selling.show(world.ctx, world.admin, receipt_no)["status"]


def test_sale_receipt_shows_every_line_and_marks_the_sale_printed(world, file_printer):
    sale = selling.sell(world.ctx, world.admin, "0123456789", "1000.00", print_receipt=True)
    assert sale["receipt"]["printed"] and sale["status"] == "printed"
    rows = text_of(file_printer)
    for expected in ("T01-000001", "Jane Doe", "0123456789", "RES Residential", "RES v1", "Fixed charge",
                     "Energy charge, block 1", "678.12", "Rural electrification levy, block 1", "33.91",
                     "VAT 16%", "137.92", "Carried to next purchase", "0.05", "KES 1000.00", "56.51 kWh"):
        assert any(expected in r for r in rows), expected
    assert not any("COPY" in r for r in rows)


def test_reprint_is_marked_copy(world, file_printer):
    selling.sell(world.ctx, world.admin, "0123456789", "1000.00", print_receipt=True)
    first = len(text_of(file_printer))
    out = receipts.reprint(world.ctx, world.admin, "T01-000001")
    assert out["copy"] is True
    rows = text_of(file_printer)[first:]
    assert sum("COPY" in r for r in rows) == 2   # top and bottom


def test_reversal_receipt(world, file_printer):
    sale = selling.sell(world.ctx, world.admin, "0123456789", "1000.00")
    rev = selling.reverse(world.ctx, world.admin, sale["sale_id"], "wrong meter", print_receipt=True)
    assert rev["receipt"]["printed"]
    rows = text_of(file_printer)
    assert any("Reverses" in r for r in rows) and any("wrong meter" in r for r in rows)


def test_printer_offline_keeps_the_sale_and_queues_the_receipt(world, tmp_path):
    with FakeNetworkPrinter(state="offline") as fake:
        world.ctx.printer = EscposReceiptPrinter(PrinterSection(type="network", host="127.0.0.1", port=fake.port,
                                                                timeout_s=1.0))
        world.tariff()
        world.register()
        sale = selling.sell(world.ctx, world.admin, "0123456789", "1000.00", print_receipt=True)
        assert sale["status"] == "completed"
        assert sale["receipt"] == {"printed": False, "queued": True,
                                   "error": {"code": "PRINTER_OFFLINE", "message": sale["receipt"]["error"]["message"]}}
        assert [q["receipt_no"] for q in receipts.queued(world.ctx, world.admin)] == ["T01-000001"]
        fake.state = "ok"
        assert receipts.retry(world.ctx, world.admin) == {"printed": ["T01-000001"], "waiting": 0}
        assert status(world, "T01-000001") == "printed"
        assert len(fake.raw) > 1000   # the receipt bytes reached the printer


def test_paper_out_on_reprint_is_an_error_and_changes_nothing(world, tmp_path):
    with FakeNetworkPrinter(state="paper_out") as fake:
        world.ctx.printer = EscposReceiptPrinter(PrinterSection(type="network", host="127.0.0.1", port=fake.port,
                                                                timeout_s=1.0))
        world.tariff()
        world.register()
        selling.sell(world.ctx, world.admin, "0123456789", "1000.00")
        with pytest.raises(Exception) as exc:
            receipts.reprint(world.ctx, world.admin, "T01-000001")
        assert exc.value.code == "PRINTER_PAPER_OUT"
    assert status(world, "T01-000001") == "completed"


def test_invoice_format_is_a_stored_setting(world, file_printer):
    out = receipts.set_format(world.ctx, world.admin, key="utility_name", value="Kisumu Power")
    assert out["invoice_format"]["utility_name"] == "Kisumu Power"
    with pytest.raises(Exception) as exc:
        receipts.set_format(world.ctx, world.admin, key="paper_width_mm", value="70")
    assert exc.value.code.startswith("INVOICE_FORMAT")
    selling.sell(world.ctx, world.admin, "0123456789", "1000.00", print_receipt=True)
    assert text_of(file_printer)[0] == "Kisumu Power"
    db = sqlite3.connect(world.app.db.database)
    assert db.execute("SELECT COUNT(*) FROM diary WHERE action = 'setup.invoice_format'").fetchone()[0] == 1


def test_z_report_has_its_own_words_not_the_customer_receipts(world, file_printer):
    from terminal.services import reporting
    selling.sell(world.ctx, world.admin, "0123456789", "1000.00")
    mistaken = selling.sell(world.ctx, world.admin, "0123456789", "500.00")
    selling.reverse(world.ctx, world.admin, mistaken["sale_id"], "wrong amount")
    receipts.print_z_report(world.ctx, world.admin, reporting.daily_report(world.ctx, world.admin))
    rows = text_of(file_printer)
    z = rows[next(i for i, r in enumerate(rows) if "Z REPORT" in r):]
    assert any(r.startswith("Net takings") and r.endswith("KES 1000.00") for r in z), z
    assert any(r.startswith("Reversals") and r.endswith("-500.00") for r in z), z
    assert any("End of Z report" in r for r in z), z
    assert not any(r.startswith("Tendered") or "Thank you" in r or "Keep this receipt" in r for r in z), z
