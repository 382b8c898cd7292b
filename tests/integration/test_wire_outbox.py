"""The outbox holds the versioned wire records: real `ppms` commands on a real SQLite file, and
the real services in process for the kinds no command makes without a device. Every outbox
row decodes with `sync.schema.decode` (which refuses any spelling but the canonical one), its
record's view is the JSON the command printed, and a row of the text view an older terminal
wrote reads back as the same record."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sync.errors import WireRecordInvalid
from sync.records import SaleRecord
from sync.schema import RECORDS, decode, encode
from sync.views import view
from terminal.domain.tariff import parse_tariff, power_type_to_json, preferential_to_json
from terminal.ledger import outbox
from terminal.ledger.canonical import dumps
from terminal.services import card_readings, cards, readings, selling
from tests.fakes.devices import FakeMeterReader
from tests.helpers.ppms import SAMPLE_TARIFF, Ppms, query
from tests.unit.cards_service.conftest import METER, CardWorld
from tests.unit.services.conftest import DEMO_TARIFF, World

LEGACY_SALE_BYTES = 761   # issue 8: the text view a sale's outbox row held before the records
NOT_QUOTED = ("sale_id", "sold_at", "payment", "operator", "carrier", "token")
SHOWN_ONLY = ("customer", "account_no", "reversal")   # what `ppms` shows of a sale beyond its record


def sale_part(out: dict[str, Any]) -> dict[str, Any]:
    """A printed sale without what only the screen shows (whose sale it is, who reversed it)."""
    assert out["customer"] and out["account_no"], out
    return {k: v for k, v in out.items() if k not in SHOWN_ONLY}


def records(rows: list[tuple[str, str]], currency: str = "KES") -> list[tuple[str, Any]]:
    """Each row's record, after asserting that its bytes are the record's canonical encoding and
    that the text view an older terminal stored for it reads back as the same record."""
    out = []
    for kind, payload in rows:
        record = decode(kind, payload)
        assert encode(record) == payload.encode("utf-8") and outbox.decode(kind, payload) == record
        assert outbox.decode(kind, dumps(view(record)), currency) == record, kind
        out.append((kind, record))
    return out


def of(found: list[tuple[str, Any]], kind: str) -> list[Any]:
    return [record for k, record in found if k == kind]


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


def sheet_view(path: Path) -> dict[str, Any]:
    sheet = parse_tariff(path.read_text())
    return json.loads(dumps({"currency": sheet.currency.code,
                             "power_types": [power_type_to_json(p) for p in sheet.power_types],
                             "preferentials": [preferential_to_json(p) for p in sheet.preferentials]}))


def test_every_row_of_a_working_day_is_a_record_viewed_as_the_command_printed_it(cli: Ppms) -> None:
    printed: dict[str, list[dict[str, Any]]] = {}

    def run(kind: str, *argv: str) -> dict[str, Any]:
        out = cli.ok(*argv)
        printed.setdefault(kind, []).append(out)
        return out

    run("registration", "customer", "register", "--name", "Jane", "--address", "Plot 1", "--meter", "0123456789",
        "--power-type", "RES")
    run("registration", "customer", "register", "--name", "Ann", "--address", "Plot 2", "--meter", "0123456790",
        "--power-type", "RES:70,COM:30", "--category", "LIFELINE", "--phone", "+254700000000", "--area", "North")
    run("registration", "customer", "register", "--name", "Kip", "--address", "Plot 3", "--meter", "01234567897",
        "--power-type", "COM", "--carrier", "sts", "--sgc", "123456", "--ti", "1", "--krn", "1")
    run("debt", "account", "debt", "add", "--meter", "0123456789", "--amount", "120.50", "--reason", "old bill")
    quoted = cli.ok("quote", "--meter", "0123456789", "--amount", "1000.00")
    first = run("sale", "sell", "--meter", "0123456789", "--amount", "1000.00")
    run("sale", "sell", "--meter", "0123456790", "--amount", "2500.00", "--payment", "mobile")   # free energy, split
    sts = run("sale", "sell", "--meter", "01234567897", "--amount", "800.00", "--payment", "bank")
    shown = cli.ok("sale", "show", sts["receipt_no"])
    reversed_ = run("reversal", "sale", "reverse", first["sale_id"], "--reason", "wrong meter")
    run("sts_token", "sts", "engineering", "--meter", "01234567897", "--kind", "max_power", "--value", "5000")
    run("sts_key_change", "sts", "key-change", "--meter", "01234567897", "--krn", "2")
    run("card", "card", "blacklist", "--card", "00112233445566aa", "--reason", "lost")
    run("card", "card", "unblacklist", "--card", "00112233445566aa", "--reason", "found")

    found = records(query(cli.db, "SELECT kind, payload FROM outbox ORDER BY seq"))
    assert {k for k, _ in found} == set(printed) | {"tariff"}
    for kind, outs in printed.items():
        if kind not in ("sale", "reversal"):
            assert [view(r) for r in of(found, kind)] == outs, kind
    assert [view(r) for r in of(found, "sale")] == [sale_part(out) for out in printed["sale"]]
    assert [view(r) for r in of(found, "tariff")] == [sheet_view(DEMO_TARIFF), sheet_view(SAMPLE_TARIFF)]
    sales = of(found, "sale")
    assert sts["token"] and sales[2].token == sts["token"] and view(sales[2]) == sale_part(shown)
    assert sales[1].free_kwh > 0 and any(ln["kind"] == "free" for ln in printed["sale"][1]["lines"])
    (reversal,) = of(found, "reversal")
    assert reversal.sale == sales[0] and reversal.reason == "wrong meter"
    assert view(reversal) == sale_part(reversed_) | {"reason": "wrong meter"} and reversed_["status"] == "reversed"
    assert reversed_["reversal"]["reason"] == "wrong meter"
    # a quote is the view of the sale it would be, without what only a sale has
    assert quoted == {k: v for k, v in first.items() if k not in NOT_QUOTED} | {"receipt_no": None,
                                                                                "status": "quote"}
    assert sale_part(quoted)


def test_a_sale_record_is_well_under_half_of_the_text_view_it_replaces(cli: Ppms) -> None:
    cli.ok("customer", "register", "--name", "Jane", "--address", "Plot 1", "--meter", "0123456789",
           "--power-type", "RES")
    for _ in range(3):
        cli.ok("sell", "--meter", "0123456789", "--amount", "1000.00")
    rows = query(cli.db, "SELECT kind, payload FROM outbox WHERE kind = 'sale' ORDER BY seq")
    sales: list[SaleRecord] = of(records(rows), "sale")
    sizes = [len(payload.encode()) for _, payload in rows]
    legacy = [len(dumps(view(record)).encode()) for record in sales]
    assert sizes[0] <= 345 and legacy[0] >= LEGACY_SALE_BYTES - 20, (sizes, legacy)   # cli.md's example sale
    assert all(2 * new < old for new, old in zip(sizes, legacy)), (sizes, legacy)


def _outbox(world: World | CardWorld, kinds: tuple[str, ...]) -> list[tuple[str, Any]]:
    with world.ctx.ledger.read() as r:
        currency = r.meta.get("currency")
    marks = ",".join("?" * len(kinds))
    rows = query(world.ctx.ledger.path, f"SELECT kind, payload FROM outbox WHERE kind IN ({marks}) ORDER BY seq",
                 *kinds)
    return records(rows, currency or "KES")


def test_readings_and_cash_held_from_the_services_are_records_of_what_they_return(tmp_path: Path) -> None:
    world = World(tmp_path)
    try:
        world.tariff()
        world.register("202106150042")
        world.register("14000000007", address="Plot 2")
        fake = FakeMeterReader()
        fake.add("202106150042", 123456, remaining_kwh=2507, purchases=7)
        fake.add("014000000007", 99, remaining_money=15050, purchases=3)
        world.ctx.meter_reader = fake
        returned = [readings.read_meter(world.ctx, world.admin, "202106150042"),
                    readings.read_meter(world.ctx, world.admin, "014000000007")]
        card_reading: dict[str, Any] = {"meter": "202106150042", "time": "2026-03-05T08:00:00+00:00",
                                        "cumulative": 123500, "remaining": 2400, "last_sequence": 7, "flags": 1,
                                        "flag_names": ["tamper"]}
        with world.ctx.ledger.read() as r:
            meter = r.meters.by_number("202106150042")
        assert meter is not None
        with world.ctx.ledger.unit_of_work() as uow:
            returned.append(card_readings.record(world.ctx, world.admin, uow, card_reading, "00112233445566aa"))
            held = selling.hold_money(world.ctx, world.admin, uow, meter.customer_id, "CASH_ACCEPTOR", 5000,
                                      "cash held for meter 202106150042",
                                      {"meter": "202106150042", "intake_id": "intake-1", "code": "CARD_ABSENT"})
        found = _outbox(world, ("reading", "cash_held"))
        assert [view(r) for r in of(found, "reading")] == returned
        assert [view(r) for r in of(found, "cash_held")] == [held]
        assert of(found, "reading")[1].remaining_money == 15050 and of(found, "reading")[1].currency == "KES"
    finally:
        world.app.close()


def test_card_rows_are_records_of_what_the_card_commands_return(tmp_path: Path) -> None:
    cw = CardWorld(tmp_path, "acr38")
    try:
        made = cards.make(cw.ctx, cw.admin, "user", METER)
        sale = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
        lost = cw.reader.remove()
        assert lost is not None and cw.meter.take_card(lost).added == 5651
        blacklisted = cards.blacklist(cw.ctx, cw.admin, made["card_serial"], "card broken")
        cw.reader.insert(lost)
        formatted = cards.format_card(cw.ctx, cw.admin)
        remade = cards.make(cw.ctx, cw.admin, "user", METER)
        rewritten = cards.rewrite(cw.ctx, cw.admin, sale["receipt_no"])
        found = _outbox(cw, ("card", "sale_rewrite", "sale"))
        made_rec, black_rec, format_rec, remade_rec = of(found, "card")
        for out, rec in ((made, made_rec), (remade, remade_rec)):
            assert view(rec) == {"card_serial": out["card_serial"], "type": "user", "meter": METER,
                                 "made_at": out["ledger"]["made_at"], "status": "issued"}
        assert view(black_rec) == blacklisted
        assert view(format_rec) == {"card_serial": formatted["card_serial"], "status": "formatted",
                                    "was": "blacklisted"}
        assert [view(r) for r in of(found, "sale_rewrite")] == [
            {k: v for k, v in rewritten.items() if k not in ("rewrite", "supervisor_override")}]
        assert rewritten["rewrite"] == 1 and rewritten["supervisor_override"] is None
        assert [view(r) for r in of(found, "sale")] == [sale_part(sale)]
    finally:
        cw.app.close()


def test_every_outbox_kind_the_services_write_has_a_record() -> None:
    root = Path(__file__).resolve().parents[2] / "terminal" / "services"
    kinds = set()
    for path in root.glob("*.py"):
        for part in path.read_text().split("outbox=Outgoing(")[1:]:
            kinds.add(part.split(",", 1)[0].strip('"'))
    assert kinds == set(RECORDS), kinds ^ set(RECORDS)


def test_a_sale_whose_record_would_be_refused_is_voided_before_the_carrier(tmp_path: Path) -> None:
    world = World(tmp_path)
    try:
        world.tariff()
        world.register()
        # the operator form keeps usernames to 1-64 characters now: a session of a longer one stands
        # for whatever a record might refuse that the forms before it let through
        cashier = replace(world.admin, username="a" * 65)
        with pytest.raises(WireRecordInvalid) as refused:
            selling.sell(world.ctx, cashier, "0123456789", "1000.00")
        assert refused.value.details["field"] == "op"
        assert world.carriers.cards["0123456789"].purchases == {}           # nothing reached the card
        assert query(world.ctx.ledger.path, "SELECT ss.status FROM sale_status ss") == [("voided",)]
        assert query(world.ctx.ledger.path, "SELECT COUNT(*) FROM outbox WHERE kind = 'sale'") == [(0,)]
        assert world.verify()["ok"]
    finally:
        world.app.close()
