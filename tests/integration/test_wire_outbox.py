"""The wire records against today's outbox: real `ppms` commands on a real SQLite file, and
the real services in process for the kinds no command makes without a device. For every
outbox row: its record encodes, decodes to itself, and its view is the row's payload."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sync.schema import RECORDS, decode, encode
from sync.views import record_from_view, view
from terminal.ledger import repos, transaction
from terminal.ledger.models import Outbox
from terminal.services import card_readings, readings, selling
from tests.fakes.devices import FakeMeterReader
from tests.helpers.ppms import SAMPLE_TARIFF, Ppms, query
from tests.unit.services.conftest import DEMO_TARIFF, World

LEGACY_SALE_BYTES = 761   # issue 8: today's text view of a sale in the outbox


def check_rows(rows: list[tuple[str, str]], currency: str = "KES") -> dict[str, list[bytes]]:
    """Assert the record of each payload round-trips and views back to it; the encodings by kind."""
    out: dict[str, list[bytes]] = {}
    for kind, payload in rows:
        old = json.loads(payload)
        record = record_from_view(kind, old, currency)
        data = encode(record)
        assert decode(kind, data) == record
        assert view(record) == old, kind
        out.setdefault(kind, []).append(data)
    return out


@pytest.fixture
def cli(tmp_path: Path) -> Ppms:
    key_file = tmp_path / "vend.key"
    key_file.write_text("0123456789abcdef\n")
    key_file.chmod(0o600)
    cli = Ppms(tmp_path / "ppms.db", extra_env={"PPMS_STS_KEY_FILE": str(key_file)})
    cli.init()
    cli.ok("tariff", "import", str(DEMO_TARIFF))
    cli.ok("tariff", "import", str(SAMPLE_TARIFF))   # a second sheet: version 2 of RES
    return cli


def test_every_row_of_a_working_day_views_back_from_its_record(cli: Ppms) -> None:
    cli.ok("customer", "register", "--name", "Jane", "--address", "Plot 1", "--meter", "0123456789",
           "--power-type", "RES")
    cli.ok("customer", "register", "--name", "Ann", "--address", "Plot 2", "--meter", "0123456790",
           "--power-type", "RES:70,COM:30", "--category", "LIFELINE", "--phone", "+254700000000",
           "--area", "North")
    cli.ok("customer", "register", "--name", "Kip", "--address", "Plot 3", "--meter", "01234567890",
           "--power-type", "COM", "--carrier", "sts", "--sgc", "123456", "--ti", "1", "--krn", "1")
    cli.ok("account", "debt", "add", "--meter", "0123456789", "--amount", "120.50", "--reason", "old bill")
    first = cli.ok("sell", "--meter", "0123456789", "--amount", "1000.00")
    cli.ok("sell", "--meter", "0123456790", "--amount", "2500.00", "--payment", "mobile")   # free energy, split
    sts = cli.ok("sell", "--meter", "01234567890", "--amount", "800.00", "--payment", "bank")
    cli.ok("sale", "reverse", first["sale_id"], "--reason", "wrong meter")
    cli.ok("sts", "engineering", "--meter", "01234567890", "--kind", "max_power", "--value", "5000")
    cli.ok("sts", "key-change", "--meter", "01234567890", "--krn", "2")
    cli.ok("card", "blacklist", "--card", "00112233445566aa", "--reason", "lost")
    cli.ok("card", "unblacklist", "--card", "00112233445566aa", "--reason", "found")
    rows = query(cli.db, "SELECT kind, payload FROM outbox ORDER BY seq")
    by_kind = check_rows(rows)
    assert set(by_kind) == {"tariff", "registration", "debt", "sale", "reversal", "sts_token", "sts_key_change",
                            "card"}
    assert len(by_kind["sale"]) == 3 and sts["token"] and json.loads(rows[-1][1])["status"] == "issued"
    free = [json.loads(p) for k, p in rows if k == "sale" and json.loads(p)["free_kwh"] != "0.00"]
    assert free and any(ln["kind"] == "free" for ln in free[0]["lines"])


def test_a_typical_sale_record_is_well_under_half_of_todays_payload(cli: Ppms) -> None:
    cli.ok("customer", "register", "--name", "Jane", "--address", "Plot 1", "--meter", "0123456789",
           "--power-type", "RES")
    for _ in range(3):
        cli.ok("sell", "--meter", "0123456789", "--amount", "1000.00")
    rows = query(cli.db, "SELECT kind, payload FROM outbox WHERE kind = 'sale' ORDER BY seq")
    sizes = [len(data) for data in check_rows(rows)["sale"]]
    legacy = [len(p.encode()) for _, p in rows]
    assert sizes[0] <= 345 and legacy[0] >= LEGACY_SALE_BYTES - 20, (sizes, legacy)   # cli.md's example sale
    assert all(2 * new < old for new, old in zip(sizes, legacy)), (sizes, legacy)


def _outbox(kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(r.kind, r.payload) for r in Outbox.select().where(Outbox.kind.in_(kinds)).order_by(Outbox.seq)]


def test_readings_and_cash_held_from_the_services_view_back(tmp_path: Path) -> None:
    world = World(tmp_path)
    try:
        world.tariff()
        world.register("202106150042")
        world.register("14000000007", address="Plot 2")
        fake = FakeMeterReader()
        fake.add("202106150042", 123456, remaining_kwh=2507, purchases=7)
        fake.add("014000000007", 99, remaining_money=15050, purchases=3)
        world.ctx.meter_reader = fake
        readings.read_meter(world.ctx, world.admin, "202106150042")
        readings.read_meter(world.ctx, world.admin, "014000000007")
        card_reading: dict[str, Any] = {"meter": "202106150042", "time": "2026-03-05T08:00:00+00:00",
                                        "cumulative": 123500, "remaining": 2400, "last_sequence": 7, "flags": 1,
                                        "flag_names": ["tamper"]}
        customer = repos.meter_row("202106150042").customer_id
        with transaction():
            card_readings.record(world.ctx, world.admin, card_reading, "00112233445566aa")
            selling.hold_money(world.ctx, world.admin, customer, "CASH_ACCEPTOR", 5000,
                               "cash held for meter 202106150042",
                               {"meter": "202106150042", "intake_id": "intake-1", "code": "CARD_ABSENT"})
        by_kind = check_rows(_outbox(("reading", "cash_held")))
        assert len(by_kind["reading"]) == 3 and len(by_kind["cash_held"]) == 1
    finally:
        world.app.close()


def test_every_outbox_kind_the_services_write_has_a_record() -> None:
    root = Path(__file__).resolve().parents[2] / "terminal" / "services"
    kinds = set()
    for path in root.glob("*.py"):
        text = path.read_text()
        for part in text.split("outbox.enqueue(ctx.terminal_id, ")[1:]:
            kinds.add(part.split(",", 1)[0].strip('"'))
    assert kinds and kinds <= set(RECORDS), kinds - set(RECORDS)
