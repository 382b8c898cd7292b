"""Authentication and authority through the real `ppms` command (issue: trust): the
lockout cannot be loosened from the environment or a later config, the last holder of
`operators` stays, root on the box can recover a locked-out admin, passwords never ride
on the command line, and a refused login writes a bounded diary row."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers.ppms import ADMIN_PASSWORD, SAMPLE_TARIFF, Ppms, checkpoint, copy_ledger, dump_tables, query

SELL = ("quote", "--meter", "0123456789", "--amount", "1000.00")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cli = Ppms(tmp_path_factory.mktemp("auth") / "ppms.db")
    cli.with_sample_tariff("0123456789")
    cli.add_operator("c1", "cashier", "secret2")
    checkpoint(cli.db)
    return cli.db


@pytest.fixture
def cli(template: Path, tmp_path: Path) -> Ppms:
    copy_ledger(template, tmp_path / "ppms.db")
    return Ppms(tmp_path / "ppms.db")


def _lock(cli: Ppms, user: str, attempts: int = 5) -> None:
    for _ in range(attempts):
        assert cli.refused(*SELL, operator=user, password="wrong-password") == "AUTH_FAILED"


@pytest.mark.parametrize("value", ["1000000", "0", "-3"])
def test_the_environment_cannot_set_the_lockout(cli: Ppms, value: str) -> None:
    cli.extra_env["PPMS_SECURITY_LOCKOUT_ATTEMPTS"] = value
    before = dump_tables(cli.db)
    res = cli.run(*SELL, operator="c1", password="wrong-password")
    assert (res.code, res.error_code) == (2, "CONFIG_INVALID"), res
    assert res.data["error"]["details"]["key"] == "security.lockout_attempts"
    assert dump_tables(cli.db) == before


def test_a_later_config_cannot_loosen_the_lockout_kept_at_init(cli: Ppms, tmp_path: Path) -> None:
    config = tmp_path / "loose.toml"
    config.write_text(f'[terminal]\nid = "T01"\n[database]\npath = "{cli.db}"\n[security]\nlockout_attempts = 20\n')
    cli.extra_env["PPMS_CONFIG"] = str(config)
    _lock(cli, "c1")
    assert query(cli.db, "SELECT locked FROM operator WHERE username = 'c1'") == [(1,)]


def test_revoking_operators_from_its_last_holder_is_refused(cli: Ppms) -> None:
    before = dump_tables(cli.db)
    assert cli.refused("operator", "revoke", "admin", "operators") == "LAST_OPERATORS_HOLDER"
    assert dump_tables(cli.db) == before
    cli.add_operator("a2", "supervisor", "secret3")
    cli.ok("operator", "grant", "supervisor", "operators")
    cli.ok("operator", "revoke", "admin", "operators")          # another holder remains
    assert cli.refused("operator", "revoke", "supervisor", "operators",
                       operator="a2", password="secret3") == "LAST_OPERATORS_HOLDER"


def test_root_recovers_the_only_admin_locked_out(cli: Ppms) -> None:
    _lock(cli, "admin")
    assert cli.refused(*SELL) == "OPERATOR_LOCKED"
    new = "recovered-1"
    out = cli.ok("operator", "unlock-recovery", "admin", "--password-stdin", operator=None, password=None,
                 stdin=new + "\n")
    assert out == {"username": "admin", "locked": False, "password_changed": True}
    assert cli.refused(*SELL) == "AUTH_FAILED"                  # the old password no longer works
    cli.ok(*SELL, password=new)
    (row,) = query(cli.db, "SELECT operator, after FROM diary WHERE action = 'operator.recovery'")
    assert row[0].startswith("root@") and json.loads(row[1])["password_changed"] is True
    assert new not in row[1]


def test_recovery_is_refused_to_anyone_but_root(cli: Ppms, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """In process, as uid 1000 (the interpreter here is root's, out of another user's reach)."""
    from terminal import cli as ppms_cli
    _lock(cli, "admin")
    before = dump_tables(cli.db)
    monkeypatch.setenv("PPMS_DB", str(cli.db))
    monkeypatch.setenv("PPMS_NEW_PASSWORD", "taken-over")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert ppms_cli.main(["operator", "unlock-recovery", "admin", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "PERMISSION_DENIED"
    assert dump_tables(cli.db) == before


def test_passwords_come_from_a_file_or_stdin_not_the_command_line(cli: Ppms, tmp_path: Path) -> None:
    assert cli.run("operator", "add", "--username", "c2", "--role", "cashier", "--password", "secret9").code == 2
    pw = tmp_path / "pw"
    pw.write_text("from-a-file\n")
    pw.chmod(0o644)
    assert cli.refused("operator", "add", "--username", "c2", "--role", "cashier",
                       "--password-file", str(pw)) == "FILE_REFUSED"    # others could read it
    pw.chmod(0o600)
    cli.ok("operator", "add", "--username", "c2", "--role", "cashier", "--password-file", str(pw))
    cli.ok(*SELL, operator="c2", password="from-a-file")


def test_init_admin_password_flag_still_works_with_a_warning(tmp_path: Path) -> None:
    cli = Ppms(tmp_path / "ppms.db")
    res = cli.run("init", "--admin-password", ADMIN_PASSWORD, operator=None, password=None, now=None)
    assert res.code == 0 and "visible" not in res.stdout and "--admin-password puts the password" in res.stderr
    cli.ok("tariff", "import", str(SAMPLE_TARIFF), now=None)


def test_a_refused_long_username_writes_a_bounded_diary_row(cli: Ppms) -> None:
    size = sum(len(repr(r)) for r in dump_tables(cli.db)["diary"])
    for _ in range(3):
        assert cli.refused(*SELL, operator="x" * 10_000, password="wrong-pw-9x") == "AUTH_FAILED"
    rows = dump_tables(cli.db)["diary"]
    assert sum(len(repr(r)) for r in rows) - size < 3 * 600


def test_ctrl_d_at_the_operator_prompt_is_a_refusal(cli: Ppms) -> None:
    import pty
    import subprocess
    import sys
    main, child = pty.openpty()
    env = cli.env(operator=None, password=None)
    proc = subprocess.Popen([sys.executable, "-m", "terminal.cli", *SELL], stdin=child, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=cli.db.parent)
    os.close(child)
    os.write(main, b"\x04")
    out, err = proc.communicate(timeout=60)
    os.close(main)
    assert proc.returncode == 2 and b"Traceback" not in err and b"AUTH_FAILED" in err, (out, err)
