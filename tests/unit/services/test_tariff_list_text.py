"""`ppms tariff list` without --json: each version's terms in words and its blocks as a table
(it printed each power type's versions as one JSON string in a table cell)."""
from __future__ import annotations

from typing import Any

from terminal.cli_commands.setup import tariff_text
from terminal.services import tariff_sheets


def test_the_tariff_list_reads_as_text(world: Any) -> None:
    world.tariff()
    text = tariff_text(tariff_sheets.listed(world.ctx, world.admin))
    assert "{" not in text and "[" not in text
    assert "RES Residential, version 1 (in force)" in text
    assert "VAT 16 %, fixed charge 150.00 a month" in text
    lines = text.splitlines()
    header = next(i for i, ln in enumerate(lines) if ln.startswith("Block"))
    assert lines[header].split() == ["Block", "Up", "to", "kWh", "Energy", "Rep", "Comprehensive", "price"]
    assert lines[header + 2].split() == ["1", "100.00", "12", "0.6", "12.6"]
