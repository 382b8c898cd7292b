"""Registration and installation in two steps, meter numbers, and account transfers waiting for
a second operator's approval: the real services on a real SQLite ledger (fake carriers)."""
from __future__ import annotations

from typing import Any

import pytest

from sync.schema import decode
from terminal.domain.errors import EnergyInvalid
from terminal.services import accounts, auth, meter_files, registration, selling, transfers
from terminal.services.errors import (
    ApprovalBySameOperator,
    InvalidArgument,
    MeterAlreadyInstalled,
    MeterExists,
    MeterNotFound,
    MeterNotInstalled,
    MeterNumberInvalid,
    PermissionDenied,
    TransferDecided,
    TransferExceedsBalance,
    TransferToItself,
)
from terminal.services.registration import Files, Installing
from tests.helpers.ppms import dump_tables, query

A, B = "0100000001", "0100000002"
STS_SETTINGS = {"sgc": 123456, "ti": 1, "krn": 1}


def rows(world: Any, table: str) -> list[tuple[Any, ...]]:
    return query(world.ctx.ledger.path, f"SELECT * FROM {table}")


def operator(world: Any, username: str, role: str) -> auth.Session:
    auth.add_operator(world.ctx, world.admin, username, username, role, "secret-" + username)
    return auth.login(world.ctx, username, "secret-" + username)


def test_two_steps_registered_sells_nothing_until_installed(world):
    world.tariff()
    shown = world.register(A, files=Files(building="Block C", id_number="12345678", meter_type="three_phase",
                                          maker="Hexing", model="HXE310", capacity_a=60), install=False)
    assert shown["meter"]["status"] == "registered" and shown["meter"]["installed_at"] is None
    assert shown["installation"] is None and shown["customer"]["building"] == "Block C"
    assert (shown["meter"]["meter_type"], shown["meter"]["capacity_a"]) == ("three_phase", 60)
    with pytest.raises(MeterNotInstalled):
        selling.sell(world.ctx, world.admin, A, "1000.00")
    with pytest.raises(MeterNotInstalled):
        selling.quote(world.ctx, world.admin, A, amount="1000.00")
    assert rows(world, "sale") == [] and rows(world, "installation") == []

    world.at("2026-03-06T09:00:00")
    done = registration.install(world.ctx, world.admin, A, Installing("2026-03-06", "J. Otieno", "S-1, S-2",
                                                                      "12.5"))
    ins = done["installation"]
    assert done["status"] == "installed" and ins["seals"] == ["S-1", "S-2"] and ins["initial_reading_kwh"] == "12.50"
    (row,) = query(world.ctx.ledger.path, "SELECT installed_on, installer, seals, initial_kwh FROM installation")
    assert row == ("2026-03-06", "J. Otieno", "S-1,S-2", 1250)
    (kind, payload), = query(world.ctx.ledger.path, "SELECT kind, payload FROM outbox WHERE kind = 'installation'")
    assert decode(kind, payload).installation.initial_kwh == 1250
    file = meter_files.show_meter(world.ctx, world.admin, A)
    assert file["meter"]["status"] == "installed" and file["meter"]["maker"] == "Hexing"
    assert file["meter"]["installations"][0]["installer"] == "J. Otieno"
    assert file["customer"]["id_number"] == "12345678" and file["customer"]["carry_over"] == "0.00"
    sale = selling.sell(world.ctx, world.admin, A, "1000.00")
    assert sale["status"] == "completed"
    with pytest.raises(MeterAlreadyInstalled):
        registration.install(world.ctx, world.admin, A, Installing())
    assert world.verify()["ok"], world.verify()


def test_one_step_registration_writes_its_installation(world):
    world.tariff()
    shown = world.register(A, installing=Installing(installer="Team 4", seals="77"))
    assert shown["meter"]["status"] == "installed" and shown["installation"]["installer"] == "Team 4"
    assert shown["installation"]["installed_on"] == "2026-03-05"
    assert query(world.ctx.ledger.path, "SELECT seals FROM installation") == [("77",)]
    (payload,) = query(world.ctx.ledger.path, "SELECT payload FROM outbox WHERE kind = 'registration'")[0]
    record = decode("registration", payload)
    assert record.installation.seals == ("77",) and record.meter.status == "installed"
    listed = meter_files.list_meters(world.ctx, world.admin, status="installed")
    assert listed["total"] == 1 and listed["items"][0]["number"] == A
    assert meter_files.show_customer(world.ctx, world.admin, account_no="T01-C000001")["meters"][0]["number"] == A
    assert world.verify()["ok"]


