"""The searches: each file, each filter it knows, paging, a filter it does not know refused,
and the permission."""
from __future__ import annotations

import pytest

from terminal.services import accounts, amendments, auth, meter_readings, parameters, search, selling
from terminal.services.errors import InvalidArgument, PermissionDenied
from tests.unit.services.conftest import DEMO_TARIFF

ALICE, BOB, CAROL = "1000000001", "1000000002", "1000000003"


@pytest.fixture
def files(world):
    """Three customers in two areas and two power types; five sales over three days by two operators."""
    world.tariff(DEMO_TARIFF)
    world.register(ALICE, name="Alice Smith", area="North")
    world.register(BOB, name="Bob Stone", area="South", power_type="COM")
    world.register(CAROL, name="Alicia Keys", area="South")
    auth.add_operator(world.ctx, world.admin, "cash1", "Cashier", "cashier", "password1")
    cashier = auth.login(world.ctx, "cash1", "password1")
    selling.sell(world.ctx, world.admin, ALICE, "1000.00")
    world.at("2026-03-06T10:00:00")
    selling.sell(world.ctx, cashier, BOB, "1000.00")
    selling.sell(world.ctx, cashier, CAROL, "500.00")
    world.at("2026-03-07T10:00:00")
    selling.sell(world.ctx, world.admin, ALICE, "300.00")
    selling.sell(world.ctx, cashier, CAROL, "300.00")
    meter_readings.add_reading(world.ctx, world.admin, ALICE, "5.00", at="2026-03-06T08:00:00")
    meter_readings.add_reading(world.ctx, world.admin, BOB, "7.00", at="2026-03-07T08:00:00")
    meter_readings.add_reading(world.ctx, world.admin, BOB, "6.00", at="2026-03-07T09:00:00")   # lower: a check
    accounts.add_debt(world.ctx, world.admin, CAROL, "10.00", "old bill")
    return world


def _find(world, kind, **kw):
    return search.search(world.ctx, world.admin, kind, **kw)


def _receipts(out):
    return [i["receipt_no"] for i in out["items"]]


def test_sales_newest_first_with_each_filter(files):
    every = _find(files, "sales")
    assert every["total"] == 5 and _receipts(every) == [f"T01-00000{n}" for n in (5, 4, 3, 2, 1)]
    assert every["items"][4] | {"sale_id": None} == {
        "sale_id": None, "receipt_no": "T01-000001", "sold_at": "2026-03-05T10:00:00", "meter": ALICE,
        "account_no": "T01-C000001", "customer": "Alice Smith", "area": "North", "operator": "admin",
        "payment": "cash", "tendered": "1000.00", "kwh": every["items"][4]["kwh"], "free_kwh": "0.00",
        "credit_kwh": every["items"][4]["kwh"], "status": "completed"}
    assert _receipts(_find(files, "sales", start="2026-03-06", end="2026-03-06")) == ["T01-000003", "T01-000002"]
    assert _receipts(_find(files, "sales", start="2026-03-07")) == ["T01-000005", "T01-000004"]
    assert _receipts(_find(files, "sales", end="2026-03-05")) == ["T01-000001"]
    assert _receipts(_find(files, "sales", operator="cash1")) == ["T01-000005", "T01-000003", "T01-000002"]
    assert _receipts(_find(files, "sales", area="South")) == ["T01-000005", "T01-000003", "T01-000002"]
    assert _receipts(_find(files, "sales", power_type="COM")) == ["T01-000002"]
    assert _receipts(_find(files, "sales", meter=CAROL)) == ["T01-000005", "T01-000003"]
    assert _receipts(_find(files, "sales", name="Alic")) == ["T01-000005", "T01-000004", "T01-000003",
                                                             "T01-000001"]
    assert _receipts(_find(files, "sales", name="Alice ")) == ["T01-000004", "T01-000001"]
    assert _receipts(_find(files, "sales", name="alice ")) == ["T01-000004", "T01-000001"]  # case-blind
    assert _receipts(_find(files, "sales", name="ALICIA")) == ["T01-000005", "T01-000003"]
    assert _receipts(_find(files, "sales", name="Alice  ")) == []
    assert _receipts(_find(files, "sales", area="South", operator="cash1", start="2026-03-07")) == ["T01-000005"]
    assert _find(files, "sales", operator="nobody")["total"] == 0
    assert _find(files, "sales", meter="9999")["total"] == 0


