"""`make run` (the kiosk part) and `make screens`.

`make run`: after the scripted demo (terminal.demo_run) the kiosk starts on the demo
database, in a window where there is a display; where there is none it plays the demo
replay offscreen, saves its screenshots under `var/kiosk-shots/` and prints where they are.

`make screens`: every main screen at 800x480 and 1280x800, in English and Chinese, into
`docs/screens/<size>-<lang>/<screen>.png`, from a fresh demo ledger in a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from terminal import demo_run

CARD_METER, STS_METER = "19000000001", "04040404040"
SIZES = ("800x480", "1280x800")


def _login(lang: str, password: str) -> list[dict[str, Any]]:
    return [{"expect_screen": "login"}, {"tap": f"login.lang_{lang}"}, {"shot": "login"},
            {"tap": "login.username"}, {"type": "admin"}, {"tap": "login.password"}, {"type": password},
            {"tap": "login.submit"}, {"expect_screen": "home", "timeout_s": 20}, {"shot": "home"}]


def operator_steps(lang: str, password: str, shots: bool = True) -> list[dict[str, Any]]:
    """Log in, sell 250.00 onto Mary's card, a refused sale, an STS token sale."""
    steps = _login(lang, password) + [
        {"card": "insert", "meter": CARD_METER}, {"expect_screen": "sell"}, {"expect_text": "Mary"},
        {"tap": "sell.amount"}, {"type": "250"}, {"shot": "sell"},
        {"tap": "sell.quote"}, {"expect_screen": "sell_confirm"}, {"shot": "sell_confirm"},
        {"tap": "sell_confirm.confirm"}, {"expect_screen": "sell_done", "timeout_s": 20}, {"shot": "sell_done"},
        {"card": "remove"}, {"tap": "sell_done.next"}, {"expect_screen": "sell"},
        {"tap": "sell.meter"}, {"type": CARD_METER}, {"tap": "sell.amount"}, {"type": "5"},
        {"tap": "sell.quote"}, {"expect_screen": "error"}, {"shot": "error"}, {"tap": "error.ok"},
        {"expect_screen": "sell"}, {"tap": "sell.meter"}, {"type": STS_METER}, {"tap": "sell.amount"}, {"type": "1500"},
        {"tap": "sell.quote"}, {"expect_screen": "sell_confirm"}, {"tap": "sell_confirm.confirm"},
        {"expect_screen": "sell_done", "timeout_s": 20}, {"shot": "sell_done_sts"}]
    return steps if shots else [s for s in steps if "shot" not in s]


def office_steps(lang: str, password: str, new_meter: str) -> list[dict[str, Any]]:
    """The office screens: register a customer, search, a reading, the statement, the shift, the day."""
    return _login(lang, password)[:-1] + [
        {"tap": "home.register"}, {"expect_screen": "register"}, {"tap": "register.name"}, {"type": "Grace Achieng"},
        {"tap": "register.address"}, {"type": "Plot 3, Kawangware"}, {"tap": "register.meter"},
        {"type": new_meter}, {"tap": "register.power_RES"}, {"shot": "register"}, {"tap": "register.submit"},
        {"shot": "register_done"}, {"tap": "register.back"},
        {"tap": "home.search"}, {"tap": "search.name"}, {"type": "Mary"}, {"tap": "search.submit"},
        {"shot": "search"}, {"tap": "search.back"},
        {"tap": "home.reading"}, {"tap": "reading.meter"}, {"type": CARD_METER}, {"tap": "reading.kwh"},
        {"type": "40"}, {"tap": "reading.submit"}, {"shot": "reading"}, {"tap": "reading.back"},
        {"tap": "home.statement"}, {"tap": "statement.meter"}, {"type": CARD_METER}, {"tap": "statement.submit"},
        {"shot": "statement"}, {"tap": "statement.back"},
        {"tap": "home.shift"}, {"tap": "shift.amount"}, {"type": "500"}, {"tap": "shift.open"}, {"shot": "shift"},
        {"tap": "shift.amount"}, {"type": "500"}, {"tap": "shift.close"}, {"tap": "shift.back"},
        {"tap": "home.daily"}, {"expect_screen": "daily"}, {"shot": "daily"}]


