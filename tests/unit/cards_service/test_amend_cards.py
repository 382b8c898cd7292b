"""Reissue card and meter replacing on IC cards, through the real services, the real card
adapter and the in-memory SLE4442 reader, with prepaid meter simulators at the end of the line."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from hardware.cards.fake import Sle4442Chip
from hardware.cards.meter_sim import PrepaidMeterSim
from terminal.domain.errors import PpmsError
from terminal.services import amendment_credit, cards, check, parameters, selling

from .conftest import KEYS, METER, CardWorld

NEW = "0987654321"


def code_of(fn: Any, *args: Any, **kw: Any) -> str:
    with pytest.raises(PpmsError) as info:
        fn(*args, **kw)
    return info.value.code


def test_reissue_blacklists_the_old_card_and_the_new_one_brings_the_untaken_purchase(cw: CardWorld) -> None:
    old_serial = cards.make(cw.ctx, cw.admin, "user", METER)["card_serial"]
    sale = selling.sell(cw.ctx, cw.admin, METER, "1000.00")      # on the card, not yet in the meter
    lost = cw.swap(Sle4442Chip.blank())
    assert lost is not None
    parameters.set_param(cw.ctx, cw.admin, "fee.reissue_card", "100.00")
    out = amendment_credit.reissue_card(cw.ctx, cw.admin, METER, "lost on the bus")
    assert out["old_card"] == old_serial and out["new_card"] != old_serial and out["fee"] == "100.00"
    assert out["carried_sequence"] == 1 and out["carried_kwh"] == "56.51"
    assert cw.rows("SELECT serial, status FROM card ORDER BY id") == [(old_serial, "blacklisted"),
                                                                    (out["new_card"], "issued")]
    assert cw.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'sale_rewrite'") == [(1,)]
    new_card = cw.reader.remove()
    assert new_card is not None and cw.meter.take_card(new_card).added == 5651   # nothing paid is lost
    # the old card is refused by selling, error-tolerance selling and card reading, the ledger unchanged
    cw.reader.insert(lost)
    before = cw.dump()
    assert code_of(selling.sell, cw.ctx, cw.admin, METER, "500.00") == "CARD_BLACKLISTED"
    assert code_of(cards.rewrite, cw.ctx, cw.admin, sale["sale_id"], supervisor_override="customer insists") == \
        "CARD_BLACKLISTED"
    assert code_of(cards.read, cw.ctx, cw.admin) == "CARD_BLACKLISTED"
    # the carried purchase is that sale's rewrite: once only, and no reversal while two copies exist
    assert code_of(cards.rewrite, cw.ctx, cw.admin, sale["sale_id"]) == "SALE_ALREADY_REWRITTEN"
    assert code_of(selling.reverse, cw.ctx, cw.admin, sale["sale_id"], "mistake") == "SALE_NOT_REVERSIBLE"
    assert cw.dump() == before
    # even if the old card reaches the meter, the meter takes purchase 1 once only
    assert cw.meter.take_card(lost).code == "NOTHING_NEW" and cw.meter.credit == 5651
    cw.swap(new_card)
    second = selling.sell(cw.ctx, cw.admin, METER, "500.00")     # the new card sells on
    assert second["status"] == "completed"
    assert cw.into_meter().code == "OK" and cw.meter.last_sequence == 2
    assert check.verify(cw.ctx)["ok"]


def test_reissue_after_the_meter_took_the_purchase_carries_nothing(cw: CardWorld) -> None:
    cards.make(cw.ctx, cw.admin, "user", METER)
    selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cw.into_meter(consume=100)
    cards.read(cw.ctx, cw.admin)                                    # the reading says purchase 1 was taken
    cw.swap(Sle4442Chip.blank())
    out = amendment_credit.reissue_card(cw.ctx, cw.admin, METER, "damaged")
    assert out["carried_sequence"] is None
    assert cards.read(cw.ctx, cw.admin)["purchase"] is None
    assert check.verify(cw.ctx)["ok"]


def test_replace_card_meter_the_new_card_carries_the_remaining_credit(cw: CardWorld) -> None:
    old_serial = cards.make(cw.ctx, cw.admin, "user", METER)["card_serial"]
    first = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cw.into_meter(consume=3651)                                     # 20.00 kWh left in the old meter
    assert cw.meter.credit == 2000
    cw.swap(Sle4442Chip.blank())
    out = amendment_credit.replace_meter(cw.ctx, cw.admin, METER, NEW, "36.51", "20.00")
    assert out["credit_transferred_kwh"] == "20.00" and out["credit_value"] == "292.32"
    assert out["card"]["written"] and out["card"]["carried_sequence"] == 1
    assert out["card_blacklisted"] == old_serial
    new_meter = PrepaidMeterSim(NEW, KEYS, clock=lambda: datetime(2026, 3, 6, 8, 0, 0).astimezone())
    card = cw.reader.remove()
    assert card is not None and new_meter.take_card(card).added == 2000   # the credit moved, exactly
    cw.reader.insert(card)
    second = selling.sell(cw.ctx, cw.admin, NEW, "500.00")         # purchase 2 of the new meter
    card = cw.reader.remove()
    assert card is not None and new_meter.take_card(card).code == "OK"
    assert new_meter.last_sequence == 2
    assert new_meter.credit == 2000 + int(second["credit_kwh"].replace(".", ""))
    cw.reader.insert(card)
    before = cw.dump()
    assert code_of(selling.sell, cw.ctx, cw.admin, METER, "100.00") == "METER_REPLACED"
    assert code_of(cards.rewrite, cw.ctx, cw.admin, first["sale_id"]) == "METER_REPLACED"
    assert code_of(selling.reverse, cw.ctx, cw.admin, first["sale_id"], "oops") == "METER_REPLACED"
    assert cw.dump() == before
    # the new meter's card lost: the reissued card brings purchase 2 (no reading shows it taken)
    cw.swap(Sle4442Chip.blank())
    again = amendment_credit.reissue_card(cw.ctx, cw.admin, NEW, "lost")
    assert again["carried_sequence"] == 2
    assert check.verify(cw.ctx)["ok"]


def test_replace_when_the_new_card_cannot_be_made_a_reissue_carries_the_transfer(cw: CardWorld) -> None:
    cards.make(cw.ctx, cw.admin, "user", METER)
    selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cw.into_meter(consume=3651)
    out = amendment_credit.replace_meter(cw.ctx, cw.admin, METER, NEW, "36.51", "20.00")   # the old card is in
    assert out["card"]["written"] is False and "reissue-card" in out["card"]["advice"]
    assert cw.rows("SELECT status FROM meter ORDER BY id") == [("replaced",), ("installed",)]
    cw.swap(Sle4442Chip.blank())
    again = amendment_credit.reissue_card(cw.ctx, cw.admin, NEW, "first card of the new meter")
    assert again["old_card"] is None and again["carried_sequence"] == 1 and again["carried_kwh"] == "20.00"
    new_meter = PrepaidMeterSim(NEW, KEYS, clock=lambda: datetime(2026, 3, 6, 8, 0, 0).astimezone())
    card = cw.reader.remove()
    assert card is not None and new_meter.take_card(card).added == 2000
    assert check.verify(cw.ctx)["ok"]
