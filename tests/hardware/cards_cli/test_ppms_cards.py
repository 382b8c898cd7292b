"""Issue 3 end to end: `ppms card make/read`, `ppms sell` onto the card, the meter's
return data, recovery after a pulled card and bad cards, through real pcscd + vpcd."""
from __future__ import annotations

import os

import pytest

from hardware.cards import CardType, UtilityKeys
from hardware.cards.fake import Sle4442Chip
from hardware.cards.layout import CardData, Identity, encode_card

from .conftest import METER, Terminal

pytestmark = [pytest.mark.hardware, pytest.mark.pcscd]


@pytest.mark.parametrize("profile", ["acr38", "acr39"])
def test_make_sell_meter_read_loop(terminal_for, profile: str) -> None:  # type: ignore[no-untyped-def]
    t: Terminal = terminal_for(profile)
    card = t.ok("card", "make", "--type", "user", "--meter", METER)
    assert (card["type"], card["meter"], card["blank"], card["verified"]) == ("user", METER, False, True)
    serial = card["card_serial"]
    assert t.chip().psc != b"\xff\xff\xff" and t.chip().counter == 0x07      # personalised with its own PSC

    sale = t.ok("sell", "--meter", METER, "--amount", "1000.00")
    assert sale["status"] == "completed" and sale["credit_kwh"] == "56.51"
    on_card = t.ok("card", "read")
    assert on_card["purchase"]["sequence"] == 1 and on_card["purchase"]["kwh"] == "56.51" and on_card["pending"]
    assert on_card["card_serial"] == serial and on_card["ledger"]["status"] == "issued"

    # the same purchase cannot be sold twice: the meter has not taken it
    assert t.refused("sell", "--meter", METER, "--amount", "500.00") == "CARD_PURCHASE_PENDING"
    assert t.refused("sale", "rewrite", sale["receipt_no"]) == "CARD_SEQUENCE_USED"

    assert t.into_meter(consume=2000).added == 5651
    read = t.ok("card", "read")
    assert read["reading_recorded"] and not read["pending"]
    assert read["return"]["last_sequence"] == 1
    assert (read["return"]["cumulative_kwh"], read["return"]["remaining_kwh"]) == ("20.00", "36.51")
    assert not t.ok("card", "read")["reading_recorded"]                     # recorded once

    second = t.ok("sell", "--meter", METER, "--amount", "500.00")
    assert t.into_meter(consume=3000).added == int(second["credit_kwh"].replace(".", ""))
    t.ok("card", "read")
    readings = t.rows("SELECT source, total_kwh, remaining_kwh, purchase_count FROM reading ORDER BY id")
    sold = 5651 + int(second["credit_kwh"].replace(".", ""))
    assert [r[0] for r in readings] == ["card", "card"] and readings[-1][3] == 2
    assert readings[-1][1] + readings[-1][2] == sold == t.meter.cumulative + t.meter.credit   # sold = used + left
    assert t.ok("check")["ok"]


def test_pulled_out_after_the_write_stays_pending_then_recovery_completes(terminal_for) -> None:  # type: ignore[no-untyped-def]
    t: Terminal = terminal_for()
    t.ok("card", "make", "--type", "user", "--meter", METER)
    t.slot.emu.faults.remove_after_writes = 1        # the purchase is written, the read-back never answered
    assert t.refused("sell", "--meter", METER, "--amount", "1000.00") == "SALE_PENDING"
    t.pulled_out()
    assert t.rows("SELECT status FROM sale_status") == [("pending",)]
    assert t.ok("sale", "recover")["recovered"][0]["action"] == "supervisor"   # no card: it cannot tell
    assert t.refused("sell", "--meter", METER, "--amount", "500.00") == "SALE_PENDING"
    t.slot.insert()
    assert t.ok("sale", "recover")["recovered"][0]["action"] == "completed"
    assert t.rows("SELECT status FROM sale_status") == [("completed",)]
    assert t.into_meter().added == 5651
    assert t.ok("check")["ok"]


def test_pulled_out_before_the_write_recovery_voids(terminal_for) -> None:  # type: ignore[no-untyped-def]
    t: Terminal = terminal_for()
    t.ok("card", "make", "--type", "user", "--meter", METER)
    # one reader session: precheck reads the card (4 APDUs), deliver checks the counter and
    # presents the PSC (2): the card leaves before the write
    t.slot.emu.faults.remove_after_apdus = 4 + 2
    assert t.refused("sell", "--meter", METER, "--amount", "1000.00") == "SALE_PENDING"
    t.pulled_out()
    assert t.chip().main[72:104] == b"\xff" * 32                               # nothing reached the card
    t.slot.insert()
    # the next sale decides the waiting one first (recovery), then sells
    sale = t.ok("sell", "--meter", METER, "--amount", "1000.00")
    assert t.rows("SELECT status FROM sale_status ORDER BY sale_id") == [("voided",), ("completed",)]
    assert t.ok("card", "read")["purchase"]["sequence"] == 1 and sale["status"] == "completed"
    assert t.ok("check")["ok"]


