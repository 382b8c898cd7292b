"""The up path against a real `ppms-central serve` (SQLite and PostgreSQL): every outbox row
stored once, in order; marked sent only on the center's answer; a second pass sends nothing;
an unreachable center leaves the outbox as it was (exit 2, SYNC_UNREACHABLE)."""
from __future__ import annotations

from pathlib import Path

from tests.integration.sync.center import Center, free_port, terminal
from tests.integration.sync.helpers import center_items, center_sums, outbox, sums

METER = "0123456789"


def test_one_pass_sends_every_row_once_and_the_totals_match(center: Center, tmp_path: Path) -> None:
    secret = center.add_terminal("T01")
    cli = terminal(tmp_path / "t01", "T01", f"http://127.0.0.1:{center.port}", secret)
    cli.ok("demo", "--customers", "3", "--sales", "40", "--seed", "5")
    rows = outbox(cli)
    first = cli.ok("sync", "now")
    assert first["sent"] == first["created"] == len(rows) and first["backlog"] == 0, first
    assert (first["exists"], first["conflicts"], first["refused"]) == (0, 0, 0)
    assert isinstance(first["clock_drift_s"], float) and abs(first["clock_drift_s"]) < 5
    assert all(sent_at is not None for *_, sent_at in outbox(cli))
    stored = center_items(center.url)
    assert [(t, s, u, p) for t, s, u, p in stored] == [("T01", seq, uuid, payload) for seq, uuid, _, payload, _ in rows]
    assert center_sums(center.summary()) == sums(cli)
    again = cli.ok("sync", "now")
    assert (again["sent"], again["created"], again["backlog"]) == (0, 0, 0)
    assert len(center_items(center.url)) == len(rows)
    status = cli.ok("sync", "status")
    assert status["backlog"] == 0 and status["last_sync"] and status["offline_max_hours"] == 72
    summary = center.summary()
    assert summary["terminals"]["T01"]["gaps"] == [] and summary["terminals"]["T01"]["backlog"] == 0


def test_an_unreachable_center_changes_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "s.hex"
    secret.write_text("ab" * 32 + "\n")
    secret.chmod(0o600)
    cli = terminal(tmp_path / "t01", "T01", f"http://127.0.0.1:{free_port()}", secret)
    cli.ok("demo", "--customers", "2", "--sales", "5", "--seed", "1")
    before = outbox(cli)
    assert cli.refused("sync", "now") == "SYNC_UNREACHABLE"
    assert outbox(cli) == before and all(sent_at is None for *_, sent_at in before)
    assert cli.ok("sync", "status")["last_sync"] is None


def test_a_secret_file_others_can_read_is_refused(sqlite_center: Center, tmp_path: Path) -> None:
    secret = sqlite_center.add_terminal("T01")
    cli = terminal(tmp_path / "t01", "T01", f"http://127.0.0.1:{sqlite_center.port}", secret)
    secret.chmod(0o644)
    assert cli.refused("sync", "now") == "SYNC_SECRET_INVALID"
    assert center_items(sqlite_center.url) == []
