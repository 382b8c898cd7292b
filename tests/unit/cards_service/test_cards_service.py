"""Card making, selling onto the card, readings, blacklist, format and error-tolerance
selling through the real services, the real adapter and the in-memory card reader."""
from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from hardware.cards import CardTerminal, CardType, UtilityKeys
from hardware.cards.fake import Sle4442Chip
from hardware.cards.layout import CardData, Identity, encode_card
from hardware.cards.meter_sim import PrepaidMeterSim
from sync.device_records import CardOrder
from sync.schema import decode
from terminal.domain.errors import PpmsError
from terminal.services import auth, cards, check, selling

from .conftest import KEYS, METER, CardWorld


def code_of(fn, *args, **kw) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(PpmsError) as info:
        fn(*args, **kw)
    return info.value.code


def made(cw: CardWorld) -> str:
    out = cards.make(cw.ctx, cw.admin, "user", METER)
    return str(out["card_serial"])


def test_make_user_card_records_it_and_refuses_a_second(cw: CardWorld) -> None:
    out = cards.make(cw.ctx, cw.admin, "user", METER)
    assert out["type"] == "user" and out["meter"] == METER and out["verified"] and not out["blank"]
    assert out["ledger"]["status"] == "issued" and out["attempts_left"] == 3
    serial = out["card_serial"]
    assert cw.rows("SELECT status, card_type FROM card WHERE serial = ?", serial) == [("issued", "user")]
    assert cw.rows("SELECT event FROM card_event") == [("made",)]
    assert cw.rows("SELECT kind, entity_uuid FROM outbox WHERE kind = 'card'") == [("card", serial)]
    assert cw.rows("SELECT action FROM diary WHERE action = 'card.made'") == [("card.made",)]
    cw.swap(Sle4442Chip.blank())
    assert code_of(cards.make, cw.ctx, cw.admin, "user", METER) == "CARD_ALREADY_ISSUED"
    assert code_of(cards.make, cw.ctx, cw.admin, "user", "999") == "METER_NOT_FOUND"
    assert code_of(cards.make, cw.ctx, cw.admin, "user", None) == "INVALID_ARGUMENT"
    cashier = cw.operator("cash1", "cashier")
    assert code_of(cards.make, cw.ctx, cashier, "user", METER) == "PERMISSION_DENIED"
    test_card = cards.make(cw.ctx, cw.admin, "test")   # a service card for any meter
    assert test_card["type"] == "test" and test_card["meter"] == ""


def test_sell_meter_read_loop_energy_agrees(cw: CardWorld) -> None:
    serial = made(cw)
    first = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    assert first["status"] == "completed" and first["credit_kwh"] == "56.51"
    on_card = cards.read(cw.ctx, cw.admin)
    assert on_card["pending"] and on_card["purchase"]["sequence"] == 1
    assert on_card["purchase"]["kwh"] == "56.51"
    sold_utc = datetime(2026, 3, 5, 10).astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert on_card["purchase"]["time"] == sold_utc
    assert on_card["purchase"]["tariff_index"] == 1
    ref = cw.rows("SELECT carrier_ref FROM sale")[0][0]
    assert ref == f"seq:1;ti:1;utc:{sold_utc};card:{serial}"
    # the same purchase cannot be sold twice: the meter has not taken it yet
    before = cw.dump()
    assert code_of(selling.sell, cw.ctx, cw.admin, METER, "500.00") == "CARD_PURCHASE_PENDING"
    assert cw.dump() == before
    assert cw.into_meter(consume=1234).code == "OK"
    read = cards.read(cw.ctx, cw.admin)
    assert read["reading_recorded"] and not read["pending"]
    assert read["return"] == {"meter": METER, "last_sequence": 1, "remaining_kwh": "44.17",
                              "cumulative_kwh": "12.34", "flags": [], "time": read["return"]["time"]}
    again = cards.read(cw.ctx, cw.admin)
    assert not again["reading_recorded"]                  # the same return data is recorded once
    second = selling.sell(cw.ctx, cw.admin, METER, "500.00")
    assert cw.into_meter(consume=2000).code == "OK"
    cards.read(cw.ctx, cw.admin)
    readings = cw.rows("SELECT source, total_kwh, remaining_kwh, purchase_count FROM reading ORDER BY id")
    assert readings == [("card", 1234, 4417, 1), ("card", 3234, 5651 + 3421 - 3234, 2)]
    sold = 5651 + int(second["credit_kwh"].replace(".", ""))
    total, remaining = readings[-1][1], readings[-1][2]
    assert sold == total + remaining == cw.meter.cumulative + cw.meter.credit
    assert cw.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'reading'") == [(2,)]
    assert check.verify(cw.ctx)["ok"]


