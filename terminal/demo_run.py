"""`make run`: the terminal on its embedded defaults, with a scripted demo sale.

Creates (once) a demo database under --dir with the demo tariff and data set,
then walks through what a cashier does: find a meter, quote, sell, show the
sale, reverse a mistaken sale, and print the day's report and the ledger check.
Everything goes through the same services as the `ppms` command.
"""
from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from terminal import bootstrap, demo_cards
from terminal.cli_commands.render import render
from terminal.config import DEFAULT_CONFIG
from terminal.devices.card import ensure_secret_file as ensure_secret_file  # kiosk_demo uses it too
from terminal.devices.sts import key_data
from terminal.domain.errors import PpmsError
from terminal.reports import daily
from terminal.services import auth, check, demo, receipts, registration, reporting, selling, setup

DEMO_PASSWORD = "demo-admin"
STS_METER = {"sgc": 123456, "ti": 1, "krn": 1, "base_date": 2014}


def say(title: str, body: object = None) -> None:
    print(f"\n== {title}")
    if body is not None:
        print(render(body))   # as `ppms` prints it without --json


def demo_key(path: Path) -> Path:
    """A demo STS vending key: one hex line, readable only by its owner (never a real key)."""
    if not path.exists():
        path.write_text(secrets.token_hex(8) + "\n", encoding="ascii")
        path.chmod(0o600)
    return path


def follow_token_to_meter(token: str, meter_no: str, key_file: Path) -> dict[str, object]:
    """Key the token into a simulated STS keypad meter, as the customer would."""
    from hardware import sts  # noqa: PLC0415 (the meter simulator, for the demo only)
    module = sts.SoftwareSecurityModule.from_key_file(key_file)
    meter = sts.KeypadMeter.for_meter(module, key_data(meter_no, STS_METER))
    response = meter.enter(token)
    return {"accepted": True, "credit_added_kwh": response.credit_added / 10}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", default="var")
    args = parser.parse_args()
    root = Path(args.dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    db_path = root / "ppms.db"
    env = dict(os.environ)
    env.pop("PPMS_FAKE_NOW", None)
    env.setdefault("PPMS_PRINTER_PATH", str(root / "receipts.bin"))
    env.setdefault("PPMS_STS_KEY_FILE", str(demo_key(root / "sts-vending.key")))
    # the utility's card secret for the demo: random, hex, chmod 600, never in the database
    env.setdefault("PPMS_CARD_READER_SECRET_FILE", str(ensure_secret_file(root / "card-secret.hex")))
    fresh = not db_path.exists()
    app = bootstrap.build(DEFAULT_CONFIG, db_path, env, initialising=fresh)
    ctx = app.ctx
    if fresh:
        setup.initialise(ctx, DEMO_PASSWORD, allow_fake_clock=False)
        admin = auth.login(ctx, "admin", DEMO_PASSWORD)
        say("building the demo data set (60 customers, a year of sales)",
            demo.build_demo(ctx, admin, customers=60, sales=600, seed=1))
    admin = auth.login(ctx, "admin", DEMO_PASSWORD)
    say(f"terminal {ctx.terminal_id} on {db_path}  (operator admin / password {DEMO_PASSWORD})")

    meter = "19000000001"   # an IC-card meter number: digits only
    if selling.find_meter_or_none(ctx, meter) is None:
        say("registering and installing a new customer",
            registration.register(ctx, admin, "Mary Wanjiku", "Plot 12, Kawangware", meter, "RES",
                                  category="LIFELINE", phone="0712345678", area="Kawangware"))
    say("quote: what does 500.00 buy?", selling.quote(ctx, admin, meter, amount="500.00"))
    sale = selling.sell(ctx, admin, meter, "500.00", "cash", print_receipt=True)
    say("sale: 500.00 cash onto the customer's card (emulated reader)", sale)
    say(f"its receipt, printed to {app.settings.printer.path} (ESC/POS bytes); as laid out:",
        "\n".join(receipts.preview(ctx, admin, sale["sale_id"])))
    wrong = selling.sell(ctx, admin, meter, "100.00", "mobile")
    say(f"a mistaken sale {wrong['receipt_no']} is reset (reversed, never deleted)",
        selling.reverse(ctx, admin, wrong["sale_id"], "cashier keyed the wrong amount")["status"])
    sts_meter = "04040404040"
    if selling.find_meter_or_none(ctx, sts_meter) is None:
        registration.register(ctx, admin, "Peter Kamau", "Shop 4, Ruaka market", sts_meter, "COM",
                              area="Ruaka", carrier="sts", sts=STS_METER)
    try:
        token_sale = selling.sell(ctx, admin, sts_meter, "2000.00", "mobile")
    except PpmsError as exc:  # e.g. a third run within one minute: the meter's TIDs are used up
        say(f"an STS keypad meter: sale refused ({exc.code}): {exc.message}")
    else:
        say(f"an STS keypad meter: 2000.00 by mobile money buys token {token_sale['token']}",
            {k: token_sale[k] for k in ("receipt_no", "kwh", "change_carried", "token")})
        say("the customer keys it into the (simulated) keypad meter",
            follow_token_to_meter(token_sale["token"], sts_meter, Path(env["PPMS_STS_KEY_FILE"])))
    demo_cards.run(root, env, DEMO_PASSWORD, say)
    say("today's daily report", daily.as_text(reporting.daily_report(ctx, admin, ctx.now().date().isoformat())))
    result = check.verify(ctx)
    say("ledger check", {k: result[k] for k in ("ok", "sales", "postings", "debits", "credits")})
    print(f"\nTry it yourself:  PPMS_DB={db_path} PPMS_OPERATOR=admin PPMS_PASSWORD={DEMO_PASSWORD} "
          f".venv/bin/ppms quote --meter {meter} --amount 250.00")
    app.close()
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
