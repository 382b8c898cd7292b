"""The child of the crash test: sells in a loop until it is killed.

    python crash_seller.py DB SEED METER [METER ...]      (PPMS_FAKE_NOW sets the clock)

It builds the terminal the way the CLI does (terminal.bootstrap), logs in as
admin and sells through the real selling service into the real SQLite file.
The card is the emulated one, wrapped so that writing it takes a few
milliseconds, like a real SLE4442 write: this is the window in which a kill
leaves a PENDING sale. Lines on stdout, each flushed:

    READY                           logged in, about to sell
    DELIVERING <receipt_no>         the sale is PENDING (committed), the card write starts
    SOLD <sale_id> <receipt_no>     sell() returned the sale, status completed

A sale is reported SOLD only after sell() returned it, so every SOLD line
names a sale the customer walked away with.
"""
from __future__ import annotations

import os
import random
import sys
import time
from typing import Any

from terminal import bootstrap
from terminal.devices.card_emulated import EmulatedCards
from terminal.domain.errors import PpmsError
from terminal.services import auth, selling

AMOUNTS = ("50.00", "120.00", "250.00", "500.00", "1000.00", "1999.99")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class SlowCardCarrier:
    """The emulated card whose write takes `delay` seconds (a real card write is not instant)."""

    def __init__(self, inner: Any, delay: float) -> None:
        self.inner, self.delay, self.kind = inner, delay, inner.kind

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def deliver(self, purchase: Any) -> Any:
        say(f"DELIVERING {purchase.receipt_no}")
        if self.delay:
            time.sleep(self.delay)
        return self.inner.deliver(purchase)


class SlowCards:
    def __init__(self, delay: float) -> None:
        self.inner, self.delay = EmulatedCards(), delay

    def for_meter(self, meter: Any) -> SlowCardCarrier:
        return SlowCardCarrier(self.inner.for_meter(meter), self.delay)


def main(argv: list[str]) -> int:
    db, seed, meters = argv[0], int(argv[1]), argv[2:]
    rng = random.Random(seed)
    carriers = bootstrap.CarrierRouter({"card": SlowCards(float(os.environ.get("CRASH_CARD_DELAY", "0")))})
    app = bootstrap.build(db_path=db, carriers=carriers)
    session = auth.login(app.ctx, "admin", "secret1")
    say("READY")
    while True:
        meter = rng.choice(meters)
        try:
            sale = selling.sell(app.ctx, session, meter, rng.choice(AMOUNTS))
        except PpmsError as exc:  # e.g. too little money for the fixed charges owed: try again
            say(f"REFUSED {exc.code}")
            continue
        assert sale["status"] == "completed", sale
        say(f"SOLD {sale['sale_id']} {sale['receipt_no']}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