def test_selling_refuses_blacklisted_other_meter_and_blank_cards_leaving_the_ledger(cw: CardWorld) -> None:
    serial = made(cw)
    cards.blacklist(cw.ctx, cw.admin, serial, "reported lost")
    before = cw.dump()
    assert code_of(selling.sell, cw.ctx, cw.admin, METER, "500.00") == "CARD_BLACKLISTED"
    assert cw.dump() == before
    cashier = cw.operator("cash1", "cashier")
    assert code_of(cards.unblacklist, cw.ctx, cashier, serial, "found") == "PERMISSION_DENIED"
    sup = cw.operator("sup1", "supervisor")
    cards.unblacklist(cw.ctx, sup, serial, "found again")
    assert selling.sell(cw.ctx, cw.admin, METER, "500.00")["status"] == "completed"
    other = CardTerminal(lambda: None, "acr38", KEYS)  # noqa: F841 - the layout alone makes the card below
    chip = Sle4442Chip.blank()
    ident = Identity(CardType.USER, KEYS.utility_code, b"\x01" * 8, "5555", KEYS.key_id)
    chip.main[:] = encode_card(CardData(ident), KEYS, bytes(chip.main))
    chip.psc = KEYS.psc_for(b"\x01" * 8)
    cw.swap(chip)
    before = cw.dump()
    assert code_of(selling.sell, cw.ctx, cw.admin, METER, "500.00") == "CARD_WRONG_METER"
    cw.swap(Sle4442Chip.blank())
    assert code_of(selling.sell, cw.ctx, cw.admin, METER, "500.00") == "CARD_BLANK"
    cw.reader.remove()
    assert code_of(selling.sell, cw.ctx, cw.admin, METER, "500.00") == "CARD_ABSENT"
    assert cw.dump() == before


def _bad_cards(cw: CardWorld) -> dict[str, Sle4442Chip]:
    good = cw.reader.remove()
    assert good is not None
    rnd = Sle4442Chip.blank()
    rnd.main[32:] = os.urandom(224)
    rnd.main[32] = 0x00
    flipped = Sle4442Chip.from_image(good.to_image())
    flipped.main[55] ^= 0x10                               # one bit of the meter number
    foreign_keys = UtilityKeys(99, b"another utility's secret 0000000")
    foreign = Sle4442Chip.blank()
    ident = Identity(CardType.USER, 99, b"\x02" * 8, METER, 1)
    foreign.main[:] = encode_card(CardData(ident), foreign_keys, bytes(foreign.main))
    last = Sle4442Chip.from_image(good.to_image())
    last.counter = 0b001
    return {"CARD_MALFORMED": rnd, "CARD_MAC_INVALID": flipped, "CARD_FOREIGN_UTILITY": foreign,
            "CARD_PSC_LAST_ATTEMPT": last, "READER_ANSWER_TRUNCATED": good}


def test_bad_cards_each_a_code_never_locked_ledger_unchanged(cw: CardWorld) -> None:
    made(cw)
    for expected, chip in _bad_cards(cw).items():
        cw.reader.insert(chip)
        if expected == "READER_ANSWER_TRUNCATED":
            cw.reader.faults.truncate_ins = 0xB0
        counter, memory = chip.counter, bytes(chip.main)
        before = cw.dump()
        assert code_of(selling.sell, cw.ctx, cw.admin, METER, "500.00") == expected, expected
        assert cw.dump() == before, expected
        assert chip.counter == counter and bytes(chip.main) == memory, expected   # never touched, never locked
        cw.reader.remove()


