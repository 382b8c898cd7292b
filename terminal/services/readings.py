"""Meter reading over the RS-485 bus (the seed's meter reading and centralized meter reading).

A meter's bus address is its meter number: DL/T 645 addresses are 12 BCD digits, and a
registered meter whose number is 1-12 digits has the address of that number padded with
zeros on the left (meter 14000000007 answers at 014000000007). A meter with any other
number has no bus address and is read by card return data only.

Every reading of a registered meter is recorded: a `reading` row (source `dlt645`), an
outbox row and a diary entry, in one short transaction of its own after the meter
answered; no transaction is ever held across the serial line. An address that belongs
to no registered meter is still read and shown, but not recorded (there is no meter to
record it against; the operator registers the meter first). A batch reads each meter in
turn: a meter that does not answer is reported with the driver's code and the batch
goes on; only a port failure stops it, and what was read before stays recorded.
"""
from __future__ import annotations

from typing import Any

from sync.device_records import ReadingRecord
from terminal.domain.errors import PpmsError
from terminal.domain.money import Currency, format_kwh, format_money
from terminal.ledger import Fact, Outgoing, Repositories
from terminal.ledger.ids import new_id
from terminal.ledger.repos import MeterRow
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    InvalidArgument,
    MeterAddressInvalid,
    MeterBusNotConfigured,
)
from terminal.services.meter_state import ledger_currency
from terminal.services.ports import MeterReader, MeterValues

SOURCE = "dlt645"
_METER_DECIMALS = 2  # DL/T 645 keeps remaining money as XXXXXX.XX


def normalize_address(text: str) -> str:
    """A meter's bus address: 1-12 digits, padded to 12 (no wildcards for reading)."""
    t = text.strip()
    if not t.isdigit() or not t.isascii() or len(t) > 12:
        raise MeterAddressInvalid(f"meter address {text!r} must be 1-12 digits", key="address")
    return t.rjust(12, "0")


def bus_address(number: str) -> str | None:
    """The bus address of a registered meter number, or None when it has none."""
    try:
        return normalize_address(number)
    except MeterAddressInvalid:
        return None


def meter_at(r: Repositories, address: str) -> MeterRow | None:
    """The registered meter whose number is this address (with or without leading zeros).
    Two registered numbers giving the same address (0123 and 123) make it ambiguous: None."""
    found = r.meters.numbers_among([address[i:] for i in range(12)])
    if len(found) != 1:
        return None
    return r.meters.by_number(found[0])


