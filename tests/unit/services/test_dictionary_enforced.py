"""The system dictionary enforced by the office functions: a coded field (area, building,
category, maker, model, a fee's payment method, an amendment's reason) is refused with
DICTIONARY_VALUE_UNKNOWN (details key, kind, value, allowed) and nothing changes, once the
utility keeps that list; what a clerk types is stored as the entry's code; a list not kept
stays free text. The real services on a real SQLite ledger (fake carriers)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from terminal.services import amendment_credit, amendments, dictionary, parameters
from terminal.services.errors import DictionaryValueUnknown
from terminal.services.registration import Files
from tests.helpers.ppms import dump_tables, query

METER, OTHER = "0123456789", "0100000002"


def lists(world: Any, *entries: tuple[str, str, str]) -> None:
    for kind, code, name in entries:
        dictionary.add(world.ctx, world.admin, kind, code, name)


def refused(world: Any, action: Any) -> dict[str, Any]:
    """`action` refused with DICTIONARY_VALUE_UNKNOWN, every table as it was; its details."""
    before = dump_tables(Path(world.app.db.database))
    with pytest.raises(DictionaryValueUnknown) as info:
        action()
    assert dump_tables(Path(world.app.db.database)) == before
    assert info.value.code == "DICTIONARY_VALUE_UNKNOWN"
    return dict(info.value.details)


@pytest.fixture
def kept(world: Any) -> Any:
    world.tariff()
    lists(world, ("area", "KIBERA-N", "Kibera North"), ("area", "RUAKA", "Ruaka"),
          ("building", "BLOCK-C", "Block C"), ("maker", "HEXING", "Hexing"), ("model", "HXE310", "HXE310"),
          ("category", "LIFELINE", "Lifeline"))
    return world


@pytest.mark.parametrize(("field", "kind", "value", "allowed"), [
    ("area", "area", "Nowhere", ["KIBERA-N", "RUAKA"]),
    ("building", "building", "Block Z", ["BLOCK-C"]),
    ("maker", "maker", "Acme", ["HEXING"]),
    ("model", "model", "X1", ["HXE310"]),
    ("category", "category", "STUDENT", ["LIFELINE"]),
])
def test_registration_refuses_a_value_off_the_list(kept: Any, field: str, kind: str, value: str,
                                                   allowed: list[str]) -> None:
    files = Files(**{field: value})
    details = refused(kept, lambda: kept.register(METER, files=files))
    assert details == {"key": field, "kind": kind, "value": value, "allowed": allowed}
    assert query(kept.ctx.ledger.path, "SELECT count(*) FROM meter") == [(0,)]


def test_registration_stores_the_code_of_what_the_clerk_typed(kept: Any) -> None:
    shown = kept.register(METER, files=Files(area="kibera north", building="Block C", maker="hexing",
                                             model="HXE310", category="lifeline", id_number="29871234"))
    assert (shown["customer"]["area"], shown["customer"]["building"], shown["customer"]["category"]) == (
        "KIBERA-N", "BLOCK-C", "LIFELINE")
    assert (shown["meter"]["maker"], shown["meter"]["model"]) == ("HEXING", "HXE310")
    assert query(kept.ctx.ledger.path, "SELECT area, building, category FROM customer") == [
        ("KIBERA-N", "BLOCK-C", "LIFELINE")]
    assert kept.verify()["ok"]


def test_a_list_not_kept_stays_free_text(world: Any) -> None:
    world.tariff()
    lists(world, ("area", "RUAKA", "Ruaka"))   # areas kept; buildings, makers not
    shown = world.register(METER, files=Files(area="Ruaka", building="Anything 7", maker="Any maker"))
    assert (shown["customer"]["area"], shown["customer"]["building"], shown["meter"]["maker"]) == (
        "RUAKA", "Anything 7", "Any maker")
    dictionary.remove(world.ctx, world.admin, "area", "RUAKA")   # no active area left: not kept
    assert world.register(OTHER, files=Files(area="Far away"))["customer"]["area"] == "Far away"


def test_basic_amendment_refuses_a_value_off_the_list_and_codes_a_name(kept: Any) -> None:
    kept.register(METER, files=Files(area="RUAKA"))
    details = refused(kept, lambda: amendments.basic(kept.ctx, kept.admin, METER, area="Lavington"))
    assert details["key"] == "area" and details["allowed"] == ["KIBERA-N", "RUAKA"]
    refused(kept, lambda: amendments.basic(kept.ctx, kept.admin, METER, phone="0700", building="Block Z"))
    out = amendments.basic(kept.ctx, kept.admin, METER, area="Kibera North")
    assert out["before"] == {"area": "RUAKA"} and out["after"] == {"area": "KIBERA-N"}
    assert kept.verify()["ok"]


def test_amendment_reasons_and_fee_payments_off_their_lists(kept: Any) -> None:
    kept.register(METER)
    lists(kept, ("amendment_reason", "MOVED-OUT", "Customer moved out"), ("payment_method", "cash", "Cash"))
    parameters.set_param(kept.ctx, kept.admin, "fee.enlarge_capacity", "150.00")
    details = refused(kept, lambda: amendments.capacity(kept.ctx, kept.admin, METER, 60, payment="bank"))
    assert details == {"key": "payment", "kind": "payment_method", "value": "bank", "allowed": ["cash"]}
    assert amendments.capacity(kept.ctx, kept.admin, METER, 60, payment="cash")["fee"] == "150.00"
    details = refused(kept, lambda: amendment_credit.cancel_meter(kept.ctx, kept.admin, METER, "10", "0",
                                                                  "house demolished"))
    assert details["key"] == "reason" and details["allowed"] == ["MOVED-OUT"]
    refused(kept, lambda: amendment_credit.replace_meter(kept.ctx, kept.admin, METER, OTHER, "10", "0",
                                                         reason="broken"))
    out = amendment_credit.cancel_meter(kept.ctx, kept.admin, METER, "10", "0", "customer moved out")
    assert out["reason"] == "MOVED-OUT"
    assert query(kept.ctx.ledger.path, "SELECT reason FROM amendment WHERE kind = 'cancel_meter'") == [
        ("MOVED-OUT",)]
    assert kept.verify()["ok"]


def test_a_kept_category_needs_no_preferential_sheet(kept: Any) -> None:
    """With the category list kept, the dictionary says what a category is: GOVT, with no
    preferential sheet, buys at the plain tariff; without the list a category must be a sheet's."""
    lists(kept, ("category", "GOVT", "Government offices"))
    assert kept.register(METER, files=Files(category="govt"))["customer"]["category"] == "GOVT"
    out = amendments.basic(kept.ctx, kept.admin, METER, category="Lifeline")
    assert out["after"] == {"category": "LIFELINE"}
    assert kept.verify()["ok"]
