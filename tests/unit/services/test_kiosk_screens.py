"""What the kiosk's screens ask of the services: the customer behind a meter or the card in
the reader, the menu an operator may use, the field agent's sync state."""
from __future__ import annotations

import contextlib
import json
import sqlite3

import pytest

from terminal.services import accounts, auth, kiosk, kiosk_office, selling
from terminal.services.errors import DeviceAbsent, InvalidArgument, PermissionDenied

M = "0123456789"


@pytest.fixture
def shop(world):
    world.tariff()
    world.register(M)
    return world


def test_customer_shows_arrears_carry_over_and_the_last_purchase(shop) -> None:
    assert kiosk.customer(shop.ctx, shop.admin, M)["last_purchase"] is None
    accounts.add_debt(shop.ctx, shop.admin, M, "40.00", "old bill")
    sale = selling.sell(shop.ctx, shop.admin, M, "1000.00")
    shown = kiosk.customer(shop.ctx, shop.admin, M)
    assert (shown["customer"], shown["arrears"], shown["carry_over"]) == ("Jane Doe", "0.00", sale["change_carried"])
    assert shown["last_purchase"] == {"receipt_no": sale["receipt_no"], "sold_at": sale["sold_at"],
                                      "tendered": "1000.00", "credit_kwh": sale["credit_kwh"]}


def test_card_customer_reads_the_card_in_the_station(shop) -> None:
    class Station:
        def __init__(self, info):
            self.info = info

        def read(self):
            if self.info is None:
                raise DeviceAbsent.for_code("CARD_ABSENT")("Insert the card into the reader.")
            return self.info

    from terminal.services.ports import CardInfo
    shop.ctx.extras["card_station"] = Station(None)
    with pytest.raises(DeviceAbsent):
        kiosk.card_customer(shop.ctx, shop.admin)
    shop.ctx.extras["card_station"] = Station(CardInfo(
        blank=False, card_serial="00" * 8, card_type="user", meter=M, attempts_left=3, pending=False,
        purchase=None, returned={"meter": M, "last_sequence": 0, "remaining": 1234, "cumulative": 0,
                                 "flag_names": [], "time": "2026-03-05T09:00:00Z"}))
    shown = kiosk.card_customer(shop.ctx, shop.admin)
    assert (shown["meter"], shown["customer"], shown["card_credit_kwh"]) == (M, "Jane Doe", "12.34")


def test_menu_shows_only_what_the_operator_may_do(shop) -> None:
    assert kiosk.menu(shop.admin) == ["sell", "register", "search", "statement", "reading", "shift", "daily"]
    auth.add_operator(shop.ctx, shop.admin, "audrey", "Audrey", "auditor", "a-long-password-1")
    auditor = auth.login(shop.ctx, "audrey", "a-long-password-1")
    assert kiosk.menu(auditor) == ["search", "statement", "daily"]
    auth.add_operator(shop.ctx, shop.admin, "carol", "Carol", "cashier", "a-long-password-2")
    cashier = auth.login(shop.ctx, "carol", "a-long-password-2")
    assert kiosk.menu(cashier) == ["sell", "register", "search", "reading", "shift", "daily"]
    with pytest.raises(PermissionDenied):
        kiosk.customer(shop.ctx, auditor, M)


def test_agent_status_is_unknown_until_sync_brings_it(shop) -> None:
    assert kiosk.agent_status(shop.ctx) == {"last_sync": None, "offline_limits": None}


def test_the_operators_language_is_kept_per_operator(shop) -> None:
    assert kiosk_office.language(shop.ctx, shop.admin) is None
    kiosk_office.set_language(shop.ctx, shop.admin, "zh")
    kiosk_office.set_language(shop.ctx, shop.admin, "zh")   # the same choice again: no second diary entry
    assert kiosk_office.language(shop.ctx, shop.admin) == "zh"
    auth.add_operator(shop.ctx, shop.admin, "carol", "Carol", "cashier", "a-long-password-2")
    assert kiosk_office.language(shop.ctx, auth.login(shop.ctx, "carol", "a-long-password-2")) is None
    with pytest.raises(InvalidArgument):
        kiosk_office.set_language(shop.ctx, shop.admin, "fr")
    assert kiosk_office.language(shop.ctx, shop.admin) == "zh"
    with contextlib.closing(sqlite3.connect(shop.ctx.ledger.path)) as db:
        entries = db.execute("SELECT operator, after FROM diary WHERE action = 'operator.language'").fetchall()
    assert [(who, json.loads(after)) for who, after in entries] == [("admin", {"language": "zh"})]
