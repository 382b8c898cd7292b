"""Receipts on a thermal printer: one layout model, rendered to ESC/POS and to PNG.

Light imports here (no python-escpos, no Pillow)::

    from hardware.printers import ReceiptData, ReceiptLine, ReceiptKind, InvoiceFormat
    from hardware.printers import build_layout, load_invoice_format

Devices and pictures live in their modules (they import python-escpos / Pillow):

    hardware.printers.connections   PrinterSettings, open_printer, print_receipt
    hardware.printers.escpos_render render_escpos (layout -> bytes)
    hardware.printers.preview       render_preview, preview_png (layout -> PNG)
    hardware.printers.escpos_reader read_escpos (bytes -> text rows, for tests)
"""
# First: fix python-escpos's capabilities cache folder before any submodule imports escpos.
from . import _escpos_env  # noqa: F401  # isort: skip
from .errors import (
    InvoiceFormatError,
    PrinterDeviceError,
    PrinterDriverMissingError,
    PrinterError,
    PrinterNotConfiguredError,
    PrinterOfflineError,
    PrinterPaperOutError,
    ReceiptDataError,
)
from .invoice_format import (
    FIELDS,
    REQUIRED_FIELDS,
    InvoiceFormat,
    dumps_invoice_format,
    load_invoice_format,
    loads_invoice_format,
    save_invoice_format,
)
from .labels import LANGUAGES
from .layout import ReceiptLayout, build_layout
from .model import ReceiptData, ReceiptKind, ReceiptLine

__all__ = [
    "FIELDS",
    "LANGUAGES",
    "REQUIRED_FIELDS",
    "InvoiceFormat",
    "InvoiceFormatError",
    "PrinterDeviceError",
    "PrinterDriverMissingError",
    "PrinterError",
    "PrinterNotConfiguredError",
    "PrinterOfflineError",
    "PrinterPaperOutError",
    "ReceiptData",
    "ReceiptDataError",
    "ReceiptKind",
    "ReceiptLayout",
    "ReceiptLine",
    "build_layout",
    "dumps_invoice_format",
    "load_invoice_format",
    "loads_invoice_format",
    "save_invoice_format",
]
