"""Set-ups and runs shared by the race, lease and disk tests (real `ppms` processes)."""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from terminal import bootstrap
from terminal.ledger.journal import PAYMENT_ACCOUNTS
from terminal.services import auth, selling
from terminal.services.meter_state import find_meter
from tests.helpers.ppms import ADMIN_PASSWORD, SAMPLE_TARIFF, Ppms, Result, query

CHILD = Path(__file__).resolve().parent / "race_child.py"
CARD_METER, STS_METER = "0100000001", "01234567897"
STS_KEY = "0123456789abcdef"


def minor(text: str) -> int:
    return int(Decimal(text) * 100)


def setup(cli: Ppms, carrier: str) -> str:
    """init, the sample tariff and one meter (card or STS) registered at the CLI's time."""
    if carrier == "sts":
        key = cli.db.parent / "vend.key"
        key.write_text(STS_KEY + "\n")
        key.chmod(0o600)
        cli.extra_env["PPMS_STS_KEY_FILE"] = str(key)
    cli.init()
    cli.ok("tariff", "import", str(SAMPLE_TARIFF))
    meter = STS_METER if carrier == "sts" else CARD_METER
    extra = ["--carrier", "sts", "--sgc", "123456", "--ti", "1", "--krn", "1"] if carrier == "sts" else []
    cli.ok("customer", "register", "--name", "Race", "--address", "Plot 1", "--meter", meter,
           "--power-type", "RES", *extra)
    return meter


def give_carry_over(cli: Ppms, meter: str, amount: int, now: str) -> None:
    """Money held as the customer's carry-over (a real `cash_held` posting, as a voided
    acceptor sale leaves it), through the service in this process."""
    app = bootstrap.build(db_path=cli.db, env={"PPMS_FAKE_NOW": now, **cli.extra_env})
    try:
        session = auth.login(app.ctx, "admin", ADMIN_PASSWORD)
        with app.ctx.ledger.unit_of_work() as uow:
            row = find_meter(uow, meter)
            selling.hold_money(app.ctx, session, uow, row.customer_id, PAYMENT_ACCOUNTS["cash"], amount,
                               "race test: money held", {"meter": meter})
    finally:
        app.ledger.close()


def balances(cli: Ppms, meter: str, now: str) -> tuple[int, int]:
    acct = cli.ok("account", "show", "--meter", meter, now=now)
    return minor(acct["carry_over"]), minor(acct["arrears"])


@dataclass
class Proc:
    proc: subprocess.Popen[str]
    args: tuple[str, ...]

    def result(self, timeout: float = 120) -> Result:
        import json
        out, err = self.proc.communicate(timeout=timeout)
        data = json.loads(out) if out.strip() else None
        return Result(self.proc.returncode, out, err, data)


def spawn(cli: Ppms, *args: str, now: str, **env: str) -> Proc:
    full = {**cli.env(now=now), **env}
    proc = subprocess.Popen([sys.executable, str(CHILD), *args, "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=full,
                            cwd=cli.db.parent)
    return Proc(proc, args)


def wait_until(pred: Any, timeout: float = 60, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.01)


def statuses(cli: Ppms) -> dict[str, str]:
    return dict(query(cli.db, "SELECT s.receipt_no, st.status FROM sale s JOIN sale_status st "
                              "ON st.sale_id = s.id"))


def check_sound(cli: Ppms, now: str) -> dict[str, Any]:
    res = cli.run("check", now=now)
    assert res.code == 0 and res.data["ok"] is True, f"ledger unsound: {res}"
    return dict(res.data)