def self_service_steps(lang: str) -> list[dict[str, Any]]:
    return [{"expect_screen": "self_start"}, {"tap": f"self_start.lang_{lang}"}, {"shot": "self_start_empty"},
            {"card": "insert", "meter": CARD_METER}, {"expect_text": "Mary"},
            {"tap": "self_start.amount"}, {"type": "300"}, {"shot": "self_start"},
            {"tap": "self_start.start"}, {"expect_screen": "self_pay"}, {"note": "100.00"},
            {"expect_text": "100.00", "timeout_s": 10}, {"shot": "self_pay"}, {"note": "200.00"},
            {"expect_screen": "self_done", "timeout_s": 30}, {"shot": "self_done"}]


def kiosk(db: Path, env: dict[str, str], steps: list[dict[str, Any]], shots: Path, *args: str) -> int:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(json.dumps(s) for s in steps) + "\n")
    try:
        argv = [sys.executable, "-m", "terminal.cli", "kiosk", "--db", str(db), "--replay", f.name,
                "--screenshots", str(shots), "--exit-when-done", *args]
        return subprocess.run(argv, env=env, check=False).returncode
    finally:
        os.unlink(f.name)


def demo_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PPMS_FAKE_NOW"}
    env |= {"PPMS_PRINTER_PATH": str(root / "receipts.bin"),
            "PPMS_STS_KEY_FILE": str(demo_run.demo_key(root / "sts-vending.key")),
            "PPMS_CARD_READER_SECRET_FILE": str(demo_run.ensure_secret_file(root / "card-secret.hex")),
            "PPMS_CARD_READER_TYPE": "emulated", "PPMS_OPERATOR": "admin",
            "PPMS_PASSWORD": demo_run.DEMO_PASSWORD}
    return env


def demo_ledger(db: Path, env: dict[str, str]) -> None:
    """A small demo ledger (the demo tariff and data set, Mary's card meter, Peter's STS meter)."""
    from terminal import bootstrap  # noqa: PLC0415
    from terminal.config import DEFAULT_CONFIG  # noqa: PLC0415
    from terminal.services import auth, demo, registration, setup  # noqa: PLC0415
    app = bootstrap.build(DEFAULT_CONFIG, db, env, initialising=True)
    try:
        setup.initialise(app.ctx, demo_run.DEMO_PASSWORD, allow_fake_clock=False)
        admin = auth.login(app.ctx, "admin", demo_run.DEMO_PASSWORD)
        demo.build_demo(app.ctx, admin, customers=6, sales=12, seed=1)
        registration.register(app.ctx, admin, "Mary Wanjiku", "Plot 12, Kawangware", CARD_METER, "RES",
                              area="Kawangware")
        registration.register(app.ctx, admin, "Peter Kamau", "Shop 4, Ruaka market", STS_METER, "COM",
                              area="Ruaka", carrier="sts", sts=demo_run.STS_METER)
    finally:
        app.close()


def run(root: Path) -> int:
    db, env = root / "ppms.db", demo_env(root)
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        print(f"kiosk: a window on the demo database (operator admin / password {demo_run.DEMO_PASSWORD})")
        return subprocess.run([sys.executable, "-m", "terminal.cli", "kiosk", "--db", str(db)], env=env,
                              check=False).returncode
    shots = root / "kiosk-shots"
    print("kiosk: no display here, so the demo replay plays offscreen (a card sale, a refused sale, "
          "an STS token)")
    code = kiosk(db, env, operator_steps("en", demo_run.DEMO_PASSWORD), shots)
    print(f"kiosk screenshots: {shots}/")
    for png in sorted(shots.glob("*.png")):
        print(f"  {png}")
    return code


def gallery(out: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="ppms-screens-") as folder:
        root = Path(folder)
        db, env = root / "ppms.db", demo_env(root)
        demo_ledger(db, env)
        for size in SIZES:
            for lang in ("en", "zh"):
                shots = out / f"{size}-{lang}"
                code = kiosk(db, env, operator_steps(lang, demo_run.DEMO_PASSWORD), shots, "--size", size)
                code = code or kiosk(db, env, self_service_steps(lang), shots, "--size", size,
                                     "--mode", "self-service", "--cash-simulator")
                new_meter = f"1900000{SIZES.index(size)}{('en', 'zh').index(lang)}99"
                code = code or kiosk(db, env, office_steps(lang, demo_run.DEMO_PASSWORD, new_meter), shots,
                                     "--size", size)
                if code:
                    return code
                print(f"screens: {shots}/ ({len(list(shots.glob('*.png')))} screens)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", default="var", help="the demo's folder (make run)")
    parser.add_argument("--gallery", help="write every main screen into this folder (make screens)")
    args = parser.parse_args()
    if args.gallery:
        return gallery(Path(args.gallery))
    return run(Path(args.dir).resolve())


if __name__ == "__main__":
    raise SystemExit(main())