@pytest.mark.parametrize("number,carrier", [
    ("ABC-1", "card"), ("1" * 21, "card"), ("12 34", "card"),
    ("01234567890", "sts"),          # 11 digits, wrong Luhn check digit
    ("0123456789", "sts"), ("012345678970", "sts"), ("0123456789X", "sts"),
])
def test_meter_numbers_a_carrier_cannot_hold_are_refused(world, number, carrier):
    world.tariff()
    before = dump_tables(world.ctx.ledger.path)
    with pytest.raises(MeterNumberInvalid) as exc:
        world.register(number, carrier=carrier, sts=STS_SETTINGS if carrier == "sts" else None)
    assert exc.value.code == "METER_NUMBER_INVALID" and isinstance(exc.value, InvalidArgument)
    assert dump_tables(world.ctx.ledger.path) == before


def test_the_longest_card_number_and_duplicates(world):
    world.tariff()                  # (a valid STS number registers in tests/integration/test_register_cli.py)
    assert world.register("1" * 20)["meter"]["number"] == "1" * 20
    before = dump_tables(world.ctx.ledger.path)
    with pytest.raises(MeterExists):
        world.register("1" * 20)
    assert dump_tables(world.ctx.ledger.path) == before


@pytest.mark.parametrize("installing,error", [
    (Installing(on="2026-03-06"), InvalidArgument),     # after today
    (Installing(on="2026-03-04"), InvalidArgument),     # before the registration
    (Installing(on="05/03/2026"), InvalidArgument),
    (Installing(initial_reading="-3"), EnergyInvalid),
    (Installing(seals="S1,S1"), InvalidArgument),
    (Installing(installer="x" * 201), InvalidArgument),
])
def test_bad_installation_changes_nothing(world, installing, error):
    world.tariff()
    world.register(A, install=False)
    before = dump_tables(world.ctx.ledger.path)
    with pytest.raises(error):
        registration.install(world.ctx, world.admin, A, installing)
    with pytest.raises(MeterNotFound):
        registration.install(world.ctx, world.admin, "0999", Installing())
    assert dump_tables(world.ctx.ledger.path) == before


def test_registration_and_installation_permissions(world):
    world.tariff()
    reader = operator(world, "rita", "reader")
    with pytest.raises(PermissionDenied):
        registration.register(world.ctx, reader, "N", "A", A, "RES", install=False)
    world.register(A, install=False)
    with pytest.raises(PermissionDenied):
        registration.install(world.ctx, reader, A, Installing())
    auth.set_permission(world.ctx, world.admin, "reader", "search", False)
    with pytest.raises(PermissionDenied):
        meter_files.show_meter(world.ctx, auth.login(world.ctx, "rita", "secret-rita"), A)


# -- account transfers ---------------------------------------------------------------------

def two_customers(world: Any, carry_a: int = 0, arrears_a: str | None = None) -> tuple[int, int]:
    world.tariff()
    world.register(A)
    world.register(B, address="Plot 2")
    with world.ctx.ledger.read() as r:
        ca, cb = r.meters.by_number(A).customer_id, r.meters.by_number(B).customer_id
    if carry_a:
        with world.ctx.ledger.unit_of_work() as uow:
            selling.hold_money(world.ctx, world.admin, uow, ca, "CASH", carry_a, "change kept", {"meter": A})
    if arrears_a:
        accounts.add_debt(world.ctx, world.admin, A, arrears_a, "old bill")
    return ca, cb


def test_carry_over_moves_only_at_approval_and_the_next_sale_spends_it(world):
    ca, cb = two_customers(world, carry_a=5_037)
    clerk = operator(world, "clerk", "supervisor")
    asked = transfers.request(world.ctx, clerk, A, B, "carry_over", "50.37", "paid on the wrong meter")
    assert asked["status"] == "awaiting_approval" and asked["amount"] == "50.37"
    assert world.balances(ca) == (5_037, 0) and world.balances(cb) == (0, 0)
    pending = transfers.listing(world.ctx, world.admin)["transfers"]
    assert [t["transfer_id"] for t in pending] == [asked["transfer_id"]]
    before = dump_tables(world.ctx.ledger.path)
    with pytest.raises(ApprovalBySameOperator):
        transfers.decide(world.ctx, clerk, asked["transfer_id"], approve=True)
    assert dump_tables(world.ctx.ledger.path) == before
    done = transfers.decide(world.ctx, world.admin, asked["transfer_id"], approve=True)
    assert done["status"] == "approved" and (done["from_balance"], done["to_balance"]) == ("0.00", "50.37")
    assert world.balances(ca) == (0, 0) and world.balances(cb) == (5_037, 0)
    assert transfers.listing(world.ctx, world.admin)["transfers"] == []
    with pytest.raises(TransferDecided):
        transfers.decide(world.ctx, world.admin, asked["transfer_id"], approve=False)
    # the receiving meter's next sale spends the moved carry-over first, to the minor unit
    quoted_with = selling.quote(world.ctx, world.admin, B, amount="1000.00")
    sale = selling.sell(world.ctx, world.admin, B, "1000.00")
    assert sale["carry_over_used"] == "50.37" and quoted_with["carry_over_used"] == "50.37"
    assert selling.sell(world.ctx, world.admin, A, "1000.00")["carry_over_used"] == "0.00"
    assert world.verify()["ok"], world.verify()
    kinds = [k for (k,) in query(world.ctx.ledger.path, "SELECT kind FROM outbox ORDER BY seq")]
    assert kinds.count("account_transfer") == 1 and kinds.count("account_transfer_decision") == 1


