"""The emulated reader through bootstrap (cli.md's no-hardware mode), the card secret
settings, and migration 3 on an older ledger."""
from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from terminal import bootstrap
from terminal.devices.card import EMULATED_SECRET, ensure_secret_file, read_secret
from terminal.domain.errors import PpmsError
from terminal.ledger import db as ledger_db
from terminal.ledger.migrations import LATEST, MIGRATIONS
from terminal.services import auth, cards, registration, selling, setup
from tests.helpers.ppms import sealed

from .conftest import SAMPLE


def _build(tmp: Path, card_reader: str) -> bootstrap.App:
    cfg = tmp / "terminal.toml"
    cfg.write_text(f'[terminal]\nid = "T01"\n[database]\npath = "ppms.db"\n[card_reader]\n{card_reader}\n')
    app = bootstrap.build(config=cfg, env={"PPMS_FAKE_NOW": "2026-03-05T10:00:00"}, initialising=True,
                          allow_fake_clock=True)
    setup.initialise(app.ctx, "secret1", True)
    return app


def _ready(app: bootstrap.App, meter: str = "0123456789") -> auth.Session:
    admin = auth.login(app.ctx, "admin", "secret1")
    setup.import_tariff(app.ctx, admin, SAMPLE.read_text())
    registration.register(app.ctx, admin, "Jane", "Plot 1", meter, "RES")
    return admin


def test_emulated_sells_reverses_and_recovers_like_before(tmp_path: Path) -> None:
    app = _build(tmp_path, 'type = "emulated"')
    admin = _ready(app)
    s1 = selling.sell(app.ctx, admin, "0123456789", "1000.00")
    s2 = selling.sell(app.ctx, admin, "0123456789", "500.00")   # the emulated meter took s1
    assert s1["status"] == s2["status"] == "completed"
    assert selling.reverse(app.ctx, admin, s2["sale_id"], "mistake")["status"] == "reversed"
    # a fresh process (new devices) still reverses the latest standing sale: the card is as expected
    app.close()
    app2 = bootstrap.build(config=tmp_path / "terminal.toml", env={"PPMS_FAKE_NOW": "2026-03-05T11:00:00"})
    admin2 = auth.login(app2.ctx, "admin", "secret1")
    assert selling.reverse(app2.ctx, admin2, s1["sale_id"], "mistake")["status"] == "reversed"
    assert selling.sell(app2.ctx, admin2, "0123456789", "1000.00")["status"] == "completed"
    app2.close()


def test_emulated_station_makes_and_reads_a_card(tmp_path: Path) -> None:
    app = _build(tmp_path, 'type = "emulated"')
    admin = _ready(app)
    out = cards.make(app.ctx, admin, "user", "0123456789")
    assert out["type"] == "user" and out["meter"] == "0123456789"
    assert cards.read(app.ctx, admin)["card_serial"] == out["card_serial"]
    app.close()


def test_a_meter_number_a_card_cannot_carry(tmp_path: Path) -> None:
    app = _build(tmp_path, 'type = "emulated"')
    admin = _ready(app)
    with pytest.raises(PpmsError) as info:                 # registration refuses it now
        registration.register(app.ctx, admin, "Joe", "Plot 2", "DEMO-0001", "RES")
    assert info.value.code == "METER_NUMBER_INVALID"
    app.close()
    con = sealed(tmp_path / "ppms.db")                     # a meter registered before that rule
    con.execute("UPDATE meter SET number = 'DEMO-0001' WHERE number = '0123456789'")
    con.commit()
    con.close()
    app = bootstrap.build(config=tmp_path / "terminal.toml", env={"PPMS_FAKE_NOW": "2026-03-05T10:00:00"})
    admin = auth.login(app.ctx, "admin", "secret1")
    assert selling.quote(app.ctx, admin, "DEMO-0001", amount="500.00")["status"] == "quote"
    with pytest.raises(PpmsError) as info:
        selling.sell(app.ctx, admin, "DEMO-0001", "500.00")
    assert info.value.code == "CARD_METER_NUMBER_INVALID"    # the card still refuses to carry it
    app.close()


