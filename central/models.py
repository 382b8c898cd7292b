"""The center's tables (peewee), bound at start-up to the database of `db.connect`.

``item`` holds every outbox row a terminal sent, once: unique by uuid and by (terminal,
seq); its ``payload`` is the record's canonical encoding, so "the same content" is "the same
bytes". A row whose uuid or (terminal, seq) is taken with other content is a ``conflict``,
stored apart and never merged. ``sale`` holds the money figures of each sale and reversal
item for the consolidated report. ``change`` is the feed: its ``cursor`` only grows.
"""
from __future__ import annotations

from peewee import (
    AutoField,
    BigIntegerField,
    CompositeKey,
    DatabaseProxy,
    FloatField,
    IntegerField,
    Model,
    TextField,
)

proxy = DatabaseProxy()


class Base(Model):
    class Meta:
        database = proxy
        legacy_table_names = False


class Terminal(Base):
    id = TextField(primary_key=True)
    secret = TextField()
    offline_max_hours = IntegerField(default=72)
    offline_max_amount = BigIntegerField(default=5_000_000)   # minor units of the center's currency
    last_sync = TextField(null=True)
    backlog = IntegerField(default=0)
    clock_drift_s = FloatField(null=True)
    created_at = TextField()


class Gateway(Base):
    name = TextField(primary_key=True)
    secret = TextField()
    created_at = TextField()


class Setting(Base):
    key = TextField(primary_key=True)
    value = TextField()


class Item(Base):
    id = AutoField()
    terminal = TextField()
    seq = BigIntegerField()
    uuid = TextField(unique=True)
    kind = TextField()
    entity_uuid = TextField()
    created_at = TextField()
    payload = TextField()
    received_at = TextField()

    class Meta:
        indexes = ((("terminal", "seq"), True), (("terminal", "received_at"), False))


class Sale(Base):
    """The money of one sale or reversal item (kind), for the consolidated figures. On
    PostgreSQL the table is partitioned by month of ``at`` (partitions.py): its key holds
    the partition column."""
    item = BigIntegerField()
    terminal = TextField()
    kind = TextField()
    sale_uuid = TextField()
    meter = TextField()
    sold_at = TextField()
    at = TextField()            # the sale's time, or the reversal's (the outbox row's)
    currency = TextField()
    payment = TextField()
    tendered = BigIntegerField()
    kwh = BigIntegerField()
    free_kwh = BigIntegerField()
    fixed = BigIntegerField()
    debt = BigIntegerField()
    vat = BigIntegerField()
    carry_over_used = BigIntegerField()
    change = BigIntegerField()

    class Meta:
        primary_key = CompositeKey("item", "at")
        indexes = ((("at",), False), (("meter",), False))


class Conflict(Base):
    id = AutoField()
    terminal = TextField()
    seq = BigIntegerField()
    uuid = TextField()
    kind = TextField()
    payload = TextField()
    digest = TextField()
    reason = TextField()      # "uuid": the uuid holds other content; "seq": the terminal's seq does; "payment": a
    #                           payment_applied item for a payment applied already or unknown (payment_uses.py)
    received_at = TextField()

    class Meta:
        indexes = ((("terminal", "seq", "uuid", "digest"), True),)


class Nonce(Base):
    client = TextField()
    nonce = TextField()
    seen_at = BigIntegerField()

    class Meta:
        primary_key = CompositeKey("client", "nonce")
        indexes = ((("seen_at",), False),)


class Change(Base):
    cursor = AutoField()
    kind = TextField()
    data = TextField()
    created_at = TextField()


class Payment(Base):
    id = TextField(primary_key=True)
    reference = TextField(unique=True)
    gateway = TextField()
    meter = TextField()
    amount = BigIntegerField()
    paid_at = TextField()
    status = TextField()          # waiting | vended | applied
    token = TextField(null=True)
    applied_sale = TextField(null=True)
    created_at = TextField()


