"""peewee models over the schema that `migrations.py` creates.

The models never create tables (the migrations do). The selling path reads and
appends in plain SQL (`repos.py`, `sales.py`, `journal.py`: peewee's query
building cost more than the commit); the models serve the setup, registration
and operator repositories, and tests.

The classes here are bound to no database. Each `Ledger` makes its own subclasses
bound to its own database (`Models`), so two ledgers live side by side in one
process and a model never reaches a global. References to other rows are plain
integer columns (the schema's foreign keys hold them).
"""
from __future__ import annotations

from typing import Any, TypeVar

from peewee import (
    AutoField,
    CompositeKey,
    Database,
    IntegerField,
    Model,
    TextField,
)


class Base(Model):
    class Meta:
        legacy_table_names = False


class Operator(Base):
    id = AutoField()
    username = TextField(unique=True)
    full_name = TextField()
    role = TextField()
    password_hash = TextField()
    failed_attempts = IntegerField(default=0)
    locked = IntegerField(default=0)
    active = IntegerField(default=1)
    created_at = TextField()


class RolePermission(Base):
    role = TextField()
    permission = TextField()

    class Meta:
        primary_key = CompositeKey("role", "permission")


class PowerType(Base):
    code = TextField(primary_key=True)
    name = TextField()


class TariffVersion(Base):
    id = AutoField()
    power_type = TextField()
    version = IntegerField()
    effective_from = TextField()
    currency = TextField()
    data = TextField()
    imported_at = TextField()
    imported_by = IntegerField(null=True)


class PreferentialVersion(Base):
    id = AutoField()
    code = TextField()
    version = IntegerField()
    valid_from = TextField()
    data = TextField()


class Customer(Base):
    id = AutoField()
    uuid = TextField(unique=True)
    account_no = TextField(unique=True)
    name = TextField()
    address = TextField()
    phone = TextField(null=True)
    category = TextField(null=True)
    area = TextField(null=True)
    registered_at = TextField()
    building = TextField(null=True)       # migration 15
    id_number = TextField(null=True)
    closed_at = TextField(null=True)


class Meter(Base):
    id = AutoField()
    uuid = TextField(unique=True)
    number = TextField(unique=True)
    customer = IntegerField(column_name="customer_id")
    carrier = TextField()
    status = TextField()
    registered_on = TextField()
    installed_at = TextField(null=True)
    sts = TextField(null=True)
    meter_type = TextField(null=True)     # migration 15
    maker = TextField(null=True)
    model = TextField(null=True)
    capacity_a = IntegerField(null=True)
    replaced_by = IntegerField(null=True)


class MeterShare(Base):
    meter = IntegerField(column_name="meter_id")
    ordinal = IntegerField()
    power_type = TextField()
    percent = IntegerField()

    class Meta:
        primary_key = CompositeKey("meter", "ordinal")


class Sale(Base):
    id = AutoField()
    uuid = TextField(unique=True)
    receipt_no = TextField(unique=True)
    meter = IntegerField(column_name="meter_id")
    customer = IntegerField(column_name="customer_id")
    operator = IntegerField(column_name="operator_id")
    sold_at = TextField()
    payment = TextField()
    currency = TextField()
    tendered = IntegerField()
    carry_over_used = IntegerField()
    kwh = IntegerField()
    free_kwh = IntegerField()
    credit_kwh = IntegerField()
    change = IntegerField()
    fixed = IntegerField()
    months_charged = IntegerField()
    charged_through = IntegerField(null=True)
    debt = IntegerField()
    vat = IntegerField()
    tariff_versions = TextField()
    free_period_start = TextField(null=True)
    carrier = TextField()
    carrier_ref = TextField(null=True)


class Outbox(Base):
    seq = IntegerField(primary_key=True)
    uuid = TextField(unique=True)
    terminal_id = TextField()
    kind = TextField()
    entity_uuid = TextField()
    payload = TextField()
    created_at = TextField()
    sent_at = TextField(null=True)


class Diary(Base):
    id = AutoField()
    at = TextField()
    operator = TextField()
    action = TextField()
    entity = TextField()
    before = TextField(null=True)
    after = TextField(null=True)
    prev_hash = TextField()
    hash = TextField()


class Reading(Base):
    id = AutoField()
    uuid = TextField(unique=True)
    meter = IntegerField(column_name="meter_id")
    read_at = TextField()
    recorded_at = TextField()
    source = TextField()
    total_kwh = IntegerField(null=True)
    remaining_kwh = IntegerField(null=True)
    remaining_money = IntegerField(null=True)
    purchase_count = IntegerField(null=True)
    status_flags = IntegerField(null=True)
    detail = TextField(null=True)


M = TypeVar("M", bound=Base)


def _bound(model: type[M], db: Database) -> type[M]:
    meta: Any = type("Meta", (), {"database": db, "table_name": model._meta.table_name})
    return type(model.__name__, (model,), {"Meta": meta, "__module__": __name__})


class Models:
    """The model classes of one ledger: subclasses bound to its database."""

    def __init__(self, db: Database) -> None:
        self.Operator = _bound(Operator, db)
        self.RolePermission = _bound(RolePermission, db)
        self.PowerType = _bound(PowerType, db)
        self.TariffVersion = _bound(TariffVersion, db)
        self.PreferentialVersion = _bound(PreferentialVersion, db)
        self.Customer = _bound(Customer, db)
        self.Meter = _bound(Meter, db)
        self.MeterShare = _bound(MeterShare, db)
        self.Sale = _bound(Sale, db)
        self.Outbox = _bound(Outbox, db)
        self.Diary = _bound(Diary, db)
        self.Reading = _bound(Reading, db)
