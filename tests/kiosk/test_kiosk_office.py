"""The office functions at the counter through the kiosk's widgets (register, search, a
reading, the statement, the shift, the daily report), the menu a cashier's role allows, and
the operator's language kept from one login to the next; each checked on the ledger."""
from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.ppms import Ppms, query
from tests.kiosk.conftest import replay


def test_office_functions_at_the_counter_reach_the_ledger(cli: Ppms) -> None:
    res = replay(cli, "office")
    assert res.code == 0, res
    assert query(cli.db, "SELECT c.account_no, c.name, c.address, m.status FROM meter m "
                         "JOIN customer c ON c.id = m.customer_id WHERE m.number = '0555666777'") == [
        ("T01-C000002", "Amina Otieno", "Plot 7, Kibera", "installed")]
    assert query(cli.db, "SELECT r.source, r.total_kwh FROM reading r JOIN meter m ON m.id = r.meter_id "
                         "WHERE m.number = '0555666777'") == [("manual", 1250)]
    shift = cli.ok("shift", "list")["shifts"]
    assert [(s["status"], s["float"], s["cash_in"], s["counted"], s["difference"]) for s in shift] == [
        ("closed", "500.00", "1000.00", "1490.00", "-10.00")]
    assert query(cli.db, "SELECT receipt_no, tendered FROM sale") == [("T01-000001", 100000)]
    shots = {Path(p).name for p in res.data["screenshots"]}
    assert shots == {f"{n}.png" for n in ("home", "register", "register_done", "search", "reading", "reading_done",
                                          "statement_error", "statement", "shift", "daily")}
    assert cli.ok("check")["ok"]


def test_a_cashier_sees_only_what_a_cashier_may_do(cli: Ppms) -> None:
    cli.add_operator("carol", "cashier", "cashier-pass-1")
    res = replay(cli, "cashier_menu")
    assert res.code == 2, res    # the last step taps the statement, which a cashier's menu does not show
    message = res.data["error"]["message"]
    assert "home.statement" in message and "is not on the screen" in message and "line 15" in message


def test_the_operators_language_is_stored_and_applied_at_the_next_login(cli: Ppms) -> None:
    res = replay(cli, "language")
    assert res.code == 0, res
    assert query(cli.db, "SELECT value FROM meta WHERE key = 'ui.language.admin'") == [("zh",)]
    (after,) = query(cli.db, "SELECT after FROM diary WHERE action = 'operator.language'")
    assert json.loads(after[0]) == {"language": "zh"}
    assert cli.ok("check")["ok"]
