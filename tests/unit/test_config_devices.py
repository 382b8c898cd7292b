"""[meter_bus] and [cash_acceptor] settings: defaults, TOML tables, environment, bad values."""
from __future__ import annotations

import pytest

from terminal.config import ConfigInvalid, load_settings

BASE = '[terminal]\nid = "T01"\n[database]\npath = "x.db"\n'


def load(tmp_path, text: str, env: dict[str, str] | None = None):
    cfg = tmp_path / "t.toml"
    cfg.write_text(BASE + text)
    return load_settings(cfg, env or {})


def test_defaults(tmp_path):
    s = load(tmp_path, "")
    assert (s.meter_bus.port, s.meter_bus.baudrate, s.meter_bus.parity, s.meter_bus.timeout_s) == ("", 2400, "E", 1.0)
    assert (s.cash_acceptor.type, s.cash_acceptor.bills) == ("none", {})


def test_tables_and_environment(tmp_path):
    s = load(tmp_path, '[meter_bus]\nport = "/dev/ttyUSB0"\nparity = "N"\ntimeout_s = 2\n'
                       '[cash_acceptor]\ntype = "cctalk"\nport = "/dev/ttyS1"\n'
                       'bills = { "1" = "50.00", "2" = "100.00" }\n',
             {"PPMS_METER_BUS_TIMEOUT_S": "0.5", "PPMS_CASH_ACCEPTOR_IDLE_TIMEOUT_S": "30"})
    assert (s.meter_bus.port, s.meter_bus.parity, s.meter_bus.timeout_s) == ("/dev/ttyUSB0", "N", 0.5)
    assert s.cash_acceptor.bills == {"1": "50.00", "2": "100.00"} and s.cash_acceptor.idle_timeout_s == 30.0
    s = load(tmp_path, "", {"PPMS_CASH_ACCEPTOR_BILLS": "1=50.00, 3=200.00"})
    assert s.cash_acceptor.bills == {"1": "50.00", "3": "200.00"}


@pytest.mark.parametrize("text,key", [
    ('[meter_bus]\nparity = "X"\n', "meter_bus.parity"),
    ('[meter_bus]\ntimeout_s = -1\n', "meter_bus.timeout_s"),
    ('[meter_bus]\ntimeout_s = "soon"\n', "meter_bus.timeout_s"),
    ('[cash_acceptor]\ntype = "coins"\n', "cash_acceptor.type"),
    ('[cash_acceptor]\nbills = "50"\n', "cash_acceptor.bills"),
    ('[cash_acceptor]\nbills = { "1" = true }\n', "cash_acceptor.bills"),
    ('[cash_acceptor]\nnotes = 1\n', "cash_acceptor.notes"),
])
def test_bad_values_name_the_key(tmp_path, text, key):
    with pytest.raises(ConfigInvalid) as err:
        load(tmp_path, text)
    assert err.value.details["key"] == key
