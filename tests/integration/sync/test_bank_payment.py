"""A bank payment for a card meter end to end with a real center and two real terminals:
paid at the center by a gateway (idempotent on its reference), brought down the feed,
listed and sold at the next sale at the second terminal (payment `bank`), exactly once:
the first terminal, told by the center, never applies it again."""
from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any

from sync.client import signed_headers
from tests.helpers.ppms import SAMPLE_TARIFF, query
from tests.integration.sync.center import Center, terminal, write_secret

METER = "0123456789"


def pay(center: Center, secret: Path, body: dict[str, Any]) -> tuple[int, Any]:
    data = json.dumps(body).encode()
    headers = signed_headers("BANK1", bytes.fromhex(secret.read_text().strip()), "POST", "/api/v1/payments", data)
    con = http.client.HTTPConnection("127.0.0.1", center.port, timeout=30)
    try:
        con.request("POST", "/api/v1/payments", body=data, headers={**headers, "Content-Type": "application/json"})
        r = con.getresponse()
        return r.status, json.loads(r.read())
    finally:
        con.close()


def test_a_card_meters_bank_payment_is_sold_once_at_the_next_sale_at_any_terminal(
        sqlite_center: Center, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{sqlite_center.port}"
    t1 = terminal(tmp_path / "t01", "T01", url, sqlite_center.add_terminal("T01"))
    t2 = terminal(tmp_path / "t02", "T02", url, sqlite_center.add_terminal("T02"))
    bank = write_secret(tmp_path / "bank.secret")
    sqlite_center.cli("gateway", "add", "BANK1", "--secret-file", str(bank))
    sqlite_center.cli("tariff", "import", str(SAMPLE_TARIFF))
    t1.ok("sync", "now")
    t1.ok("customer", "register", "--name", "Asha", "--address", "Plot 1", "--meter", METER, "--power-type", "RES")
    t1.ok("sync", "now")
    body = {"reference": "BANK-88812", "meter": METER, "amount": "500.00", "paid_at": "2026-03-05T09:00:00"}
    status, paid = pay(sqlite_center, bank, body)
    assert status == 200 and paid["status"] == "waiting", paid
    assert pay(sqlite_center, bank, body) == (200, paid)                       # the same reference again
    assert pay(sqlite_center, bank, body | {"amount": "501.00"})[1]["error"]["code"] == "PAYMENT_CONFLICT"
    t2.ok("sync", "now")
    waiting = t2.ok("payment", "pending", "--meter", METER)["payments"]
    assert waiting == [{"payment_id": paid["payment_id"], "reference": "BANK-88812", "meter": METER,
                        "amount": "500.00", "paid_at": "2026-03-05T09:00:00"}]
    sold = t2.ok("payment", "apply", "--meter", METER)
    assert (sold["sale"]["payment"], sold["sale"]["tendered"], sold["sale"]["meter"]) == ("bank", "500.00", METER)
    assert t2.refused("payment", "apply", "--meter", METER) == "PAYMENT_NOT_WAITING"   # used here
    t2.ok("sync", "now")
    t1.ok("sync", "now")                                  # the payment, then that it was applied at T02
    assert t1.refused("payment", "apply", "--meter", METER) == "PAYMENT_NOT_WAITING"
    assert query(t1.db, "SELECT terminal, sale_uuid FROM bank_payment_use") == [("T02", sold["sale"]["sale_id"])]
    assert pay(sqlite_center, bank, body)[1]["status"] == "applied"
    summary = sqlite_center.summary()
    assert summary["totals"]["sales"]["by_payment"] == {"bank": "500.00"}, summary
    assert [v["conflicts"] for v in summary["terminals"].values()] == [0, 0]
    for cli in (t1, t2):
        assert cli.ok("check")["ok"] is True
