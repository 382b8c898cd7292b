"""A PENDING sale is owned by its live seller: recovery leaves it alone; once the seller is
killed, its sale is abandoned and recovery decides it.

The seller is `ppms sell` whose carrier write waits for the test's release (race_child.py),
so its sale is surely PENDING with the write in progress while `ppms sale recover` runs.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms
from tests.integration.race_helpers import check_sound, setup, spawn, statuses, wait_until

NOW = "2026-03-05T10:00:00"

pytestmark = [pytest.mark.timeout(300)]


def start_held_sale(cli: Ppms, meter: str, hold: Path):  # type: ignore[no-untyped-def]
    hold.mkdir()
    seller = spawn(cli, "sell", "--meter", meter, "--amount", "1000.00", now=NOW, RACE_HOLD=str(hold))
    wait_until(lambda: "pending" in statuses(cli).values(), what="the sale to be PENDING")
    return seller


@pytest.mark.parametrize("carrier", ["card", "sts"])
def test_recovery_leaves_a_sale_whose_carrier_write_is_running(tmp_path: Path, carrier: str) -> None:
    cli = Ppms(tmp_path / "ppms.db", now=NOW)
    meter = setup(cli, carrier)
    seller = start_held_sale(cli, meter, tmp_path / "hold")
    recovered = cli.ok("sale", "recover")["recovered"]
    assert [r["action"] for r in recovered] == ["in_progress"], recovered
    assert cli.refused("sale", "recover", "--meter", meter) == "SALE_IN_PROGRESS"
    # a second seller at another till is told the meter's sale is being carried
    assert cli.refused("sell", "--meter", meter, "--amount", "500.00") == "SALE_IN_PROGRESS"
    assert list(statuses(cli).values()) == ["pending"]
    (tmp_path / "hold" / "release").touch()
    res = seller.result()
    assert res.code == 0 and res.data["status"] == "completed", res
    assert list(statuses(cli).values()) == ["completed"]
    assert check_sound(cli, NOW)["pending_sales"] == 0


def test_a_killed_sellers_sale_is_recovered(tmp_path: Path) -> None:
    cli = Ppms(tmp_path / "ppms.db", now=NOW)
    meter = setup(cli, "card")
    seller = start_held_sale(cli, meter, tmp_path / "hold")
    assert [r["action"] for r in cli.ok("sale", "recover")["recovered"]] == ["in_progress"]
    seller.proc.kill()
    seller.proc.wait(10)
    recovered = cli.ok("sale", "recover")["recovered"]
    assert [r["action"] for r in recovered] == ["voided"], recovered   # the emulated card never got it
    assert list(statuses(cli).values()) == ["voided"]
    sale = cli.ok("sell", "--meter", meter, "--amount", "500.00")
    assert sale["status"] == "completed"
    check_sound(cli, NOW)
    assert not list((tmp_path / "ppms.db.leases").iterdir()), "a lease file was left behind"
