"""The kiosk driven by its replay files: `ppms kiosk --replay FILE --exit-when-done` in a real
process (offscreen SDL2, real widgets), then the ledger read afterwards."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ppms import Ppms, Result

REPLAYS = Path(__file__).with_name("replays")
CARD_METER = "0123456789"
STS_METER = "01234567897"



@pytest.fixture
def cli(tmp_path: Path) -> Ppms:
    """A terminal with the sample tariff, Jane Doe's card meter and the dummy printer."""
    key = tmp_path / "vend.key"
    key.write_text("0123456789abcdef\n")
    key.chmod(0o600)
    cli = Ppms(tmp_path / "ppms.db", extra_env={"PPMS_PRINTER_TYPE": "dummy", "PPMS_STS_KEY_FILE": str(key),
                                                  "SDL_VIDEODRIVER": "offscreen"})
    cli.with_sample_tariff()
    cli.ok("customer", "register", "--name", "Jane Doe", "--address", "Plot 1", "--meter", CARD_METER,
           "--power-type", "RES")
    return cli


def replay(cli: Ppms, name: str, *extra: str) -> Result:
    shots = cli.db.parent / "shots"
    return cli.run("kiosk", "--replay", str(REPLAYS / f"{name}.jsonl"), "--screenshots", str(shots),
                   "--exit-when-done", *extra, timeout=180)