def test_removed_after_write_pending_then_recovery_completes(cw: CardWorld) -> None:
    made(cw)
    cw.reader.faults.remove_after_writes = 1               # the purchase lands, the read-back never comes
    chip = cw.chip
    assert code_of(selling.sell, cw.ctx, cw.admin, METER, "1000.00") == "SALE_PENDING"
    assert cw.rows("SELECT status FROM sale_status") == [("pending",)]
    assert selling.recover(cw.ctx, cw.admin)[0]["action"] == "supervisor"   # no card: cannot tell
    cw.reader.insert(chip)
    assert selling.recover(cw.ctx, cw.admin)[0]["action"] == "completed"
    assert cw.rows("SELECT status FROM sale_status") == [("completed",)]
    assert cw.into_meter().added == 5651
    assert check.verify(cw.ctx)["ok"]


def test_removed_before_the_write_landed_recovery_voids(cw: CardWorld) -> None:
    made(cw)
    chip = cw.chip
    # one reader session: precheck reads the card (select, 2 reads, counter: 4 APDUs), deliver
    # checks the counter and presents the PSC (2): pulled out before the write
    cw.reader.faults.remove_after_apdus = 4 + 2
    assert code_of(selling.sell, cw.ctx, cw.admin, METER, "1000.00") == "SALE_PENDING"
    assert chip.main[72:76] == b"\xff" * 4                   # nothing on the card
    cw.reader.insert(chip)
    assert selling.recover(cw.ctx, cw.admin)[0]["action"] == "voided"
    assert selling.sell(cw.ctx, cw.admin, METER, "1000.00")["status"] == "completed"
    assert cw.rows("SELECT status FROM sale_status ORDER BY sale_id") == [("voided",), ("completed",)]
    assert cards.read(cw.ctx, cw.admin)["purchase"]["sequence"] == 1
    assert check.verify(cw.ctx)["ok"]


def test_recovery_with_another_card_of_the_meter_cannot_tell(cw: CardWorld) -> None:
    serial = made(cw)
    cw.reader.faults.remove_after_writes = 1
    chip = cw.chip
    code_of(selling.sell, cw.ctx, cw.admin, METER, "1000.00")
    cards.blacklist(cw.ctx, cw.admin, serial, "customer says lost")
    cw.reader.insert(Sle4442Chip.blank())
    made(cw)                                               # a replacement card
    assert selling.recover(cw.ctx, cw.admin)[0]["action"] == "supervisor"
    cw.swap(chip)
    assert selling.recover(cw.ctx, cw.admin)[0]["action"] == "completed"


def test_reverse_takes_the_purchase_back_until_the_meter_took_it(cw: CardWorld) -> None:
    made(cw)
    sale = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    assert selling.reverse(cw.ctx, cw.admin, sale["sale_id"], "wrong meter")["status"] == "reversed"
    assert cards.read(cw.ctx, cw.admin)["purchase"] is None
    sale2 = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    assert cw.into_meter().added == int(sale2["credit_kwh"].replace(".", ""))
    assert code_of(selling.reverse, cw.ctx, cw.admin, sale2["sale_id"], "late") == "SALE_NOT_REVERSIBLE"


