"""`ppms demo`: a realistic, deterministic demo data set.

The system dictionary (areas, the lifeline category, payment methods, amendment reasons),
the demo tariff (config/tariffs/demo.toml: residential with blocks,
commercial, small industry, a lifeline sheet), customers (some lifeline, some
mixed-use, some with arrears), the admin and three cashiers, and twelve months of
sales up to now. Customers go through the registration service; the sales are written
in bulk by `demo_bulk` (the selling service's vend calculation and its rows: postings,
diary entries, outbox rows), thousands to a commit, so a million sales take minutes.
The same seed gives the same customers, meters and sales.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from terminal.services import accounts, amendments, auth, demo_bulk, dictionary, registration, selling, setup
from terminal.services.auth import Session
from terminal.services.clock import FixedClock
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument

DEMO_TARIFF = Path(__file__).resolve().parents[2] / "config" / "tariffs" / "demo.toml"
AREAS = ("Kibera North", "Kibera South", "Lavington", "Kawangware", "Embakasi", "Githurai", "Ruaka")
# the system dictionary the demo keeps (kind, code, name): registration stores the codes
DICTIONARY = (*(("area", a.upper().replace(" ", "-"), a) for a in AREAS),
              ("category", "LIFELINE", "Lifeline (preferential)"),
              ("payment_method", "cash", "Cash"), ("payment_method", "bank", "Bank deposit"),
              ("payment_method", "mobile", "Mobile money"),
              ("amendment_reason", "LOST", "Card lost"), ("amendment_reason", "DAMAGED", "Card damaged"),
              ("amendment_reason", "FAULTY", "Meter faulty"), ("amendment_reason", "TAMPERED", "Meter tampered"),
              ("amendment_reason", "MOVED-OUT", "Customer moved out"),
              ("amendment_reason", "DEMOLISHED", "Building demolished"))
FIRST = ("Amina", "Brian", "Cynthia", "David", "Esther", "Francis", "Grace", "Hassan", "Irene", "James",
         "Kevin", "Lucy", "Moses", "Njeri", "Otieno", "Purity", "Quentin", "Rose", "Samuel", "Wanjiru")
LAST = ("Achieng", "Barasa", "Chege", "Kamau", "Kiptoo", "Mutua", "Njoroge", "Odhiambo", "Omondi",
        "Wafula", "Wambui", "Waweru")
AMOUNTS = {"RES": (100, 200, 250, 300, 500, 500, 1000, 1500, 2000),
           "COM": (1000, 2000, 3000, 5000, 10000), "IND": (20000, 50000, 100000)}
BATCH = 500


def build_demo(ctx: Context, session: Session, customers: int = 60, sales: int = 600,
               seed: int = 1, progress: TextIO | None = None) -> dict[str, Any]:
    """Fill a fresh ledger; a progress line goes to `progress` (the command gives stderr)."""
    if customers < 1 or sales < 0:
        raise InvalidArgument("the demo needs at least one customer and no negative sales", key="customers")
    with ctx.ledger.read() as r:
        has_customers = r.customers.any()
    if has_customers:
        raise InvalidArgument("the demo fills a fresh database: this one already has customers",
                              key="customers")
    rng = random.Random(seed)
    end = ctx.now()
    start = end - timedelta(days=365)
    real_clock = ctx.clock
    ctx_at = replace(ctx, clock=FixedClock(start))
    try:
        setup.import_tariff(ctx_at, session, DEMO_TARIFF.read_text(encoding="utf-8"))
        for kind, code, name in DICTIONARY:
            dictionary.add(ctx_at, session, kind, code, name)
        meters = _register(ctx_at, session, rng, customers, start)
        made, refused = _sell(ctx_at, session, rng, meters, sales, start, end, progress)
        office = _office_day(ctx_at, session, rng, meters, made, end)
    finally:
        ctx.clock = real_clock
    return {"customers": customers, "meters": len(meters), "sales": made, "topped_up": refused,
            **office, "from": start.isoformat(timespec="seconds"), "to": end.isoformat(timespec="seconds"),
            "seed": seed}


def _register(ctx: Context, session: Session, rng: random.Random, n: int,
              start: datetime) -> list[tuple[str, str]]:
    meters: list[tuple[str, str]] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.72:
            split, kind = "RES", "RES"
        elif roll < 0.90:
            split, kind = "COM", "COM"
        elif roll < 0.96:
            split, kind = "RES:70,COM:30", "RES"
        else:
            split, kind = "IND", "IND"
        category = "LIFELINE" if kind == "RES" and rng.random() < 0.2 else None
        number = f"{14000000000 + i * 7 + rng.randrange(7):011d}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        area = rng.choice(AREAS)
        if i % BATCH == 0:  # BATCH registrations in one commit: each one's unit of work is a savepoint
            tx = ctx.ledger.unit_of_work()
            tx.__enter__()
        registration.register(ctx, session, name, f"Plot {rng.randrange(1, 999)}, {area}", number, split,
                              category=category, phone=f"07{rng.randrange(10**8):08d}", area=area)
        if rng.random() < 0.1:
            accounts.add_debt(ctx, session, number, f"{rng.choice((300, 750, 1200, 4000))}.00",
                              "arrears taken over from the postpaid account")
        meters.append((number, kind))
        if i % BATCH == BATCH - 1 or i == n - 1:
            tx.__exit__(None, None, None)
    return meters


CASHIERS = (("wanjiku", "Wanjiku Mwangi"), ("otieno", "Otieno Ouma"), ("achieng", "Achieng Akinyi"))
CASHIER_PASSWORD = "demo-cashier"
PAYMENTS = ("cash", "cash", "cash", "mobile", "mobile", "bank")


def _cashiers(ctx: Context, session: Session) -> list[Session]:
    """The admin and three cashiers (password CASHIER_PASSWORD) who take the demo's sales."""
    for username, full_name in CASHIERS:
        auth.add_operator(ctx, session, username, full_name, "cashier", CASHIER_PASSWORD)
    return [session, *(auth.login(ctx, u, CASHIER_PASSWORD) for u, _ in CASHIERS)]


