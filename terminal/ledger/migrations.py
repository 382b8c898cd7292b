"""Numbered schema migrations.

Each migration is plain SQL so that migration N creates exactly the schema of
version N, whatever the models look like later. The meta key `schema.migrations` holds
the numbers a database has had (`PRAGMA user_version` the highest; a ledger from before
the key has had every number up to its user_version); a newer terminal opens an older
database and applies every number it lacks, in order, all in one transaction (`db.migrate`);
an older terminal refuses a database that has had a migration it does not know
(SCHEMA_TOO_NEW). Migrations are appended here in any order: each engineer's number is
fixed, the order they land in is not.

Money rows (sale, sale_line, sale_usage, posting, posting_line, sale_event,
diary) are append-only: triggers refuse UPDATE and DELETE.

Migration 14 seals every table the migrations before it make (`seal_schema.py`,
`SEALED_TABLES`): a later migration that adds a table must add its seal triggers
(`seal_schema.table_seal`), one that adds a column must re-create them and seal the rows
again (`seal_rows`); `ppms check` reports a table without them (TRIGGER_MISSING).
"""
from __future__ import annotations

from typing import Final

from terminal.ledger.migrations_accounts import APPEND_ONLY_ACCOUNTS, M0023_CHECKS_AND_SEARCH
from terminal.ledger.migrations_amend import M0016_AMENDMENT_NEW_METER
from terminal.ledger.migrations_install import APPEND_ONLY_INSTALL, M0029_NUMBER_SKIPS
from terminal.ledger.migrations_office import APPEND_ONLY_OFFICE, M0015_OFFICE_FILES
from terminal.ledger.migrations_payments import APPEND_ONLY_PAYMENTS, M0024_BANK_PAYMENTS
from terminal.ledger.migrations_register import APPEND_ONLY_TRANSFERS, M0017_ACCOUNT_TRANSFERS
from terminal.ledger.migrations_reports import M0019_REPORT_INDEXES
from terminal.ledger.migrations_setup import M0018_SETUP
from terminal.ledger.migrations_sync import M0020_SYNC
from terminal.ledger.seal_form import M0027_SEAL_COMPACT
from terminal.ledger.seal_schema import M0014_SEAL

APPEND_ONLY: Final = (
    "sale", "sale_line", "sale_usage", "sale_event", "posting", "posting_line", "diary",
    "tariff_version", "preferential_version",
)


def append_only_triggers(tables: tuple[str, ...] = APPEND_ONLY) -> list[str]:
    """The triggers that refuse an UPDATE or DELETE of each table's rows (LEDGER_APPEND_ONLY)."""
    out: list[str] = []
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: {table} rows are never "
                f"{'updated' if op == 'UPDATE' else 'deleted'}'); END"
            )
    return out


