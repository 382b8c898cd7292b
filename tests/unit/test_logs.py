"""Log lines for the journal: priority prefix, the ids they concern, secrets blanked."""
from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from terminal import logs


@pytest.fixture(autouse=True)
def own_handler() -> Iterator[None]:
    level = logging.getLogger().level
    yield
    logging.getLogger().removeHandler(logs.configure(io.StringIO(), {}))
    logging.getLogger().setLevel(level)
    logs.bind(terminal=None, operator=None, sale=None)


def test_journal_lines_carry_priority_ids_and_no_secret() -> None:
    out = io.StringIO()
    logs.configure(out, {"JOURNAL_STREAM": "8:123", "PPMS_PASSWORD": "hunter2-pw"})
    logs.secret(b"\x01\x02\xab\xcd")
    logs.bind(terminal="T07", operator="cashier1")
    log = logging.getLogger("ppms.test")
    log.info("sold with hunter2-pw")
    logs.bind(sale="S-1")
    log.warning("key 0102abcd in use")
    try:
        raise ValueError("the secret was hunter2-pw")
    except ValueError:
        log.exception("failed")
    logs.bind(operator=None, sale=None)
    log.debug("not shown at INFO")
    lines = out.getvalue()
    assert lines.splitlines()[:2] == ["<6>ppms.test: terminal=T07 operator=cashier1 sold with ***",
                                      "<4>ppms.test: terminal=T07 operator=cashier1 sale=S-1 key *** in use"]
    assert "Traceback" in lines and "hunter2" not in lines and "0102abcd" not in lines
    assert "not shown" not in lines


def test_at_a_shell_only_warnings_show_unless_asked() -> None:
    out = io.StringIO()
    logs.configure(out, {})
    logging.getLogger("ppms.test").info("quiet")
    logging.getLogger("ppms.test").warning("DISK_LOW: loud")
    assert "quiet" not in out.getvalue() and "WARNING ppms.test: " in out.getvalue()
    logs.configure(out, {"PPMS_LOG_LEVEL": "debug"})
    logging.getLogger("ppms.test").debug("now shown")
    assert "DEBUG ppms.test: " in out.getvalue()