def _bad_cards(t: Terminal, good: Sle4442Chip) -> dict[str, Sle4442Chip]:
    rnd = Sle4442Chip.blank()
    rnd.main[32:] = os.urandom(224)
    rnd.main[32] = 0x00
    flipped = Sle4442Chip.from_image(good.to_image())
    flipped.main[80] ^= 0x01                           # one bit of the purchase time
    other = UtilityKeys(99, b"another utility's secret 0000000")
    foreign = Sle4442Chip.blank()
    foreign.main[:] = encode_card(CardData(Identity(CardType.USER, 99, b"\x02" * 8, METER, 1)), other,
                                  bytes(foreign.main))
    last = Sle4442Chip.from_image(good.to_image())
    last.counter = 0b100
    return {"CARD_MALFORMED": rnd, "CARD_MAC_INVALID": flipped, "CARD_FOREIGN_UTILITY": foreign,
            "CARD_PSC_LAST_ATTEMPT": last, "READER_ANSWER_TRUNCATED": Sle4442Chip.from_image(good.to_image())}


def test_bad_cards_each_a_code_never_locked_ledger_byte_for_byte(terminal_for) -> None:  # type: ignore[no-untyped-def]
    t: Terminal = terminal_for()
    t.ok("card", "make", "--type", "user", "--meter", METER)
    t.ok("sell", "--meter", METER, "--amount", "1000.00")
    t.into_meter()
    t.slot.remove()
    good = t.chip()
    for expected, chip in _bad_cards(t, good).items():
        t.put_card(chip)
        if expected == "READER_ANSWER_TRUNCATED":
            t.slot.emu.faults.truncate_ins = 0xB0
        before = t.ledger_bytes()
        assert t.refused("sell", "--meter", METER, "--amount", "500.00") == expected, expected
        assert t.ledger_bytes() == before, expected
        t.slot.remove()
        after = t.chip()
        assert after.counter == chip.counter and after.main == chip.main, expected   # untouched, never locked
    t.put_card(good)
    assert t.ok("sell", "--meter", METER, "--amount", "500.00")["status"] == "completed"


def test_blacklist_replace_card_and_rewrite_never_credits_twice(terminal_for) -> None:  # type: ignore[no-untyped-def]
    t: Terminal = terminal_for()
    serial = t.ok("card", "make", "--type", "user", "--meter", METER)["card_serial"]
    sale = t.ok("sell", "--meter", METER, "--amount", "1000.00")
    assert t.into_meter().added == 5651
    t.ok("card", "blacklist", "--card", serial, "--reason", "card broken")
    before = t.ledger_bytes()
    assert t.refused("sell", "--meter", METER, "--amount", "500.00") == "CARD_BLACKLISTED"
    assert t.ledger_bytes() == before
    t.put_card(Sle4442Chip.blank())
    t.ok("card", "make", "--type", "user", "--meter", METER)
    out = t.ok("sale", "rewrite", sale["receipt_no"])
    assert out["sequence"] == 1 and out["credit_kwh"] == "56.51"
    assert t.into_meter().code == "NOTHING_NEW" and t.meter.credit == 5651        # the meter took it once
    assert t.refused("sale", "rewrite", sale["receipt_no"]) == "SALE_ALREADY_REWRITTEN"   # once per sale
    # a supervisor's override still meets the card's own guard: the meter took it
    assert t.refused("sale", "rewrite", sale["receipt_no"], "--supervisor-override", "customer insists") \
        == "CARD_SEQUENCE_USED"
    assert t.ok("sell", "--meter", METER, "--amount", "500.00")["status"] == "completed"


def test_format_needs_a_supervisor(terminal_for) -> None:  # type: ignore[no-untyped-def]
    t: Terminal = terminal_for()
    t.ok("operator", "add", "--username", "cash1", "--role", "cashier", PPMS_NEW_PASSWORD="secret1")
    serial = t.ok("card", "make", "--type", "user", "--meter", METER)["card_serial"]
    assert t.refused("card", "format", PPMS_OPERATOR="cash1") == "PERMISSION_DENIED"
    out = t.ok("card", "format")
    assert out["card_serial"] == serial and out["blank"]
    assert t.ok("card", "read")["blank"] and t.chip().psc == b"\xff\xff\xff"


def test_missing_secret_is_not_configured(terminal_for) -> None:  # type: ignore[no-untyped-def]
    t: Terminal = terminal_for()
    assert t.refused("card", "read", PPMS_CARD_READER_SECRET_FILE="") == "DEVICE_NOT_CONFIGURED"
    assert t.refused("sell", "--meter", METER, "--amount", "500.00",
                     PPMS_CARD_READER_SECRET_FILE="") == "DEVICE_NOT_CONFIGURED"
