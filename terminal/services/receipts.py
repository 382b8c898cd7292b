"""Receipts: sale and reversal receipts, reprints (marked COPY), the reprint queue,
the Z report and the invoice format (a stored setting).

A receipt that cannot be printed never undoes a sale: the sale stays COMPLETED and
the receipt waits in the queue (`ppms receipt retry`). The first receipt printed
for a sale moves it to PRINTED; every later one is a COPY.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from terminal.domain.errors import PpmsError
from terminal.domain.money import format_rate
from terminal.domain.sale import SaleStatus as St
from terminal.domain.sale import check_transition
from terminal.domain.tariff import PowerTypeTariff, power_type_from_json
from terminal.domain.vend import ENERGY, FIXED, FREE, VAT
from terminal.ledger import Fact, Repositories
from terminal.ledger.canonical import dumps
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument, NotFound
from terminal.services.ports import ReceiptDoc, ReceiptPrinter
from terminal.services.views import sale_view

LINE_LABELS = {FIXED: "Fixed charge", "debt": "Debt recovery",
               "carry_over": "Carried to next purchase", FREE: "Free basic energy"}


class PrinterMissing(NotFound):
    code = "PRINTER_NOT_CONFIGURED"


def _printer(ctx: Context) -> ReceiptPrinter:
    if ctx.printer is None:
        raise PrinterMissing("no receipt printer is configured")
    return ctx.printer


def invoice_format(ctx: Context) -> dict[str, Any]:
    with ctx.ledger.read() as r:
        stored = r.meta.get("invoice_format")
    return json.loads(stored) if stored else _printer(ctx).default_format()


def _tariff(r: Repositories, power_type: str, version: int) -> PowerTypeTariff:
    return power_type_from_json(json.loads(r.tariffs.data(power_type, version)))


def receipt_doc(ctx: Context, sale_id: int, kind: str = "sale", copy: bool = False,
                reason: str = "") -> ReceiptDoc:
    with ctx.ledger.read() as r:
        view = sale_view(r, sale_id)
        rec, _ = r.sales.load(sale_id)
        meter = r.meters.by_id(rec.meter_id)
        versions: dict[str, int] = view["tariff_versions"]
        tariffs = {pt: _tariff(r, pt, v) for pt, v in versions.items()}
    names = {pt: {s.code: s.name for s in t.sub_items} for pt, t in tariffs.items()}
    vat_rates = sorted({format_rate(t.vat_percent) for t in tariffs.values()})
    cur = view["currency"]
    lines: list[tuple[str, str, str]] = []
    for ln in view["lines"]:
        if ln["kind"] == ENERGY:
            pt = ln.get("power_type", "")
            label = f"{names.get(pt, {}).get(ln['sub_item'], ln['sub_item'])}, block {ln['block']}"
            if len(versions) > 1:
                label += f" ({pt})"
            lines.append((label, f"{ln['kwh']} kWh", ln["amount"]))
        elif ln["kind"] == FIXED:
            months = view["months_charged"]
            lines.append((LINE_LABELS[FIXED], f"{months} month{'s' if months != 1 else ''}" if months else "",
                          ln["amount"]))
        elif ln["kind"] == FREE:
            lines.append((LINE_LABELS[FREE], f"{ln['kwh']} kWh", ln["amount"]))
        elif ln["kind"] == VAT:
            lines.append((f"VAT {'/'.join(vat_rates)}%", "", ln["amount"]))
        else:
            lines.append((LINE_LABELS.get(ln["kind"], ln["kind"]), "", ln["amount"]))
    energy = f"{view['credit_kwh']} kWh"
    if view["free_kwh"] != "0.00":
        energy += f" (incl. {view['free_kwh']} free)"
    extra: list[tuple[str, str]] = [("Account", meter.account_no)]
    if kind == "reversal":
        extra += [("Reverses", view["receipt_no"]), ("Reason", reason)]
    token = view.get("token", "")
    return ReceiptDoc(
        kind=kind, receipt_no=view["receipt_no"], issued_at=datetime.fromisoformat(view["sold_at"]),
        terminal=f"{ctx.terminal_id} {ctx.terminal_name}", operator=view["operator"],
        customer=meter.customer_name, meter=meter.number,
        power_type=", ".join(f"{pt} {t.name}" for pt, t in tariffs.items()),
        tariff_version=", ".join(f"{pt} v{v}" for pt, v in versions.items()),
        payment=view["payment"].capitalize(), lines=tuple(lines), tendered=f"{cur} {view['tendered']}",
        energy=energy, token=token, extra=tuple(extra), copy=copy,
        verify={"receipt_no": view["receipt_no"], "meter": meter.number, "tendered": view["tendered"],
                "kwh": view["credit_kwh"], "token": token})


def _mark_printed(ctx: Context, session: Session, sale_id: int) -> None:
    with ctx.ledger.unit_of_work() as uow:
        status = uow.sales.status(sale_id)
        if status == St.COMPLETED.value:
            check_transition(St.COMPLETED, St.PRINTED)
            uow.sales.set_status(sale_id, St.PRINTED.value, ctx.now_iso(), session.operator_id, None)


def print_sale(ctx: Context, session: Session, sale_id: int, copy: bool = False, kind: str = "sale",
               reason: str = "") -> dict[str, Any]:
    """Print a sale's receipt. A printer fault queues the receipt and is reported, not raised:
    the sale stands."""
    printer = _printer(ctx)
    doc = receipt_doc(ctx, sale_id, kind, copy, reason)
    try:
        result = printer.print_receipt(doc, invoice_format(ctx))
    except PpmsError as exc:
        with ctx.ledger.unit_of_work() as uow:
            uow.receipts.add(sale_id, kind, exc.code, ctx.now_iso())
            uow.record(Fact("receipt.queued", f"sale:{doc.receipt_no}", session.username, ctx.now_iso(),
                            after={"kind": kind, "reason": exc.code}))
        return {"printed": False, "queued": True, "error": {"code": exc.code, "message": exc.message}}
    if kind == "sale":
        _mark_printed(ctx, session, sale_id)
    return {**result, "copy": copy}


def preview(ctx: Context, session: Session, key: str) -> list[str]:
    """The sale's receipt as text rows, exactly as the printer lays it out."""
    session.require(Permission.SEARCH)
    return _printer(ctx).preview_text(receipt_doc(ctx, _find_sale(ctx, key)), invoice_format(ctx))


