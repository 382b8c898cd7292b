"""Down: the master data of the feed (meters registered at another terminal, customers'
files, the blacklist, operator accounts) applied on two real terminals through their own
services, from a real center: once each, in order, idempotent; a change that does not fit a
terminal refused whole with its stable code while the rest of the feed applies."""
from __future__ import annotations

from pathlib import Path

from tests.helpers.ppms import SAMPLE_TARIFF, Ppms, query
from tests.integration.sync.center import Center, terminal

M1, M2 = "0123456789", "0123456790"
CARD = "00112233aabbccdd"
PASSWORD = "cashier-two-pass"


def _two(center: Center, tmp_path: Path) -> tuple[Ppms, Ppms]:
    url = f"http://127.0.0.1:{center.port}"
    return (terminal(tmp_path / "t01", "T01", url, center.add_terminal("T01")),
            terminal(tmp_path / "t02", "T02", url, center.add_terminal("T02")))


def _register(cli: Ppms, meter: str, name: str) -> None:
    cli.ok("customer", "register", "--name", name, "--address", "Plot 1", "--meter", meter, "--power-type", "RES")


def _files(cli: Ppms) -> list[tuple[str, str, str, str, str]]:
    return query(cli.db, "SELECT m.number, m.uuid, m.status, c.uuid, c.name FROM meter m "
                         "JOIN customer c ON c.id = m.customer_id ORDER BY m.number")


def test_a_meter_registered_at_one_terminal_is_sold_at_the_other_and_a_clashing_one_is_refused_whole(
        sqlite_center: Center, tmp_path: Path) -> None:
    t1, t2 = _two(sqlite_center, tmp_path)
    sqlite_center.cli("tariff", "import", str(SAMPLE_TARIFF))
    t1.ok("sync", "now")
    t2.ok("sync", "now")                                   # the tariff only
    _register(t2, M2, "Someone else")                       # offline, the same number as T01's below
    _register(t1, M1, "Asha")
    _register(t1, M2, "Baraka")
    t1.ok("sell", "--meter", M1, "--amount", "1000.00")
    t1.ok("sync", "now")                                   # up: the registrations; down: its own, no-ops
    assert len(_files(t1)) == 2
    first = t2.ok("sync", "now")
    assert first["feed_refused"] == 1 and first["refusals"][0]["code"] == "METER_EXISTS", first
    mine = [f for f in _files(t2) if f[0] == M2]
    assert mine[0][4] == "Someone else"
    theirs = {f[0]: f for f in _files(t1)}
    assert [f for f in _files(t2) if f[0] == M1] == [theirs[M1]]      # same uuids, same file
    refused_customer = theirs[M2][3]
    assert query(t2.db, "SELECT COUNT(*) FROM customer WHERE uuid = ?", refused_customer) == [(0,)]
    sale = t2.ok("sell", "--meter", M1, "--amount", "500.00")
    assert sale["meter"] == M1 and sale["tendered"] == "500.00"
    again = t2.ok("sync", "now")
    assert (again["applied"], again["feed_refused"]) == (0, 0), again
    assert len(_files(t2)) == 2
    diary = query(t2.db, "SELECT action, operator FROM diary WHERE action = 'feed.meter'")
    assert diary == [("feed.meter", "center")]
    for cli in (t1, t2):
        assert cli.ok("check")["ok"] is True


def test_customer_files_blacklist_and_operators_from_the_center_reach_both_terminals_once(
        sqlite_center: Center, tmp_path: Path) -> None:
    t1, t2 = _two(sqlite_center, tmp_path)
    sqlite_center.cli("tariff", "import", str(SAMPLE_TARIFF))
    t1.ok("sync", "now")
    _register(t1, M1, "Asha")
    t1.ok("sync", "now")
    sqlite_center.cli("customer", "update", "--meter", M1, "--name", "Asha Mwangi", "--phone", "0700111222")
    sqlite_center.cli("blacklist", "add", CARD, "--reason", "reported stolen")
    sqlite_center.cli("operator", "add", "cashier2", "--full-name", "Cashier Two", "--role", "cashier",
                      stdin=PASSWORD + "\n")
    sqlite_center.cli("operator", "add", "ghost", "--full-name", "No Role", "--role", "nosuchrole",
                      stdin=PASSWORD + "\n")
    for cli in (t1, t2):
        got = cli.ok("sync", "now")
        assert [r["code"] for r in got["refusals"]] == ["INVALID_ARGUMENT"], got   # the unknown role only
        assert query(cli.db, "SELECT c.name, c.phone FROM customer c JOIN meter m ON m.customer_id = c.id "
                             "WHERE m.number = ?", M1) == [("Asha Mwangi", "0700111222")]
        assert query(cli.db, "SELECT status FROM card WHERE serial = ?", CARD) == [("blacklisted",)]
        assert query(cli.db, "SELECT role, active FROM operator WHERE username IN ('cashier2', 'ghost')") \
            == [("cashier", 1)]
        sale = cli.ok("sell", "--meter", M1, "--amount", "500.00", operator="cashier2", password=PASSWORD)
        assert sale["operator"] == "cashier2"
    amendments = query(t1.db, "SELECT COUNT(*) FROM outbox WHERE kind = 'amendment'")
    assert t1.ok("sync", "now")["applied"] == 0                       # applied once: nothing again
    assert query(t1.db, "SELECT COUNT(*) FROM outbox WHERE kind = 'amendment'") == amendments
    sqlite_center.cli("blacklist", "remove", CARD, "--reason", "found")
    sqlite_center.cli("operator", "add", "cashier2", "--full-name", "Cashier Two", "--role", "cashier",
                      "--inactive", stdin=PASSWORD + "\n")
    for cli in (t1, t2):
        assert cli.ok("sync", "now")["applied"] == 2
        assert query(cli.db, "SELECT status FROM card WHERE serial = ?", CARD) == [("issued",)]
        assert cli.refused("sell", "--meter", M1, "--amount", "500.00", operator="cashier2",
                           password=PASSWORD) == "AUTH_FAILED"
        diary = query(cli.db, "SELECT DISTINCT operator FROM diary WHERE action IN "
                              "('operator.add', 'operator.change', 'card.blacklisted', 'card.unblacklisted') "
                              "AND entity != 'operator:admin'")
        assert diary == [("center",)]
        assert cli.ok("check")["ok"] is True