def test_paging(files):
    first = _find(files, "sales", page_size=2)
    second = _find(files, "sales", page=2, page_size=2)
    last = _find(files, "sales", page=3, page_size=2)
    beyond = _find(files, "sales", page=4, page_size=2)
    assert [p["total"] for p in (first, second, last, beyond)] == [5] * 4
    assert [_receipts(p) for p in (first, second, last, beyond)] == [
        ["T01-000005", "T01-000004"], ["T01-000003", "T01-000002"], ["T01-000001"], []]
    assert (second["page"], second["page_size"]) == (2, 2)


def test_meters_readings_and_checks(files):
    meters = _find(files, "meters", area="South")
    assert [i["meter"] for i in meters["items"]] == [CAROL, BOB] and meters["total"] == 2
    assert [i["power_type"] for i in meters["items"]] == ["RES:100", "COM:100"]
    assert [i["meter"] for i in _find(files, "meters", power_type="RES")["items"]] == [CAROL, ALICE]
    assert _find(files, "meters", start="2026-03-06")["total"] == 0            # all registered on 03-05
    readings = _find(files, "readings", meter=BOB)
    assert [(i["read_at"], i["total_kwh"], i["source"]) for i in readings["items"]] == [
        ("2026-03-07T09:00:00", "6.00", "manual"), ("2026-03-07T08:00:00", "7.00", "manual")]
    assert _find(files, "readings", start="2026-03-06", end="2026-03-06")["total"] == 1
    assert _find(files, "readings", name="Bob")["total"] == 2
    checks = _find(files, "checks", area="South")
    assert [(i["kind"], i["meter"], i["expected_kwh"], i["observed_kwh"], i["operator"]) for i in checks["items"]] \
        == [("reading_lower", BOB, "7.00", "6.00", "admin")]
    assert checks["items"][0]["reading_id"] == readings["items"][0]["reading_id"]
    assert _find(files, "checks", area="North")["total"] == 0


def test_amendments_are_read_from_the_amendment_file(files):
    files.at("2026-03-07T11:00:00")                            # the amendment services fill the file
    amendments.basic(files.ctx, files.admin, ALICE, name="Alice Smyth")
    parameters.set_param(files.ctx, files.admin, "fee.enlarge_capacity", "50.00")
    files.at("2026-03-08T11:00:00")
    amendments.capacity(files.ctx, files.admin, BOB, 60)
    every = _find(files, "amendments")
    assert [(i["kind"], i["meter"], i["fee"], i["operator"]) for i in every["items"]] == [
        ("capacity", BOB, "50.00", "admin"), ("basic_file", ALICE, "0.00", "admin")]
    assert [i["kind"] for i in _find(files, "amendments", power_type="COM")["items"]] == ["capacity"]
    assert _find(files, "amendments", operator="cash1")["total"] == 0
    assert _find(files, "amendments", end="2026-03-07")["total"] == 1
    assert files.verify()["ok"], files.verify()["problems"]


def test_the_diary_by_operator_and_meter(files):
    theirs = _find(files, "diary", operator="cash1")
    assert theirs["total"] > 0 and {i["operator"] for i in theirs["items"]} == {"cash1"}
    bob = _find(files, "diary", meter=BOB)
    assert [i["action"] for i in bob["items"]] == ["check.flagged", "reading.recorded", "reading.recorded"]
    assert bob["items"][1]["after"]["total_kwh"] == 600
    assert _find(files, "diary", start="2026-03-08")["total"] == 0


@pytest.mark.parametrize(("kind", "kw"), [
    ("meters", {"operator": "admin"}), ("readings", {"operator": "admin"}), ("diary", {"area": "North"}),
    ("diary", {"name": "Al"}), ("diary", {"power_type": "RES"}), ("sales", {"page": 0}),
    ("sales", {"page_size": 501}), ("sales", {"page_size": 0}), ("sales", {"start": "5 March"}),
    ("sales", {"start": "2026-03-07", "end": "2026-03-06"}), ("sales", {"area": " "}), ("bills", {}),
])
def test_bad_searches_are_refused(files, kind, kw):
    with pytest.raises(InvalidArgument):
        _find(files, kind, **kw)


def test_search_needs_its_permission(files):
    auth.set_permission(files.ctx, files.admin, "reader", "search", False)
    auth.add_operator(files.ctx, files.admin, "reader1", "Reader", "reader", "password1")
    reader = auth.login(files.ctx, "reader1", "password1")
    with pytest.raises(PermissionDenied):
        search.search(files.ctx, reader, "sales")