M0001_INITIAL: Final = [
    """CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE counter (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL)""",
    """CREATE TABLE operator (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        full_name TEXT NOT NULL,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE role_permission (
        role TEXT NOT NULL,
        permission TEXT NOT NULL,
        PRIMARY KEY (role, permission))""",
    """CREATE TABLE power_type (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL)""",
    """CREATE TABLE tariff_version (
        id INTEGER PRIMARY KEY,
        power_type TEXT NOT NULL REFERENCES power_type(code),
        version INTEGER NOT NULL,
        effective_from TEXT NOT NULL,
        currency TEXT NOT NULL,
        data TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        imported_by INTEGER REFERENCES operator(id),
        UNIQUE (power_type, version),
        UNIQUE (power_type, effective_from))""",
    """CREATE TABLE preferential_version (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL,
        version INTEGER NOT NULL,
        valid_from TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (code, version))""",
    """CREATE TABLE customer (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        address TEXT NOT NULL,
        phone TEXT,
        category TEXT,
        area TEXT,
        registered_at TEXT NOT NULL)""",
    """CREATE TABLE meter (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        number TEXT NOT NULL UNIQUE,
        customer_id INTEGER NOT NULL REFERENCES customer(id),
        carrier TEXT NOT NULL,
        status TEXT NOT NULL,
        registered_on TEXT NOT NULL,
        installed_at TEXT,
        sts TEXT)""",
    "CREATE INDEX meter_customer ON meter(customer_id)",
    """CREATE TABLE meter_share (
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        ordinal INTEGER NOT NULL,
        power_type TEXT NOT NULL REFERENCES power_type(code),
        percent INTEGER NOT NULL CHECK (percent > 0 AND percent <= 100),
        PRIMARY KEY (meter_id, ordinal))""",
    """CREATE TABLE sale (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        receipt_no TEXT NOT NULL UNIQUE,
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        customer_id INTEGER NOT NULL REFERENCES customer(id),
        operator_id INTEGER NOT NULL REFERENCES operator(id),
        sold_at TEXT NOT NULL,
        payment TEXT NOT NULL,
        currency TEXT NOT NULL,
        tendered INTEGER NOT NULL CHECK (tendered >= 0),
        carry_over_used INTEGER NOT NULL,
        kwh INTEGER NOT NULL,
        free_kwh INTEGER NOT NULL,
        credit_kwh INTEGER NOT NULL,
        change INTEGER NOT NULL,
        fixed INTEGER NOT NULL,
        months_charged INTEGER NOT NULL,
        charged_through INTEGER,
        debt INTEGER NOT NULL,
        vat INTEGER NOT NULL,
        tariff_versions TEXT NOT NULL,
        free_period_start TEXT,
        carrier TEXT NOT NULL,
        carrier_ref TEXT)""",
    "CREATE INDEX sale_meter_time ON sale(meter_id, sold_at)",
    """CREATE TABLE sale_line (
        sale_id INTEGER NOT NULL REFERENCES sale(id),
        ordinal INTEGER NOT NULL,
        kind TEXT NOT NULL,
        power_type TEXT,
        block INTEGER,
        sub_item TEXT,
        kwh INTEGER,
        amount INTEGER NOT NULL,
        PRIMARY KEY (sale_id, ordinal))""",
    """CREATE TABLE sale_usage (
        sale_id INTEGER NOT NULL REFERENCES sale(id),
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        power_type TEXT NOT NULL,
        sold_at TEXT NOT NULL,
        kwh INTEGER NOT NULL,
        PRIMARY KEY (sale_id, power_type))""",
    "CREATE INDEX sale_usage_meter ON sale_usage(meter_id, power_type, sold_at)",
    """CREATE TABLE sale_event (
        id INTEGER PRIMARY KEY,
        sale_id INTEGER NOT NULL REFERENCES sale(id),
        status TEXT NOT NULL,
        at TEXT NOT NULL,
        operator_id INTEGER REFERENCES operator(id),
        detail TEXT)""",
    "CREATE INDEX sale_event_sale ON sale_event(sale_id)",
    """CREATE TABLE sale_status (
        sale_id INTEGER PRIMARY KEY REFERENCES sale(id),
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        status TEXT NOT NULL,
        updated_at TEXT NOT NULL)""",
    "CREATE INDEX sale_status_meter ON sale_status(meter_id, status)",
    "CREATE INDEX sale_status_status ON sale_status(status)",
    """CREATE TABLE posting (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        sale_id INTEGER REFERENCES sale(id),
        customer_id INTEGER REFERENCES customer(id),
        posted_at TEXT NOT NULL,
        operator_id INTEGER REFERENCES operator(id),
        memo TEXT NOT NULL DEFAULT '')""",
    "CREATE INDEX posting_sale ON posting(sale_id)",
    """CREATE TABLE posting_line (
        id INTEGER PRIMARY KEY,
        posting_id INTEGER NOT NULL REFERENCES posting(id),
        account TEXT NOT NULL,
        customer_id INTEGER REFERENCES customer(id),
        debit INTEGER NOT NULL CHECK (debit >= 0),
        credit INTEGER NOT NULL CHECK (credit >= 0),
        CHECK ((debit = 0) <> (credit = 0)))""",
    "CREATE INDEX posting_line_posting ON posting_line(posting_id)",
    "CREATE INDEX posting_line_account ON posting_line(account, customer_id)",
    """CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        terminal_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        entity_uuid TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT)""",
    "CREATE INDEX outbox_entity ON outbox(entity_uuid)",
    """CREATE TABLE diary (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        before TEXT,
        after TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL)""",
    """CREATE TABLE reading (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        read_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        source TEXT NOT NULL,
        total_kwh INTEGER,
        remaining_kwh INTEGER,
        remaining_money INTEGER,
        purchase_count INTEGER,
        status_flags INTEGER,
        detail TEXT)""",
    "CREATE INDEX reading_meter ON reading(meter_id, read_at)",
    *append_only_triggers(),
    """CREATE TRIGGER reading_no_update BEFORE UPDATE ON reading
        BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: reading rows are never updated'); END""",
]

M0002_STS_TOKENS: Final = [
    # every STS token the terminal made for a registered meter: credit (with its sale),
    # management (engineering) and key change tokens. TIDs are unique per meter.
    """CREATE TABLE sts_token (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        sale_id INTEGER REFERENCES sale(id),
        kind TEXT NOT NULL,
        token_class INTEGER NOT NULL,
        subclass INTEGER NOT NULL,
        tid INTEGER,
        value INTEGER,
        digits TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        operator_id INTEGER REFERENCES operator(id),
        UNIQUE (meter_id, tid))""",
    "CREATE INDEX sts_token_meter ON sts_token(meter_id, id)",
    *[f"CREATE TRIGGER sts_token_no_{op.lower()} BEFORE {op} ON sts_token BEGIN SELECT "
      f"RAISE(ABORT, 'LEDGER_APPEND_ONLY: sts_token rows are never changed'); END" for op in ("UPDATE", "DELETE")],
]

