"""Down: the center's master data reaches a terminal through the feed, applied once each,
in order, through the terminal's own services (a tariff validated as `ppms tariff import`
validates it; a change the terminal refuses is recorded and does not stop the feed); the
offline limits the center sets refuse a sale with OFFLINE_LIMIT_REACHED until the next sync."""
from __future__ import annotations

from pathlib import Path

from tests.helpers.ppms import SAMPLE_TARIFF, query
from tests.integration.sync.center import Center, terminal

METER = "0123456789"


def test_tariff_and_parameter_arrive_once_in_order_and_a_refused_change_does_not_stop_the_feed(
        sqlite_center: Center, tmp_path: Path) -> None:
    secret = sqlite_center.add_terminal("T01")
    cli = terminal(tmp_path / "t01", "T01", f"http://127.0.0.1:{sqlite_center.port}", secret)
    cli.ok("tariff", "import", str(SAMPLE_TARIFF))
    cli.ok("customer", "register", "--name", "A", "--address", "Plot 1", "--meter", METER, "--power-type", "RES")
    dollars = tmp_path / "usd.toml"
    dollars.write_text(SAMPLE_TARIFF.read_text().replace('currency = "KES"', 'currency = "USD"'))
    newer = tmp_path / "newer.toml"
    newer.write_text(SAMPLE_TARIFF.read_text().replace('effective_from = "2026-01-01"',
                                                       'effective_from = "2026-03-01"', 1)
                     .replace('ENERGY = "12.00"', 'ENERGY = "13.00"', 1))
    c1 = sqlite_center.cli("tariff", "import", str(dollars))["cursor"]
    c2 = sqlite_center.cli("tariff", "import", str(newer))["cursor"]
    c3 = sqlite_center.cli("parameter", "set", "sale.max_tender", "100000")["cursor"]
    assert c1 < c2 < c3
    first = cli.ok("sync", "now")
    # up first: its own registration comes back down as a `meter` change after c3, and changes nothing
    assert (first["applied"], first["feed_refused"], first["cursor"]) == (3, 1, c3 + 1), first
    assert query(cli.db, "SELECT COUNT(*) FROM meter") == [(1,)]
    assert first["refusals"][0]["code"] == "CURRENCY_MISMATCH"
    versions = query(cli.db, "SELECT version, effective_from FROM tariff_version WHERE power_type = 'RES' "
                             "ORDER BY version")
    assert versions == [(1, "2026-01-01"), (2, "2026-03-01")]
    assert cli.refused("sell", "--meter", METER, "--amount", "1000.01") == "AMOUNT_ABOVE_MAXIMUM"
    sale = cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    assert sale["tariff_version"] == 2
    again = cli.ok("sync", "now")
    assert (again["applied"], again["feed_refused"], again["cursor"]) == (0, 0, c3 + 1)
    assert query(cli.db, "SELECT COUNT(*) FROM tariff_version WHERE power_type = 'RES'") == [(2,)]
    diary = query(cli.db, "SELECT action, operator FROM diary WHERE action IN ('sync.feed_refused', 'parameter.set')")
    assert sorted(diary) == [("parameter.set", "center"), ("sync.feed_refused", "system")]
    assert cli.ok("check")["ok"] is True


def test_offline_limits_refuse_a_sale_until_the_terminal_syncs(sqlite_center: Center, tmp_path: Path) -> None:
    secret = sqlite_center.add_terminal("T01", "--offline-max-hours", "72", "--offline-max-amount", "1500.00")
    cli = terminal(tmp_path / "t01", "T01", f"http://127.0.0.1:{sqlite_center.port}", secret)
    cli.ok("tariff", "import", str(SAMPLE_TARIFF))
    cli.ok("customer", "register", "--name", "A", "--address", "Plot 1", "--meter", METER, "--power-type", "RES")
    cli.ok("sell", "--meter", METER, "--amount", "1000.00")      # never synced: no limits known yet
    assert query(cli.db, "SELECT key FROM meta WHERE key IN ('sync.last_ok_at', 'sync.offline_limits')") == []
    cli.ok("sync", "now")
    bar = dict(query(cli.db, "SELECT key, value FROM meta WHERE key IN ('sync.last_ok_at', 'sync.offline_limits')"))
    assert bar == {"sync.last_ok_at": "2026-03-05T10:00:00", "sync.offline_limits": "72 h, 1500.00 KES"}, bar
    cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    outbox_before = query(cli.db, "SELECT COUNT(*) FROM outbox")
    res = cli.run("sell", "--meter", METER, "--amount", "600.00")
    assert res.code == 2 and res.error_code == "OFFLINE_LIMIT_REACHED", res
    assert res.data["error"]["details"]["limit"] == "max_amount"
    assert query(cli.db, "SELECT COUNT(*) FROM outbox") == outbox_before     # nothing stored
    cli.ok("sync", "now")
    cli.ok("sell", "--meter", METER, "--amount", "600.00")
    later = "2026-03-08T11:00:01"                                          # 73 h after the last sync
    res = cli.run("sell", "--meter", METER, "--amount", "100.00", now=later)
    assert res.code == 2 and res.error_code == "OFFLINE_LIMIT_REACHED", res
    assert res.data["error"]["details"]["limit"] == "max_hours"
    cli.ok("sync", "now", now=later)
    cli.ok("sell", "--meter", METER, "--amount", "100.00", now=later)
    assert cli.ok("check", now=later)["ok"] is True
