"""No secret in any log line, diary entry, outbox record, error message or traceback.

One terminal's working day with every secret the suite uses in play (the admin's and a
cashier's passwords, a wrong guess, the STS vending key, the card secret and the PSCs it
derives, the receipt key, the seal key), every command logging at DEBUG: each value is then
looked for in everything the commands wrote on stdout and stderr (the journal), in every
diary row and outbox payload of the ledger and of its backup, and in an internal failure's
traceback."""
from __future__ import annotations

import hashlib
import secrets
import sqlite3
from pathlib import Path
from typing import Any

from hardware.cards.layout import UtilityKeys
from hardware.sts import make_pan
from tests.helpers.ppms import ADMIN_PASSWORD, Ppms, Result
from tests.integration.race_helpers import STS_KEY, setup

NOW = "2026-03-05T10:00:00"
CASHIER_PASSWORD = "Cashier-Pass-42"
WRONG_GUESS = "Wrong-Guess-77"


def private(path: Path, text: str) -> Path:
    path.write_text(text + "\n")
    path.chmod(0o600)
    return path


def every_row(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT * FROM diary").fetchall() + con.execute("SELECT * FROM outbox").fetchall()
    finally:
        con.close()
    return [repr(r) for r in rows]


def forms(value: str) -> set[str]:
    """A secret as it could be written: as given, upper and lower case, its bytes' hex."""
    out = {value, value.upper(), value.lower()}
    try:
        raw = bytes.fromhex(value)
        out |= {raw.hex(), raw.hex().upper(), repr(raw)[2:-1]}
    except ValueError:
        out.add(value.encode().hex())
    return out


def test_no_secret_reaches_a_log_a_diary_entry_or_an_error(tmp_path: Path) -> None:
    card_secret = secrets.token_hex(16)
    receipt_key = secrets.token_hex(16)
    cli = Ppms(tmp_path / "ppms.db", now=NOW, extra_env={
        "PPMS_LOG_LEVEL": "DEBUG",
        "PPMS_CARD_READER_SECRET_FILE": str(private(tmp_path / "card-secret.hex", card_secret)),
        "PPMS_PRINTER_VERIFY_KEY_FILE": str(private(tmp_path / "receipt.key", receipt_key)),
        "PPMS_PRINTER_TYPE": "file", "PPMS_PRINTER_PATH": str(tmp_path / "receipts.bin")})
    sts_key = private(tmp_path / "vend.key", STS_KEY)
    cli.extra_env["PPMS_STS_KEY_FILE"] = str(sts_key)
    seen: list[Result] = []

    def recording(who: Ppms) -> None:
        run = who.run

        def recorded(*args: str, **kw: Any) -> Result:
            res = run(*args, **kw)
            seen.append(res)
            return res
        who.run = recorded  # type: ignore[method-assign]

    recording(cli)
    card_meter = setup(cli, "card")
    sts_meter = "01234567897"
    cli.ok("customer", "register", "--name", "Keypad", "--address", "Plot 2", "--meter", sts_meter,
           "--power-type", "RES", "--carrier", "sts", "--sgc", "123456", "--ti", "1", "--krn", "1")
    cli.add_operator("cashier1", "cashier", CASHIER_PASSWORD)
    cashier = Ppms(cli.db, operator="cashier1", password=CASHIER_PASSWORD, now=NOW, extra_env=cli.extra_env)
    recording(cashier)
    sale = cashier.ok("sell", "--meter", card_meter, "--amount", "1000.00", "--print")
    cashier.ok("sell", "--meter", sts_meter, "--amount", "500.00", "--print")
    cli.ok("sale", "reverse", sale["sale_id"], "--reason", "wrong meter")
    cli.ok("card", "read")
    assert cli.run("sell", "--meter", card_meter, "--amount", "10.00", password=WRONG_GUESS).code == 2
    cli.ok("sts", "token", "--key-file", cli.extra_env["PPMS_STS_KEY_FILE"], "--pan", make_pan(sts_meter),
           "--sgc", "123456", "--ti", "1", "--krn", "1", "--kt", "2", "--ea", "07", "--dkga", "02",
           "--base-date", "2014", "--class", "0", "--subclass", "0", "--amount", "10.0",
           "--issued", "2026-03-05T10:00:00")
    cli.ok("backup", "--out", str(tmp_path / "copy.db"))
    cli.ok("check")

    seal_key = (tmp_path / "ppms.db.key").read_text().strip()
    keys = UtilityKeys(1, bytes.fromhex(card_secret))
    psc = keys.psc_for(hashlib.sha256(f"1:{card_meter}".encode()).digest()[:8]).hex()   # the emulated card's
    secret_values = {"admin password": ADMIN_PASSWORD, "cashier password": CASHIER_PASSWORD,
                     "wrong guess": WRONG_GUESS, "STS vending key": STS_KEY, "card secret": card_secret,
                     "receipt key": receipt_key, "seal key": seal_key}
    texts = [f"{r.stdout}\n{r.stderr}" for r in seen]
    texts += every_row(tmp_path / "ppms.db") + every_row(tmp_path / "copy.db")
    assert any("DEBUG" in t for t in texts), "the commands did not log at DEBUG"
    found = {name: [t[:300] for t in texts if any(f in t for f in forms(value))]
             for name, value in secret_values.items()}
    assert {k: v for k, v in found.items() if v} == {}
    card_lines = [line for t in texts for line in t.splitlines() if "PSC" in line or "error counter" in line]
    assert card_lines, "no card command was logged"
    assert [line for line in card_lines if psc in line.lower()] == [], "a PSC was logged"
