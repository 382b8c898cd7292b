"""Limits before money moves: a tender above `sale.max_tender` and energy beyond what one
purchase on the carrier can hold (the card's energy field, an STS token's amount) are refused
with a clear code before the sale is PENDING, and nothing is stored."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ppms import SAMPLE_TARIFF, Ppms, dump_tables, sealed

CARD_METER = "0123456789"
STS_METER = "01234567897"


@pytest.fixture(params=["2000"])
def cli(tmp_path: Path, request: pytest.FixtureRequest) -> Ppms:
    """A card and an STS meter; the tariff's largest sale (kWh) is the parameter."""
    key_file = tmp_path / "vend.key"
    key_file.write_text("0123456789abcdef\n")
    key_file.chmod(0o600)
    tariff = tmp_path / "tariff.toml"
    tariff.write_text(SAMPLE_TARIFF.read_text().replace('max_kwh_per_sale = "2000"',
                                                        f'max_kwh_per_sale = "{request.param}"'))
    cli = Ppms(tmp_path / "ppms.db", extra_env={"PPMS_STS_KEY_FILE": str(key_file)})
    cli.init()
    cli.ok("tariff", "import", str(tariff))
    cli.ok("customer", "register", "--name", "Jane", "--address", "Plot 1", "--meter", CARD_METER,
           "--power-type", "RES")
    cli.ok("customer", "register", "--name", "Kip", "--address", "Plot 2", "--meter", STS_METER,
           "--power-type", "RES", "--carrier", "sts", "--sgc", "123456", "--ti", "1", "--krn", "1")
    return cli


def raise_max_tender(cli: Ppms, minor: int) -> None:
    """The parameter set as the terminal would (sealed; no `ppms setup param set` yet)."""
    db = sealed(cli.db)
    try:
        with db:
            db.execute("INSERT INTO meta (key, value) VALUES ('sale.max_tender', ?)", (str(minor),))
    finally:
        db.close()


@pytest.mark.parametrize("meter", [CARD_METER, STS_METER])
def test_a_tender_above_the_maximum_is_refused_and_nothing_stored(cli: Ppms, meter: str) -> None:
    before = dump_tables(cli.db)
    for command in ("quote", "sell"):
        res = cli.run(command, "--meter", meter, "--amount", "999999999999.99")
        assert res.code == 2 and res.error_code == "AMOUNT_ABOVE_MAXIMUM", res
        assert res.data["error"]["details"]["maximum"] == "10000000.00"
    assert dump_tables(cli.db) == before
    assert cli.ok("sell", "--meter", meter, "--amount", "1000.00")["status"] == "completed"


def test_the_maximum_tender_is_a_ledger_parameter(cli: Ppms) -> None:
    raise_max_tender(cli, 50000)
    assert cli.refused("sell", "--meter", CARD_METER, "--amount", "500.01") == "AMOUNT_ABOVE_MAXIMUM"
    assert cli.ok("sell", "--meter", CARD_METER, "--amount", "500.00")["status"] == "completed"


@pytest.mark.parametrize("cli", ["90000000"], indirect=True)   # a tariff whose largest sale no carrier holds
@pytest.mark.parametrize(("meter", "amount", "most"), [
    (CARD_METER, "2000000000.00", "42949672.95"), # the card's u32 energy field
    (STS_METER, "100000000.00", "1820162.40"),    # the token's largest amount
])
def test_more_energy_than_one_purchase_carries_is_refused_before_pending(cli: Ppms, meter: str, amount: str,
                                                                        most: str) -> None:
    raise_max_tender(cli, 10 ** 15)
    before = dump_tables(cli.db)
    res = cli.run("sell", "--meter", meter, "--amount", amount)
    assert res.code == 2 and res.error_code == "CREDIT_ABOVE_CARRIER_LIMIT", res
    assert res.data["error"]["details"]["max_kwh"] == most and most in res.data["error"]["message"]
    assert cli.refused("quote", "--meter", meter, "--amount", amount) == "CREDIT_ABOVE_CARRIER_LIMIT"
    assert dump_tables(cli.db) == before      # no PENDING sale, no receipt number, no token
    assert cli.ok("check")["ok"] and cli.ok("sell", "--meter", meter, "--amount", "1000.00")["status"] == "completed"
