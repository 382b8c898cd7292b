"""`ppms demo`: a realistic, deterministic demo data set.

The system dictionary (areas, the lifeline category, payment methods, amendment reasons),
the demo tariff (config/tariffs/demo.toml: residential with blocks,
commercial, small industry, a lifeline sheet), customers (some lifeline, some
mixed-use, some with arrears) and twelve months of sales up to now, all made
through the same services as the kiosk, so every row has its postings, diary
entry and outbox row. The same seed gives the same customers, meters and sales.
"""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from terminal.domain.errors import AmountTooSmall
from terminal.domain.money import format_money
from terminal.services import accounts, dictionary, registration, selling, setup
from terminal.services.auth import Session
from terminal.services.clock import FixedClock
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument
from terminal.services.meter_state import ledger_currency

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
               seed: int = 1) -> dict[str, Any]:
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
        made, refused = _sell(ctx_at, session, rng, meters, sales, start, end)
    finally:
        ctx.clock = real_clock
    return {"customers": customers, "meters": len(meters), "sales": made, "topped_up": refused,
            "from": start.isoformat(timespec="seconds"), "to": end.isoformat(timespec="seconds"),
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


def _sell(ctx: Context, session: Session, rng: random.Random, meters: list[tuple[str, str]], n: int,
          start: datetime, end: datetime) -> tuple[int, int]:
    slot = ((end - start).total_seconds() - 120) / max(n, 1)
    # one sale at a random moment of each of n equal slots: in time order, made as they are
    # needed (a million sales need no list of a million times)
    times = (start + timedelta(seconds=60 + (i + rng.random()) * slot) for i in range(n))
    made = refused = 0  # refused: first offer too small for the fixed charges owed
    with ctx.ledger.read() as r:
        cur = ledger_currency(r)
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    for i, at in enumerate(times):
        if i % BATCH == 0:  # BATCH sales in one commit
            tx = ctx.ledger.unit_of_work()
            tx.__enter__()
        number, kind = rng.choice(meters)
        clock.at = at.replace(microsecond=0)
        amount = rng.choice(AMOUNTS[kind]) * 100
        payment = rng.choice(("cash", "cash", "mobile", "bank"))
        try:
            selling.sell(ctx, session, number, format_money(amount, cur), payment)
            made += 1
        except AmountTooSmall as exc:
            # the customer was told what the months of fixed charge owed come to, and paid it too
            refused += 1
            selling.sell(ctx, session, number, format_money(exc.details["needed"] + amount, cur), payment)
            made += 1
        if i % BATCH == BATCH - 1 or i == n - 1:
            tx.__exit__(None, None, None)
    return made, refused
