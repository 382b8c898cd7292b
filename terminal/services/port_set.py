"""The port set: the device settings of the terminal config, stored in the ledger so that
the setup screen (and `ppms setup port show|set|reset`) can change them; the config file
stays the default. `bootstrap` applies the stored values over the file's (`applied`, through
`stored_settings`), so every command and the kiosk use them from their next start.

Only device settings can be stored (`KEYS`): the reader, printer, meter bus and note
acceptor. Files holding secrets (card secret, STS key, receipt signing key) and the
database and security sections stay in the config file. A value is checked exactly as the
config file's would be (DEVICE_SETTING_INVALID otherwise). `reset` puts the file's value
back. Each change: diary entry and outbox row (`device_setting`).
"""
from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from sync.setup_records import DeviceSettingRecord
from terminal.config import ConfigInvalid, Settings, check_setting
from terminal.ledger import Fact, Outgoing, Repositories
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import DeviceSettingInvalid, DeviceSettingUnknown

KEYS: tuple[str, ...] = (
    "card_reader.type", "card_reader.reader", "card_reader.profile", "card_reader.utility_code",
    "printer.type", "printer.path", "printer.host", "printer.port", "printer.device", "printer.baudrate",
    "printer.parity", "printer.flow_control", "printer.vendor", "printer.product", "printer.profile",
    "printer.timeout_s", "printer.paper_width_mm", "printer.print_on_sale",
    "meter_bus.port", "meter_bus.baudrate", "meter_bus.parity", "meter_bus.timeout_s", "meter_bus.retries",
    "cash_acceptor.type", "cash_acceptor.port", "cash_acceptor.address", "cash_acceptor.baudrate",
    "cash_acceptor.timeout_s", "cash_acceptor.poll_interval_s", "cash_acceptor.idle_timeout_s",
)


def _file_value(settings: Settings, key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(settings, section), name)


def _known(key: str) -> str:
    if key not in KEYS:
        raise DeviceSettingUnknown(f"{key!r} is not a device setting of the port set (`ppms setup port show`)",
                                   key=key)
    return key


def applied(settings: Settings, r: Repositories) -> Settings:
    """`settings` with the stored device settings over the file's (bootstrap's one call)."""
    stored = {k: v for k, (v, _) in r.device_settings.all().items() if k in KEYS}
    for section in {k.split(".")[0] for k in stored}:
        current = getattr(settings, section)
        values = {f.name: check_setting(f"{section}.{f.name}", stored[f"{section}.{f.name}"],
                                        getattr(current, f.name))
                  for f in fields(current) if f"{section}.{f.name}" in stored}
        settings = replace(settings, **{section: replace(current, **values)})
    return settings


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def show(ctx: Context, session: Session, settings: Settings) -> dict[str, Any]:
    """Each device setting: the file's value, the stored one (None when not stored), and the one in use."""
    session.require(Permission.SETUP)
    with ctx.ledger.read() as r:
        stored = r.device_settings.all()
    out = []
    for key in KEYS:
        own, at = stored.get(key, (None, None))
        out.append({"key": key, "file": _shown(_file_value(settings, key)), "stored": own,
                    "in_use": own if own is not None else _shown(_file_value(settings, key)), "changed_at": at})
    return {"config": settings.source, "settings": out}


def set_setting(ctx: Context, session: Session, settings: Settings, key: str, value: str | None) -> dict[str, Any]:
    """Store `value` for `key` (None: back to the config file's value)."""
    session.require(Permission.SETUP)
    _known(key)
    if value is not None:
        try:
            checked = check_setting(key, value, _file_value(settings, key))
        except ConfigInvalid as exc:
            raise DeviceSettingInvalid(exc.message, key=key) from None
        value = _shown(checked)
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        before = uow.device_settings.all().get(key, (None, ""))[0]
        if before != value:
            if value is None:
                uow.device_settings.clear(key)
            else:
                uow.device_settings.put(key, value, at)
            uow.record(Fact("device_setting.set" if value is not None else "device_setting.reset",
                            f"device_setting:{key}", session.username, at, before={key: before}, after={key: value},
                            outbox=Outgoing("device_setting", f"device_setting:{key}:{at}", DeviceSettingRecord(
                                key, "" if value is None else value, at, session.username))))
    in_use = value if value is not None else _shown(_file_value(settings, key))
    return {"key": key, "stored": value, "in_use": in_use, "changed": before != value,
            "applies": "from the next start of the kiosk and of each command"}