M0005_RECEIPTS: Final = [
    # receipts that could not be printed (printer offline, out of paper) wait here; a sale
    # stays completed, and printing from the queue marks the row done
    """CREATE TABLE receipt_queue (
        id INTEGER PRIMARY KEY,
        sale_id INTEGER NOT NULL REFERENCES sale(id),
        kind TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        done_at TEXT)""",
    "CREATE INDEX receipt_queue_open ON receipt_queue(done_at, id)",
]

M0006_CARDS: Final = [
    # IC cards this terminal made or was told of: one row per card serial, its status the
    # only mutable column; every change is also an append-only card_event.
    """CREATE TABLE card (
        id INTEGER PRIMARY KEY,
        serial TEXT NOT NULL UNIQUE,
        meter_id INTEGER REFERENCES meter(id),
        card_type TEXT,
        status TEXT NOT NULL CHECK (status IN ('issued', 'blacklisted', 'formatted')),
        made_at TEXT,
        made_by INTEGER REFERENCES operator(id),
        updated_at TEXT NOT NULL)""",
    "CREATE INDEX card_meter ON card(meter_id, card_type, status)",
    """CREATE TRIGGER card_no_delete BEFORE DELETE ON card
        BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: card rows are never deleted'); END""",
    """CREATE TABLE card_event (
        id INTEGER PRIMARY KEY,
        card_id INTEGER NOT NULL REFERENCES card(id),
        event TEXT NOT NULL CHECK (event IN ('made', 'blacklisted', 'unblacklisted', 'formatted')),
        at TEXT NOT NULL,
        operator_id INTEGER REFERENCES operator(id),
        reason TEXT)""",
    "CREATE INDEX card_event_card ON card_event(card_id, id)",
    *[f"CREATE TRIGGER card_event_no_{op.lower()} BEFORE {op} ON card_event BEGIN SELECT "
      f"RAISE(ABORT, 'LEDGER_APPEND_ONLY: card_event rows are never changed'); END" for op in ("UPDATE", "DELETE")],
    # a card's return data is recorded once, however often the card is read
    """CREATE UNIQUE INDEX reading_card_once ON reading(meter_id, read_at, total_kwh, remaining_kwh,
        purchase_count) WHERE source = 'card'""",
    # formatting a card and lifting a blacklist need a supervisor (auth.Permission.CARD_SUPERVISION)
    ("INSERT OR IGNORE INTO role_permission (role, permission) VALUES ('admin', 'card_supervision'), "
     "('supervisor', 'card_supervision')"),
]

M0007_COVERING_INDEXES: Final = [
    # a sale reads the meter's history and the customer's balances; on a large ledger the
    # rows are scattered over the file, so these indexes carry every column those reads need
    "CREATE INDEX sale_meter_history ON sale(meter_id, sold_at, charged_through)",
    """CREATE INDEX posting_line_customer ON posting_line(customer_id, account, debit, credit)
        WHERE customer_id IS NOT NULL""",
    "DROP INDEX sale_meter_time",
]

M0008_STATUS_HISTORY: Final = [
    # a sale's time and fixed-charge month beside its status, so a meter's selling history
    # (sales in the period, last month charged, pending, carried) is read from one index
    # without visiting a row per sale: copies of immutable sale columns, never changed
    "ALTER TABLE sale_status ADD COLUMN sold_at TEXT",
    "ALTER TABLE sale_status ADD COLUMN charged_through INTEGER",
    """UPDATE sale_status SET sold_at = (SELECT sold_at FROM sale WHERE sale.id = sale_status.sale_id),
        charged_through = (SELECT charged_through FROM sale WHERE sale.id = sale_status.sale_id)""",
    "CREATE INDEX sale_status_history ON sale_status(meter_id, status, sold_at, charged_through)",
    "DROP INDEX sale_status_meter",
]

