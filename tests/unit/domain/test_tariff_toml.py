"""`sheet_to_toml` writes back exactly what `parse_tariff` reads."""
from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.domain.tariff import parse_tariff
from terminal.domain.tariff_toml import sheet_to_toml, toml_string
from tests.unit.domain.builders import SAMPLE_TOML
from tests.unit.domain.tariff_sheets import sheets


@settings(max_examples=150, deadline=None)
@given(sheet=sheets())
def test_a_sheet_written_and_read_again_is_the_same_sheet(sheet):
    assert parse_tariff(sheet_to_toml(sheet)) == sheet


@given(text=st.text(st.characters(blacklist_categories=("Cs",))))
def test_any_text_survives_as_a_toml_string(text):
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


def test_the_sample_file_round_trips_and_shows_the_comprehensive_price():
    sample = parse_tariff(SAMPLE_TOML)
    text = sheet_to_toml(sample)
    assert parse_tariff(text) == sample
    assert "# comprehensive price 12.6 per kWh" in text and "# comprehensive price 21 per kWh" in text