def test_rewrite_onto_a_replaced_card_never_credits_twice(cw: CardWorld) -> None:
    serial = made(cw)
    sale = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cashier = cw.operator("cash1", "cashier")
    assert code_of(cards.rewrite, cw.ctx, cashier, sale["receipt_no"]) == "PERMISSION_DENIED"
    # the purchase is on the card: writing it again is refused
    assert code_of(cards.rewrite, cw.ctx, cw.admin, sale["receipt_no"]) == "CARD_SEQUENCE_USED"
    lost = cw.reader.remove()
    assert lost is not None and cw.meter.take_card(lost).added == 5651     # the meter took it, then the card broke
    cards.blacklist(cw.ctx, cw.admin, serial, "card broken")
    cw.reader.insert(Sle4442Chip.blank())
    made(cw)
    before_money = cw.rows("SELECT COUNT(*) FROM posting")
    out = cards.rewrite(cw.ctx, cw.admin, sale["receipt_no"])
    assert out["sequence"] == 1 and out["credit_kwh"] == "56.51"
    assert cw.rows("SELECT COUNT(*) FROM posting") == before_money
    assert cw.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'sale_rewrite'") == [(1,)]
    assert cw.into_meter().code == "NOTHING_NEW" and cw.meter.credit == 5651   # never a second credit
    # once per lost purchase: refused before the card is touched
    assert code_of(cards.rewrite, cw.ctx, cw.admin, sale["receipt_no"]) == "SALE_ALREADY_REWRITTEN"
    # a customer whose new card never got the purchase: the meter takes it exactly once
    assert check.verify(cw.ctx)["ok"]


def test_rewrite_when_the_card_lost_the_purchase_before_the_meter(cw: CardWorld) -> None:
    serial = made(cw)
    sale = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cards.blacklist(cw.ctx, cw.admin, serial, "lost on the way home")
    cw.swap(Sle4442Chip.blank())
    made(cw)
    cards.rewrite(cw.ctx, cw.admin, sale["sale_id"])
    assert cw.into_meter().added == 5651
    assert cw.meter.last_sequence == 1


def test_rewrite_once_per_lost_purchase_unless_a_supervisor_overrides(cw: CardWorld) -> None:
    serial = made(cw)
    sale = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cards.blacklist(cw.ctx, cw.admin, serial, "lost on the way home")
    cw.swap(Sle4442Chip.blank())
    second = made(cw)
    assert cards.rewrite(cw.ctx, cw.admin, sale["receipt_no"])["rewrite"] == 1
    cards.blacklist(cw.ctx, cw.admin, second, "lost again")      # the new card is lost too
    cw.swap(Sle4442Chip.blank())
    made(cw)
    for _ in range(2):
        assert code_of(cards.rewrite, cw.ctx, cw.admin, sale["receipt_no"]) == "SALE_ALREADY_REWRITTEN"
    agent = cw.operator("agent1", "cashier")
    auth.set_permission(cw.ctx, cw.admin, "cashier", "error_tolerance_selling", True)
    assert code_of(cards.rewrite, cw.ctx, agent, sale["receipt_no"], supervisor_override="please") \
        == "PERMISSION_DENIED"
    assert code_of(cards.rewrite, cw.ctx, cw.admin, sale["receipt_no"], supervisor_override=" ") \
        == "INVALID_ARGUMENT"
    out = cards.rewrite(cw.ctx, cw.admin, sale["receipt_no"], supervisor_override="second card lost, police report 17")
    assert out["rewrite"] == 2 and out["supervisor_override"] == "second card lost, police report 17"
    (entry,) = cw.rows("SELECT after FROM diary WHERE action = 'sale.rewritten' ORDER BY id DESC LIMIT 1")
    assert "police report 17" in entry[0]
    assert cw.into_meter().added == 5651 and cw.meter.last_sequence == 1   # the meter takes it once


def test_a_rewrite_waits_for_another_till_rewriting_the_same_sale(cw: CardWorld) -> None:
    serial = made(cw)
    sale = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cards.blacklist(cw.ctx, cw.admin, serial, "lost on the way home")
    cw.swap(Sle4442Chip.blank())
    made(cw)
    other_till = cw.ctx.ledger.take_lease(sale["sale_id"])   # another process is writing it now
    assert other_till is not None
    try:
        assert code_of(cards.rewrite, cw.ctx, cw.admin, sale["receipt_no"]) == "SALE_IN_PROGRESS"
        assert cw.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'sale_rewrite'") == [(0,)]
    finally:
        other_till.release()
    assert cards.rewrite(cw.ctx, cw.admin, sale["receipt_no"])["rewrite"] == 1
    assert code_of(cards.rewrite, cw.ctx, cw.admin, sale["receipt_no"]) == "SALE_ALREADY_REWRITTEN"


