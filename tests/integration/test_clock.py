"""Time only goes forward: with the clock set back beyond the tolerance ([database]
clock_tolerance_s, 300 s) every write is refused with CLOCK_BEHIND_LEDGER and nothing is
written; a step back within the tolerance is accepted; `ppms check` shows the ledger's
latest write and whether the clock is behind it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms, dump_tables
from tests.integration.race_helpers import CARD_METER, setup

NOW = "2026-03-05T10:00:00"
MONTH_BACK = "2026-02-05T10:00:00"

pytestmark = [pytest.mark.timeout(300)]


@pytest.fixture
def cli(tmp_path: Path) -> Ppms:
    cli = Ppms(tmp_path / "ppms.db", now=NOW)
    setup(cli, "card")
    cli.ok("sell", "--meter", CARD_METER, "--amount", "1000.00")
    return cli


def test_a_month_back_every_write_is_refused_and_nothing_written(cli: Ppms) -> None:
    sale = cli.ok("sale", "show", "T01-000001")
    before = dump_tables(cli.db)
    writes = [
        ("sell", "--meter", CARD_METER, "--amount", "1000.00"),
        ("customer", "register", "--name", "Late", "--address", "Plot 9", "--meter", "0100000009",
         "--power-type", "RES"),
        ("sale", "reverse", sale["sale_id"], "--reason", "mistake"),
        ("account", "debt", "add", "--meter", CARD_METER, "--amount", "10.00", "--reason", "r"),
        ("operator", "add", "--username", "late", "--role", "cashier", "--password-stdin"),
    ]
    for args in writes:
        res = cli.run(*args, now=MONTH_BACK, stdin="Late-pass-123\n")   # the new operator's password
        assert (res.code, res.error_code) == (2, "CLOCK_BEHIND_LEDGER"), f"ppms {' '.join(args)}: {res}"
        message = res.data["error"]["message"]
        assert NOW in message and "set the clock right" in message, message
    assert dump_tables(cli.db) == before, "a refused write changed the ledger"
    report = cli.ok("check", now=MONTH_BACK)
    assert report["clock"]["latest_write"] == NOW and report["clock"]["behind"] is True, report["clock"]
    assert report["ok"] is True   # a clock behind is not an unsound ledger


def test_a_few_seconds_back_within_the_tolerance_is_accepted(cli: Ppms) -> None:
    sale = cli.ok("sell", "--meter", CARD_METER, "--amount", "500.00", now="2026-03-05T09:59:30")
    assert sale["status"] == "completed" and sale["sold_at"] == "2026-03-05T09:59:30"
    report = cli.ok("check", now="2026-03-05T09:59:30")
    assert report["clock"]["latest_write"] == NOW and report["clock"]["behind"] is False
    cli.ok("sell", "--meter", CARD_METER, "--amount", "500.00", now="2026-03-05T11:00:00")
    assert cli.ok("check")["clock"]["latest_write"] == "2026-03-05T11:00:00"   # the mark moves forward
    assert cli.refused("sell", "--meter", CARD_METER, "--amount", "500.00") == "CLOCK_BEHIND_LEDGER"