def _find_sale(ctx: Context, key: str) -> int:
    from terminal.services.selling import find_sale  # noqa: PLC0415 (a cycle: selling prints receipts)
    with ctx.ledger.read() as r:
        return find_sale(r, key)


def reprint(ctx: Context, session: Session, key: str) -> dict[str, Any]:
    """`ppms sale reprint ID`: the receipt again, marked COPY. A fault is an error here (exit 2)."""
    session.require(Permission.SELLING)
    sale_id = _find_sale(ctx, key)
    printer = _printer(ctx)
    with ctx.ledger.read() as r:
        reversed_ = r.sales.status(sale_id) == St.REVERSED.value
    doc = receipt_doc(ctx, sale_id, "reversal" if reversed_ else "sale", copy=True)
    result = printer.print_receipt(doc, invoice_format(ctx))
    with ctx.ledger.unit_of_work() as uow:
        uow.record(Fact("receipt.reprint", f"sale:{doc.receipt_no}", session.username, ctx.now_iso()))
    return {"receipt_no": doc.receipt_no, "copy": True, **result}


def queued(ctx: Context, session: Session) -> list[dict[str, Any]]:
    session.require(Permission.SELLING)
    with ctx.ledger.read() as r:
        return r.receipts.waiting()


def retry(ctx: Context, session: Session) -> dict[str, Any]:
    """Print every waiting receipt; stop at the first printer fault (it is still down)."""
    session.require(Permission.SELLING)
    printed: list[str] = []
    with ctx.ledger.read() as r:
        waiting = r.receipts.open_items()
    for qid, sale_id, kind in waiting:
        doc = receipt_doc(ctx, sale_id, kind)
        _printer(ctx).print_receipt(doc, invoice_format(ctx))
        with ctx.ledger.unit_of_work() as uow:
            uow.receipts.done(qid, ctx.now_iso())
        if kind == "sale":
            _mark_printed(ctx, session, sale_id)
        printed.append(doc.receipt_no)
    return {"printed": printed, "waiting": len(queued(ctx, session))}


def print_z_report(ctx: Context, session: Session, report: dict[str, Any]) -> dict[str, Any]:
    """The day's figures as a Z report on the receipt printer: gross sales, reversals, net,
    notes held and net takings, as the daily report has them."""
    session.require(Permission.REPORTS)
    s, r, n = report["sales"], report["reversals"], report["net"]
    lines = [(f"Sales ({s['count']})", "", s["tendered"]), (f"Reversals ({r['count']})", "", f"-{r['tendered']}"),
             ("Net sales", f"{n['kwh']} kWh", n["tendered"]), ("Fixed charges", "", n["fixed"]),
             ("Debt recovered", "", n["debt_recovered"]), ("VAT", "", n["vat"])]
    lines += [(f"Energy {k}", "", v) for k, v in n["energy_by_sub_item"].items()]
    lines += [(f"Paid by {k}", "", v) for k, v in n["by_payment"].items()]
    lines += [(f"Cash held ({report['cash_held']['count']})", "", report["cash_held"]["amount"]),
              ("Voided / pending sales", "", f"{report['voided']} / {report['pending']}")]
    doc = ReceiptDoc(kind="z_report", receipt_no=f"Z-{ctx.terminal_id}-{report['date']}", issued_at=ctx.now(),
                     terminal=f"{ctx.terminal_id} {ctx.terminal_name}", operator=session.username,
                     lines=tuple(lines), tendered=f"{report['currency']} {report['net_takings']}")
    return _printer(ctx).print_receipt(doc, invoice_format(ctx))


def show_format(ctx: Context, session: Session) -> dict[str, Any]:
    session.require(Permission.SETUP)
    with ctx.ledger.read() as r:
        stored = r.meta.get("invoice_format") is not None
    return {"stored": stored, "invoice_format": invoice_format(ctx)}


def set_format(ctx: Context, session: Session, key: str | None = None, value: str | None = None,
               whole: dict[str, Any] | None = None) -> dict[str, Any]:
    """Change one setting (`key`, `value`; lists separated by '|') or store a whole format."""
    session.require(Permission.SETUP)
    printer = _printer(ctx)
    before = invoice_format(ctx)
    if whole is not None:
        after = printer.check_format(whole)
    elif key:
        after = printer.edit_format(before, key, value or "")
    else:
        raise InvalidArgument("give a setting and its value, or a format file", key="key")
    with ctx.ledger.unit_of_work() as uow:
        uow.meta.put("invoice_format", dumps(after))
        uow.record(Fact("setup.invoice_format", "invoice_format", session.username, ctx.now_iso(),
                        before=before, after=after))
    return {"invoice_format": after}

