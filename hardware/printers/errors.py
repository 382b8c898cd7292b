"""Errors of the receipt printer package.

Every error carries a stable UPPER_SNAKE ``code`` and a message a cashier understands::

    PrinterError                          (base; code PRINTER_ERROR)
    ├── InvoiceFormatError                the stored invoice format is refused
    │       codes: INVOICE_FORMAT_UNREADABLE, INVOICE_FORMAT_UNKNOWN_KEY,
    │              INVOICE_FORMAT_BAD_VALUE, INVOICE_FORMAT_UNKNOWN_FIELD,
    │              INVOICE_FORMAT_DUPLICATE_FIELD, INVOICE_FORMAT_MISSING_FIELD,
    │              INVOICE_FORMAT_BAD_PAPER_WIDTH, INVOICE_FORMAT_BAD_LANGUAGE,
    │              INVOICE_FORMAT_UNKNOWN_LABEL, INVOICE_FORMAT_TOO_MANY_LINES,
    │              INVOICE_FORMAT_LINE_TOO_LONG, INVOICE_FORMAT_LOGO_UNREADABLE
    ├── ReceiptDataError                  RECEIPT_DATA_INVALID (a caller's bug, not a device fault)
    └── PrinterDeviceError                the printer cannot take the receipt now;
        │                                 the sale stays completed, the receipt waits for reprint
        ├── PrinterNotConfiguredError     PRINTER_NOT_CONFIGURED
        ├── PrinterDriverMissingError     PRINTER_DRIVER_MISSING (e.g. pyusb/libusb absent)
        ├── PrinterOfflineError           PRINTER_OFFLINE (unreachable, no answer, reports offline,
        │                                 connection lost while printing)
        └── PrinterPaperOutError          PRINTER_PAPER_OUT
"""
from __future__ import annotations


class PrinterError(Exception):
    """Base of every error raised by :mod:`hardware.printers`."""

    code: str = "PRINTER_ERROR"
    default_message: str = "The receipt printer reported an error."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        self.message = message or self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvoiceFormatError(PrinterError):
    """The invoice format (receipt layout settings) is invalid; ``key`` names the setting."""

    code = "INVOICE_FORMAT_INVALID"
    default_message = "The invoice format is not valid."

    def __init__(self, message: str, *, code: str, key: str = "") -> None:
        super().__init__(message, code=code)
        self.key = key


class ReceiptDataError(PrinterError):
    """The data handed in for a receipt is inconsistent (a programming error upstream)."""

    code = "RECEIPT_DATA_INVALID"
    default_message = "The receipt data is not valid."


class PrinterDeviceError(PrinterError):
    """The printer cannot print now. The sale is kept; print the receipt again later."""

    code = "PRINTER_DEVICE_ERROR"
    default_message = "The printer could not print. The sale is saved; reprint the receipt later."


class PrinterNotConfiguredError(PrinterDeviceError):
    code = "PRINTER_NOT_CONFIGURED"
    default_message = "No receipt printer is set up. Ask a supervisor to set the printer port."


class PrinterDriverMissingError(PrinterDeviceError):
    code = "PRINTER_DRIVER_MISSING"
    default_message = "The printer driver is not installed on this terminal. Call support."


class PrinterOfflineError(PrinterDeviceError):
    code = "PRINTER_OFFLINE"
    default_message = (
        "The printer is not answering. Check that it is on and connected; "
        "the sale is saved and the receipt can be reprinted."
    )


class PrinterPaperOutError(PrinterDeviceError):
    code = "PRINTER_PAPER_OUT"
    default_message = (
        "The printer is out of paper. Load a new roll; "
        "the sale is saved and the receipt can be reprinted."
    )


__all__ = [
    "InvoiceFormatError",
    "PrinterDeviceError",
    "PrinterDriverMissingError",
    "PrinterError",
    "PrinterNotConfiguredError",
    "PrinterOfflineError",
    "PrinterPaperOutError",
    "ReceiptDataError",
]