M0010_NOTE_INTAKE: Final = [
    # a self-service intake (kiosk `sell-cash`): one row when the acceptor opens, one
    # note_intake row per note as it happens (committed before the next poll), one
    # settlement when its money is sold (the sale's PENDING commit) or held as carry-over.
    # An intake with notes and no settlement is money in the cash box that recovery settles.
    """CREATE TABLE cash_intake (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        meter_id INTEGER NOT NULL REFERENCES meter(id),
        customer_id INTEGER NOT NULL REFERENCES customer(id),
        operator_id INTEGER REFERENCES operator(id),
        amount_due INTEGER NOT NULL CHECK (amount_due > 0),
        started_at TEXT NOT NULL)""",
    # stage 'stacking': a note in escrow is about to be routed to the cash box (no money
    # yet); 'credited': its credit event arrived, the money counts. `number` is the event's
    # place in the intake (from the validator's event counter), so a note is taken once.
    """CREATE TABLE note_intake (
        id INTEGER PRIMARY KEY,
        intake_id INTEGER NOT NULL REFERENCES cash_intake(id),
        number INTEGER NOT NULL CHECK (number > 0),
        counter INTEGER NOT NULL CHECK (counter BETWEEN 1 AND 255),
        stage TEXT NOT NULL CHECK (stage IN ('stacking', 'credited')),
        bill_type INTEGER NOT NULL,
        value INTEGER NOT NULL CHECK (value >= 0),
        at TEXT NOT NULL,
        UNIQUE (intake_id, number))""",
    """CREATE TABLE cash_intake_settlement (
        intake_id INTEGER PRIMARY KEY REFERENCES cash_intake(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('sold', 'held', 'nothing')),
        sale_id INTEGER REFERENCES sale(id),
        amount INTEGER NOT NULL CHECK (amount >= 0),
        at TEXT NOT NULL,
        detail TEXT)""",
    *[f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} BEGIN SELECT "
      f"RAISE(ABORT, 'LEDGER_APPEND_ONLY: {t} rows are never changed'); END"
      for t in ("cash_intake", "note_intake", "cash_intake_settlement") for op in ("UPDATE", "DELETE")],
]

M0011_SALE_WRITE_COST: Final = [
    # indexes no query reads, each written at every sale: a meter's history is read from
    # sale_status_history (migration 8), a customer's balances from posting_line_customer
    # (outbox_entity stays: a sale's rewrite count is read by entity, migration 10's era)
    "DROP INDEX sale_meter_history",
    "DROP INDEX posting_line_account",
    # recovery looks for the pending sales only: index those (a handful), not every status
    "CREATE INDEX sale_status_pending ON sale_status(sale_id) WHERE status = 'pending'",
    "DROP INDEX sale_status_status",
]

M0012_CLOCK_HIGH_WATER: Final = [
    # time only goes forward: the latest time any write transaction ran at (one row), so a
    # write with the clock set back is refused without scanning the ledger (clock_mark.py);
    # seeded from the latest time the diary and the sales hold
    """CREATE TABLE clock_mark (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        latest TEXT NOT NULL)""",
    """INSERT INTO clock_mark (id, latest)
        SELECT 1, MAX(at) FROM (SELECT MAX(at) AS at FROM diary UNION ALL SELECT MAX(sold_at) FROM sale)
        WHERE at IS NOT NULL HAVING MAX(at) IS NOT NULL""",
]

MIGRATIONS: Final[list[tuple[int, str, list[str]]]] = [
    (1, "initial", M0001_INITIAL),
    (2, "sts_tokens", M0002_STS_TOKENS),
    (5, "receipts", M0005_RECEIPTS),
    (6, "cards", M0006_CARDS),
    (7, "covering_indexes", M0007_COVERING_INDEXES),
    (8, "status_history", M0008_STATUS_HISTORY),
    (10, "note_intake", M0010_NOTE_INTAKE),
    (11, "sale_write_cost", M0011_SALE_WRITE_COST),
    (12, "clock_high_water", M0012_CLOCK_HIGH_WATER),
    (14, "seal", M0014_SEAL),         # = seal.SEALED_SINCE: the migration that seals the ledger
    (15, "office_files", [*M0015_OFFICE_FILES, *append_only_triggers(APPEND_ONLY_OFFICE)]),
    (16, "amendment_new_meter", M0016_AMENDMENT_NEW_METER),
    (17, "account_transfers", [*M0017_ACCOUNT_TRANSFERS, *append_only_triggers(APPEND_ONLY_TRANSFERS)]),
    (18, "setup_and_shifts", M0018_SETUP),
    (19, "report_indexes", M0019_REPORT_INDEXES),
    (20, "sync", M0020_SYNC),
    (23, "checks_and_search", [*M0023_CHECKS_AND_SEARCH, *append_only_triggers(APPEND_ONLY_ACCOUNTS)]),
    (24, "bank_payments", [*M0024_BANK_PAYMENTS, *append_only_triggers(APPEND_ONLY_PAYMENTS)]),
    (27, "seal_compact", M0027_SEAL_COMPACT),   # = seal.COMPACT_SINCE: the seal's compact form
    (29, "number_skips", [*M0029_NUMBER_SKIPS, *append_only_triggers(APPEND_ONLY_INSTALL)]),
]

LATEST: Final = max(number for number, _name, _sql in MIGRATIONS)   # appended in any order
