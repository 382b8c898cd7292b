"""`ppms restore` of an older copy never issues a number twice: the receipt numbers, the
outbox sequence and the account numbers the replaced ledger used after the copy was taken
are skipped (the ranges written down, `ppms check` counting them as issued), so the center
accepts the next batch without a conflict. A restore that cannot know those numbers, or that
would drop rows the center never received, is refused unless the technician says how."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.ppms import SAMPLE_TARIFF, Ppms, db_bytes, query, sealed
from tests.integration.race_helpers import CARD_METER, check_sound, setup
from tests.integration.sync.center import Center, running_center, terminal
from tests.integration.sync.helpers import center_items

NOW = "2026-03-05T10:00:00"


@pytest.fixture
def center(tmp_path: Path) -> Iterator[Center]:
    with running_center(tmp_path / "center") as c:
        yield c


def receipts(db: Path) -> list[str]:
    return [str(r[0]) for r in query(db, "SELECT receipt_no FROM sale ORDER BY id")]


def restore(cli: Ppms, copy: Path, *extra: str) -> Any:
    return cli.ok("restore", str(copy), *extra, operator=None, password=None)


def sell(cli: Ppms, amount: str = "100.00") -> Any:
    return cli.ok("sell", "--meter", CARD_METER, "--amount", amount)


def test_sell_back_up_sell_restore_sell_reuses_no_number_and_the_center_accepts(center: Center,
                                                                                tmp_path: Path) -> None:
    cli = terminal(tmp_path / "t01", "T01", f"http://127.0.0.1:{center.port}", center.add_terminal("T01"))
    cli.ok("tariff", "import", str(SAMPLE_TARIFF))
    cli.ok("customer", "register", "--name", "Restore", "--address", "Plot 1", "--meter", CARD_METER,
           "--power-type", "RES")
    for amount in ("1000.00", "250.00"):
        sell(cli, amount)
    assert cli.ok("sync", "now")["conflicts"] == 0
    copy = tmp_path / "copy.db"
    cli.ok("backup", "--out", str(copy), operator=None, password=None)
    for amount in ("300.00", "400.00"):                     # after the copy: numbers 3 and 4
        sell(cli, amount)
    cli.ok("customer", "register", "--name", "Later", "--address", "Plot 2", "--meter", "0123450001",
           "--power-type", "RES")
    assert cli.ok("sync", "now")["conflicts"] == 0           # the center has them all
    used = receipts(cli.db)
    top_seq = int(query(cli.db, "SELECT MAX(seq) FROM outbox")[0][0])
    accounts = {r[0] for r in query(cli.db, "SELECT account_no FROM customer")}

    done = restore(cli, copy)
    assert done["unsent_lost"]["rows"] == 0
    assert done["skipped"]["receipt"] == [3, 4]
    assert done["skipped"]["outbox"][1] == top_seq
    assert done["skipped"]["customer"] == [2, 2]
    assert check_sound(cli, NOW)["sales"] == 2               # the copy's sales; the gaps explained

    new = sell(cli, "500.00")
    assert new["receipt_no"] not in used and new["receipt_no"] == "T01-000005"
    cli.ok("customer", "register", "--name", "After", "--address", "Plot 3", "--meter", "0123450002",
           "--power-type", "RES")
    account = query(cli.db, "SELECT account_no FROM customer WHERE name = 'After'")[0][0]
    assert account not in accounts and account == "T01-C000003"
    assert min(int(r[0]) for r in query(cli.db, "SELECT seq FROM outbox WHERE sent_at IS NULL")) > top_seq

    sent = cli.ok("sync", "now")
    assert sent["conflicts"] == 0 and sent["backlog"] == 0 and sent["created"] >= 2, sent
    stored = center_items(center.url)
    assert len({(t, s) for t, s, _, _ in stored}) == len(stored)
    assert center.summary("T01")["terminals"]["T01"]["gaps"] == []
    check_sound(cli, NOW)


@pytest.fixture
def cli(tmp_path: Path) -> Ppms:
    cli = Ppms(tmp_path / "live" / "ppms.db", now=NOW)
    cli.db.parent.mkdir()
    setup(cli, "card")
    sell(cli, "1000.00")
    return cli


def test_rows_the_center_never_received_stop_the_restore_until_the_technician_accepts(cli: Ppms,
                                                                                      tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    cli.ok("backup", "--out", str(copy), operator=None, password=None)
    later = sell(cli, "300.00")
    before = db_bytes(cli.db)
    res = cli.run("restore", str(copy), operator=None, password=None)
    assert res.code == 2 and res.error_code == "RESTORE_REFUSED", res
    assert res.data["error"]["details"]["problems"] == "UNSENT_AFTER_COPY"
    assert later["receipt_no"] in res.data["error"]["message"]
    assert db_bytes(cli.db) == before
    assert not [p for p in cli.db.parent.iterdir() if p.name.startswith((".", "ppms.db.before"))]

    done = restore(cli, copy, "--accept-unsent")
    assert done["unsent_lost"]["receipts"] == [later["receipt_no"]]
    diary = query(cli.db, "SELECT after FROM diary WHERE action = 'ledger.restored'")
    assert later["receipt_no"] in diary[0][0]
    assert sell(cli)["receipt_no"] == "T01-000003"


def test_a_lost_ledger_needs_a_newer_copy_or_a_skip(cli: Ppms, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    cli.ok("backup", "--out", str(old), operator=None, password=None)
    sell(cli, "200.00")
    sell(cli, "300.00")
    newer = tmp_path / "newer.db"
    cli.ok("backup", "--out", str(newer), operator=None, password=None)
    shutil.rmtree(cli.db.parent)                              # the disk died: a new box, no ledger
    cli.db.parent.mkdir()
    res = cli.run("restore", str(old), operator=None, password=None)
    assert res.code == 2 and res.data["error"]["details"]["problems"] == "NUMBERS_UNKNOWN", res
    assert not cli.db.exists()

    done = restore(cli, old, "--numbers-from", str(newer), "--accept-unsent")
    assert done["skipped"]["receipt"] == [2, 3]
    assert sell(cli)["receipt_no"] == "T01-000004"
    check_sound(cli, NOW)

    again = restore(cli, old, "--skip", "100", "--accept-unsent")   # the ledger replaced now is readable
    assert again["skipped"]["receipt"] == [2, 104]             # from the old copy on, past the 4 used
    assert sell(cli)["receipt_no"] == "T01-000105"
    check_sound(cli, NOW)


def test_check_finds_a_receipt_gap_no_restore_explains(cli: Ppms) -> None:
    con = sealed(cli.db)
    con.execute("UPDATE counter SET value = value + 2 WHERE name = 'receipt'")
    con.commit()
    con.close()
    res = cli.run("check")
    assert res.code != 0 and "RECEIPT_GAP" in {p["code"] for p in res.data["problems"]}, res
