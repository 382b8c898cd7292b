"""The receipt printer behind `ReceiptPrinter`: python-escpos through hardware.printers.

Each receipt opens the printer, prints and closes it, so a printer restarted
between two sales never leaves a dead connection. The QR text is signed with the
utility's receipt key (`[printer] verify_key_file`, hex) so the utility can tell a
real receipt from a made-up one; without a key the QR carries the facts unsigned.
"""
from __future__ import annotations

from dataclasses import asdict, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from terminal.config import PrinterSection
from terminal.devices.errors import NotConfigured, driver_errors
from terminal.files import MAX_KEY_BYTES, read_text_file
from terminal.services.ports import DeviceEvents, PrinterStatus, ReceiptDoc


def _printers() -> Any:
    import hardware.printers as hp  # noqa: PLC0415 (escpos is optional until a printer is used)
    return hp


def _settings(section: PrinterSection) -> Any:
    from hardware.printers.connections import PrinterSettings  # noqa: PLC0415
    known = {f.name for f in fields(PrinterSettings)}
    table = {k: v for k, v in asdict(section).items() if k in known and v not in ("", None)}
    with driver_errors(_printers().PrinterError):
        return PrinterSettings.from_mapping(table)


def _read_key(path: str) -> bytes | None:
    if not path:
        return None
    text = read_text_file(path, what="the receipt key file", key="printer.verify_key_file",
                          limit=MAX_KEY_BYTES, encoding="ascii", error=NotConfigured)
    try:
        return bytes.fromhex(text.strip())
    except ValueError:
        raise NotConfigured(f"the receipt key file {path} is missing or not hex") from None


