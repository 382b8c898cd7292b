"""The center's sale table is partitioned by month on a real PostgreSQL: `init` creates it
partitioned with the months around today created ahead (and a default partition), a synced
sale lands in its own month's partition, the consolidated figures read across them, and
`ppms-central partitions` again creates nothing twice."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg2

from tests.helpers.ppms import SAMPLE_TARIFF
from tests.integration.sync.center import Center, Postgres, terminal

METER = "0123456789"


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    con = psycopg2.connect(url)
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        con.close()


def test_sales_land_in_their_month_partition_created_ahead(postgres: Postgres, tmp_path: Path) -> None:
    folder = tmp_path / "center"
    folder.mkdir()
    center = Center(folder, postgres.new_database())
    assert _rows(center.url, "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid") \
        == [("sale",)]
    today = date.today()
    shown = center.cli("partitions")
    assert shown["partitioned"] is True
    assert f"sale_{today.year:04d}_{today.month:02d}" in shown["partitions"] and "sale_default" in shown["partitions"]
    assert len(shown["partitions"]) == 12 + 1 + 12 + 1
    assert center.cli("partitions") == shown                                  # nothing twice
    secret = center.add_terminal("T01")
    center.start()
    try:
        cli = terminal(tmp_path / "t01", "T01", f"http://127.0.0.1:{center.port}", secret)
        cli.ok("tariff", "import", str(SAMPLE_TARIFF))
        cli.ok("customer", "register", "--name", "A", "--address", "Plot 1", "--meter", METER, "--power-type", "RES")
        cli.ok("sell", "--meter", METER, "--amount", "1000.00")                # 2026-03-05 on the terminal
        cli.ok("sell", "--meter", METER, "--amount", "500.00", now="2026-04-01T08:00:00")
        cli.ok("sync", "now", now="2026-04-01T08:00:00")
    finally:
        center.stop()
    placed = _rows(center.url, "SELECT tableoid::regclass::text, COUNT(*), SUM(tendered) FROM sale GROUP BY 1 "
                               "ORDER BY 1")
    march, april = ("sale_2026_03", 1, 100000), ("sale_2026_04", 1, 50000)
    in_range = abs((today.year * 12 + today.month) - (2026 * 12 + 3)) <= 12
    assert placed == ([march, april] if in_range else [("sale_default", 2, 150000)]), placed
    assert center.summary()["totals"]["sales"]["tendered"] == "1500.00"
