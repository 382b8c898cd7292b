"""The master data of the center's feed applied on this terminal (docs/sync.md, "Down").

    meter      {"origin": T, "registration": record}  a customer and meter registered at
               {"origin": T, "installation": record}  another terminal (or that meter installed)
    customer   {"meter": M, "changes": {field: text}} the customer's file (`amendments.basic`)
    blacklist  {"card": serial, "blacklisted": bool, "reason": text}  (`cards.blacklist`)
    operator   {"username", "full_name", "role", "password_hash", "active"}

Each is idempotent (the same change again changes nothing: a meter whose uuid is already
here, a file that already says it, a card already in that state, an account already so)
and refused whole with its stable code when it does not fit this terminal: a meter
number registered here under another uuid (METER_EXISTS: registered at two terminals), a
power type or category this terminal has no tariff for (POWER_TYPE_NOT_FOUND,
CATEGORY_NOT_FOUND), a record the wire schema refuses (WIRE_RECORD_INVALID), a bad
field (INVALID_ARGUMENT). A meter from the feed is not queued up again: the center has it.
"""
from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from sync import schema
from sync.office_records import InstallationRecord
from sync.records import RegistrationRecord
from terminal.ledger import Fact, UnitOfWork
from terminal.services import amendments, cards
from terminal.services.auth import DEFAULT_ROLES, Session
from terminal.services.context import Context
from terminal.services.errors import CategoryNotFound, InvalidArgument, MeterExists, PowerTypeNotFound

CENTER = "center"
USERNAME = re.compile(r"[A-Za-z0-9._]{1,32}")
ARGON2 = re.compile(r"\$argon2(id|i|d)\$[ -~]{20,400}")
CUSTOMER_FIELDS = ("name", "address", "phone", "area", "building", "id_number")


def _text(data: dict[str, Any], key: str, longest: int = 200) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > longest or not value.isprintable():
        raise InvalidArgument(f"the change's {key} is missing or not a short text", key=key)
    return value.strip()


def meter(ctx: Context, session: Session, data: dict[str, Any]) -> None:
    origin = _text(data, "origin", 32)
    if "registration" in data:
        reg = schema.decode_value("registration", data["registration"])   # WIRE_RECORD_INVALID
        assert isinstance(reg, RegistrationRecord)
        with ctx.ledger.unit_of_work() as uow:
            _registered(ctx, uow, session, reg, origin)
    else:
        ins = schema.decode_value("installation", data.get("installation"))
        assert isinstance(ins, InstallationRecord)
        with ctx.ledger.unit_of_work() as uow:
            _installed(ctx, uow, session, ins, origin)


def _registered(ctx: Context, uow: UnitOfWork, session: Session, reg: RegistrationRecord, origin: str) -> None:
    m, c = reg.meter, reg.customer
    here = uow.meters.by_number(m.number)
    if here is not None:
        if here.uuid == m.meter_id:
            return                      # this terminal's own registration, or applied before
        raise MeterExists(f"meter {m.number} is registered here under another customer file than at "
                          f"{origin}: the office decides whose meter it is", meter=m.number)
    for share in m.power_types:
        if not uow.tariffs.power_type_exists(share.power_type):
            raise PowerTypeNotFound(f"no power type {share.power_type}: import a tariff that defines it",
                                    power_type=share.power_type)
    if c.category and uow.tariffs.preferential_in_force(c.category, c.registered_at) is None:
        raise CategoryNotFound(f"no preferential category {c.category}", category=c.category)
    more, file = reg.customer_more, reg.meter_more
    cid = uow.customers.id_by_uuid(c.customer_id)
    if cid is None:
        cid = uow.customers.insert(c.customer_id, c.account_no, c.name, c.address, c.phone, c.category, c.area,
                                   c.registered_at, building=more.building if more else None,
                                   id_number=more.id_number if more else None)
    ins = reg.installation
    mid = uow.meters.register(m.meter_id, m.number, cid, m.carrier, m.installed_at or c.registered_at,
                              asdict(m.sts) if m.sts else None, [(s.power_type, s.percent) for s in m.power_types],
                              installed=m.status == "installed",
                              meter_type=file.meter_type if file else None, maker=file.maker if file else None,
                              model=file.model if file else None, capacity_a=file.capacity_a if file else None)
    if ins is not None and m.status == "installed":
        _add_installation(uow, mid, ins.installation_id, ins.installed_on, ins.installer, ins.seals,
                          ins.initial_kwh, ins.recorded_at, session)
    uow.record(Fact("feed.meter", f"meter:{m.meter_id}", CENTER, ctx.now_iso(), after={
        "meter": m.number, "account_no": c.account_no, "status": m.status, "origin": origin}))


