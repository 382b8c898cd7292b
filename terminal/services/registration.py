"""Registration and installation: the customer's file and the meter's file.

`register` does both in one step (cli.md `ppms customer register`): a customer, a meter
installed for it with its installation row, and the meter's split across power types (the
seed's "proportion of energy consuming", e.g. ``RES:70,COM:30``). With `install=False` it
is registration only: the meter is `registered` and sells nothing (METER_NOT_INSTALLED)
until `install` (`ppms meter install`) writes its installation (day, installer, seal
numbers, initial reading) and makes it `installed`. Area, building, category, maker and
model are the dictionary's codes where the utility keeps those lists (`dictionary.coded`).

Meter numbers are what the meter's carrier can hold (`terminal.domain.meter_numbers`: a
card 1-20 digits, an STS meter 11 or 13 digits ending in a Luhn check digit), never
registered twice (METER_EXISTS).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sync.office_records import InstallationRecord
from sync.records import (
    CustomerFile,
    CustomerMore,
    InstallationFile,
    MeterFile,
    MeterMore,
    RegistrationRecord,
    Share,
    StsSettings,
)
from sync.views import view
from terminal.domain.meter_numbers import METER_TYPES, meter_number_fault
from terminal.domain.money import parse_kwh
from terminal.domain.split import parse_split
from terminal.ledger import Fact, Outgoing, Repositories, UnitOfWork
from terminal.ledger.ids import new_id
from terminal.ledger.repos import MeterRow
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.dictionary import coded
from terminal.services.errors import (
    CategoryNotFound,
    InvalidArgument,
    MeterAlreadyInstalled,
    MeterCancelled,
    MeterExists,
    MeterNumberInvalid,
    PowerTypeNotFound,
)
from terminal.services.meter_state import find_meter
from terminal.services.ports import MeterRef

MAX_TEXT = 200        # a name, an address, a building, a maker, a model, an installer
MAX_SHORT = 40        # a phone, an ID number, a seal number
MAX_SEALS = 20
MAX_CAPACITY_A = 100_000


@dataclass(frozen=True)
class Installing:
    """What an installer reports: the day (default today), who, the seals, the reading (kWh text)."""
    on: str | None = None
    installer: str | None = None
    seals: str | None = None
    initial_reading: str | None = None


@dataclass(frozen=True)
class Files:
    """The files' fields beyond name, address and meter number (all optional)."""
    category: str | None = None
    phone: str | None = None
    area: str | None = None
    building: str | None = None
    id_number: str | None = None
    meter_type: str | None = None
    maker: str | None = None
    model: str | None = None
    capacity_a: int | None = None