def _sales(rng: random.Random, meters: list[tuple[str, str]], n: int, start: datetime,
           end: datetime) -> Iterator[tuple[datetime, str, int, str]]:
    """(time, meter, tendered, payment) of n sales, one at a random moment of each of n equal
    slots of the year, in time order (a million sales need no list of a million times); more
    in the day than at night."""
    slot = ((end - start).total_seconds() - 120) / max(n, 1)
    for i in range(n):
        at = start + timedelta(seconds=60 + (i + rng.random()) * slot)
        number, kind = rng.choice(meters)
        yield at.replace(microsecond=0), number, rng.choice(AMOUNTS[kind]) * 100, rng.choice(PAYMENTS)


def _sell(ctx: Context, session: Session, rng: random.Random, meters: list[tuple[str, str]], n: int,
          start: datetime, end: datetime, progress: TextIO | None) -> tuple[int, int]:
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    sessions = _cashiers(ctx, session)
    return demo_bulk.sell_in_bulk(ctx, sessions, _sales(rng, meters, n, start, end), n, clock, progress)


def _office_day(ctx: Context, session: Session, rng: random.Random, meters: list[tuple[str, str]], made: int,
                end: datetime) -> dict[str, int]:
    """The last hour of the demo, through the services: the year's last few sales reset for
    selling (each is its meter's latest), a few customers' files amended, a capacity enlarged."""
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.at = end - timedelta(seconds=50)
    reversed_ = 0
    for i in range(min(3, made // 10)):   # a few, in a demo of some size
        selling.reverse(ctx, session, f"{ctx.terminal_id}-{made - i:06d}", "cashier keyed the wrong amount")
        reversed_ += 1
    amended = 0
    for number, _ in rng.sample(meters, min(3, len(meters))):
        amendments.basic(ctx, session, number, phone=f"07{rng.randrange(10**8):08d}")
        amended += 1
    if meters:
        amendments.capacity(ctx, session, meters[0][0], 60)
        amended += 1
    return {"reversed": reversed_, "amended": amended}