class EscposReceiptPrinter:
    """Publishes a `PrinterStatus` after every print and probe when given `events`."""

    def __init__(self, section: PrinterSection, events: DeviceEvents | None = None) -> None:
        self.section = section
        self.events = events

    def _publish(self, status: PrinterStatus) -> None:
        if self.events is not None:
            self.events.publish(status)

    def _printed(self, conn_print: Any) -> dict[str, Any]:
        """Run one print (``conn_print()`` -> the print result); its status is published."""
        hp = _printers()
        try:
            result = conn_print()
        except hp.PrinterError as exc:
            self._publish(PrinterStatus(online=False, error_code=exc.code))
            raise
        self._publish(PrinterStatus(online=True, paper_low=bool(result.paper_low)))
        return {"printed": True, "bytes": result.bytes_sent, "paper_low": result.paper_low}

    def default_format(self) -> dict[str, Any]:
        hp = _printers()
        with driver_errors(hp.PrinterError):
            if self.section.invoice_format:
                path = Path(self.section.invoice_format)
                text = read_text_file(path, what="the invoice format", key="printer.invoice_format")
                fmt = hp.loads_invoice_format(text, "json" if path.suffix.lower() == ".json" else "toml",
                                              check_files=False)
                if fmt.logo and not Path(fmt.logo).is_absolute():
                    fmt = replace(fmt, logo=str(path.parent / fmt.logo))
                return dict(fmt.validate(check_files=True).to_dict())
            return dict(hp.InvoiceFormat(utility_name="PPMS").to_dict())

    def check_format(self, invoice_format: dict[str, Any]) -> dict[str, Any]:
        hp = _printers()
        with driver_errors(hp.PrinterError):
            return dict(hp.InvoiceFormat.from_dict(invoice_format).validate().to_dict())

    def edit_format(self, invoice_format: dict[str, Any], key: str, value: str) -> dict[str, Any]:
        hp = _printers()
        with driver_errors(hp.PrinterError):
            return dict(hp.InvoiceFormat.from_dict(invoice_format).edit(key, value).validate().to_dict())

    def _verify_payload(self, doc: ReceiptDoc) -> str:
        if not doc.verify:
            return ""
        key = _read_key(self.section.verify_key_file)
        from hardware.printers.verify import make_verify_payload  # noqa: PLC0415
        if key is None:  # unsigned: the facts only, so a phone can still read them
            return "|".join(doc.verify.get(k) or "-" for k in ("receipt_no", "meter", "tendered", "kwh", "token"))
        with driver_errors(_printers().PrinterError):
            return str(make_verify_payload(key, receipt_no=doc.verify["receipt_no"], meter=doc.verify["meter"],
                                           issued_at=doc.issued_at, tendered=doc.verify["tendered"],
                                           kwh=doc.verify["kwh"], token=doc.verify.get("token", "")))

    def receipt_data(self, doc: ReceiptDoc) -> Any:
        hp = _printers()
        with driver_errors(hp.PrinterError):
            return hp.ReceiptData(
                kind=hp.ReceiptKind(doc.kind), receipt_no=doc.receipt_no, issued_at=doc.issued_at,
                terminal=doc.terminal, operator=doc.operator, customer=doc.customer, meter=doc.meter,
                power_type=doc.power_type, tariff_version=doc.tariff_version, payment=doc.payment,
                lines=tuple(hp.ReceiptLine(*ln) for ln in doc.lines), tendered=doc.tendered,
                energy=doc.energy, token=doc.token, verify_payload=self._verify_payload(doc),
                extra=doc.extra, copy=doc.copy)

    def print_receipt(self, doc: ReceiptDoc, invoice_format: dict[str, Any]) -> dict[str, Any]:
        if self.section.type == "none":
            raise NotConfigured("no receipt printer is configured ([printer] type = \"none\")")
        hp = _printers()
        from hardware.printers.connections import open_printer, print_receipt_data  # noqa: PLC0415
        data = self.receipt_data(doc)
        with driver_errors(hp.PrinterError):
            fmt = hp.InvoiceFormat.from_dict(invoice_format)
            settings = _settings(self.section)

            def run() -> Any:
                with open_printer(settings) as conn:
                    return print_receipt_data(conn, data, fmt)
            return self._printed(run)

    def preview_text(self, doc: ReceiptDoc, invoice_format: dict[str, Any]) -> list[str]:
        hp = _printers()
        with driver_errors(hp.PrinterError):
            return list(hp.build_layout(self.receipt_data(doc), hp.InvoiceFormat.from_dict(invoice_format))
                        .text_lines())

    def test_page(self) -> dict[str, Any]:
        """Print the test page (every kind of element, no money) with the invoice format's header."""
        if self.section.type == "none":
            raise NotConfigured("no receipt printer is configured ([printer] type = \"none\")")
        hp = _printers()
        from hardware.printers.connections import open_printer, print_receipt_data  # noqa: PLC0415
        from hardware.printers.sample import printer_test_page  # noqa: PLC0415
        with driver_errors(hp.PrinterError):
            fmt = hp.InvoiceFormat.from_dict(self.default_format())
            settings = _settings(self.section)

            def run() -> Any:
                with open_printer(settings) as conn:
                    return print_receipt_data(conn, printer_test_page(fmt, datetime.now().replace(microsecond=0)),
                                              fmt)
            return self._printed(run)

    def probe(self) -> dict[str, Any]:
        if self.section.type == "none":
            return {"device": "printer", "configured": False, "answers": False}
        from hardware.printers.connections import describe, open_printer  # noqa: PLC0415
        settings = _settings(self.section)
        try:
            with open_printer(settings) as conn:
                if not conn.answers_status:
                    return {"device": "printer", "configured": True, "answers": True,
                            "detail": f"{describe(settings)} (no status channel)"}
                st = conn.status()
                return {"device": "printer", "configured": True, "answers": st.online,
                        "paper": st.paper, "detail": describe(settings)}
        except _printers().PrinterError as exc:
            return {"device": "printer", "configured": True, "answers": False,
                    "error": {"code": exc.code, "message": exc.message}}

