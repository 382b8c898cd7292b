from __future__ import annotations

import pytest

from terminal.config import DEFAULT_CONFIG, ConfigInvalid, load_settings


def test_defaults_load():
    s = load_settings(DEFAULT_CONFIG, env={})
    assert s.terminal.id == "T01" and s.card_reader.type == "emulated" and s.printer.paper_width_mm == 80


def test_environment_beats_file(tmp_path):
    s = load_settings(DEFAULT_CONFIG, env={"PPMS_PRINTER_TYPE": "dummy", "PPMS_DB": "/tmp/x.db"})
    assert (s.printer.type, s.database.path) == ("dummy", "/tmp/x.db")


@pytest.mark.parametrize("text,key", [
    ('[database]\npath = "x.db"\n', "terminal.id"),
    ('[terminal]\nid = "T01"\n', "database.path"),
    ('[terminal]\nid = "t 1"\n[database]\npath = "x"\n', "terminal.id"),
    ('[terminal]\nid = "T1"\n[database]\npath = "x"\n[printer]\ntype = "laser"\n', "printer.type"),
    ('[terminal]\nid = "T1"\n[database]\npath = "x"\n[printer]\npaper_width_mm = "wide"\n', "printer.paper_width_mm"),
    ('[terminal]\nid = "T1"\n[database]\npath = "x"\n[printer]\ncolour = 1\n', "printer.colour"),
])
def test_bad_or_missing_key_is_named(tmp_path, text, key):
    p = tmp_path / "t.toml"
    p.write_text(text)
    with pytest.raises(ConfigInvalid) as exc:
        load_settings(p, env={})
    assert exc.value.details["key"] == key and key in exc.value.message