def test_pcsc_without_a_secret_is_not_configured_at_first_use(tmp_path: Path) -> None:
    app = _build(tmp_path, 'type = "pcsc"')            # builds: the secret is read on first use
    admin = _ready(app)
    for call in (lambda: selling.sell(app.ctx, admin, "0123456789", "500.00"), lambda: cards.read(app.ctx, admin)):
        with pytest.raises(PpmsError) as info:
            call()
        assert info.value.code == "DEVICE_NOT_CONFIGURED"
    assert app.db.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0] == 0
    app.close()


def test_secret_file_made_private_and_resolved_from_the_config(tmp_path: Path) -> None:
    path = ensure_secret_file(tmp_path / "var" / "card-secret.hex")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = read_secret(path)
    assert len(secret) == 32 and secret != EMULATED_SECRET
    assert ensure_secret_file(path) == path and read_secret(path) == secret    # never replaced
    (tmp_path / "short.hex").write_text("abcd\n")
    with pytest.raises(PpmsError, match="shorter"):
        read_secret(tmp_path / "short.hex")
    with pytest.raises(PpmsError) as info:
        read_secret(tmp_path / "missing.hex")
    assert info.value.code == "DEVICE_NOT_CONFIGURED" and "missing" in info.value.message
    from terminal.config import load_settings
    cfg = tmp_path / "terminal.toml"
    cfg.write_text('[terminal]\nid = "T01"\n[database]\npath = "p.db"\n'
                   '[card_reader]\nsecret_file = "var/card-secret.hex"\nutility_code = 4711\n')
    s = load_settings(cfg, {})
    assert s.card_reader.secret_file == str(path.resolve()) and s.card_reader.utility_code == 4711
    cfg.write_text('[terminal]\nid = "T01"\n[database]\npath = "p.db"\n[card_reader]\nutility_code = -1\n')
    with pytest.raises(PpmsError) as info:
        load_settings(cfg, {})
    assert info.value.details["key"] == "card_reader.utility_code"


def test_migration_3_upgrades_a_version_2_ledger(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    for number, _name, statements in MIGRATIONS:
        if number > 2:
            break
        for sql in statements:
            con.execute(sql)
        con.execute(f"PRAGMA user_version = {number}")
    con.execute("INSERT INTO role_permission VALUES ('supervisor', 'card_maintenance')")
    con.commit()
    con.close()
    db = ledger_db.connect(path)
    assert ledger_db.schema_version(db) == LATEST >= 3
    perms = {r[0] for r in db.execute_sql("SELECT role FROM role_permission WHERE permission = 'card_supervision'")}
    assert perms == {"admin", "supervisor"}
    db.close()


def test_emulated_sales_record_no_made_up_readings(tmp_path: Path) -> None:
    """The emulated card's return data is invented by the emulation: never a meter reading."""
    cfg = tmp_path / "terminal.toml"
    cfg.write_text('[terminal]\nid = "T01"\n[database]\npath = "ppms.db"\n[printer]\ntype = "none"\n')
    app = bootstrap.build(config=cfg, env={"PPMS_FAKE_NOW": "2026-03-05T10:00:00"}, initialising=True,
                          allow_fake_clock=True)
    setup.initialise(app.ctx, "secret1", True)
    admin = auth.login(app.ctx, "admin", "secret1")
    setup.import_tariff(app.ctx, admin, SAMPLE.read_text())
    registration.register(app.ctx, admin, "Jane", "Plot 1", "0123456789", "RES")
    for amount in ("1000.00", "200.00", "300.00"):
        assert selling.sell(app.ctx, admin, "0123456789", amount)["status"] == "completed"
    con = sqlite3.connect(tmp_path / "ppms.db")
    assert con.execute("SELECT COUNT(*) FROM reading").fetchone()[0] == 0
    assert con.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'reading'").fetchone()[0] == 0