def _ledger_money(r: Repositories, meter_hundredths: int | None) -> tuple[int | None, str | None]:
    """The meter's remaining money in the ledger currency's minor units (ROUND_HALF_UP when
    the currency has fewer than 2 decimals), and as text."""
    if meter_hundredths is None:
        return None, None
    code = r.meta.get("currency")
    if code is None:
        return meter_hundredths, format_money(meter_hundredths, Currency("", _METER_DECIMALS))
    cur = ledger_currency(r)
    shift = cur.decimals - _METER_DECIMALS
    minor = meter_hundredths * 10 ** shift if shift >= 0 else (meter_hundredths + 10 ** -shift // 2) // 10 ** -shift
    return minor, format_money(minor, cur)


def reading_view(r: Repositories, values: MeterValues, meter: MeterRow | None, read_at: str) -> dict[str, Any]:
    _, money = _ledger_money(r, values.remaining_money)
    return {
        "reading_id": None, "address": values.address, "meter": None if meter is None else meter.number,
        "recorded": False, "source": SOURCE, "read_at": read_at,
        "total_kwh": format_kwh(values.total_kwh),
        "remaining_kwh": None if values.remaining_kwh is None else format_kwh(values.remaining_kwh),
        "remaining_money": money, "purchase_count": values.purchase_count, "status": values.status,
    }


def _observed(ctx: Context, values: MeterValues, meter: MeterRow | None) -> tuple[str, dict[str, Any]]:
    """The time a meter answered and its reading's view (not recorded yet)."""
    read_at = ctx.now_iso()
    with ctx.ledger.read() as r:
        return read_at, reading_view(r, values, meter, read_at)


def _record(ctx: Context, session: Session, meter: MeterRow, values: MeterValues, read_at: str,
            view: dict[str, Any], port: str, batch: str | None = None) -> dict[str, Any]:
    reading_uuid = new_id()
    detail = {"address": values.address, "port": port, "meter_remaining_money": values.remaining_money,
              "status": values.status, "batch": batch}
    view = view | {"reading_id": reading_uuid, "recorded": True}
    with ctx.ledger.unit_of_work() as uow:
        money, _ = _ledger_money(uow, values.remaining_money)
        at = ctx.now_iso()
        uow.readings.record(reading_uuid, meter.id, read_at, at, SOURCE, total_kwh=values.total_kwh,
                            remaining_kwh=values.remaining_kwh, remaining_money=money,
                            purchase_count=values.purchase_count, status_flags=values.status_flags, detail=detail)
        uow.record(Fact("reading.recorded", f"meter:{meter.number}", session.username, at,
                        after={"reading_id": reading_uuid, "source": SOURCE, "total_kwh": values.total_kwh,
                               "purchase_count": values.purchase_count, "batch": batch},
                        outbox=Outgoing("reading", reading_uuid, ReadingRecord(
                            reading_uuid, SOURCE, meter.number, read_at, values.total_kwh, values.remaining_kwh,
                            values.purchase_count, address=values.address,
                            currency=None if money is None else uow.meta.get("currency"), remaining_money=money,
                            status=None if values.status is None else tuple(sorted(values.status.items()))))))
    return view


def _reader(ctx: Context, reader: MeterReader | None) -> MeterReader:
    found = reader if reader is not None else ctx.meter_reader
    if found is None:
        raise MeterBusNotConfigured("no meter bus configured: set [meter_bus] port in the terminal config, "
                                    "or give --port")
    return found


def read_meter(ctx: Context, session: Session, address: str, reader: MeterReader | None = None) -> dict[str, Any]:
    """Read one meter (`ppms meter read`); record it when the address is a registered meter."""
    session.require(Permission.METER_READING)
    addr = normalize_address(address)
    bus = _reader(ctx, reader)
    with ctx.ledger.read() as r:
        meter = meter_at(r, addr)
    values = bus.read(addr)  # the serial line: no transaction open
    read_at, view = _observed(ctx, values, meter)
    if meter is None:
        return view
    return _record(ctx, session, meter, values, read_at, view, bus.port)


def batch_targets(r: Repositories, addresses: list[str] | None,
                  area: str | None) -> list[tuple[str, MeterRow | None]]:
    """The batch's addresses and their meters: the given ones, or every installed meter with a
    bus address (in one area when given), in meter number order."""
    if addresses:
        seen: dict[str, MeterRow | None] = {}
        for a in addresses:
            addr = normalize_address(a)
            if addr not in seen:
                seen[addr] = meter_at(r, addr)
        return list(seen.items())
    out: list[tuple[str, MeterRow | None]] = []
    for number in r.meters.installed_numbers(area):
        found = bus_address(number)
        meter = r.meters.by_number(number)
        if found is not None and meter is not None and meter_at(r, found) is not None:
            out.append((found, meter))
    if not out:
        where = f" in area {area}" if area else ""
        raise InvalidArgument(f"no installed meter{where} has a bus address (a meter number of 1-12 digits)",
                              key="addresses")
    return out


def _error(exc: BaseException) -> dict[str, str]:
    if isinstance(exc, PpmsError):
        return {"code": exc.code, "message": exc.message}
    return {"code": "METER_ERROR", "message": str(exc)}


def read_batch(ctx: Context, session: Session, addresses: list[str] | None = None, area: str | None = None,
               reader: MeterReader | None = None) -> dict[str, Any]:
    """Centralized meter reading: every meter in turn on one bus, each reading recorded as it
    comes; a silent or garbled meter is reported (its code) and the batch goes on."""
    session.require(Permission.METER_READING)
    bus = _reader(ctx, reader)
    with ctx.ledger.read() as r:
        targets = batch_targets(r, addresses, area)
    meters = dict(targets)
    batch = new_id()
    results: list[dict[str, Any]] = []
    stopped: dict[str, str] | None = None
    try:
        for addr, got in bus.read_each([a for a, _ in targets]):
            meter = meters.get(addr)
            entry: dict[str, Any] = {"address": addr, "meter": None if meter is None else meter.number}
            if isinstance(got, MeterValues):
                read_at, view = _observed(ctx, got, meter)
                if meter is not None:
                    view = _record(ctx, session, meter, got, read_at, view, bus.port, batch)
                results.append(entry | {"ok": True, "reading": view})
            else:
                results.append(entry | {"ok": False, "error": _error(got)})
    except PpmsError as exc:  # the port failed: no meter can answer now
        stopped = _error(exc)
    done = {r["address"] for r in results}
    for addr, meter in targets:
        if addr not in done:
            results.append({"address": addr, "meter": None if meter is None else meter.number, "ok": False,
                            "error": stopped or {"code": "METER_NOT_READ", "message": "not read"}})
    failed = [{"address": r["address"], "code": r["error"]["code"]} for r in results if not r["ok"]]
    summary = {"batch_id": batch, "port": bus.port, "meters": len(targets),
               "read": sum(r["ok"] for r in results),
               "recorded": sum(bool(r["ok"] and r["reading"]["recorded"]) for r in results),
               "failed": len(failed)}
    with ctx.ledger.unit_of_work() as uow:
        uow.record(Fact("reading.batch", f"batch:{batch}", session.username, ctx.now_iso(),
                        after=summary | {"not_read": failed, "stopped": stopped}))
    return summary | {"stopped": stopped, "results": results}