def test_format_needs_a_supervisor_and_a_card_without_pending_purchase(cw: CardWorld) -> None:
    serial = made(cw)
    selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cashier = cw.operator("cash1", "cashier")
    assert code_of(cards.format_card, cw.ctx, cashier) == "PERMISSION_DENIED"
    sup = cw.operator("sup1", "supervisor")
    assert code_of(cards.format_card, cw.ctx, sup) == "CARD_PURCHASE_PENDING"
    cw.into_meter()
    out = cards.format_card(cw.ctx, sup)
    assert out == {"formatted": True, "card_serial": serial, "blank": True, "attempts_left": 3}
    assert cw.rows("SELECT status FROM card WHERE serial = ?", serial) == [("formatted",)]
    assert cw.chip.psc == b"\xff\xff\xff" and cards.read(cw.ctx, cw.admin)["blank"]
    made(cw)                                               # formatted: the meter may get a new card


def test_card_events_are_append_only(cw: CardWorld) -> None:
    made(cw)
    with pytest.raises(Exception, match="LEDGER_APPEND_ONLY"):
        cw.app.db.execute_sql("DELETE FROM card_event")
    with pytest.raises(Exception, match="LEDGER_APPEND_ONLY"):
        cw.app.db.execute_sql("DELETE FROM card")


def test_format_a_damaged_card_and_refuse_a_foreign_one(cw: CardWorld) -> None:
    serial = made(cw)
    cw.chip.main[60] ^= 0x01                               # the identity no longer verifies
    assert code_of(cards.read, cw.ctx, cw.admin) == "CARD_MAC_INVALID"
    assert cards.format_card(cw.ctx, cw.admin)["card_serial"] == serial
    assert cards.read(cw.ctx, cw.admin)["blank"]
    other = UtilityKeys(99, b"another utility's secret 0000000")
    foreign = Sle4442Chip.blank()
    foreign.main[:] = encode_card(CardData(Identity(CardType.USER, 99, b"\x02" * 8, METER, 1)), other,
                                  bytes(foreign.main))
    cw.swap(foreign)
    assert code_of(cards.format_card, cw.ctx, cw.admin) == "CARD_FOREIGN_UTILITY"
    assert cw.chip.counter == 0x07
    cw.reader.remove()
    assert code_of(cards.format_card, cw.ctx, cw.admin) == "CARD_ABSENT"


def test_blacklist_input_and_show(cw: CardWorld) -> None:
    assert code_of(cards.blacklist, cw.ctx, cw.admin, "xyz", "r") == "INVALID_ARGUMENT"
    assert code_of(cards.blacklist, cw.ctx, cw.admin, "00" * 8, " ") == "INVALID_ARGUMENT"
    out = cards.blacklist(cw.ctx, cw.admin, "00 11 22 33 44 55 66 77", "stolen")
    assert out["status"] == "blacklisted" and out["card_serial"] == "0011223344556677"
    shown = cards.show(cw.ctx, cw.admin, "0011223344556677")
    assert [e["event"] for e in shown["events"]] == ["blacklisted"]
    assert code_of(cards.show, cw.ctx, cw.admin, "ffeeddccbbaa9988") == "CARD_NOT_FOUND"


def test_purchase_of_reads_old_and_new_refs() -> None:
    from terminal.services.ports import CardRef, MeterRef, Purchase, carrier_ref_of, carrier_ref_text
    t = datetime(2026, 3, 5, 10, tzinfo=UTC)
    assert carrier_ref_text(CardRef(7, 2, t)) == "seq:7;ti:2;utc:2026-03-05T10:00:00Z"
    assert carrier_ref_text(CardRef(7, 2, t, "ab" * 8)).endswith(";card:" + "ab" * 8)
    stored = Purchase("u", "T-1", MeterRef(METER, "card"), 0, 5651, datetime(2026, 3, 5, 13))
    new = carrier_ref_of(CardRef, "seq:7;ti:2;utc:2026-03-05T10:00:00Z;card:" + "ab" * 8).restore(stored)
    assert (new.sequence, new.tariff_index, new.issued_at) == (7, 2, t)
    old = carrier_ref_of(CardRef, "seq:7").restore(stored)       # before the time was kept: the sale's
    assert (old.sequence, old.tariff_index, old.issued_at) == (7, 0, stored.issued_at)


