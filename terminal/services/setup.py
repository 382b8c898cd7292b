"""System setup: the database itself, tariffs (power types, sub-item and
comprehensive prices, blocks) and the preferential price sheet."""
from __future__ import annotations

from typing import Any

from sync.views import tariff_record
from terminal.domain.tariff import (
    check_effective_dates,
    parse_tariff,
    power_type_to_json,
    preferential_to_json,
)
from terminal.ledger import Fact, Outgoing
from terminal.ledger.canonical import dumps
from terminal.services import auth
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import AlreadyInitialised, CurrencyMismatch, TariffVersionConflict


def initialise(ctx: Context, admin_password: str, allow_fake_clock: bool) -> dict[str, Any]:
    with ctx.ledger.read() as r:
        if r.operators.any():
            raise AlreadyInitialised("this database is already initialised")
    auth.hash_password(admin_password)  # refuse a weak password before writing anything
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        uow.meta.put("terminal_id", ctx.terminal_id)
        uow.meta.put("allow_fake_clock", "1" if allow_fake_clock else "0")
        uow.meta.put("created_at", at)
        uow.meta.put("lockout_attempts", str(ctx.lockout_attempts))  # the ceiling later configs may not raise
        auth.seed_roles(uow)
        uow.record(Fact("database.init", f"terminal:{ctx.terminal_id}", "system", at,
                        after={"allow_fake_clock": allow_fake_clock}))
        auth.add_operator(ctx, None, "admin", "Administrator", "admin", admin_password)
    return {"terminal_id": ctx.terminal_id, "admin": "admin", "allow_fake_clock": allow_fake_clock}


def import_tariff(ctx: Context, session: Session, text: str) -> dict[str, Any]:
    """Validate the whole file first (domain), then store every version in one transaction."""
    session.require(Permission.SETUP)
    sheet = parse_tariff(text)
    check_effective_dates(sheet, ctx.now().date())
    at = ctx.now_iso()
    summary: dict[str, Any] = {"currency": sheet.currency.code, "power_types": [], "preferentials": []}
    with ctx.ledger.unit_of_work() as uow:
        current = uow.meta.get("currency")
        if current is not None and current != sheet.currency.code:
            raise CurrencyMismatch(f"this terminal sells in {current}, the file is in {sheet.currency.code}",
                                   key="currency")
        if current is None:
            uow.meta.put("currency", sheet.currency.code)
        for pt in sheet.power_types:
            data = dumps(power_type_to_json(pt))
            eff = pt.effective_from.isoformat()
            uow.tariffs.put_power_type(pt.code, pt.name)
            same_day = uow.tariffs.effective_on(pt.code, eff)
            latest = uow.tariffs.latest(pt.code)
            if same_day is not None:
                if same_day.data != data:
                    raise TariffVersionConflict(
                        f"power type {pt.code} already has a different tariff effective {eff}; "
                        "give the new one a later effective_from", key=f"power_type.{pt.code}.effective_from")
                summary["power_types"].append({"code": pt.code, "version": same_day.version, "new": False})
                continue
            if latest is not None and latest.effective_from > eff:
                raise TariffVersionConflict(
                    f"power type {pt.code}: effective_from {eff} is before version {latest.version}'s "
                    f"{latest.effective_from}", key=f"power_type.{pt.code}.effective_from")
            version = 1 if latest is None else latest.version + 1
            uow.tariffs.add_version(pt.code, version, eff, sheet.currency.code, data, at, session.operator_id)
            summary["power_types"].append({"code": pt.code, "version": version, "new": True})
        for pref in sheet.preferentials:
            data = dumps(preferential_to_json(pref))
            latest_p = uow.tariffs.latest_preferential(pref.code)
            if latest_p is not None and latest_p.data == data:
                summary["preferentials"].append({"code": pref.code, "version": latest_p.version, "new": False})
                continue
            if latest_p is not None and latest_p.valid_from > at:
                raise TariffVersionConflict(
                    f"preferential {pref.code}: version {latest_p.version} is valid from {latest_p.valid_from}, "
                    f"after this terminal's clock ({at}); set the clock right first",
                    key=f"preferential.{pref.code}")
            version = 1 if latest_p is None else latest_p.version + 1
            uow.tariffs.add_preferential(pref.code, version, at, data)
            summary["preferentials"].append({"code": pref.code, "version": version, "new": True})
        if any(x["new"] for x in summary["power_types"] + summary["preferentials"]):
            uow.record(Fact("tariff.import", "tariff", session.username, at, after=summary,
                            outbox=Outgoing("tariff", f"tariff:{at}", tariff_record(sheet))))
    return summary
