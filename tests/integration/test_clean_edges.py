"""Clean edges of input (issue: trust): what used to end in exit 1 (a traceback's
UnicodeEncodeError, RecursionError, MemoryError, EOFError), hang (a FIFO), or be
accepted though wrong, is now a refusal with exit 2, a stable code, and no change."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.ppms import ROOT, SAMPLE_TARIFF, Ppms, checkpoint, copy_ledger, dump_tables

METER = "0123456789"
SAMPLE = SAMPLE_TARIFF.read_text(encoding="utf-8")
DEMO_TARIFF = ROOT / "config" / "tariffs" / "demo.toml"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cli = Ppms(tmp_path_factory.mktemp("edges") / "ppms.db")
    cli.with_sample_tariff(METER)
    checkpoint(cli.db)
    return cli.db


@pytest.fixture
def cli(template: Path, tmp_path: Path) -> Ppms:
    copy_ledger(template, tmp_path / "ppms.db")
    return Ppms(tmp_path / "ppms.db")


def refused_unchanged(cli: Ppms, *args: str, **kw: object) -> str:
    before = dump_tables(cli.db)
    res = cli.run(*args, timeout=60, **kw)  # type: ignore[arg-type]
    assert res.code == 2 and res.error_code and "Traceback" not in res.stderr, res
    assert dump_tables(cli.db) == before
    return res.error_code


@pytest.mark.parametrize("option", ["--meter", "--name"])
@pytest.mark.parametrize("bad", [b"\xff", b"\xed\xa0\x80"], ids=["0xFF", "surrogate"])
def test_undecodable_bytes_in_an_argument_are_refused(cli: Ppms, option: str, bad: bytes) -> None:
    value = os.fsdecode(b"Jane" + bad)
    args = {"--name": "N", "--address": "A", "--meter": "0123456781", "--power-type": "RES"} | {option: value}
    assert refused_unchanged(cli, "customer", "register", *[x for kv in args.items() for x in kv]) == "USAGE"


@pytest.mark.parametrize("make", ["deep", "dev_zero", "fifo", "directory", "huge", "not_utf8"])
def test_a_tariff_file_is_refused_before_parsing(cli: Ppms, tmp_path: Path, make: str) -> None:
    p = tmp_path / "t.toml"
    if make == "deep":
        p.write_text('currency = "KES"\nx = ' + "[" * 50_000 + "]" * 50_000 + "\n")
    elif make == "dev_zero":
        p = Path("/dev/zero")
    elif make == "fifo":
        os.mkfifo(p)                    # nobody writes: a read would hang
    elif make == "directory":
        p.mkdir()
    elif make == "huge":
        p.write_text(SAMPLE + "#" + "x" * (2 << 20) + "\n")
    else:
        p.write_bytes(SAMPLE.encode().replace(b"Lifeline", b"Lifel\xffne"))
    assert refused_unchanged(cli, "tariff", "import", str(p)) in ("INVALID_ARGUMENT", "TARIFF_INVALID")


def test_an_invoice_format_fifo_is_refused(cli: Ppms, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.toml")
    assert refused_unchanged(cli, "invoice", "import", str(tmp_path / "f.toml")) == "INVALID_ARGUMENT"


@pytest.mark.parametrize("target", ["directory", "/dev/null"])
def test_a_database_path_that_is_not_a_file_is_refused(cli: Ppms, tmp_path: Path, target: str) -> None:
    path = tmp_path / "dir.db" if target == "directory" else Path(target)
    if target == "directory":
        path.mkdir()
    res = cli.run("check", "--db", str(path))
    assert (res.code, res.error_code) == (2, "FILE_REFUSED"), res
    res = cli.run("init", "--password-stdin", "--db", str(path), operator=None, password=None, stdin="secret1\n")
    assert (res.code, res.error_code) == (2, "FILE_REFUSED"), res


def test_a_far_future_effective_date_is_refused(cli: Ppms, tmp_path: Path) -> None:
    p = tmp_path / "t.toml"
    p.write_text(SAMPLE.replace("2026-01-01", "9999-12-31"))
    assert refused_unchanged(cli, "tariff", "import", str(p)) == "TARIFF_INVALID"
    p.write_text(SAMPLE.replace("2026-01-01", "2026-04-01"))   # within a year: a real next version
    cli.ok("tariff", "import", str(p))


def test_a_changed_preferential_with_the_clock_behind_is_a_conflict(cli: Ppms, tmp_path: Path) -> None:
    p = tmp_path / "t.toml"
    p.write_text(SAMPLE.replace('ENERGY = "10" }', 'ENERGY = "20" }'))
    # two minutes behind the sheet's version: within the ledger's clock tolerance (300 s), so the
    # write begins, and the preferential's version must not be taken twice
    behind = "2026-03-05T09:58:00"
    assert refused_unchanged(cli, "tariff", "import", str(p), now=behind) == "TARIFF_VERSION_CONFLICT"
    cli.ok("tariff", "import", str(SAMPLE_TARIFF), now=behind)  # unchanged: nothing new
    # further behind than the tolerance, the ledger refuses any write first
    assert refused_unchanged(cli, "tariff", "import", str(p), now="2026-02-01T10:00:00") == \
        "CLOCK_BEHIND_LEDGER"


def test_demo_runs_on_a_database_that_has_the_demo_tariff(tmp_path: Path) -> None:
    cli = Ppms(tmp_path / "ppms.db")
    cli.init()
    cli.ok("tariff", "import", str(DEMO_TARIFF))
    out = cli.ok("demo", "--customers", "3", "--sales", "10")
    assert out["customers"] == 3