def _text(value: str | None, key: str, longest: int) -> str | None:
    """A free-text field: stripped, None when empty, refused when longer than `longest`."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > longest or not value.isprintable():
        raise InvalidArgument(f"{key.replace('_', ' ')} is printable text of at most {longest} characters",
                              key=key)
    return value


def _files(f: Files) -> Files:
    if f.meter_type is not None and f.meter_type not in METER_TYPES:
        raise InvalidArgument(f"meter type must be one of {', '.join(METER_TYPES)}", key="meter_type")
    if f.capacity_a is not None and not 0 < f.capacity_a <= MAX_CAPACITY_A:
        raise InvalidArgument(f"capacity is a whole number of A from 1 to {MAX_CAPACITY_A}", key="capacity_a")
    return Files(category=_text(f.category, "category", MAX_SHORT), phone=_text(f.phone, "phone", MAX_SHORT),
                 area=_text(f.area, "area", MAX_TEXT), building=_text(f.building, "building", MAX_TEXT),
                 id_number=_text(f.id_number, "id_number", MAX_SHORT), meter_type=f.meter_type,
                 maker=_text(f.maker, "maker", MAX_TEXT), model=_text(f.model, "model", MAX_TEXT),
                 capacity_a=f.capacity_a)


def coded_files(r: Repositories, f: Files) -> Files:
    """The files' coded fields as the dictionary's codes (where the utility keeps the list)."""
    return replace(f, area=coded(r, "area", "area", f.area), building=coded(r, "building", "building", f.building),
                   maker=coded(r, "maker", "maker", f.maker), model=coded(r, "model", "model", f.model))


def customer_category(r: Repositories, category: str | None, at: str) -> str | None:
    """A customer's category: an entry of the dictionary where the utility keeps categories (one
    without a preferential sheet buys at the plain tariff; DICTIONARY_VALUE_UNKNOWN), else the
    code of a preferential sheet in force (CATEGORY_NOT_FOUND)."""
    if category is None or r.dictionary.entries("category"):
        return coded(r, "category", "category", category)
    if r.tariffs.preferential_in_force(category, at) is None:
        raise CategoryNotFound(f"no preferential category {category}", category=category)
    return category


def check_meter_number(number: str, carrier: str) -> str:
    number = number.strip()
    fault = meter_number_fault(number, carrier)
    if fault is not None:
        raise MeterNumberInvalid(f"meter number {number!r}: {fault}", meter=number, reason=fault)
    return number


def _installation(ctx: Context, how: Installing, registered_on: str, at: str) -> InstallationFile:
    """The installation as recorded at `at`, its fields checked (nothing is written here)."""
    today = ctx.now().date()
    day = today
    if how.on is not None and how.on.strip():
        try:
            day = date.fromisoformat(how.on.strip())
        except ValueError:
            raise InvalidArgument(f"installation date {how.on!r} is not a date YYYY-MM-DD", key="date") from None
        if day > today:
            raise InvalidArgument(f"installation date {day} is after today ({today})", key="date")
        if day.isoformat() < registered_on:
            raise InvalidArgument(f"installation date {day} is before the meter's registration ({registered_on})",
                                  key="date")
    seals = tuple(s.strip() for s in (how.seals or "").split(",") if s.strip())
    if len(seals) > MAX_SEALS or len(set(seals)) != len(seals) or any(
            len(s) > MAX_SHORT or not s.isprintable() for s in seals):
        raise InvalidArgument(f"seal numbers are up to {MAX_SEALS} different numbers of at most {MAX_SHORT} "
                              "characters, separated by ','", key="seals")
    initial = None
    if how.initial_reading is not None and how.initial_reading.strip():
        initial = parse_kwh(how.initial_reading.strip())   # ENERGY_INVALID
    return InstallationFile(new_id(), day.isoformat(), at, _text(how.installer, "installer", MAX_TEXT),
                            seals, initial)


def _add_installation(uow: UnitOfWork, meter_id: int, ins: InstallationFile, session: Session) -> None:
    uow.meter_files.add_installation(ins.installation_id, meter_id, ins.installed_on, ins.installer,
                                     ",".join(ins.seals) or None, ins.initial_kwh, ins.recorded_at,
                                     session.operator_id)


def register(ctx: Context, session: Session, name: str, address: str, meter_no: str, power_type: str,
             category: str | None = None, phone: str | None = None, area: str | None = None,
             carrier: str = "card", sts: dict[str, Any] | None = None, *, files: Files | None = None,
             install: bool = True, installing: Installing | None = None) -> dict[str, Any]:
    """`files` carries the fields beyond the first ones (category, phone and area may come either way)."""
    session.require(Permission.REGISTRATION)
    if install:
        session.require(Permission.INSTALLATION)
    elif installing is not None:
        raise InvalidArgument("installation details come with `meter install`, not with --no-install",
                              key="no_install")
    given = files or Files()
    more = _files(replace(given, category=given.category if category is None else category,
                          phone=given.phone if phone is None else phone, area=given.area if area is None else area))
    name_, address_ = _text(name, "name", MAX_TEXT), _text(address, "address", MAX_TEXT)
    if not name_:
        raise InvalidArgument("the customer's name is needed", key="name")
    if not address_:
        raise InvalidArgument("the customer's address is needed", key="address")
    meter_no = check_meter_number(meter_no, carrier)
    if carrier == "sts" and not sts:
        raise InvalidArgument("an STS meter needs its SGC, TI, KRN and key settings", key="sts")
    split = parse_split(power_type)  # SHARE_SPLIT_INVALID
    # a kind of carrier this terminal has none of is refused (INVALID_ARGUMENT, key carrier)
    checker = ctx.carriers.for_meter(MeterRef(number=meter_no, carrier=carrier, sts=sts))
    if carrier == "sts":
        sts = checker.check_settings(sts or {})  # type: ignore[attr-defined]
    at = ctx.now_iso()
    ins = _installation(ctx, installing or Installing(), at[:10], at) if install else None
    with ctx.ledger.unit_of_work() as uow:
        for code, _ in split:
            if not uow.tariffs.power_type_exists(code):
                raise PowerTypeNotFound(f"no power type {code}: import a tariff that defines it", power_type=code)
        more = replace(coded_files(uow, more), category=customer_category(uow, more.category, at))
        if uow.meters.by_number(meter_no) is not None:
            raise MeterExists(f"meter {meter_no} is already registered", meter=meter_no)
        cust_uuid, meter_uuid = new_id(), new_id()
        account_no = f"{ctx.terminal_id}-C{uow.counters.next_value('customer'):06d}"
        cid = uow.customers.insert(cust_uuid, account_no, name_, address_, more.phone, more.category, more.area, at,
                                   building=more.building, id_number=more.id_number)
        mid = uow.meters.register(meter_uuid, meter_no, cid, carrier, at, sts, list(split),
                                  installed=ins is not None, meter_type=more.meter_type, maker=more.maker,
                                  model=more.model, capacity_a=more.capacity_a)
        if ins is not None:
            _add_installation(uow, mid, ins, session)
        customer_more = CustomerMore(more.building, more.id_number)
        meter_more = MeterMore(more.meter_type, more.maker, more.model, more.capacity_a)
        record = RegistrationRecord(
            CustomerFile(cust_uuid, account_no, name_, address_, at, more.phone, more.category, more.area),
            MeterFile(meter_uuid, meter_no, carrier, "installed" if ins else "registered",
                      tuple(Share(c, p) for c, p in split), at if ins else None,
                      StsSettings(**sts) if sts else None),
            None if customer_more == CustomerMore() else customer_more,
            None if meter_more == MeterMore() else meter_more, ins)
        shown = view(record)
        uow.record(Fact("customer.register", f"customer:{cust_uuid}", session.username, at, after=shown,
                        outbox=Outgoing("registration", cust_uuid, record)))
    return shown


def _installable(r: Repositories, meter_no: str) -> MeterRow:
    meter = find_meter(r, meter_no)
    if meter.status == "cancelled":
        raise MeterCancelled(f"meter {meter.number} is cancelled", meter=meter.number)
    if meter.status != "registered":
        raise MeterAlreadyInstalled(f"meter {meter.number} is {meter.status}, not waiting for installation",
                                    meter=meter.number, status=meter.status)
    return meter


def install(ctx: Context, session: Session, meter_no: str, installing: Installing) -> dict[str, Any]:
    """Install a `registered` meter: its installation row, and the meter `installed`."""
    session.require(Permission.INSTALLATION)
    with ctx.ledger.read() as r:
        meter = _installable(r, meter_no)
    ins = _installation(ctx, installing, meter.registered_on, ctx.now_iso())
    with ctx.ledger.unit_of_work() as uow:
        meter = _installable(uow, meter.number)
        _add_installation(uow, meter.id, ins, session)
        uow.meter_files.mark_installed(meter.id, ins.recorded_at)
        record = InstallationRecord(meter.uuid, meter.number, ins, session.username)
        shown = view(record)
        uow.record(Fact("meter.install", f"meter:{meter.number}", session.username, ins.recorded_at,
                        before={"status": "registered"}, after=shown,
                        outbox=Outgoing("installation", ins.installation_id, record)))
    return shown
