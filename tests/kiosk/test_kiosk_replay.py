"""Whole flows through the kiosk's widgets (spec/kiosk.md's replay), each checked on the ledger."""
from __future__ import annotations

import contextlib
import socket
from pathlib import Path

from tests.helpers.ppms import Ppms, query
from tests.kiosk.conftest import STS_METER, replay


def sales(db: Path) -> list[tuple[str, int, int, str]]:
    return query(db, "SELECT s.receipt_no, s.tendered, s.credit_kwh, st.status FROM sale s "
                     "JOIN sale_status st ON st.sale_id = s.id ORDER BY s.id")


def test_card_sale_reads_the_card_confirms_writes_and_prints(cli: Ppms) -> None:
    res = replay(cli, "card_sale")
    assert res.code == 0, res
    assert sales(cli.db) == [("T01-000001", 100000, 5651, "printed")]
    (posted,) = query(cli.db, "SELECT COUNT(*) FROM posting WHERE kind = 'sale'")
    assert posted == (1,)
    assert query(cli.db, "SELECT kind FROM outbox") [-1] == ("sale",)
    shots = {Path(p).name for p in res.data["screenshots"]}
    assert shots == {"sell.png", "sell_confirm.png", "sell_done.png"}
    assert all(Path(p).stat().st_size > 5000 for p in res.data["screenshots"])
    assert cli.ok("check")["ok"]


def test_sts_sale_shows_the_token_in_groups_of_four(cli: Ppms) -> None:
    cli.ok("customer", "register", "--name", "Kip", "--address", "Plot 2", "--meter", STS_METER,
           "--power-type", "RES", "--carrier", "sts", "--sgc", "123456", "--ti", "1", "--krn", "1")
    res = replay(cli, "sts_sale")
    assert res.code == 0, res
    ((receipt, tendered, _kwh, status),) = sales(cli.db)
    assert (tendered, status) == (100000, "printed")
    token = cli.ok("sale", "show", receipt)["token"]
    assert len(token) == 20 and token.isdigit()
    assert [Path(p).name for p in res.data["screenshots"]] == ["sts_done.png"]
    assert cli.ok("check")["ok"]


def test_a_token_is_shown_in_groups_of_four() -> None:
    from terminal.ui.i18n import token_groups
    assert token_groups("12345678901234567890") == "1234 5678 9012 3456 7890"


def test_refused_sale_says_why_and_writes_nothing(cli: Ppms) -> None:
    before = query(cli.db, "SELECT COUNT(*) FROM sale"), query(cli.db, "SELECT COUNT(*) FROM posting")
    res = replay(cli, "refused_sale")
    assert res.code == 0, res
    assert (query(cli.db, "SELECT COUNT(*) FROM sale"), query(cli.db, "SELECT COUNT(*) FROM posting")) == before
    assert cli.ok("check")["ok"]


def test_card_removed_before_confirming_sells_nothing(cli: Ppms) -> None:
    res = replay(cli, "card_removed")
    assert res.code == 0, res
    assert sales(cli.db) == []
    assert cli.ok("check")["ok"]


def test_a_step_that_cannot_be_done_stops_with_exit_2_and_a_screenshot(cli: Ppms) -> None:
    res = replay(cli, "broken_step")
    assert res.code == 2, res
    assert "line 2" in res.data["error"]["message"] and "login.no_such_button" in res.data["error"]["message"]
    assert (cli.db.parent / "shots" / "failed.png").stat().st_size > 1000


def test_self_service_counts_each_note_and_sells_what_was_counted(cli: Ppms) -> None:
    cli.extra_env |= {"PPMS_CASH_ACCEPTOR_POLL_INTERVAL_S": "0.05", "PPMS_CASH_ACCEPTOR_IDLE_TIMEOUT_S": "20"}
    res = replay(cli, "self_service", "--mode", "self-service", "--cash-simulator")
    assert res.code == 0, res
    assert sales(cli.db) == [("T01-000001", 30000, 862, "printed")]
    (cash,) = query(cli.db, "SELECT COALESCE(SUM(debit - credit), 0) FROM posting_line WHERE account = 'CASH_ACCEPTOR'")
    assert cash == (30000,)
    assert cli.ok("check")["ok"]


def test_self_service_timeout_keeps_inserted_money_as_carry_over(cli: Ppms) -> None:
    """The card is taken out while the notes go in; the acceptor's idle timeout ends the intake:
    the sale cannot be made, so the 100.00 in the cash box is the customer's carry-over."""
    cli.extra_env |= {"PPMS_CASH_ACCEPTOR_POLL_INTERVAL_S": "0.05", "PPMS_CASH_ACCEPTOR_IDLE_TIMEOUT_S": "3"}
    res = replay(cli, "self_service_timeout", "--mode", "self-service", "--cash-simulator")
    assert res.code == 0, res
    assert sales(cli.db) == []
    assert cli.ok("account", "show", "--meter", "0123456789")["carry_over"] == "100.00"
    (cash,) = query(cli.db, "SELECT COALESCE(SUM(debit - credit), 0) FROM posting_line WHERE account = 'CASH_ACCEPTOR'")
    assert cash == (10000,)
    assert cli.ok("check")["ok"]


def test_agent_mode_shows_offline_and_unknown_limits_until_sync(cli: Ppms) -> None:
    res = replay(cli, "agent_bar", "--mode", "agent")
    assert res.code == 0, res


def test_the_kiosk_tells_systemd_it_is_up_and_alive_and_stopping(cli: Ppms, tmp_path: Path) -> None:
    """Under systemd (Type=notify, WatchdogSec=): READY=1 once the first screen shows, WATCHDOG=1
    from Kivy's clock, STOPPING=1 at the end; a real datagram socket stands in for systemd's."""
    address = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(0.2)
    cli.extra_env |= {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "400000"}
    try:
        res = replay(cli, "agent_bar", "--mode", "agent")
        assert res.code == 0, res
        got: list[str] = []
        with contextlib.suppress(TimeoutError):
            while True:
                got += sock.recv(4096).decode().splitlines()
    finally:
        sock.close()
    assert {"READY=1", "WATCHDOG=1", "STOPPING=1"} <= set(got), got
    assert got.index("READY=1") < got.index("WATCHDOG=1") < got.index("STOPPING=1")


def test_a_card_pulled_mid_write_leaves_the_sale_waiting_and_putting_it_back_decides_it(cli: Ppms) -> None:
    """The card comes out after the first write to its chip: the error screen says a sale is
    waiting (never "nothing was sold"); the card put back, the sell screen recovers the sale
    (the emulated card did not keep the purchase: voided) and the next sale goes through."""
    res = replay(cli, "card_pulled_mid_write")
    assert res.code == 0, res
    assert sales(cli.db) == [("T01-000001", 100000, 5651, "voided"), ("T01-000002", 100000, 5651, "printed")]
    (posted,) = query(cli.db, "SELECT COUNT(*) FROM posting WHERE kind = 'sale'")
    assert posted == (1,)
    assert cli.ok("check")["ok"]