def test_arrears_move_and_the_receiving_meter_recovers_them(world):
    ca, cb = two_customers(world, arrears_a="120.50")
    asked = transfers.request(world.ctx, operator(world, "clerk", "auditor"), A, B, "arrears", "120.50", "moved")
    transfers.decide(world.ctx, world.admin, asked["transfer_id"], approve=True)
    assert world.balances(ca) == (0, 0) and world.balances(cb) == (0, 12_050)
    first = selling.sell(world.ctx, world.admin, B, "400.00")    # 25% of 400.00 = 100.00 recovered
    assert [ln["amount"] for ln in first["lines"] if ln["kind"] == "debt"] == ["100.00"]
    second = selling.sell(world.ctx, world.admin, B, "400.00")   # the 20.50 left
    assert [ln["amount"] for ln in second["lines"] if ln["kind"] == "debt"] == ["20.50"]
    assert world.balances(cb)[1] == 0
    assert [ln["amount"] for ln in selling.sell(world.ctx, world.admin, A, "400.00")["lines"]
            if ln["kind"] == "debt"] == ["0.00"]
    assert world.verify()["ok"], world.verify()


def test_rejected_transfer_moves_nothing(world):
    ca, cb = two_customers(world, carry_a=1_000)
    asked = transfers.request(world.ctx, operator(world, "clerk", "supervisor"), A, B, "carry_over", "10.00", "x")
    out = transfers.decide(world.ctx, world.admin, asked["transfer_id"], approve=False, note="not proven")
    assert out["status"] == "rejected" and out["note"] == "not proven"
    assert world.balances(ca) == (1_000, 0) and world.balances(cb) == (0, 0)
    assert transfers.listing(world.ctx, world.admin, status="rejected")["transfers"][0]["decided_by"] == "admin"
    assert query(world.ctx.ledger.path, "SELECT COUNT(*) FROM posting WHERE kind = 'transfer'") == [(0,)]
    assert world.verify()["ok"]


def test_above_the_balance_at_request_and_again_at_approval(world):
    ca, _ = two_customers(world, carry_a=3_000)
    clerk = operator(world, "clerk", "supervisor")
    before = dump_tables(world.ctx.ledger.path)
    with pytest.raises(TransferExceedsBalance) as exc:
        transfers.request(world.ctx, clerk, A, B, "carry_over", "30.01", "too much")
    assert exc.value.public_details()["balance"] == "30.00"
    with pytest.raises(TransferExceedsBalance):
        transfers.request(world.ctx, clerk, A, B, "arrears", "0.01", "none owed")
    assert dump_tables(world.ctx.ledger.path) == before
    asked = transfers.request(world.ctx, clerk, A, B, "carry_over", "30.00", "all of it")
    selling.sell(world.ctx, world.admin, A, "1000.00")         # spends the carry-over meanwhile
    before = dump_tables(world.ctx.ledger.path)
    with pytest.raises(TransferExceedsBalance):
        transfers.decide(world.ctx, world.admin, asked["transfer_id"], approve=True)
    assert dump_tables(world.ctx.ledger.path) == before
    assert transfers.listing(world.ctx, world.admin)["transfers"][0]["status"] == "awaiting_approval"


def test_transfer_to_itself_and_bad_input_change_nothing(world):
    two_customers(world, carry_a=3_000)
    before = dump_tables(world.ctx.ledger.path)
    for args, error in ((("carry_over", "1.00", "r"), TransferToItself),):
        with pytest.raises(error):
            transfers.request(world.ctx, world.admin, A, A, *args)
    for what, amount, reason in (("credit", "1.00", "r"), ("carry_over", "0", "r"), ("carry_over", "1.00", " ")):
        with pytest.raises(InvalidArgument):
            transfers.request(world.ctx, world.admin, A, B, what, amount, reason)
    with pytest.raises(MeterNotFound):
        transfers.request(world.ctx, world.admin, A, "0999", "carry_over", "1.00", "r")
    assert dump_tables(world.ctx.ledger.path) == before


def test_transfer_permissions(world):
    two_customers(world, carry_a=3_000)
    with pytest.raises(PermissionDenied):
        transfers.request(world.ctx, operator(world, "cash", "cashier"), A, B, "carry_over", "1.00", "r")
    auditor = operator(world, "audi", "auditor")           # accounts, but not approve_transfer
    asked = transfers.request(world.ctx, auditor, A, B, "carry_over", "1.00", "r")
    for approve in (True, False):
        with pytest.raises(PermissionDenied):
            transfers.decide(world.ctx, auditor, asked["transfer_id"], approve=approve)
