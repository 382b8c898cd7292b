"""One meter sold at two terminals while both were offline: the center numbers each card
sale as its terminal did (its own count of the meter's purchases) and records the clash of
the same purchase sequence from two terminals, once, for an auditor: in the summary and in
`ppms-central conflicts`; the terminals' sales are stored as they are, never merged."""
from __future__ import annotations

from pathlib import Path

from tests.helpers.ppms import SAMPLE_TARIFF
from tests.integration.sync.center import Center, terminal
from tests.integration.sync.helpers import added, center_sums, sums

METER, OTHER = "0123456789", "0123456790"


def test_the_same_purchase_sold_at_two_offline_terminals_is_a_clash_the_center_lists_once(
        center: Center, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{center.port}"
    t1 = terminal(tmp_path / "t01", "T01", url, center.add_terminal("T01"))
    t2 = terminal(tmp_path / "t02", "T02", url, center.add_terminal("T02"))
    center.cli("tariff", "import", str(SAMPLE_TARIFF))
    t1.ok("sync", "now")
    for number, name in ((METER, "Asha"), (OTHER, "Baraka")):
        t1.ok("customer", "register", "--name", name, "--address", "Plot 1", "--meter", number,
              "--power-type", "RES")
    t1.ok("sync", "now")
    t2.ok("sync", "now")                                     # T02 knows both meters now
    first = t1.ok("sell", "--meter", METER, "--amount", "1000.00")           # both offline from here
    t1.ok("sell", "--meter", METER, "--amount", "800.00")
    second = t2.ok("sell", "--meter", METER, "--amount", "600.00")           # purchase 1 again
    t2.ok("sell", "--meter", OTHER, "--amount", "500.00")                    # no other terminal sold it
    t1.ok("sync", "now")
    assert center.cli("conflicts")["clashes"] == []
    t2.ok("sync", "now")
    t2.ok("sync", "now")
    listed = center.cli("conflicts")
    assert listed["conflicts"] == []                         # two different sales: both stored
    assert len(listed["clashes"]) == 1, listed
    clash = listed["clashes"][0]
    assert (clash["meter"], clash["sequence"]) == (METER, 1)
    assert clash["sales"] == [
        {"terminal": "T01", "sale": first["sale_id"], "receipt_no": first["receipt_no"], "tendered": "1000.00"},
        {"terminal": "T02", "sale": second["sale_id"], "receipt_no": second["receipt_no"], "tendered": "600.00"}]
    summary = center.summary()
    assert {t: v["clashes"] for t, v in summary["terminals"].items()} == {"T01": 1, "T02": 1}
    assert center_sums(summary) == added(sums(t1), sums(t2))  # every sale counted once, none merged
