"""Fuzzing every command's arguments and every file the terminal reads (issue: trust).

The in-process `ppms` entry point (terminal.cli.main) against a real SQLite ledger, as
a logged-in admin: whatever the arguments or the file's bytes, the command ends with 0
or a refusal (exit 2, a JSON error with an UPPER_SNAKE code), never exit 1 or a
traceback, and a refusal leaves every row of every table as it was. Bounded in
`make test`; PPMS_SOAK=long (`make soak`) runs many more examples.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terminal import cli as ppms_cli
from tests.conftest import LONG
from tests.helpers.ppms import ADMIN_PASSWORD, DEFAULT_NOW, SAMPLE_TARIFF, Ppms, checkpoint, copy_ledger, dump_tables

pytestmark = [pytest.mark.slow, pytest.mark.timeout(7200 if LONG else 600)]
EXAMPLES = 2000 if LONG else 25
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
METER = "0123456789"

# text a cashier, a script or an attacker might type: any code point (lone surrogates too),
# numbers in odd shapes, huge values, and the values that almost work
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=40)
NEAR = st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "1000.00", "0.001", "99999999999999999999",
                        METER, "T01-000001", "RES", "RES:70,COM:30", "admin", "cashier", "operators",
                        "2026-03-05", "9999-12-31", "x" * 5000, "\x00", "--json", "../../etc/passwd"])
ARG = st.one_of(ANY_TEXT, NEAR)

COMMANDS: list[tuple[str, ...]] = [
    ("quote", "--meter", "{}", "--amount", "{}"),
    ("quote", "--meter", "{}", "--kwh", "{}"),
    ("sell", "--meter", "{}", "--amount", "{}", "--payment", "{}"),
    ("customer", "register", "--name", "{}", "--address", "{}", "--meter", "{}", "--power-type", "{}"),
    ("customer", "register", "--name", "N", "--address", "A", "--meter", "{}", "--power-type", "RES",
     "--carrier", "sts", "--sgc", "{}", "--ti", "{}", "--krn", "{}"),
    ("sale", "show", "{}"),
    ("sale", "reverse", "{}", "--reason", "{}"),
    ("sale", "recover", "--meter", "{}"),
    ("account", "debt", "add", "--meter", "{}", "--amount", "{}", "--reason", "{}"),
    ("account", "show", "--meter", "{}"),
    ("customer", "register", "--name", "N", "--address", "A", "--meter", "{}", "--power-type", "RES",
     "--building", "{}", "--id-number", "{}", "--maker", "{}", "--no-install"),
    ("meter", "install", "--meter", "{}", "--date", "{}", "--seals", "{}", "--initial-reading", "{}"),
    ("account", "transfer", "--from-meter", "{}", "--to-meter", "{}", "--what", "carry_over", "--amount", "{}",
     "--reason", "{}"),
    ("account", "approve", "{}"),
    ("report", "daily", "--date", "{}", "--format", "{}"),
    ("operator", "add", "--username", "{}", "--role", "{}", "--full-name", "{}"),
    ("operator", "unlock", "{}"),
    ("operator", "grant", "{}", "{}"),
    ("operator", "revoke", "{}", "{}"),
    ("invoice", "set", "{}", "{}"),
    ("sts", "engineering", "--meter", "{}", "--kind", "{}", "--value", "{}"),
    ("sts", "decode", "--key-file", "{}", "--pan", "{}", "--sgc", "{}", "--ti", "1", "--krn", "1",
     "--token", "{}"),
    ("demo", "--customers", "{}", "--sales", "{}"),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cli = Ppms(tmp_path_factory.mktemp("fuzz") / "ppms.db")
    cli.with_sample_tariff(METER)
    cli.ok("sell", "--meter", METER, "--amount", "1000.00")
    checkpoint(cli.db)
    return cli.db


@pytest.fixture
def ledger(template: Path, tmp_path: Path) -> Iterator[Path]:
    db = tmp_path / "ppms.db"
    copy_ledger(template, db)
    saved = {k: v for k, v in os.environ.items() if k.startswith("PPMS_")}
    for k in saved:
        del os.environ[k]
    os.environ.update(PPMS_DB=str(db), PPMS_OPERATOR="admin", PPMS_PASSWORD=ADMIN_PASSWORD,
                      PPMS_FAKE_NOW=DEFAULT_NOW, PPMS_NEW_PASSWORD="fuzz-password-1",
                      PPMS_PRINTER_TYPE="none")
    try:
        yield db
    finally:
        for k in [k for k in os.environ if k.startswith("PPMS_")]:
            del os.environ[k]
        os.environ.update(saved)


def run(argv: list[str], db: Path) -> None:
    """One command in process; a refusal must leave every table as it was."""
    before = dump_tables(db)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = ppms_cli.main([*argv, "--json"])
    shown = f"ppms {argv!r}: exit {code}\nstdout: {out.getvalue()[:2000]}\nstderr: {err.getvalue()[:2000]}"
    assert code in (0, 2), shown
    assert "Traceback" not in err.getvalue() and "INTERNAL_ERROR" not in out.getvalue(), shown
    if code == 2:
        error = json.loads(out.getvalue())["error"]
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", error["code"]) and error["message"], shown
        assert dump_tables(db) == before, f"a refusal changed the ledger: {shown}"


@FUZZ
@given(data=st.data())
def test_any_arguments_to_any_command(ledger: Path, data: st.DataObject) -> None:
    template = data.draw(st.sampled_from(COMMANDS))
    argv = [data.draw(ARG) if part == "{}" else part for part in template]
    run(argv, ledger)


SAMPLE = SAMPLE_TARIFF.read_bytes()
FILE_BYTES = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda cut, junk: SAMPLE[:cut] + junk + SAMPLE[cut:],
              st.integers(0, len(SAMPLE)), st.binary(max_size=40)),
    st.builds(lambda n: b"x = " + b"[" * n + b"]" * n, st.integers(1, 30_000)),
    st.builds(lambda n: b"x = " + b"{a=" * n + b"1" + b"}" * n, st.integers(1, 30_000)),
)


@FUZZ
@given(content=FILE_BYTES, kind=st.sampled_from(["tariff", "invoice", "config", "password"]))
def test_any_bytes_in_any_file_the_terminal_reads(ledger: Path, content: bytes, kind: str) -> None:
    path = ledger.parent / f"fuzz.{kind}"
    path.write_bytes(content)
    path.chmod(0o600)
    argv = {"tariff": ["tariff", "import", str(path)],
            "invoice": ["invoice", "import", str(path)],
            "config": ["check", "--config", str(path)],
            "password": ["operator", "add", "--username", "fz", "--role", "cashier", "--password-file",
                         str(path)]}[kind]
    try:
        run(argv, ledger)  # a password that worked adds fz once; later examples are OPERATOR exists refusals
    finally:
        path.unlink()
