"""A ledger written by the first tagged release (`uow-api`, schema 8, before the seal) opens
in this release, migrates, and keeps every figure; a migration that fails leaves it as it
was, and the first release still runs on it. The fixture and the figures that release
printed come from tests/fixtures/make_first_release_ledger.sh."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from terminal.ledger import db as ledger_db
from terminal.ledger.migrations import LATEST, MIGRATIONS
from tests.helpers.ppms import ROOT, Ppms, dump_tables, query
from tests.integration.race_helpers import check_sound

FIXTURE = ROOT / "tests" / "fixtures" / "ledger-uow-api.db"
RELEASE = ROOT / "tests" / "fixtures" / "release-uow-api.tar.xz"
FIGURES = json.loads((ROOT / "tests" / "fixtures" / "ledger-uow-api.json").read_text())
NOW = "2026-03-05T10:00:00"
SAME = ("count", "tendered", "kwh", "free_kwh", "fixed", "debt_recovered", "vat", "carry_over_used",
        "change_carried", "energy_by_sub_item", "by_payment")


@pytest.fixture
def old_ledger(tmp_path: Path) -> Path:
    path = tmp_path / "ppms.db"
    shutil.copyfile(FIXTURE, path)
    return path


@pytest.fixture(scope="module")
def first_release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The first tagged release's source, as it was shipped (its `terminal/`, `hardware/`, `config/`
    and `setup.cfg`, kept in the repository: a clone need not carry the tag)."""
    where = tmp_path_factory.mktemp("uow-api")
    subprocess.run(["tar", "-xJf", str(RELEASE), "-C", str(where)], check=True)
    yield where


def test_the_first_releases_ledger_opens_migrates_and_keeps_its_figures(old_ledger: Path) -> None:
    assert query(old_ledger, "PRAGMA user_version") == [(8,)]
    cli = Ppms(old_ledger, now=NOW)
    report = check_sound(cli, NOW)                       # opening it migrated it, and it is sound
    old = FIGURES["check"]
    assert (report["sales"], report["postings"], report["pending_sales"]) == (old["sales"], old["postings"], 0)
    assert report["debits"] == report["credits"] == f"{old['debits'] // 100}.{old['debits'] % 100:02d}"
    daily = cli.ok("report", "daily", "--date", "2026-03-05")
    for part in ("sales", "reversals"):                  # the first release's reversals had 3 figures
        shown = [k for k in SAME if k in FIGURES["daily"][part]]
        assert len(shown) >= 3 and {k: daily[part][k] for k in shown} == {k: FIGURES["daily"][part][k] for k in shown}
    assert daily["net_takings"] == FIGURES["daily"]["net_takings"]
    assert query(old_ledger, "PRAGMA user_version") == [(LATEST,)]
    applied = query(old_ledger, "SELECT value FROM meta WHERE key = ?", ledger_db.APPLIED_KEY)[0][0]
    assert applied == ",".join(str(n) for n, _, _ in sorted(MIGRATIONS))
    assert cli.ok("sell", "--meter", "0123456789", "--amount", "100.00")["status"] == "completed"
    assert check_sound(cli, NOW)["sales"] == old["sales"] + 1


def test_a_failed_migration_leaves_the_ledger_as_it_was_and_the_first_release_runs(
        old_ledger: Path, first_release: Path) -> None:
    before = dump_tables(old_ledger), query(old_ledger, "PRAGMA user_version")
    broken = (max(n for n, _, _ in MIGRATIONS) + 1, "broken",
              ["CREATE TABLE half_done (x INTEGER)", "UPDATE meta SET value = 'XXX' WHERE key = 'currency'",
               "INSERT INTO no_such_table VALUES (1)"])
    MIGRATIONS.append(broken)
    try:
        with pytest.raises(Exception, match="no_such_table"):
            ledger_db.connect(old_ledger)
    finally:
        MIGRATIONS.remove(broken)
    assert (dump_tables(old_ledger), query(old_ledger, "PRAGMA user_version")) == before
    env = {"PYTHONPATH": str(first_release), "PPMS_DB": str(old_ledger), "PPMS_FAKE_NOW": NOW,
           "PATH": "/usr/bin:/bin", "ESCPOS_CAPABILITIES_PICKLE_DIR": str(first_release / ".cache")}
    old = subprocess.run([sys.executable, "-m", "terminal.cli", "check", "--json"], cwd=first_release, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert old.returncode == 0, old.stdout + old.stderr
    assert json.loads(old.stdout) == FIGURES["check"]          # the first release reads it as it left it
    check_sound(Ppms(old_ledger, now=NOW), NOW)                # and this release then upgrades it
