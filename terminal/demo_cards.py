"""`make run`, part two: the IC-card loop on the real PC/SC stack, without hardware.

pcscd + the vsmartcard-vpcd virtual reader (installed by `make`) + our SLE4442 card
emulator (`hardware/cards/emulator.py`) stand in for a reader with a card in it; a
simulated prepaid meter (`hardware/cards/meter_sim.py`) takes the card home. The
terminal runs with `[card_reader] type = "pcsc"`, exactly as it would on a counter:
make the customer's card, sell onto it, the meter takes the credit and writes its
reading back, reading the card records that reading.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from terminal import bootstrap
from terminal.config import DEFAULT_CONFIG
from terminal.devices.card import read_secret
from terminal.services import cards, registration, selling
from terminal.services.errors import CardAlreadyIssued

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER, VPCD_PORT, PROFILE = "Virtual PCD 00 00", 35963, "acr38"
CARD_METER = "19000000002"


def _alive() -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(PCSCD_SOCKET))
            return True
        except OSError:
            return False


@contextlib.contextmanager
def pcscd(log: Path) -> Iterator[None]:
    """pcscd in the foreground for the demo, unless one already answers."""
    proc = None
    if not _alive():
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        proc = subprocess.Popen([binary, "--foreground"], stdout=log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not _alive():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pcscd did not start (see {log})")
            time.sleep(0.05)
    try:
        yield
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)


def available() -> str | None:
    """Why the virtual reader cannot run here, or None when it can."""
    if not (shutil.which("pcscd") or Path("/usr/sbin/pcscd").exists()) or not VPCD_DRIVER.exists():
        return "pcscd or vsmartcard-vpcd is not installed (make installs them)"
    if os.geteuid() != 0 and not _alive():
        return "pcscd is not running and only root may start it"
    return None


def _wait_card() -> None:
    """Until pcscd sees the card in the reader (reading nothing, recording nothing)."""
    from hardware.cards.errors import CardAbsent, CardRemoved  # noqa: PLC0415
    from hardware.cards.pcsc import PcscReader  # noqa: PLC0415
    deadline = time.monotonic() + 10
    while True:
        try:
            PcscReader(READER).connect().close()
            return
        except (CardAbsent, CardRemoved):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def run(root: Path, env: dict[str, str], password: str, say: Any) -> None:
    from hardware.cards import UtilityKeys  # noqa: PLC0415 (demo tools)
    from hardware.cards.emulator import CardEmulator  # noqa: PLC0415
    from hardware.cards.meter_sim import PrepaidMeterSim  # noqa: PLC0415

    reason = available()
    if reason:
        say(f"IC card on the virtual PC/SC reader: skipped ({reason})")
        return
    env = env | {"PPMS_CARD_READER_TYPE": "pcsc", "PPMS_CARD_READER_READER": READER,
                 "PPMS_CARD_READER_PROFILE": PROFILE}
    image = root / "card.bin"                           # the card's memory (a blank one the first time)
    with pcscd(root / "pcscd.log"):
        emulator = CardEmulator(image, PROFILE, port=VPCD_PORT)
        app = bootstrap.build(DEFAULT_CONFIG, root / "ppms.db", env)
        from terminal.services import auth  # noqa: PLC0415
        admin = auth.login(app.ctx, "admin", password)
        try:
            if selling.find_meter_or_none(app.ctx, CARD_METER) is None:
                registration.register(app.ctx, admin, "Grace Achieng", "Plot 9, Lavington", CARD_METER, "RES",
                                      area="Lavington")
            emulator.insert()
            _wait_card()
            try:
                made = cards.make(app.ctx, admin, "user", CARD_METER)
                say(f"IC card: a blank SLE4442 in '{READER}' (pcscd + vpcd + our emulator) made the "
                    f"customer's card", {k: made.get(k) for k in ("card_serial", "type", "meter", "verified")})
            except CardAlreadyIssued:
                say(f"IC card: the customer's card from an earlier run is in '{READER}' (pcscd + vpcd + "
                    "our emulator)")
            sale = selling.sell(app.ctx, admin, CARD_METER, "1000.00")
            say("sold 1000.00 onto the card: written and read back before the sale completed",
                {k: sale[k] for k in ("receipt_no", "status", "credit_kwh", "change_carried")})
            emulator.remove()                        # the customer takes the card home
            meter = PrepaidMeterSim(CARD_METER, UtilityKeys(app.settings.card_reader.utility_code,
                                                            read_secret(app.settings.card_reader.secret_file)))
            taken = meter.take_image(image)
            meter.consume(2000)                      # 20 kWh used over the week
            meter.take_image(image)                  # the meter writes its reading back
            emulator.insert()                        # back at the counter
            _wait_card()
            read = cards.read(app.ctx, admin)
            say(f"the meter took {taken.added / 100:.2f} kWh and used 20.00; reading the card back "
                "recorded its reading", {"return": read.get("return"),
                                         "reading_recorded": read.get("reading_recorded")})
        finally:
            emulator.remove()
            app.close()
