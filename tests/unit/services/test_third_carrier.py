"""A third kind of carrier (tests/fakes' voucher) sells, recovers and is reversed through the
services unchanged: its limits, its reference type and its answers come through the port."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from terminal import bootstrap
from terminal.services import check, selling
from terminal.services.errors import SaleNotReversible, SalePending
from terminal.services.ports import CardRef, TokenRef, carrier_ref_of, carrier_ref_text
from tests.fakes.carriers import VoucherCarriers, VoucherRef
from tests.unit.services.conftest import World

METER = "V-0001"


@pytest.fixture
def vouchers(world: World) -> VoucherCarriers:
    made = VoucherCarriers()
    world.ctx.carriers = bootstrap.CarrierRouter({"card": world.carriers, "voucher": made})
    world.tariff()
    world.register(METER, carrier="voucher")
    return made


def test_a_voucher_sale_goes_through_the_port(world: World, vouchers: VoucherCarriers) -> None:
    quoted = selling.quote(world.ctx, world.admin, METER, amount="500.00")
    sale = selling.sell(world.ctx, world.admin, METER, "500.00")
    assert sale["status"] == "completed" and sale["credit_kwh"] == quoted["credit_kwh"]
    ref, kind, credit = world.models.Sale.select(world.models.Sale.carrier_ref, world.models.Sale.carrier,
                                                 world.models.Sale.credit_kwh).tuples().get()
    assert kind == "voucher" and credit % 100 == 0 and credit > 0          # the carrier's limit: whole kWh
    assert carrier_ref_of(VoucherRef, ref) == VoucherRef(code=ref.split(";")[0][5:], n=1)
    assert ref.startswith("code:") and ref.endswith(";n:1")
    second = selling.sell(world.ctx, world.admin, METER, "500.00")
    assert world.models.Sale.select().where(world.models.Sale.carrier_ref.endswith(";n:2")).count() == 1
    reversed_ = selling.reverse(world.ctx, world.admin, second["receipt_no"], "wrong meter")
    assert reversed_["status"] == "reversed" and check.verify(world.ctx)["ok"]


def test_a_pending_voucher_sale_is_recovered_by_the_voucher_carrier(world: World, vouchers: VoucherCarriers
                                                                    ) -> None:
    vouchers.jammed = True
    with pytest.raises(SalePending) as caught:
        selling.sell(world.ctx, world.admin, METER, "500.00")
    assert caught.value.details["cause"] == "VOUCHER_PRINT_JAMMED"
    vouchers.jammed = False
    assert selling.recover(world.ctx, world.admin) == [
        {"sale_id": caught.value.details["sale_id"], "receipt_no": "T01-000001", "action": "completed"}]
    assert selling.show(world.ctx, world.admin, "T01-000001")["status"] == "completed"
    assert check.verify(world.ctx)["ok"]


def test_a_voucher_the_meter_has_taken_is_not_taken_back(world: World, vouchers: VoucherCarriers) -> None:
    sale = selling.sell(world.ctx, world.admin, METER, "500.00")
    code = world.models.Sale.get().carrier_ref.split(";")[0][5:]
    vouchers.keyed.add(code)
    with pytest.raises(SaleNotReversible):
        selling.reverse(world.ctx, world.admin, sale["receipt_no"], "changed mind")


def test_the_carrier_ref_column_in_one_form_and_the_old_forms_read_back() -> None:
    t = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
    card = CardRef(seq=7, ti=2, utc=t, card="ab" * 8)
    assert carrier_ref_text(card) == "seq:7;ti:2;utc:2026-03-05T07:00:00Z;card:" + "ab" * 8
    assert carrier_ref_of(CardRef, carrier_ref_text(card)) == card
    assert carrier_ref_of(CardRef, "seq:7") == CardRef(seq=7)                        # the oldest form
    assert carrier_ref_of(CardRef, "seq:7;ti:2;utc:2026-03-05T07:00:00Z") == CardRef(7, 2, t)
    assert carrier_ref_of(CardRef, "card:" + "ab" * 8 + ";seq:7") == CardRef(7, card="ab" * 8)
    assert carrier_ref_text(TokenRef("12345678901234567890")) == "12345678901234567890"
    assert carrier_ref_of(TokenRef, "12345678901234567890") == TokenRef("12345678901234567890")
    with pytest.raises(ValueError, match="no field"):
        carrier_ref_of(CardRef, "seq:7;colour:red")