def _add_installation(uow: UnitOfWork, meter_id: int, uuid: str, on: str, installer: str | None,
                      seals: tuple[str, ...], initial: int | None, at: str, session: Session) -> None:
    uow.meter_files.add_installation(uuid, meter_id, on, installer, ",".join(seals) or None, initial, at,
                                     session.operator_id)


def _installed(ctx: Context, uow: UnitOfWork, session: Session, rec: InstallationRecord, origin: str) -> None:
    here = uow.meters.by_number(rec.meter)
    if here is None or here.uuid != rec.meter_id:
        raise InvalidArgument(f"meter {rec.meter} of this installation is not the one registered here",
                              key="meter")
    if here.status != "registered":
        return                          # installed here, or applied before
    ins = rec.installation
    uow.meter_files.mark_installed(here.id, ins.recorded_at)
    _add_installation(uow, here.id, ins.installation_id, ins.installed_on, ins.installer, ins.seals,
                      ins.initial_kwh, ins.recorded_at, session)
    uow.record(Fact("feed.meter", f"meter:{rec.meter_id}", CENTER, ctx.now_iso(), after={
        "meter": rec.meter, "status": "installed", "origin": origin}))


def customer(ctx: Context, session: Session, data: dict[str, Any]) -> None:
    number, changes = _text(data, "meter", 20), data.get("changes")
    if not isinstance(changes, dict) or not changes or set(changes) - set(CUSTOMER_FIELDS):
        raise InvalidArgument(f"a customer change names fields of {', '.join(CUSTOMER_FIELDS)}", key="changes")
    wanted = {k: _text(changes, k) for k in changes}
    with ctx.ledger.read() as r:
        here = r.meters.by_number(number)
        file = None if here is None else r.amendments.customer_file(here.customer_id)
    differ = {k: v for k, v in wanted.items() if file is None or file[k] != v}
    if differ:                          # (an unknown meter is refused there: METER_NOT_FOUND)
        amendments.basic(ctx, session, number, **differ)


def blacklist(ctx: Context, session: Session, data: dict[str, Any]) -> None:
    card, reason, on = _text(data, "card", 32), _text(data, "reason"), data.get("blacklisted")
    if not isinstance(on, bool):
        raise InvalidArgument("a blacklist change says blacklisted: true or false", key="blacklisted")
    with ctx.ledger.read() as r:
        row = r.cards.by_serial(card.lower())
    if (row is not None and row.status == "blacklisted") == on:
        return                          # already so (a card never seen here is not on its blacklist)
    (cards.blacklist if on else cards.unblacklist)(ctx, session, card, reason)


def operator(ctx: Context, session: Session, data: dict[str, Any]) -> None:
    username, full_name, role = _text(data, "username", 32), _text(data, "full_name"), _text(data, "role", 32)
    hashed, active = data.get("password_hash"), data.get("active", True)
    if not USERNAME.fullmatch(username) or username.lower() in ("admin", CENTER, "system"):
        raise InvalidArgument(f"the center cannot manage the operator {username!r}", key="username")
    if not isinstance(hashed, str) or not ARGON2.fullmatch(hashed) or not isinstance(active, bool):
        raise InvalidArgument("an operator change carries an argon2 password hash and active true|false",
                              key="password_hash")
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        if role not in DEFAULT_ROLES and not uow.operators.permissions_of(role):
            raise InvalidArgument(f"unknown role {role!r}", key="role")
        op = uow.operators.by_username(username)
        after = {"full_name": full_name, "role": role, "active": active}
        if op is None:
            oid = uow.operators.add(username, full_name, role, hashed, at)
            if not active:
                uow.operators.set_account(oid, full_name, role, hashed, active)
            uow.record(Fact("operator.add", f"operator:{username}", CENTER, at, after=after))
            return
        before = {"full_name": uow.operators.full_name(op.id), "role": op.role, "active": op.active}
        if before == after and op.password_hash == hashed:
            return
        uow.operators.set_account(op.id, full_name, role, hashed, active)
        uow.record(Fact("operator.change", f"operator:{username}", CENTER, at, before=before,
                        after=after | {"password_changed": op.password_hash != hashed}))
