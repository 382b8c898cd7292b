"""peewee models over the schema that `migrations.py` creates.

The models never create tables (the migrations do). The selling path reads and
appends in plain SQL (`repos.py`, `sales.py`, `journal.py`: peewee's query
building cost more than the commit); the models serve the setup, registration
and operator screens, and tests.
"""
from __future__ import annotations

from peewee import (
    AutoField,
    CompositeKey,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

proxy = DatabaseProxy()


class Base(Model):
    class Meta:
        database = proxy
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


class Meter(Base):
    id = AutoField()
    uuid = TextField(unique=True)
    number = TextField(unique=True)
    customer = ForeignKeyField(Customer, column_name="customer_id")
    carrier = TextField()
    status = TextField()
    registered_on = TextField()
    installed_at = TextField(null=True)
    sts = TextField(null=True)


class MeterShare(Base):
    meter = ForeignKeyField(Meter, column_name="meter_id")
    ordinal = IntegerField()
    power_type = TextField()
    percent = IntegerField()

    class Meta:
        primary_key = CompositeKey("meter", "ordinal")


class Sale(Base):
    id = AutoField()
    uuid = TextField(unique=True)
    receipt_no = TextField(unique=True)
    meter = ForeignKeyField(Meter, column_name="meter_id")
    customer = ForeignKeyField(Customer, column_name="customer_id")
    operator = ForeignKeyField(Operator, column_name="operator_id")
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
    meter = ForeignKeyField(Meter, column_name="meter_id")
    read_at = TextField()
    recorded_at = TextField()
    source = TextField()
    total_kwh = IntegerField(null=True)
    remaining_kwh = IntegerField(null=True)
    remaining_money = IntegerField(null=True)
    purchase_count = IntegerField(null=True)
    status_flags = IntegerField(null=True)
    detail = TextField(null=True)


def bind_models(db: object) -> None:
    proxy.initialize(db)