def test_selling_records_the_reading_the_card_brings(cw: CardWorld) -> None:
    made(cw)
    selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cw.into_meter(consume=500)
    selling.sell(cw.ctx, cw.admin, METER, "500.00")       # no `card read`: the sale reads the card anyway
    assert cw.rows("SELECT source, total_kwh, remaining_kwh, purchase_count FROM reading") == [
        ("card", 500, 5151, 1)]
    assert cw.rows("SELECT COUNT(*) FROM diary WHERE action = 'reading.recorded'") == [(1,)]
    assert not cards.read(cw.ctx, cw.admin)["reading_recorded"]


def test_reverse_with_another_card_in_the_reader_is_refused(cw: CardWorld) -> None:
    serial = made(cw)
    sale = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    written = cw.reader.remove()
    cards.blacklist(cw.ctx, cw.admin, serial, "left at home, customer says lost")
    cw.reader.insert(Sle4442Chip.blank())
    made(cw)
    assert code_of(selling.reverse, cw.ctx, cw.admin, sale["sale_id"], "mistake") == "CARD_CHANGED"
    assert written is not None
    cw.swap(written)
    assert selling.reverse(cw.ctx, cw.admin, sale["sale_id"], "mistake")["status"] == "reversed"


def test_rewrite_interrupted_is_in_the_diary(cw: CardWorld) -> None:
    serial = made(cw)
    sale = selling.sell(cw.ctx, cw.admin, METER, "1000.00")
    cards.blacklist(cw.ctx, cw.admin, serial, "broken")
    cw.swap(Sle4442Chip.blank())
    made(cw)
    cw.reader.faults.remove_after_writes = 1
    assert code_of(cards.rewrite, cw.ctx, cw.admin, sale["receipt_no"]) == "CARD_REMOVED"
    assert cw.rows("SELECT action FROM diary WHERE action LIKE 'sale.rewrite%'") == [("sale.rewrite_interrupted",)]
    assert cw.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'sale_rewrite'") == [(0,)]


def test_setting_and_clear_cards_carry_their_orders_to_the_meter(cw: CardWorld) -> None:
    assert code_of(cards.make, cw.ctx, cw.admin, "setting", METER) == "INVALID_ARGUMENT"       # no order
    assert code_of(cards.make, cw.ctx, cw.admin, "user", METER, clear=["tamper"]) == "INVALID_ARGUMENT"
    setting = cards.make(cw.ctx, cw.admin, "setting", METER, max_power_w=4000, alarm_kwh="5.00")
    assert setting["body"]["kind"] == "setting" and setting["body"]["sequence"] == 1
    meter = PrepaidMeterSim(METER, KEYS)
    assert meter.take_card(cw.chip).code == "OK" and meter.max_power_w == 4000
    assert meter.alarm_level == 500
    cw.swap(Sle4442Chip.blank())
    clear = cards.make(cw.ctx, cw.admin, "clear", METER, clear=["tamper", "events"])
    assert clear["body"]["kind"] == "clear" and clear["body"]["sequence"] == 2
    assert meter.take_card(cw.chip).code == "OK"
    assert meter.take_card(cw.chip).code == "NOTHING_NEW"        # each order is taken once
    orders = [decode("card", r[0]).order for r in cw.rows("SELECT payload FROM outbox WHERE kind = 'card'")]
    assert orders == [CardOrder(sequence=1, max_power_w=4000, alarm_level=500),
                      CardOrder(sequence=2, clear=("events", "tamper"))]
