"""A known receipt: the documented first sale of spec/cli.md (1000.00 tendered on the
sample tariff, 56.51 kWh), used by the golden-byte tests, the docs preview and the
printer test page. Changing it changes the golden files: regenerate them deliberately.
"""
from __future__ import annotations

from datetime import datetime

from .invoice_format import InvoiceFormat
from .model import ReceiptData, ReceiptKind, ReceiptLine
from .verify import make_verify_payload

DEMO_KEY = b"PPMS demo receipt key - not for production"

SAMPLE_FORMAT = InvoiceFormat(
    utility_name="Lakeside Power & Light",
    header_lines=("Estate office, Kisumu", "PO Box 1234-40100", "VAT no P051234567X"),
    footer_lines=("Thank you for buying prepaid power.", "Keep this receipt for 12 months.",
                  "Faults: call 0800 720 720 (free)"),
    language="en",
    paper_width_mm=80,
)


def sample_sale(*, copy: bool = False, token: bool = True) -> ReceiptData:
    return ReceiptData(
        kind=ReceiptKind.SALE,
        receipt_no="T01-000123",
        issued_at=datetime(2026, 3, 5, 10, 0, 0),
        terminal="T01 Kisumu estate office",
        operator="amina (Amina Odhiambo)",
        customer="Otieno Ochieng, Plot 17 Milimani Road",
        meter="0123456789",
        power_type="RES Residential",
        tariff_version="1 (from 2026-01-01)",
        payment="Cash",
        lines=(
            ReceiptLine("Fixed charge", "1 month x 150.00", "150.00"),
            ReceiptLine("Debt recovery", "", "0.00"),
            ReceiptLine("Energy charge, block 1", "56.51 kWh x 12.0000", "678.12"),
            ReceiptLine("Rural electrification levy, block 1", "56.51 kWh x 0.6000", "33.91"),
            ReceiptLine("VAT 16%", "of 862.03", "137.92"),
            ReceiptLine("Carried to next purchase", "", "0.05"),
        ),
        tendered="KES 1000.00",
        energy="56.51 kWh",
        token="1234 5678 9012 3456 7890" if token else "",
        verify_payload=make_verify_payload(
            DEMO_KEY, receipt_no="T01-000123", meter="0123456789",
            issued_at=datetime(2026, 3, 5, 10, 0, 0), tendered="1000.00", kwh="56.51",
            token="12345678901234567890" if token else ""),
        copy=copy,
    )


def printer_test_page(fmt: InvoiceFormat, issued_at: datetime,
                      terminal: str = "") -> ReceiptData:
    """A page to check a newly set up printer: every kind of element, no money."""
    return ReceiptData(
        kind=ReceiptKind.TEST_PAGE,
        receipt_no="TEST",
        issued_at=issued_at,
        terminal=terminal,
        lines=(ReceiptLine("Paper width", "", f"{fmt.paper_width_mm} mm"),
               ReceiptLine("Language", "", fmt.language)),
        token="0000 0000 0000 0000 0000",
        verify_payload="PPMS printer test",
    )


__all__ = ["SAMPLE_FORMAT", "printer_test_page", "sample_sale"]