class MeterFile(Base):
    """What the center knows of a meter: from a terminal's registration or the admin."""
    number = TextField(primary_key=True)
    carrier = TextField()
    record = TextField()          # the registration record's canonical encoding
    updated_at = TextField()


class SaleNote(Base):
    """What the dashboard searches a sale or reversal item by, beside its money in ``sale``."""
    item = BigIntegerField(primary_key=True)
    power_type = TextField()
    operator = TextField()
    receipt_no = TextField()
    token = TextField(null=True)

    class Meta:
        indexes = ((("token",), False), (("operator",), False))


class SaleLine(Base):
    """The energy lines of a sale or reversal item (the sub-item report)."""
    id = AutoField()
    item = BigIntegerField(index=True)
    power_type = TextField()
    sub_item = TextField()
    kwh = BigIntegerField()
    amount = BigIntegerField()


class MeterItem(Base):
    """Every item about one meter (readings, amendments, debts, tokens...), for its page."""
    item = BigIntegerField(primary_key=True)
    meter = TextField()
    kind = TextField()
    at = TextField()

    class Meta:
        indexes = ((("meter", "at"), False),)


class MeterCustomer(Base):
    """A registered meter's customer, from its latest registration record (the searches)."""
    number = TextField(primary_key=True)
    name = TextField()
    account_no = TextField()
    area = TextField(null=True)
    category = TextField(null=True)
    power_type = TextField()            # the primary power type: the largest share
    carrier = TextField()
    status = TextField()
    registered_at = TextField()
    terminal = TextField()

    class Meta:
        indexes = ((("name",), False), (("area",), False))


class DashboardUser(Base):
    username = TextField(primary_key=True)
    password_hash = TextField()       # argon2id
    role = TextField()                # viewer | auditor | administrator
    created_at = TextField()


class WebSession(Base):
    """A dashboard login: the cookie holds the token, this table its SHA-256 only."""
    token_hash = TextField(primary_key=True)
    username = TextField()
    csrf = TextField()
    created_at = TextField()
    expires_unix = BigIntegerField()
    ended = IntegerField(default=0)


class LoginFailure(Base):
    id = AutoField()
    username = TextField()
    at_unix = BigIntegerField()

    class Meta:
        indexes = ((("username", "at_unix"), False),)


class ConflictNote(Base):
    """An auditor's acknowledgement of a conflict or a sequence gap (append-only: never updated)."""
    id = AutoField()
    terminal = TextField()
    subject = TextField()             # "conflict:<id>" or "gap:<first>-<last>"
    note = TextField()
    username = TextField()
    at = TextField()


class Purchase(Base):
    """A card sale's purchase sequence as its terminal numbered it: the terminal's count of
    its own card sales of the meter (what it wrote on the card), for the clash check."""
    id = AutoField()
    terminal = TextField()
    meter = TextField()
    sequence = BigIntegerField()
    sale_uuid = TextField()
    receipt_no = TextField()
    sold_at = TextField()
    tendered = BigIntegerField()

    class Meta:
        indexes = ((("terminal", "meter", "sequence"), True), (("meter", "sequence"), False))


class Clash(Base):
    """One meter's purchase sequence sold at two terminals (clashes.py): the meter takes one."""
    id = AutoField()
    meter = TextField()
    sequence = BigIntegerField()
    first_terminal = TextField()
    first_sale = TextField()
    first_receipt = TextField()
    first_tendered = BigIntegerField()
    second_terminal = TextField()
    second_sale = TextField()
    second_receipt = TextField()
    second_tendered = BigIntegerField()
    detected_at = TextField()

    class Meta:
        indexes = ((("first_sale", "second_sale"), True), (("meter",), False))


TABLES = (Terminal, Gateway, Setting, Item, Sale, Conflict, Nonce, Change, Payment, MeterFile, Purchase, Clash,
          SaleNote, SaleLine, MeterItem, MeterCustomer, DashboardUser, WebSession, LoginFailure, ConflictNote)
